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
import shutil
from dataclasses import dataclass, replace
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
from pipeline.layout.plan import FRONT, BookPage, PartLayout, document_folios, has_index_part
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


def segments(book: Book, parts: list[PartLayout]) -> list[Segment]:
    """The book's skeleton cut into runs of documents (one per ``RUN_PAGES``), to be laid out side by side.

    The index, when the book has one, ends the last run: in the skeleton it is one more group of
    pages opening on a recto, as a document is.
    """
    documents = len(parts) - 1 - has_index_part(book)
    count = max(1, min(round(sum(p.pages for p in parts) / RUN_PAGES), documents // 4))
    bounds = [1 + documents * k // count for k in range(count + 1)]
    folios = document_folios(book, dict(enumerate(parts)))
    out = []
    for k in range(count):
        first, last = bounds[k], bounds[k + 1] - 1
        # Every document opens on a recto: one that ends on a recto is followed by a blank verso.
        out.append(Segment(k == 0, first, last, folios[book.documents[first - 1].number],
                           k < count - 1 and parts[last].pages % 2 == 1))
    if has_index_part(book):
        out[-1] = replace(out[-1], last=len(parts) - 1)
    return out


def layer_run(parts: list[PartLayout], segment: Segment) -> LayerRun:
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


def lay_out_folios(job: LayoutJob, parts: list[PartLayout], segment: Segment,
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


def folio_layer(job: LayoutJob, parts: list[PartLayout], diags: Diagnostics) -> FolioLayer:
    """Lay out and write the folio layer into the cache, or reuse the one written for the same pagination.

    The layer is cut into runs laid out ``job.jobs`` at a time, each in a process of its own
    (whose memory goes with it). It depends only on the parts' page counts, so a rebuild or a
    proof that changed no page count reuses it: a proof's slug line, which changes with every
    revision, is its stamp (``proof_stamp``), not part of the layer.
    """
    book, screen = job.book, job.screen
    runs = segments(book, parts)
    # the layer's style (code, print settings, stylesheets, profile), then what its runs hold
    key = hashlib.sha256("\0".join([folio_style(book, job.profile), FOLIO_LAYER.name, str(screen),
                                     *(job.renderer.folio_layer_html(layer_run(parts, run)) + repr(run)
                                       for run in runs)]).encode()).hexdigest()[:24]
    entry = job.cache.layer_entry(key)
    layer = FolioLayer([], [entry / f"print-{k}.pdf" for k in range(len(runs))],
                       [entry / f"screen-{k}.pdf" for k in range(len(runs))] if screen else None)
    files = layer.print_pdfs + (layer.screen_pdfs or [])
    cached = job.cache.layer_plan(entry, files)
    if cached is not None:
        return replace(layer, plan=[BookPage(*page) for page in cached])
    shutil.rmtree(entry, ignore_errors=True)  # damaged, half-written or never made: made anew
    entry.mkdir(parents=True, exist_ok=True)
    plan: list[BookPage] = []
    for batch in range(0, len(runs), job.jobs):  # ``jobs`` runs at a time
        children = [forked.Forked(_write_layer, job, parts, runs[k], layer.print_pdfs[k],
                                  layer.screen_pdfs[k] if layer.screen_pdfs else None)
                    for k in range(batch, min(batch + job.jobs, len(runs)))]
        for child in children:
            run_plan, found = child.result()
            plan += run_plan
            diags.extend(found)
    job.cache.store_layer_plan(entry, [[p.part, p.local] for p in plan], files)
    return replace(layer, plan=plan)


def _write_layer(job: LayoutJob, parts: list[PartLayout], run: Segment, print_pdf: Path,
                 screen_pdf: Path | None) -> tuple[list[BookPage], list[Diagnostic]]:
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
