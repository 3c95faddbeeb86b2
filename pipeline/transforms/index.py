"""The index's occurrences, found once on the model: every format cites the same paragraphs.

An entry is found in a paragraph by one of its forms (whole words or phrases; the longest form
wins where two overlap, so "Soviet Union" is not also "Union"), by a manual mark naming it
(``[the General Secretary]{.ix key="Gorbachev, Mikhail S."}``), or, for a person, by a speaker
turn when the entry lists the speaker's name among its forms. Words marked ``{.noix}`` are never
found. A sub-entry cites the paragraphs where its entry and one of its own forms are both found
(or a mark ``key="Entry > Sub-entry"``). Text outside numbered paragraphs (block quotations,
lists, tables, headings) cites the numbered paragraph before it; a footnote cites the paragraph
that refers to it; text before any numbered paragraph cites the document.

Entries are then sorted by the Unicode Collation Algorithm (pyuca, the DUCET order: accents,
case and scripts as dictionaries order them), and locators are shown collapsed as the Chicago
Manual of Style does (``collapse``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from pipeline.model import (
    INDEX_ANCHOR,
    INLINE_CONTAINERS,
    BlockQuote,
    Book,
    BookIndex,
    Code,
    Document,
    FootnoteRef,
    Heading,
    IndexEntry,
    IndexMark,
    Inline,
    LineBreak,
    ListBlock,
    Locator,
    Omission,
    Paragraph,
    Table,
    Text,
    walk_blocks,
    walk_inlines,
)

#: A manual mark's key for a sub-entry: "Entry > Sub-entry".
SUB_SEPARATOR = " > "
_GAP = "\x00"  # stands for words kept out of the index: no form matches across it


@lru_cache(maxsize=4)
def _collator(characters: frozenset[int]):
    """A collator weighing strings of ``characters``, the same weights as pyuca's full one."""
    import pyuca  # only books with an index pay for it
    from pyuca.collator import COLL_ELEMENT_PATTERN

    wanted = {f"{code:04X}" for code in characters}  # as the table writes a code point

    class HeadingCollator(pyuca.Collator):
        """pyuca's collator holding only the rows of the UCA table that can weigh the headings.

        pyuca reads the whole table (about 30,000 rows) into its trie, a tenth of a second before
        any layout, to sort a hundred and fifty headings. A row is a key of one or more code points
        and its weights; the collator looks up the longest key that begins the rest of the
        (decomposed) string, so a row whose first code point is not one of the headings' is never
        looked at. Leaving those out gives the same keys; ``test_index`` compares them. The rows
        are read in one pass whatever the headings hold (an index.yaml of every script too)."""

        def load(self, filename: str) -> None:
            text = Path(filename).read_text(encoding="utf-8")
            for start, end, base in _IMPLICIT.findall(text):
                self.implicit_weights.append([int(start, 16), int(end, 16), int(base, 16)])
            for line in text.splitlines():
                # a row begins with its key's first code point, four to six digits (a few more rows than
                # needed may pass, "1F60" of "1F600": the full table is the same, only larger)
                if not (line[:4] in wanted or line[:5] in wanted or line[:6] in wanted):
                    continue
                row = _ROW.match(line)
                if row is not None:
                    self.table.add([int(code, 16) for code in row[1].split()],
                                   [[int(w, 16) for w in element] for element in COLL_ELEMENT_PATTERN.findall(row[2])])

    return HeadingCollator()


_IMPLICIT = re.compile(r"^@implicitweights\s+([0-9A-Fa-f]+)\.\.([0-9A-Fa-f]+)\s*;\s*([0-9A-Fa-f]+)", re.M)
_ROW = re.compile(r"([0-9A-F]{4,6}(?: [0-9A-F]{4,6})*) *;([^#\n]*)")  # a row: its key's code points; its weights


def sort_keys(headings) -> dict[str, tuple]:
    """Each heading's collation key: the UCA's, then the heading itself, so the order is total."""
    headings = set(headings)
    collator = _collator(frozenset(ord(c) for heading in headings for c in unicodedata.normalize("NFD", heading)))
    return {heading: (collator.sort_key(heading), heading) for heading in headings}


