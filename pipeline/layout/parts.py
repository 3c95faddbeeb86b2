"""One part of the print book laid out: its HTML rendered, laid out by the engine, written as PDFs.

A part is written as a print PDF and, when the build makes one, a tagged screen PDF (the
screen one from the same layout, as for the whole book); the binder (``bind/binder.py``) makes
them one book. The preflight's findings are read off the laid-out pages here, in the process
that holds them, and travel (and are cached) with the part.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Callable

from pipeline.diagnostics import Diagnostics
from pipeline.engine import boxes
from pipeline.engine.compose import PRINT_PART, SCREEN, lay_out
from pipeline.engine.derive import derive_screen
from pipeline.engine.inks import check_colours
from pipeline.engine.inspect import layout_findings
from pipeline.engine.links import cut_links
from pipeline.engine.pagemap import page_starts
from pipeline.engine.paint import write_pdf
from pipeline.engine.screen import make_screen, screen_images
from pipeline.layout.plan import PartLayout, PartTask
from pipeline.model import Book
from pipeline.render import Renderer
from pipeline.render.html import Part


def part_html(book: Book, renderer: Renderer, task: PartTask) -> tuple[str, str]:
    """The part's HTML and the CSS that sets its first folio (empty when it cites no page of its own)."""
    documents = tuple(d for d in book.documents if d.number == task.number and not task.back)
    html = renderer.print_html(part=Part(front=task.front, documents=documents, pages=dict(task.pages), index=task.back))
    css = f"@page :first {{ counter-reset: page {task.first_folio} }}\n" if task.first_folio is not None else ""
    return html, css


def lay_out_part(book: Book, renderer: Renderer, task: PartTask, profile: Path | None, folder: Path,
                 screen: bool, report: Callable[[PartLayout], None] | None = None) -> PartLayout:
    """Lay out one part and write its PDFs into ``folder``; ``report`` is given the layout as soon as
    it is known, before the PDFs are painted."""
    html, css = part_html(book, renderer, task)
    diags = Diagnostics()
    document = lay_out(book, renderer, html, PRINT_PART, diags, profile, extra_css=css)
    anchors = boxes.anchor_pages(document)
    diags.extend(layout_findings(book, document))
    result = PartLayout(
        task=task,
        pages=len(document.pages),
        blanks=tuple(i for i, page in enumerate(document.pages) if boxes.is_blank(page)),
        anchors=anchors,
        starts=page_starts(document),
        folder=folder,
        diagnostics=list(diags.items),
    )
    # A link to another part would be dropped by WeasyPrint for want of its target; give each
    # a stand-in on the first page, so the link is kept. The binder points it at the real page.
    for anchor, _ in task.pages:
        if anchor not in anchors:
            document.pages[0].anchors.setdefault(anchor, (0, 0, 0, 0))
    if report is not None:
        # A part that reports (the index, in a process of its own) ends its process once painted:
        # its laid-out pages live until then, and the collector need not walk them again while
        # the painting allocates (it took a seventh of the index's painting). A worker laying
        # out part after part does not freeze them, or each part's garbage would outlive it.
        gc.freeze()
        report(result)
    folder.mkdir(parents=True, exist_ok=True)
    # A part's screen PDF is derived from its print PDF, painted tagged for it, so its pages are
    # painted once. The front matter's is painted (its catalog is the book's), and so is one the
    # rewrite cannot make. Links set on laid-out text (the index's locators) are cut into the
    # pieces the tags need first: the same glyphs, each piece measured on its own, so they stand
    # within a tenth of a point of where the whole line would put them.
    derived = screen and not task.front
    if derived:
        cut_links(document)
    write_pdf(book, document, result.print_pdf, PRINT_PART, marks=False, tagged=derived, compressed=False)
    check_colours(result.print_pdf)
    if screen and not (derived and derive_screen(result.print_pdf, result.screen_pdf, screen_images(document, profile))):
        make_screen(document, profile)
        write_pdf(book, document, result.screen_pdf, SCREEN, marks=False, compressed=False)
    return result
