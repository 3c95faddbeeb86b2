"""The folio layer: the book's folios, drawn beneath the parts once the whole pagination is known.

Parts are laid out without folios (``styles/css/chunk.css``), since a part does not know where
it will stand. Once every part is laid out, a skeleton of the bound book is laid out with the
same stylesheets: a page for each page of the book, empty, grouped and broken exactly as the
book is (front matter, each document from a recto, blank versos where the book has them), so
that print.css numbers it and hides folios on opening and blank pages as it would in one long
layout. An empty page costs WeasyPrint about 3.5 ms, so a long book's skeleton is cut into runs
of documents laid out side by side, each run's folios starting where the run before ends. The
binder draws each skeleton page beneath the matching page of a part, and takes the skeleton's
blank versos as they are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import forked
from pipeline.diagnostics import Diagnostic, Diagnostics
from pipeline.engine import boxes
from pipeline.engine.compose import FOLIO_LAYER, PROOF_STAMP, SCREEN, lay_out
from pipeline.engine.inks import check_colours
from pipeline.engine.paint import write_pdf
from pipeline.engine.screen import make_screen
from pipeline.hashing import file_hash
from pipeline.layout.cache import code_version
from pipeline.layout.context import LayoutJob
from pipeline.layout.plan import FRONT, BookPage, PartLayout, back_folio, document_folios, has_index_part
from pipeline.model import Book
from pipeline.render.html import LayerRun
from pipeline.styles import stylesheet_paths


@dataclass(frozen=True)
class Segment:
    """A run of the bound book laid out as one skeleton: the front matter (with ``front``) and the
    documents ``first`` to ``last`` (part indices), from folio ``folio``; ``blank_after`` when a
    blank verso follows it, before the next segment's first document."""

    front: bool
    first: int
    last: int
    folio: int
    blank_after: bool


#: Pages of the book per run of the folio layer. The runs depend on the book alone (not on the
#: machine's cores), so that the same manuscript gives the same bytes everywhere.
RUN_PAGES = 250
#: How much less CPU time a run laid out beside the index asks for (``os.nice``).
YIELDING = 10