@dataclass
class Hits:
    """What reading the text found: each entry's (and sub-entry's) locators, the documents each
    form was found in, and the manual marks whose key is no entry (for the preflight)."""

    locators: dict[str, list[Locator]] = field(default_factory=dict)  # heading, or "heading > sub"
    form_documents: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (heading, form) -> documents
    unknown_marks: list[IndexMark] = field(default_factory=list)


@dataclass(frozen=True)
class _Unit:
    """A stretch of text cited by one locator: its plain text, the keys marked in it, its speaker."""

    locator: Locator
    text: str
    marks: tuple[IndexMark, ...]
    speaker: str | None


class _Finder:
    """One regular expression for every form of the index, as whole words, the longest found first.

    The forms are one alternation grouped by their first words (``_by_first_word``): at each place
    in the text the engine tries only the forms that begin with the word there, not each of them in
    turn, which made reading a 500-page reader's text a quarter of a second (now under a tenth)."""

    def __init__(self, index: BookIndex):
        self.owners: dict[str, list[tuple[str, str]]] = {}  # normalised match -> (owner key, form)
        self._words: set[tuple[str, ...]] = set()  # each variant of a form, as its words
        for entry in index.entries:
            if entry.see:
                continue
            for form in entry.forms:
                self._add(form, entry.heading)
            for sub in entry.subentries:
                for form in sub.forms:
                    self._add(form, entry.heading + SUB_SEPARATOR + sub.heading)
        # where no form begins (most places in the text) a class of first letters says so at once
        first = "".join(re.escape(c) for c in sorted({words[0][0] for words in self._words}))
        self.pattern = (re.compile(rf"(?<!\w)(?=[{first}])" + _by_first_word(self._words) + r"(?!\w)")
                        if self._words else None)

    def _add(self, form: str, owner: str) -> None:
        form = _normal(form)
        if not form:
            return
        variants = {form, form[0].upper() + form[1:]} if form[0].islower() else {form}
        for variant in variants:
            self.owners.setdefault(variant, []).append((owner, form))
            self._words.add(tuple(variant.split(" ")))

    def find(self, text: str):
        """(owner key, form) for each hit in ``text``."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(text):
            yield from self.owners.get(" ".join(match[0].split()), ())


def _by_first_word(forms: set[tuple[str, ...]]) -> str:
    """The forms as one alternation of their first words, each followed by what its forms go on
    with: the longest form first within a first word, a longer first word before its prefixes, so
    the longest form is found (a space matches any run of spaces, the no-break space of a tied
    date too). Two levels only, however many words a form has: a form of thousands of words from
    an index.yaml must not nest the expression, or its building, that deep."""
    rests: dict[str, list[tuple[str, ...]]] = {}
    for words in forms:
        rests.setdefault(words[0], []).append(words[1:])
    branches = []
    for first in sorted(rests, key=lambda w: (-len(w), w)):
        tails = sorted(rests[first], key=lambda t: (-len(" ".join(t)), t))
        alternatives = [r"\s+" + r"\s+".join(re.escape(w) for w in tail) if tail else "" for tail in tails]
        branches.append(re.escape(first) + ("" if alternatives == [""] else "(?:" + "|".join(alternatives) + ")"))
    return "(?:" + "|".join(branches) + ")"


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


#: The last reading (the documents read, the index's forms, what was found): a build's preflight
#: asks again what its index transform has just read, from the same documents.
_last_reading: list[tuple[tuple[Document, ...], tuple, Hits]] = []


def _forms(index: BookIndex) -> tuple:
    """What reading the text for ``index`` depends on besides the text (not its locators or order)."""
    return tuple(sorted((e.heading, e.forms, e.see is not None, tuple(sorted((s.heading, s.forms) for s in e.subentries)))
                        for e in index.entries))


def find_occurrences(book: Book) -> Hits:
    """Read every document's text for the index's entries (the result is shared: not to be changed)."""
    index = book.index
    if index is None:
        return Hits()
    forms = _forms(index)
    if _last_reading and _last_reading[0][0] is book.documents and _last_reading[0][1] == forms:
        return _last_reading[0][2]
    hits = _read(book, index)
    _last_reading[:] = [(book.documents, forms, hits)]
    return hits


def _read(book: Book, index: BookIndex) -> Hits:
    hits = Hits()
    finder = _Finder(index)
    entries = {e.heading: e for e in index.entries}
    keys = set(entries) | {e.heading + SUB_SEPARATOR + s.heading for e in index.entries for s in e.subentries}
    for doc in book.documents:
        for unit in _units(doc):
            found: dict[str, None] = {}
            # a turn's speaker is read as written before it ("Gorbachev: …"): a person listing the name is found
            text = f"{unit.speaker}: {unit.text}" if unit.speaker else unit.text
            for owner, form in finder.find(text):
                found.setdefault(owner, None)
                if SUB_SEPARATOR not in owner:
                    hits.form_documents.setdefault((owner, form), set()).add(doc.number)
            for mark in unit.marks:
                if mark.key in keys:
                    found.setdefault(mark.key, None)
                else:
                    hits.unknown_marks.append(mark)
            for owner in found:
                main = owner.split(SUB_SEPARATOR)[0]
                if SUB_SEPARATOR in owner and main not in found and owner not in {m.key for m in unit.marks}:
                    continue  # a sub-entry's words without its entry: not this sub-entry
                if main in entries and not entries[main].see:
                    hits.locators.setdefault(owner, []).append(unit.locator)
    # footnotes are read after the text and cite paragraphs before them: reading order, each once
    order = {doc.number: k for k, doc in enumerate(book.documents)}
    for owner, located in hits.locators.items():
        hits.locators[owner] = sorted(set(located), key=lambda loc: (order[loc.document], loc.paragraph or 0))
    return hits


def _units(doc: Document):
    """Every stretch of the document's text with the locator it is cited by, in reading order."""
    current = Locator(doc.number, None, doc.anchor)
    by_note: dict[int, Locator] = {}
    for block in doc.text_blocks:
        if isinstance(block, Paragraph) and block.anchor and block.number:
            current = Locator(doc.number, block.number, block.anchor)
        for inner in walk_blocks((block,)):
            inlines: tuple[Inline, ...] = ()
            if isinstance(inner, (Paragraph, Heading)):
                inlines = inner.inlines
            elif isinstance(inner, Table):
                inlines = tuple(node for cell in inner.cells for node in cell.inlines + (LineBreak(),))
            elif isinstance(inner, (BlockQuote, ListBlock)):
                continue
            else:
                inlines = getattr(inner, "inlines", ())
            for node in walk_inlines(inlines):
                if isinstance(node, FootnoteRef) and node.number:
                    by_note.setdefault(node.number, current)
            text, marks = _plain(inlines)
            yield _Unit(current, text, marks, inner.speaker if isinstance(inner, Paragraph) else None)
    for note in doc.footnotes:
        where = by_note.get(note.number, current)
        for inner in walk_blocks(note.blocks):
            if isinstance(inner, (Paragraph, Heading)):
                text, marks = _plain(inner.inlines)
                yield _Unit(where, text, marks, None)


