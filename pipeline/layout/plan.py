"""The plan of a book laid out in parts: what each part is, what laying it out told the build,
and how the parts' pages make the bound book's pages. Data and arithmetic only: nothing here
lays anything out.

A document always opens on a recto, so its pages do not depend on where it stands; what a part
does depend on is its own text and the printed pages it cites (the contents' page numbers, and
cross-references "see Document No. 13 (p. 21)"). Those are given to the part as numbers
(``PartTask``), so parts can be laid out in any order, in worker processes, and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline.diagnostics import Diagnostic
from pipeline.model import INDEX_ANCHOR, Book, CrossRef, iter_inlines
from pipeline.pages import PageStart, folio_labels

FRONT = 0  # the front matter's part index; document parts follow in reading order, then the index


def has_index_part(book: Book) -> bool:
    """Whether the print book ends with an index: index.yaml with at least one entry."""
    return book.index is not None and bool(book.index.entries)


def part_count(book: Book) -> int:
    """The parts of the print book: the front matter, each document, and the index if it has one."""
    return 1 + len(book.documents) + has_index_part(book)


@dataclass(frozen=True)
class PartTask:
    """One part to lay out: the front matter (``number`` None) or the document ``number``.

    ``pages`` holds the printed page of every anchor outside the part that it cites;
    ``first_folio`` is set only for a document that cites its own pages, whose folio counter
    must then start where the document will stand. ``back`` marks the index, after the documents
    (``number`` None too), which cites the page of every paragraph it lists.
    """

    index: int
    number: int | None
    pages: tuple[tuple[str, str], ...] = ()
    first_folio: int | None = None
    back: bool = False

    @property
    def front(self) -> bool:
        return self.number is None and not self.back


@dataclass
class PartLayout:
    """What laying out one part tells the rest of the build; its PDFs are files in ``folder``.

    ``diagnostics`` are the engine's and the preflight's; those placed on a page name it by
    its index in the part until the book is bound (``placed_on_book_pages``).
    """

    task: PartTask
    pages: int
    blanks: tuple[int, ...]  # local indices of the blank pages WeasyPrint inserted (front matter)
    anchors: dict[str, int]  # anchor -> local index of the page where it begins
    starts: list[PageStart]  # local page indices
    folder: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def print_pdf(self) -> Path:
        return self.folder / "print.pdf"

    @property
    def screen_pdf(self) -> Path:
        return self.folder / "screen.pdf"


@dataclass(frozen=True)
class BookPage:
    """A page of the bound book: page ``local`` of part ``part``, or (``part`` None) a blank verso."""

    part: int | None
    local: int = 0


def cited_anchors(book: Book, number: int | None, back: bool = False) -> tuple[set[str], set[str]]:
    """The anchors a part cites: (outside the part, inside it)."""
    if back:
        assert book.index is not None
        return {loc.anchor for e in book.index.entries for item in (e, *e.subentries) for loc in item.locators}, set()
    if number is None:
        return {doc.anchor for doc in book.documents} | ({INDEX_ANCHOR} if has_index_part(book) else set()), set()
    doc = next(d for d in book.documents if d.number == number)
    refs = {n.anchor for n in iter_inlines(doc.all_blocks) if isinstance(n, CrossRef) and n.anchor}
    own = {a for a in refs if document_of(a) == number}
    return refs - own, own


def document_folios(book: Book, layouts: dict[int, PartLayout]) -> dict[int, int]:
    """The first folio of each document whose predecessors are all laid out.

    The first document opens on page 1; each one after on the next recto (odd page), after a
    blank verso when the one before it ended on a recto.
    """
    folio, out = 1, {}
    for i, doc in enumerate(book.documents, start=1):
        out[doc.number] = folio
        if i not in layouts:
            break
        pages = layouts[i].pages
        folio += pages + pages % 2
    return out


def back_folio(book: Book, layouts: dict[int, "PartLayout"]) -> int | None:
    """The folio where the index opens (the recto after the last document), once every document is laid out."""
    if not all(i in layouts for i in range(1, len(book.documents) + 1)):
        return None
    last = layouts[len(book.documents)].pages
    return document_folios(book, layouts)[book.documents[-1].number] + last + last % 2


def document_of(anchor: str) -> int:
    """``doc37-p19`` and ``doc37`` -> 37."""
    found = re.match(r"doc(\d+)", anchor)
    if found is None:
        raise ValueError(f"not an anchor of a document: {anchor}")
    return int(found[1])


def first_body_page(plan: list[BookPage]) -> int:
    """The index of the first document's opening page, where arabic folios start at 1."""
    return next((i for i, entry in enumerate(plan) if entry.part == 1), len(plan))


def book_labels(plan: list[BookPage]) -> list[str]:
    """The printed folio of every page of the bound book: roman in the front matter, then 1, 2, …"""
    return folio_labels(len(plan), first_body_page(plan))


def _book_index(plan: list[BookPage]) -> dict[tuple[int, int], int]:
    """(part, page in the part) -> index of that page in the bound book."""
    return {(entry.part, entry.local): index for index, entry in enumerate(plan) if entry.part is not None}


def book_page_starts(parts: list[PartLayout], plan: list[BookPage]) -> list[PageStart]:
    """Where each page of the bound book begins in the text (for the EPUB's page-list)."""
    where = _book_index(plan)
    return [replace(start, index=where[(i, start.index)]) for i, part in enumerate(parts) for start in part.starts]


def book_anchor_labels(parts: list[PartLayout], plan: list[BookPage], labels: list[str]) -> dict[str, str]:
    """The printed page of every anchor of the bound book."""
    where = _book_index(plan)
    return {anchor: labels[where[(i, local)]] for i, part in enumerate(parts) for anchor, local in part.anchors.items()}


def placed_on_book_pages(parts: list[PartLayout], plan: list[BookPage], labels: list[str]) -> list[Diagnostic]:
    """The parts' diagnostics, those placed on a page of their part placed on the bound book's."""
    where = _book_index(plan)
    return [d.placed(page=labels[where[(i, int(d.page))]]) if d.page is not None else d
            for i, part in enumerate(parts) for d in part.diagnostics]
