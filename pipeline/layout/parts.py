"""The print book laid out in parts: the front matter, and each document on its own.

A document always opens on a recto, and its folios are drawn by the folio layer
(``layout/folios.py``), so where a document will stand in the book changes nothing in its
layout. What a part does depend on is its own text and the printed pages it cites: the
contents' page numbers, and cross-references ("see Document No. 13 (p. 21)"). Those are given
to the part as numbers. So parts can be laid out in any order, in worker processes, and a part
whose text and cited pages have not changed since the last build is not laid out again
(``layout/cache.py``).

A part is written as a print PDF and a tagged screen PDF (the screen one from the same layout,
as for the whole book); the binder (``write/bind.py``) makes them one book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.diagnostics import Diagnostic, Diagnostics
from pipeline.layout.compose import PRINT_PART, SCREEN, lay_out
from pipeline.layout.pagemap import PageStart, page_starts
from pipeline.layout.pages import anchor_pages
from pipeline.layout.screen import make_screen
from pipeline.model import Book, CrossRef, iter_inlines
from pipeline.proof.findings import Finding
from pipeline.proof.preflight import layout_findings
from pipeline.render import Renderer
from pipeline.render.html import Part
from pipeline.write.pdf import write_pdf

FRONT = 0  # the front matter's part index; document parts follow in reading order


@dataclass(frozen=True)
class PartTask:
    """One part to lay out: the front matter (``number`` None) or the document ``number``.

    ``pages`` holds the printed page of every anchor outside the part that it cites;
    ``first_folio`` is set only for a document that cites its own pages, whose folio counter
    must then start where the document will stand.
    """

    index: int
    number: int | None
    pages: tuple[tuple[str, str], ...] = ()
    first_folio: int | None = None

    @property
    def front(self) -> bool:
        return self.number is None


@dataclass
class PartLayout:
    """What laying out one part tells the rest of the build; its PDFs are files in ``folder``."""

    task: PartTask
    pages: int
    blanks: tuple[int, ...]  # local indices of the blank pages WeasyPrint inserted (front matter)
    anchors: dict[str, int]  # anchor -> local index of the page where it begins
    starts: list[PageStart]  # local page indices
    folder: Path
    diagnostics: list[Diagnostic] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # preflight's, ``page`` the local index

    @property
    def print_pdf(self) -> Path:
        return self.folder / "print.pdf"

    @property
    def screen_pdf(self) -> Path:
        return self.folder / "screen.pdf"


def cited_anchors(book: Book, number: int | None) -> tuple[set[str], set[str]]:
    """The anchors a part cites: (outside the part, inside it)."""
    if number is None:
        return {doc.anchor for doc in book.documents}, set()
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


def document_of(anchor: str) -> int:
    """``doc37-p19`` and ``doc37`` -> 37."""
    return int(re.match(r"doc(\d+)", anchor)[1])


def part_html(book: Book, renderer: Renderer, task: PartTask) -> tuple[str, str]:
    """The part's HTML and the CSS that sets its first folio (empty when it cites no page of its own)."""
    documents = tuple(d for d in book.documents if d.number == task.number)
    html = renderer.print_html(part=Part(front=task.front, documents=documents, pages=dict(task.pages)))
    css = f"@page :first {{ counter-reset: page {task.first_folio} }}\n" if task.first_folio is not None else ""
    return html, css


def lay_out_part(book: Book, renderer: Renderer, task: PartTask, html: str, css: str, profile: Path | None,
                 folder: Path, screen: bool) -> PartLayout:
    """Lay out one part (``html`` and ``css`` from ``part_html``) and write its PDFs into ``folder``."""
    diags = Diagnostics()
    document = lay_out(book, renderer, html, PRINT_PART, diags, profile, extra_css=css)
    anchors = anchor_pages(document)
    result = PartLayout(
        task=task,
        pages=len(document.pages),
        blanks=tuple(i for i, page in enumerate(document.pages) if page._page_box.page_type.blank),
        anchors=anchors,
        starts=page_starts(document),
        folder=folder,
        diagnostics=list(diags.items),
        # Preflight reads the laid-out boxes, which only this process holds: its findings travel
        # (and are cached) with the part, their pages as local indices until the book is bound.
        findings=layout_findings(book, document, [str(i) for i in range(len(document.pages))], whole=False),
    )
    # A link to another part would be dropped by WeasyPrint for want of its target; give each
    # a stand-in on the first page, so the link is kept. The binder points it at the real page.
    for anchor, _ in task.pages:
        if anchor not in anchors:
            document.pages[0].anchors.setdefault(anchor, (0, 0, 0, 0))
    folder.mkdir(parents=True, exist_ok=True)
    write_pdf(book, document, result.print_pdf, PRINT_PART, marks=False, labels=False)
    if screen:
        make_screen(document, profile)
        write_pdf(book, document, result.screen_pdf, SCREEN, marks=False, labels=False)
    return result