def _plain(inlines: tuple[Inline, ...]) -> tuple[str, tuple[IndexMark, ...]]:
    """The words of a run as one string (words marked ``.noix`` left out) and the marks in it."""
    out: list[str] = []
    marks: list[IndexMark] = []

    def visit(nodes: tuple[Inline, ...]) -> None:
        for node in nodes:
            if isinstance(node, IndexMark):
                if node.key is None:
                    out.append(_GAP)
                    continue
                marks.append(node)
            if isinstance(node, (Text, Code)):
                out.append(node.text)
            elif isinstance(node, (LineBreak, Omission)):
                out.append(" ")
            elif isinstance(node, FootnoteRef):
                out.append(_GAP)
            if isinstance(node, INLINE_CONTAINERS):
                visit(node.children)

    visit(inlines)
    return unicodedata.normalize("NFC", "".join(out)), tuple(marks)


def collect_index(book: Book) -> Book:
    """Reads the documents' text and ``book.index``; sets each entry's locators and sorts the entries."""
    if book.index is None:
        return book
    hits = find_occurrences(book)
    keys = sort_keys([e.heading for e in book.index.entries] + [s.heading for e in book.index.entries for s in e.subentries])

    def located(entry: IndexEntry) -> IndexEntry:
        subs = tuple(replace(s, locators=tuple(hits.locators.get(entry.heading + SUB_SEPARATOR + s.heading, ())))
                     for s in entry.subentries)
        return replace(entry, locators=tuple(hits.locators.get(entry.heading, ())),
                       subentries=tuple(sorted(subs, key=lambda s: keys[s.heading])))

    kinds = tuple(replace(kind, entries=tuple(sorted((located(e) for e in kind.entries), key=lambda e: keys[e.heading])))
                  for kind in book.index.kinds)
    return replace(book, index=replace(book.index, kinds=kinds))