def segments(book: Book, parts: Mapping[int, PartLayout]) -> list[Segment]:
    """The book's skeleton cut into runs of documents (one per ``RUN_PAGES``), to be laid out side by side.

    The index, when the book has one, is a run of its own after them: one group of pages opening
    on a recto, as a document is. So the documents' runs depend on the front matter and the
    documents alone, and are laid out while the index still is (``FolioLayerRuns.start``).
    """
    documents = len(book.documents)
    count = max(1, min(round(sum(parts[i].pages for i in range(documents + 1)) / RUN_PAGES), documents // 4))
    bounds = [1 + documents * k // count for k in range(count + 1)]
    laid = dict(parts)
    folios = document_folios(book, laid)
    back = has_index_part(book)
    out = []
    for k in range(count):
        first, last = bounds[k], bounds[k + 1] - 1
        # Every document opens on a recto: one that ends on a recto is followed by a blank verso.
        out.append(Segment(k == 0, first, last, folios[book.documents[first - 1].number],
                           (k < count - 1 or back) and parts[last].pages % 2 == 1))
    if back:
        out.append(Segment(False, documents + 1, documents + 1, back_folio(book, laid) or 1, False))
    return out


def layer_run(parts: Mapping[int, PartLayout], segment: Segment) -> LayerRun:
    """What the skeleton of ``segment`` holds, for the renderer."""
    front = None
    if segment.front:
        sides: list[str | None] = []
        follows_blank = False
        for j in range(parts[FRONT].pages):
            if j in parts[FRONT].blanks:  # the engine inserts this blank again before the next page
                follows_blank = True
                continue
            sides.append(("right" if j % 2 == 0 else "left") if follows_blank else None)
            follows_blank = False
        front = tuple(sides)
    documents = tuple(parts[i].pages for i in range(segment.first, segment.last + 1))
    return LayerRun(front, documents, segment.first == 1, segment.blank_after)


def lay_out_folios(job: LayoutJob, parts: Mapping[int, PartLayout], segment: Segment,
                   diags: Diagnostics):
    """One run of the laid-out folio layer, and which part's page (or blank) each of its pages stands for."""
    css = "" if segment.front else f"@page :first {{ counter-reset: page {segment.folio} }}\n"
    html = job.renderer.folio_layer_html(layer_run(parts, segment))
    layer = lay_out(job.book, job.renderer, html, FOLIO_LAYER, diags, job.profile, extra_css=css)
    front = parts[FRONT].pages if segment.front else 0
    plan = [BookPage(FRONT, j) for j in range(front)]
    part, local = segment.first, 0
    for index, page in enumerate(layer.pages[front:], start=front):
        if boxes.is_blank(page) or (segment.blank_after and index == len(layer.pages) - 1):
            plan.append(BookPage(None))
            continue
        if local == parts[part].pages:
            part, local = part + 1, 0
        plan.append(BookPage(part, local))
        local += 1
    expected = front + sum(parts[i].pages for i in range(segment.first, segment.last + 1))
    if sum(1 for p in plan if p.part is not None) != expected:
        raise AssertionError(f"the folio layer has {len(layer.pages)} pages for {expected} pages of text")
    return layer, plan


@dataclass(frozen=True)
class FolioLayer:
    """The folio layer as written, run by run: PDFs for print (or proof), for the screen, and the plan."""

    plan: list[BookPage]
    print_pdfs: list[Path]
    screen_pdfs: list[Path] | None


@dataclass(frozen=True)
class _Run:
    """One run of the layer and its place in the cache (a folder of its own, named by what it holds)."""

    segment: Segment
    entry: Path
    print_pdf: Path
    screen_pdf: Path | None

    @property
    def files(self) -> list[Path]:
        return [self.print_pdf] + ([self.screen_pdf] if self.screen_pdf is not None else [])


class FolioLayerRuns:
    """The folio layer being laid out and written into the cache, run by run.

    Each run is laid out in a process of its own (whose memory goes with it), ``job.jobs`` at a
    time, and kept in the cache under what it holds: the layer depends only on the parts' page
    counts, so a rebuild or a proof that changed no page count reuses it (a proof's slug line,
    which changes with every revision, is its stamp: ``proof_stamp``), and one that changed a
    page count lays out again only the runs from there on.

    ``start`` is given the parts as soon as all but the index are laid out: the documents' runs
    go ahead while the index is laid out (on a core the documents have left free). ``finish``
    takes every part as it came out: it adds the index's run, lays out again a run whose parts
    changed since (a round of corrections), and waits for them all.
    """

    def __init__(self, job: LayoutJob, diags: Diagnostics) -> None:
        self.job, self.diags = job, diags
        self.style = "\0".join([folio_style(job.book, job.profile), FOLIO_LAYER.name, str(job.screen)])
        self.running: dict[Path, forked.Forked] = {}  # a run's cache entry -> the process laying it out

    def _runs(self, parts: Mapping[int, PartLayout], with_index: bool) -> list[_Run]:
        runs = []
        for segment in segments(self.job.book, parts):
            if segment.first > len(self.job.book.documents) and not with_index:
                continue
            html = self.job.renderer.folio_layer_html(layer_run(parts, segment))
            key = hashlib.sha256("\0".join([self.style, html, repr(segment)]).encode()).hexdigest()[:24]
            entry = self.job.cache.layer_entry(key)
            runs.append(_Run(segment, entry, entry / "print.pdf", entry / "screen.pdf" if self.job.screen else None))
        return runs

    def _cached(self, run: _Run) -> list[BookPage] | None:
        if run.entry in self.running:
            return None
        plan = self.job.cache.layer_plan(run.entry, run.files)
        return None if plan is None else [BookPage(*page) for page in plan]

    def _launch(self, run: _Run, parts: Mapping[int, PartLayout], yielding: bool = False) -> None:
        shutil.rmtree(run.entry, ignore_errors=True)  # damaged, half-written or never made: made anew
        run.entry.mkdir(parents=True, exist_ok=True)
        self.running[run.entry] = forked.Forked(_write_layer, self.job, dict(parts), run.segment, run.print_pdf,
                                                run.screen_pdf, yielding)

    def start(self, parts: Mapping[int, PartLayout]) -> None:
        """Lay out the documents' runs not in the cache (``jobs`` at a time; ``finish`` the rest)."""
        for run in self._runs(parts, with_index=False):
            if len(self.running) >= self.job.jobs:
                break
            if self._cached(run) is None:
                self._launch(run, parts, yielding=True)

    def finish(self, parts: list[PartLayout]) -> FolioLayer:
        """The whole layer for ``parts`` (every part, as laid out), from the cache or laid out now."""
        laid = dict(enumerate(parts))
        runs = self._runs(laid, with_index=True)
        wanted = {run.entry for run in runs}
        for entry in [e for e in self.running if e not in wanted]:  # started on pages a correction changed
            self.running.pop(entry).stop()
            shutil.rmtree(entry, ignore_errors=True)
        plans = {run.entry: self._cached(run) for run in runs}
        waiting = [run for run in runs if plans[run.entry] is None and run.entry not in self.running]
        for run in [run for run in waiting if run.segment.first > len(self.job.book.documents)]:
            waiting.remove(run)  # the index's few pages: laid out at once, beside the others
            self._launch(run, laid)
        for run in runs:
            if plans[run.entry] is not None:
                continue
            while waiting and (len(self.running) < self.job.jobs or run.entry not in self.running):
                self._launch(waiting.pop(0), laid)
            run_plan, found = self.running.pop(run.entry).result()
            self.diags.extend(found)
            self.job.cache.store_layer_plan(run.entry, [[p.part, p.local] for p in run_plan], run.files)
            plans[run.entry] = run_plan
        return FolioLayer([page for run in runs for page in plans[run.entry] or []], [run.print_pdf for run in runs],
                          [run.screen_pdf for run in runs if run.screen_pdf is not None] if self.job.screen else None)

    def abandon(self) -> None:
        """Stop the runs being laid out: the build is being abandoned."""
        for child in self.running.values():
            child.stop()
        self.running.clear()


def _write_layer(job: LayoutJob, parts: Mapping[int, PartLayout], run: Segment, print_pdf: Path,
                 screen_pdf: Path | None, yielding: bool) -> tuple[list[BookPage], list[Diagnostic]]:
    if yielding:
        # Laid out beside the index, whose layout and PDFs the book waits for and this run's do not
        # (the index's takes longer): where the two want the same core, the index is given it.
        os.nice(YIELDING)
    diags = Diagnostics()
    document, plan = lay_out_folios(job, parts, run, diags)
    write_pdf(job.book, document, print_pdf, FOLIO_LAYER, compressed=False)
    check_colours(print_pdf)
    if screen_pdf is not None:
        make_screen(document, job.profile)
        write_pdf(job.book, document, screen_pdf, SCREEN, tagged=False, compressed=False)
    return plan, diags.items


def folio_style(book: Book, profile: Path | None) -> str:
    """What the folio layer's drawing of a page depends on besides the page's folio, side and
    kind: press's code, the print settings, the layer's stylesheets, the profile. With the part
    page beneath, it names what a page of the bound book is made of (the proof sheet's images)."""
    return hashlib.sha256("\0".join([code_version(), repr(book.print),
                                     *(file_hash(p) for p in stylesheet_paths(book, FOLIO_LAYER.layers)),
                                     file_hash(profile) if profile else ""]).encode()).hexdigest()[:24]


def proof_stamp(job: LayoutJob, target: Path, diags: Diagnostics) -> None:
    """Lay out a proof's stamp (its slug line and PROOF mark: one page at the book's size, with its
    bleed and the room for marks) and write it to ``target``, for the binder to draw on every page.

    One page, laid out in this process at every proof (a few tenths of a second), since every
    proof carries a new revision; the folio layer beneath it stays in the cache.
    """
    if job.proof is None:
        raise ValueError("only a proof has a stamp")
    document = lay_out(job.book, job.renderer, job.renderer.proof_stamp_html(job.proof), PROOF_STAMP, diags, job.profile)
    write_pdf(job.book, document, target, PROOF_STAMP, marks=False)
