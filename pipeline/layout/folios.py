"""The folio layer: the book's folios, drawn over the parts once the whole pagination is known.

Parts are laid out without folios (``styles/css/chunk.css``), since a part does not know where
it will stand. Once every part is laid out, a skeleton of the bound book is laid out with the
same stylesheets: a page for each page of the book, empty, grouped and broken exactly as the
book is (front matter, each document from a recto, blank versos where the book has them), so
that print.css numbers it and hides folios on opening and blank pages as it would in one long
layout. An empty page costs WeasyPrint about 3 ms. The binder draws each skeleton page over
the matching page of a part, and takes the skeleton's blank versos as they are.
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
from pipeline.layout.cache import code_version, file_hash
from pipeline.layout.compose import FOLIO_LAYER, PROOF_LAYER, SCREEN, lay_out, stylesheet_paths
from pipeline.layout.pagemap import PageStart
from pipeline.layout.pages import roman
from pipeline.layout.parts import FRONT, PartLayout
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


def skeleton_html(book: Book, parts: list[PartLayout], proof: dict | None = None) -> str:
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
    body = []
    if proof:  # fixed boxes: drawn on every page of the layer, so on every page of the proof
        body.append(f'<div class="proof-slug">PROOF · {escape(book.title)} · {escape(proof["date"])} · '
                    f'revision {escape(proof["revision"])}</div><div class="proof-mark">PROOF</div>')
    body.append(f'<div class="layer-front">{"".join(pages)}</div>')
    for i, part in enumerate(parts[1:], start=1):
        first = " first" if i == 1 else ""
        body.append(f'<div class="layer-doc{first}">' + '<div class="layer-page"></div>' * part.pages + "</div>")
    return (f'<!DOCTYPE html><html lang="{escape(book.language)}"><head><meta charset="utf-8"/>'
            f'<title>{escape(book.title)}</title></head><body>{"".join(body)}</body></html>')


def lay_out_folios(book: Book, renderer: Renderer, parts: list[PartLayout], diags: Diagnostics,
                   profile: Path | None, proof: dict | None = None) -> tuple[weasyprint.Document, list[BookPage]]:
    """The laid-out folio layer, and which part's page (or blank) each of its pages stands for.

    ``proof`` (date and revision) adds the proof's slug line and PROOF mark to every page.
    """
    variant = PROOF_LAYER if proof else FOLIO_LAYER
    layer = lay_out(book, renderer, skeleton_html(book, parts, proof), variant, diags, profile)
    front = parts[FRONT].pages
    plan = [BookPage(FRONT, j) for j in range(front)]
    part, local = 1, 0
    for page in layer.pages[front:]:
        if page._page_box.page_type.blank:
            plan.append(BookPage(None))
            continue
        if local == parts[part].pages:
            part, local = part + 1, 0
        plan.append(BookPage(part, local))
        local += 1
    expected = sum(p.pages for p in parts)
    if len(plan) != len(layer.pages) or sum(1 for p in plan if p.part is not None) != expected:
        raise AssertionError(f"the folio layer has {len(layer.pages)} pages for {expected} pages of text")
    return layer, plan


@dataclass(frozen=True)
class FolioLayer:
    """The folio layer as written: its PDF for print (or proof), for the screen, and the plan."""

    plan: list[BookPage]
    print_pdf: Path
    screen_pdf: Path | None


def folio_layer(book: Book, renderer: Renderer, parts: list[PartLayout], diags: Diagnostics, profile: Path | None,
                folder: Path, screen: bool, proof: dict | None = None) -> FolioLayer:
    """Lay out and write the folio layer into ``folder``, or reuse the one written for the same pagination.

    The layer depends only on the parts' page counts (and the proof's slug), so a rebuild that
    changed no page count reuses it.
    """
    html = skeleton_html(book, parts, proof)
    variant = PROOF_LAYER if proof else FOLIO_LAYER
    key = hashlib.sha256("\0".join([code_version(), html, variant.name, repr(book.print), str(screen),
                                     *(file_hash(p) for p in stylesheet_paths(book, variant.layers)),
                                     file_hash(profile) if profile else ""]).encode()).hexdigest()[:24]
    entry = folder / f"folios-{key}"
    plan_file = entry / "plan.json"
    layer = FolioLayer([], entry / "print.pdf", entry / "screen.pdf" if screen else None)
    if plan_file.is_file():
        plan_file.touch()
        return replace(layer, plan=[BookPage(*entry_) for entry_ in json.loads(plan_file.read_text())])
    entry.mkdir(parents=True, exist_ok=True)
    # Every page of the book at once: laid out in a process of its own, whose memory goes with it.
    plan, found = forked.run(_write_layer, book, renderer, parts, profile, proof, layer, variant)
    for d in found:
        diags.add(d.code, d.loc, d.message, d.hint)
    tmp = entry / "plan.json.partial"
    tmp.write_text(json.dumps([[p.part, p.local] for p in plan]))
    tmp.replace(plan_file)
    return replace(layer, plan=plan)


def _write_layer(book, renderer, parts, profile, proof, layer: FolioLayer, variant) -> tuple[list[BookPage], list]:
    diags = Diagnostics()
    document, plan = lay_out_folios(book, renderer, parts, diags, profile, proof)
    write_pdf(book, document, layer.print_pdf, variant, labels=False)
    if layer.screen_pdf is not None:
        make_screen(document, profile)
        write_pdf(book, document, layer.screen_pdf, SCREEN, labels=False, tagged=False)
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
