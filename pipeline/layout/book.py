"""The print book laid out: its parts (``parts.py``, ``workers.py``) and its folio layer (``folios.py``).

``press build`` and ``press proof`` lay the book out the same way, sharing the cache; they
differ only in what the folio layer carries (the proof's slug line and mark) and in whether
the parts are also written for the screen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.layout.cache import PartCache
from pipeline.layout.folios import BookPage, FolioLayer, book_anchor_labels, book_labels, folio_layer
from pipeline.layout.parts import FRONT, PartLayout
from pipeline.layout.workers import lay_out_parts
from pipeline.model import Book
from pipeline.progress import Progress
from pipeline.render import Renderer


@dataclass
class BookLayout:
    """The laid-out parts, the folio layer over them, and the printed page of every page and anchor."""

    parts: list[PartLayout]
    layer: FolioLayer
    labels: list[str]
    anchor_labels: dict[str, str]

    @property
    def plan(self) -> list[BookPage]:
        return self.layer.plan

    @property
    def front_pages(self) -> int:
        return self.parts[FRONT].pages


def workers(jobs: int | None) -> int:
    """Processes to use: ``jobs``, or one per core."""
    return jobs or os.cpu_count() or 1


def lay_out_book(book: Book, renderer: Renderer, profile: Path | None, cache: PartCache, diags: Diagnostics,
                 progress: Progress, *, screen: bool, jobs: int, proof: dict | None = None) -> BookLayout:
    """Lay out (or take from ``cache``) every part and the folio layer; record the pages for the next build."""
    parts = lay_out_parts(book, renderer, profile, screen, jobs, cache, cache.read_pages(), progress)
    for part in parts:
        for d in part.diagnostics:
            diags.add(d.code, d.loc, d.message, d.hint)
    layer = folio_layer(book, renderer, parts, diags, profile, cache, screen, proof=proof, jobs=jobs)
    labels = book_labels(parts, layer.plan)
    anchor_labels = book_anchor_labels(parts, layer.plan, labels)
    cache.write_pages(anchor_labels)
    return BookLayout(parts, layer, labels, anchor_labels)
