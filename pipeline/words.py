"""The words press adds to a book, in the book's language.

Every word press sets around the manuscript's own text ("Document No. 37", "Translated by",
"Contents", the imprint's lines, the EPUB's landmarks and accessibility summary) comes from a
message catalogue, ``styles/messages/<language>.yaml``, chosen by the book's ``language``: a
regional tag falls back to its language (``fr-CA`` → ``fr``), a language without a catalogue to
English (the loader warns, W116). ``labels:`` in book.yaml overrides any word. Lists of names and
numbers are joined as the language joins them (Babel's CLDR list patterns).

A catalogue entry marks where values go with ``{name}``; values are put in by plain substitution
(never ``str.format``, which would let a book's label reach Python attributes).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping

import yaml
from babel import Locale, UnknownLocaleError
from babel.lists import format_list
from markupsafe import Markup, escape

from pipeline.styles import STYLES

MESSAGES = STYLES / "messages"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, str]:
    """The catalogue of ``language`` (a primary subtag such as ``fr``), or an empty one."""
    path = MESSAGES / f"{language}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(key): str(value) for key, value in data.items()}


#: The keys every catalogue has, and ``labels:`` may set: the English catalogue's.
KEYS: tuple[str, ...] = tuple(catalogue("en"))


def catalogue_language(tag: str) -> str | None:
    """The catalogue that serves the BCP 47 ``tag``: its own, its language's, or None."""
    primary = tag.split("-")[0].lower()
    return primary if catalogue(primary) else None


def placeholders(text: str) -> set[str]:
    """The ``{name}`` slots of a catalogue entry."""
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, **values: object) -> str:
    """``text`` (an entry, or a book's own line such as ``stamp.text``) with its ``{slots}`` filled."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m[1], m[0])), text)


def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(tag.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse("en")


class Words:
    """The words of one book: its language's catalogue under the book's own ``labels``."""

    def __init__(self, language: str, labels: Mapping[str, str] | Iterable[tuple[str, str]] = ()):
        self.language = language
        own = catalogue_language(language)
        self.messages = {**catalogue("en"), **(catalogue(own) if own else {}), **dict(labels)}
        self.locale = _locale(language if own else "en")

    def __call__(self, key: str, **values: object) -> str:
        """The entry ``key`` with its values put in, as plain text."""
        return fill(self.messages[key], **values)

    def markup(self, key: str, **values: object) -> Markup:
        """The entry as HTML: its text escaped, each value escaped unless it is markup already."""
        parts = _PLACEHOLDER.split(self.messages[key])
        out = Markup("")
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out += escape(part)
            else:
                out += escape(values[part]) if part in values else escape("{" + part + "}")
        return out

    def names(self, names: Iterable[object]) -> str:
        """``A``, ``A and B``, ``A, B, and C`` — as the book's language joins a list."""
        items = [str(n) for n in names]
        return format_list(items, locale=self.locale) if items else ""

    def document_list(self, numbers: Iterable[int]) -> str:
        """``Document 3`` or ``Documents 3, 5, and 7``."""
        numbers = list(numbers)
        key = "document_list_one" if len(numbers) == 1 else "document_list_other"
        return self(key, numbers=self.names(numbers))