def narrow_index(index: BookIndex, documents: set[int]) -> BookIndex:
    """The index of a class edition: locators in its ``documents`` only; entries left with nothing to
    cite (and references to them) go."""

    def kept(entry: IndexEntry) -> IndexEntry:
        subs = tuple(replace(s, locators=tuple(loc for loc in s.locators if loc.document in documents)) for s in entry.subentries)
        return replace(entry, locators=tuple(loc for loc in entry.locators if loc.document in documents),
                       subentries=tuple(s for s in subs if s.locators))

    entries = {e.heading: kept(e) for e in index.entries}
    alive = {h for h, e in entries.items() if e.locators or e.subentries}
    # a "see" stays when what it points at is cited (after as many hops as there are)
    for _ in range(len(entries)):
        more = {h for h, e in entries.items() if e.see in alive} - alive
        if not more:
            break
        alive |= more
    kinds = tuple(replace(kind, entries=tuple(
        replace(entries[e.heading], see_also=tuple(t for t in e.see_also if t in alive))
        for e in kind.entries if e.heading in alive)) for kind in index.kinds)
    return replace(index, kinds=kinds)


# ------------------------------------------------------------------- ids of the printed index


def entry_ids(index: BookIndex) -> dict[str, str]:
    """Each entry's element id in every format (``ix-1``, ``ix-2``, … in printed order); a
    sub-entry's is its entry's with its place added (``ix-4-2``, ``sub_id``)."""
    return {e.heading: f"ix-{i}" for i, e in enumerate(index.entries, start=1)}


def sub_id(entry_id: str, place: int) -> str:
    return f"{entry_id}-{place}"


def index_element_ids(index: BookIndex) -> set[str]:
    """The ids a printed index page can begin in: the index itself (its title and headnote), a
    kind's heading (``index-persons``), an entry or a sub-entry. The print HTML gives each of them
    as the element's ``data-key``, so the layout's page starts name them."""
    ids = entry_ids(index)
    out = {INDEX_ANCHOR} | {f"{INDEX_ANCHOR}-{kind.name}" for kind in index.kinds}
    for entry in index.entries:
        out.add(ids[entry.heading])
        out.update(sub_id(ids[entry.heading], k) for k in range(1, len(entry.subentries) + 1))
    return out


# ------------------------------------------------------------------- locators as printed


def collapse(first: int, last: int) -> str:
    """An inclusive range of numbers as the Chicago Manual of Style abbreviates it (9.64):
    3–10, 100–104, 101–8, 321–28, 498–532, 1087–89, 1496–1504 (four digits, three of them
    changing: all four), 11564–615."""
    if first == last:
        return str(first)
    a, b = str(first), str(last)
    if first < 100 or first % 100 == 0 or len(a) != len(b):
        return f"{a}–{b}"
    if first % 100 < 10:  # 101 through 109: only the digits that change
        keep = 0
        while keep < len(a) and a[keep] == b[keep]:
            keep += 1
        return f"{a}–{b[keep:]}"
    # 110 through 199: at least two digits, more when more change
    keep = 0
    while keep < len(a) - 2 and a[keep] == b[keep]:
        keep += 1
    if len(a) == 4 and keep == 1:
        keep = 0
    return f"{a}–{b[keep:]}"


def runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Consecutive numbers joined into ranges: [3, 4, 5, 9] -> [(3, 5), (9, 9)]."""
    out: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out
