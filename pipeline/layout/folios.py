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
import json
from dataclasses import dataclass, replace
from pathlib import Path

import weasyprint
from markupsafe import escape

from pipeline import forked
from pipeline.diagnostics import Diagnostics
from pipeline.hashing import file_hash
from pipeline.layout.cache import PartCache, code_version, write_json
from pipeline.layout.compose import FOLIO_LAYER, PROOF_LAYER, SCREEN, lay_out, stylesheet_paths
from pipeline.layout.pagemap import PageStart
from pipeline.layout.pages import roman
from pipeline.layout.parts import FRONT, PartLayout, document_folios
from pipeline.proof.findings import Finding
from pipeline.model import Book
from pipeline.layout.screen import make_screen
from pipeline.render import Renderer
from pipeline.write.pdf import write_pdf


@dataclass(frozen=True)
class BookPage:
    """A page of the bound book: page ``local`` of part ``part``, or (``part`` None) a blank verso."""

    part: int | None
    local: int = 0


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
    """The book's skeleton cut into runs of documents (one per ``RUN_PAGES``), to be laid out side by side."""
    documents = len(parts) - 1
    count = max(1, min(round(sum(p.pages for p in parts) / RUN_PAGES), documents // 4))
    bounds = [1 + documents * k // count for k in range(count + 1)]
    folios = document_folios(book, dict(enumerate(parts)))
    out = []
    for k in range(count):
        first, last = bounds[k], bounds[k + 1] - 1
        # Every document opens on a recto: one that ends on a recto is followed by a blank verso.
        out.append(Segment(k == 0, first, last, folios[book.documents[first - 1].number],
                           k < count - 1 and parts[last].pages % 2 == 1))
    return out


def skeleton_html(book: Book, parts: list[PartLayout], segment: Segment, proof: dict | None = None) -> str:
    body = []
    if proof:  # fixed boxes: drawn on every page of the layer, so on every page of the proof
        body.append(f'<div class="proof-slug">PROOF · {escape(book.title)} · {escape(proof["date"])} · '
                    f'revision {escape(proof["revision"])}</div><div class="proof-mark">PROOF</div>')
    if segment.front:
        front = parts[FRONT]
        pages = []
        follows_blank = False
        for j in range(front.pages):
            if j in front.blanks:
                follows_blank = True
                continue
            style = f' style="break-before: {"right" if (j % 2 == 0) else "left"}"' if follows_blank else ""
            pages.append(f'<div class="layer-page"{style}></div>')
            follows_blank = False
        body.append(f'<div class="layer-front">{"".join(pages)}</div>')
    for i in range(segment.first, segment.last + 1):
        first = " first" if i == 1 else ""
        body.append(f'<div class="layer-doc{first}">' + '<div class="layer-page"></div>' * parts[i].pages + "</div>")
    if segment.blank_after:
        body.append('<div class="layer-blank"></div>')
    return (f'<!DOCTYPE html><html lang="{escape(book.language)}"><head><meta charset="utf-8"/>'
            f'<title>{escape(book.title)}</title></head><body>{"".join(body)}</body></html>')


def lay_out_folios(book: Book, renderer: Renderer, parts: list[PartLayout], segment: Segment, diags: Diagnostics,
                   profile: Path | None, proof: dict | None = None) -> tuple[weasyprint.Document, list[BookPage]]:
    """One run of the laid-out folio layer, and which part's page (or blank) each of its pages stands for.

    ``proof`` (date and revision) adds the proof's slug line and PROOF mark to every page.
    """
    variant = PROOF_LAYER if proof else FOLIO_LAYER
    css = "" if segment.front else f"@page :first {{ counter-reset: page {segment.folio} }}\n"
    layer = lay_out(book, renderer, skeleton_html(book, parts, segment, proof), variant, diags, profile, extra_css=css)
    front = parts[FRONT].pages if segment.front else 0
    plan = [BookPage(FRONT, j) for j in range(front)]
    part, local = segment.first, 0
    for index, page in enumerate(layer.pages[front:], start=front):
        if page._page_box.page_type.blank or (segment.blank_after and index == len(layer.pages) - 1):
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


def folio_layer(book: Book, renderer: Renderer, parts: list[PartLayout], diags: Diagnostics, profile: Path | None,
                cache: PartCache, screen: bool, proof: dict | None = None, jobs: int = 1) -> FolioLayer:
    """Lay out and write the folio layer into ``cache``, or reuse the one written for the same pagination.

    The layer is cut into runs laid out ``jobs`` at a time, each in a process of its own (whose
    memory goes with it). It depends only on the parts' page counts (and the proof's slug), so a
    rebuild that changed no page count reuses it.
    """
    runs = segments(book, parts)
    variant = PROOF_LAYER if proof else FOLIO_LAYER
    key = hashlib.sha256("\0".join([code_version(), variant.name, repr(book.print), str(screen),
                                     *(skeleton_html(book, parts, run, proof) + repr(run) for run in runs),
                                     *(file_hash(p) for p in stylesheet_paths(book, variant.layers)),
                                     file_hash(profile) if profile else ""]).encode()).hexdigest()[:24]
    entry = cache.layer_entry(key)
    plan_file = entry / "plan.json"
    layer = FolioLayer([], [entry / f"print-{k}.pdf" for k in range(len(runs))],
                       [entry / f"screen-{k}.pdf" for k in range(len(runs))] if screen else None)
    if plan_file.is_file():
        plan_file.touch()
        return replace(layer, plan=[BookPage(*entry_) for entry_ in json.loads(plan_file.read_text())])
    entry.mkdir(parents=True, exist_ok=True)
    plan = []
    for batch in range(0, len(runs), jobs):  # ``jobs`` runs at a time
        children = [forked.Forked(_write_layer, book, renderer, parts, runs[k], profile, proof, variant,
                                  layer.print_pdfs[k], layer.screen_pdfs[k] if screen else None)
                    for k in range(batch, min(batch + jobs, len(runs)))]
        for child in children:
            run_plan, found = child.result()
            plan += run_plan
            for d in found:
                diags.add(d.code, d.loc, d.message, d.hint)
    write_json(plan_file, [[p.part, p.local] for p in plan])
    return replace(layer, plan=plan)


def _write_layer(book, renderer, parts, run: Segment, profile, proof, variant, print_pdf: Path,
                 screen_pdf: Path | None) -> tuple[list[BookPage], list]:
    diags = Diagnostics()
    document, plan = lay_out_folios(book, renderer, parts, run, diags, profile, proof)
    write_pdf(book, document, print_pdf, variant, labels=False)
    if screen_pdf is not None:
        make_screen(document, profile)
        write_pdf(book, document, screen_pdf, SCREEN, labels=False, tagged=False)
    return plan, diags.items


def book_labels(parts: list[PartLayout], plan: list[BookPage]) -> list[str]:
    """The printed folio of every page of the bound book: roman in the front matter, then 1, 2, …"""
    first = first_body_page(plan)
    return [roman(i + 1) if i < first else str(i - first + 1) for i in range(len(plan))]


def first_body_page(plan: list[BookPage]) -> int:
    """The index of the first document's opening page, where arabic folios start at 1."""
    return next((i for i, entry in enumerate(plan) if entry.part == 1), len(plan))


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


def book_findings(parts: list[PartLayout], plan: list[BookPage], labels: list[str]) -> list[Finding]:
    """The parts' preflight findings, placed on the pages of the bound book."""
    where = _book_index(plan)
    return [replace(f, page=labels[where[(i, int(f.page))]] if f.page is not None else None)
            for i, part in enumerate(parts) for f in part.findings]
