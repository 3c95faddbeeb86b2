"""The printed pages of a book as numbers: folios, page labels, and where each page begins.

Every stage that speaks of printed pages (layout, binding, the EPUB's page-list, the proof)
takes these from here, so roman front matter and arabic text are spelled once.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageStart:
    """Page ``index`` (0-based) begins in block ``key`` after ``words_before`` of its words."""

    index: int
    key: str
    words_before: int


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def folio_labels(count: int, first_body: int) -> list[str]:
    """The folio of each of ``count`` pages: lower-case roman before ``first_body``, then 1, 2, …"""
    return [roman(i + 1) if i < first_body else str(i - first_body + 1) for i in range(count)]


def label_ranges(first_body: int) -> list[tuple[int, str, int | None]]:
    """The PDF page-label ranges matching ``folio_labels``: (first page, style ``r`` or ``D``, start)."""
    ranges: list[tuple[int, str, int | None]] = [(0, "r", None)] if first_body else []
    return ranges + [(first_body, "D", 1)]
