"""The print book laid out: its parts (``parts.py``, scheduled by ``scheduler.py``) and its folio
layer (``folios.py``).

``press build``, ``press proof`` and ``press check`` lay the book out the same way, sharing the
cache; they differ only in whether the parts are also written for the screen (a proof adds its
stamp, the slug line and mark: ``folios.proof_stamp``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pipeline.diagnostics import Diagnostic, Diagnostics
from pipeline.events import BookPaginated
from pipeline.forked import max_workers
from pipeline.layout.context import LayoutJob
from pipeline.layout.folios import FolioLayer, FolioLayerRuns
from pipeline.layout.plan import (
    FRONT,
    BookPage,
    PartLayout,
    book_anchor_labels,
    book_labels,
    book_page_starts,
    placed_on_book_pages,
)
from pipeline.layout.scheduler import PartScheduler
from pipeline.pages import PageStart


@dataclass
class BookLayout:
    """The laid-out parts, the folio layer over them, and the printed page of every page and anchor.

    ``findings`` are the preflight's, read off the parts' pages and placed on the book's.
    """

    parts: list[PartLayout]
    layer: FolioLayer
    labels: list[str]
    anchor_labels: dict[str, str]
    findings: list[Diagnostic]

    @property
    def plan(self) -> list[BookPage]:
        return self.layer.plan

    @property
    def front_pages(self) -> int:
        return self.parts[FRONT].pages

    @property
    def page_starts(self) -> list[PageStart]:
        """Where each page of the bound book begins in the text (for the EPUB's page-list)."""
        return book_page_starts(self.parts, self.plan)


def workers(jobs: int | None) -> int:
    """Processes to use: ``jobs``, or one per core; never more than the machine can run (cores, memory)."""
    return max(1, min(jobs or os.cpu_count() or 1, max_workers()))


def lay_out_book(job: LayoutJob, diags: Diagnostics) -> BookLayout:
    """Lay out (or take from the cache) every part and the folio layer; record the pages for the next build.

    The engine's problems go into ``diags``; the preflight's findings, placed on their pages,
    come back with the layout.
    """
    scheduler = PartScheduler(job, job.cache.read_pages())
    runs = FolioLayerRuns(job, diags)
    try:
        # the documents' runs of the folio layer are laid out while the index is
        parts = scheduler.run(before_index=runs.start)
        for part in parts:  # the engine's problems (not placed on a page) first, as they were reported
            diags.extend(d for d in part.diagnostics if d.page is None)
        layer = runs.finish(parts)  # while the index's PDFs are painted, if they are
        scheduler.finish_painting()
    except BaseException:
        runs.abandon()
        scheduler.abandon()
        raise
    labels = book_labels(layer.plan)
    anchor_labels = book_anchor_labels(parts, layer.plan, labels)
    job.cache.write_pages(anchor_labels)
    job.progress(BookPaginated(len(layer.plan)))
    findings = [d for d in placed_on_book_pages(parts, layer.plan, labels) if d.page is not None]
    return BookLayout(parts, layer, labels, anchor_labels, findings)
