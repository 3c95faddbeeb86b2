"""Dates are never broken between day and month: "5 décembre", "October 9" are tied with a no-break space.

Month names come from Babel's CLDR data for the book's language (and English, which readers
quote in every language), in their full and abbreviated forms.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from pipeline.model import Book, Document, Inline, Text
from pipeline.transforms.walk import map_documents, map_inline_runs, map_inlines

_NBSP = "\u00a0"


@lru_cache(maxsize=16)
def _pattern(language: str) -> re.Pattern:
    names: set[str] = set()
    for tag in {"en", language.split("-")[0]}:
        try:
            months = Locale.parse(tag).months
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                names.update(n.rstrip(".") for n in months[context][width].values() if len(n.rstrip(".")) > 2)
    alternatives = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    # day then month ("5 décembre", "5. Dezember") or month then day ("October 9")
    return re.compile(rf"\b(\d{{1,2}}\.?) +(?=(?:{alternatives})\b)|\b((?:{alternatives})\.?) +(?=\d{{1,2}}\b)", re.IGNORECASE)


def tie(text: str, language: str) -> str:
    """``text`` with a no-break space between each date's day and month."""
    if not any(c.isdigit() for c in text):
        return text
    return _pattern(language).sub(lambda m: (m[1] or m[2]) + _NBSP, text)


def tie_dates(book: Book) -> Book:
    """Reads text nodes, titles and dates; ties day and month with a no-break space."""
    language = book.language

    def run(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return map_inlines(inlines, lambda node: [Text(tie(node.text, language))] if isinstance(node, Text) else None)

    def document(doc: Document) -> Document:
        doc = map_inline_runs(doc, run)
        return replace(doc, title=tie(doc.title, language),
                       short_title=tie(doc.short_title, language) if doc.short_title else doc.short_title,
                       date=tie(doc.date, language) if doc.date else doc.date)

    return map_documents(book, document)
