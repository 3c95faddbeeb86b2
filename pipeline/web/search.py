"""The web edition's search index, made here in Python and shipped as a script file.

Why this design: the site must search from ``file://`` as well as over http. A page opened from
``file://`` may not ``fetch`` (so Pagefind, which fetches its index chunks, cannot load there),
but it may load a ``<script src>`` from its own folder: the index is therefore a JavaScript file
that assigns one object, as mdBook ships its search index. Stemming is done here, at build time,
with Snowball (``snowballstemmer``: BSD, pure Python), for the language of each passage; the
index maps every word form of the text to its stem, so the page's own small script needs no
stemmer, and no third-party JavaScript is shipped. Words are folded the same way on both sides:
decomposed (NFD), combining marks removed, case folded, so that "Горбачев" finds "Горбачёв" and
"αρχη" finds "ἀρχὴ" (lunr's default trimmer would have dropped both as non-Latin).

The object (``window.pressSearch``), kept small since a first query loads all of it (about
1 MB for a 1,000-page reader):

- ``units``: ``[anchor, page, snippet]`` for every unit (``units.py``), e.g.
  ``["doc37-p19", "213", "The first words…"]``; the page is ``docN.html`` of the anchor, and the
  label ("Doc. 37, § 19 — p. 213") is put together by the page from ``words``;
- ``words``: the catalogue entries a label is made of, in the book's language;
- ``forms``: folded word form -> its stem, for the forms whose stem differs;
- ``stems``: stem (or unstemmed form) -> the units holding it, ascending, as a string: the gaps
  between unit numbers in base 36, joined by commas, or, when shorter (a word in most units),
  ``~`` and a bitmap of the units in base 64 (URL alphabet, lowest unit first).
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from pipeline.web.units import Unit

#: Snowball's algorithm for a language (primary subtag).
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian",
    "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian", "nl": "dutch",
    "nn": "norwegian", "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
#: The script a language is written in, when it is not Latin; a word in another script than its
#: passage's language (a Russian name in an English sentence) is stemmed as its script's default.
SCRIPT_OF = {"ru": "cyrillic", "uk": "cyrillic", "be": "cyrillic", "bg": "cyrillic", "sr": "cyrillic",
             "el": "greek", "grc": "greek"}
SCRIPT_DEFAULT = {"cyrillic": "ru", "greek": "el"}
WORD = re.compile(r"[^\W_]+")
SNIPPET = 100  # characters of a result's text shown under its label


def fold(text: str) -> str:
    """Decomposed, marks removed, case folded: what both the index and the page's script compare."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M")).casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits; the page's script splits the same way)."""
    return WORD.findall(fold(text))


def _script(word: str) -> str:
    for c in word:
        if "\u0400" <= c <= "\u052f":
            return "cyrillic"
        if "\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff":
            return "greek"
    return "latin"


@lru_cache(maxsize=None)
def _stemmer(language: str):
    name = SNOWBALL.get(language)
    return snowballstemmer.stemmer(name) if name else None


class Stems:
    """Stems words for a book: by the passage's language when the word is in its script, else by
    the script's own language (Cyrillic: Russian, Greek: Greek) or the book's, when Latin."""

    def __init__(self, book_language: str):
        self.book = book_language.split("-")[0].lower()
        self._cache: dict[tuple[str, str], str] = {}

    def __call__(self, word: str, language: str) -> str:
        key = (word, language)
        if key not in self._cache:
            self._cache[key] = self._stem(word, language)
        return self._cache[key]

    def _stem(self, word: str, language: str) -> str:
        if word.isdigit():
            return word
        script = _script(word)
        primary = language.split("-")[0].lower()
        if SCRIPT_OF.get(primary, "latin") != script:
            primary = SCRIPT_DEFAULT.get(script) or (self.book if SCRIPT_OF.get(self.book, "latin") == "latin" else "en")
        stemmer = _stemmer(primary)
        return stemmer.stemWord(word) if stemmer else word


def snippet(text: str) -> str:
    if len(text) <= SNIPPET:
        return text
    cut = text[:SNIPPET].rsplit(" ", 1)[0]
    return cut + "…"


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, d = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + digits
        if not n:
            return digits


def encode_postings(units: list[int], count: int) -> str:
    """Ascending unit numbers as gaps in base 36, or as a bitmap when that is shorter."""
    gaps = ",".join(_base36(u - previous) for u, previous in zip(units, [-1, *units]))
    bits = bytearray((count + 7) // 8)
    for u in units:
        bits[u // 8] |= 1 << (u % 8)
    bitmap = "~" + base64.urlsafe_b64encode(bytes(bits)).decode().rstrip("=")
    return bitmap if len(bitmap) < len(gaps) else gaps


def build_index(units: list[Unit], book_language: str, label_words: dict[str, str]) -> str:
    """The index as a script: ``units`` in reading order; ``label_words`` the catalogue entries
    of a result's label (``doc_short``, ``paragraph_short``, ``note_short``, ``page``,
    ``search_result_label``)."""
    stem = Stems(book_language)
    forms: dict[str, str] = {}
    postings: dict[str, list[int]] = {}
    rows = []
    for i, unit in enumerate(units):
        rows.append([unit.anchor, unit.page or "", snippet(unit.text)])
        for text, language in unit.texts:
            for word in words(text):
                s = stem(word, language)
                if s != word:
                    forms.setdefault(word, s)
                found = postings.setdefault(s, [])
                if not found or found[-1] != i:
                    found.append(i)
    stems = {key: encode_postings(found, len(units)) for key, found in sorted(postings.items())}
    data = {"units": rows, "words": label_words, "forms": dict(sorted(forms.items())), "stems": stems}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return "window.pressSearch = " + text + ";\n"
