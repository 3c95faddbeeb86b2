"""What the laid-out pages say: where each anchor starts, and each page's printed label."""

from __future__ import annotations

import weasyprint

from pipeline.model import Book


def anchor_pages(document: weasyprint.Document) -> dict[str, int]:
    """Element id -> index of the page where it starts (the first page it appears on)."""
    where: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            where.setdefault(anchor, index)
    return where


def first_body_page(book: Book, document: weasyprint.Document) -> int:
    """Index of the first document's opening page, where arabic folios start at 1."""
    return anchor_pages(document)[book.documents[0].anchor]


def roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out


def page_labels(book: Book, document: weasyprint.Document) -> list[str]:
    """The folio of every page as printed: lower-case roman in the front matter, then 1, 2, …"""
    first = first_body_page(book, document)
    return [roman(i + 1) if i < first else str(i - first + 1) for i in range(len(document.pages))]
