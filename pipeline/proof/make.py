"""``press proof`` and ``press check``: the print layout, looked at before it goes to print."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from pipeline.bind.binder import bind
from pipeline.checks.glyphs import check_glyphs
from pipeline.checks.language import check_language
from pipeline.checks.xrefs import check_cross_references
from pipeline.diagnostics import ERROR, Diagnostic, Diagnostics
from pipeline.engine.profile import find_cmyk_profile
from pipeline.events import Note, Progress, StageStarted, silent
from pipeline.files import atomic_write, write_json
from pipeline.layout.book import BookLayout, lay_out_book, workers
from pipeline.layout.cache import PartCache
from pipeline.layout.context import LayoutJob
from pipeline.layout.folios import folio_style, proof_stamp
from pipeline.load import load_book
from pipeline.model import Book
from pipeline.proof.corrections import sheet_corrections
from pipeline.proof.drift import citations, drift, read_pages
from pipeline.proof.preflight import model_findings, placed_in_document, signature_findings
from pipeline.proof.revision import revision
from pipeline.proof.rounds import record_round
from pipeline.proof.sheet import DPI, findings_by_page, render_pages, spreads
from pipeline.render import Renderer
from pipeline.render.html import ProofStamp
from pipeline.session import output_lock, private_tempdir, writing_into
from pipeline.transforms import apply_transforms

SHEET_ZOOM = 0.6  # pages shown at 60 % on the sheet, so a spread fits a laptop screen


@dataclass
class ProofResult:
    """What a proof wrote, what preflight found and which citations moved; ``rendered`` counts the
    sheet's page images rendered anew (the others were there from the last proof)."""

    folder: Path
    findings: list[Diagnostic] = field(default_factory=list)
    drift: list[dict] | None = None
    pages: int = 0
    rendered: int = 0


def _prepare(book_dir: Path, diags: Diagnostics) -> Book:
    """Load and transform; collect the model checks' problems as findings instead of stopping."""
    book = apply_transforms(load_book(Path(book_dir), diags))
    check_glyphs(book, diags)
    check_cross_references(book, diags)
    check_language(book, diags)
    return book


def _all_findings(book: Book, diags: Diagnostics, laid: BookLayout) -> list[Diagnostic]:
    """Everything the preflight found, in the order an editor reads it: the manuscript's problems,
    the model's, then the pages' (ending with the signatures)."""
    return ([placed_in_document(book, d) for d in diags.items] + model_findings(book) + laid.findings
            + signature_findings(book, laid.labels))


def check(book_dir: Path, progress: Progress = silent, out_dir: Path = Path("dist"), jobs: int | None = None) -> list[Diagnostic]:
    """Every manuscript check and the layout preflight, writing nothing.

    The book is laid out as ``press build`` lays it out, reading the parts already laid out into
    ``out_dir``'s cache; what is laid out anew goes to a scratch folder, removed afterwards.
    """
    with private_tempdir():
        return _check(book_dir, progress, out_dir, jobs)


def _check(book_dir: Path, progress: Progress, out_dir: Path, jobs: int | None) -> list[Diagnostic]:
    diags = Diagnostics()
    book = _prepare(book_dir, diags)
    with tempfile.TemporaryDirectory(prefix="press-check-") as scratch:
        cache = PartCache.reading(out_dir, Path(scratch))
        job = LayoutJob(book, Renderer(book), find_cmyk_profile(book), cache, screen=False, jobs=workers(jobs),
                        progress=progress)
        progress(StageStarted("layout"))
        laid = lay_out_book(job, diags)
    return _all_findings(book, diags, laid)


def proof(book_dir: Path, out_dir: Path, progress: Progress = silent, jobs: int | None = None) -> ProofResult:
    """Write the proof PDF, page images, proof sheet, preflight.json, pages.json and drift.json.

    As a build does, it holds ``out_dir``'s lock and keeps its temporary files in a folder of its own.
    """
    with private_tempdir():
        return _proof(book_dir, out_dir, progress, jobs)


def _proof(book_dir: Path, out_dir: Path, progress: Progress, jobs: int | None) -> ProofResult:
    diags = Diagnostics()
    book = _prepare(book_dir, diags)
    with output_lock(Path(out_dir), progress), writing_into(Path(out_dir)):
        return _write_proof(book, book_dir, out_dir, progress, jobs, diags)


def _write_proof(book: Book, book_dir: Path, out_dir: Path, progress: Progress, jobs: int | None,
                 diags: Diagnostics) -> ProofResult:
    # proofs always carry crop marks, whatever the book's print settings say
    book = replace(book, print=replace(book.print, marks=tuple(dict.fromkeys(("crop", *book.print.marks)))))
    folder = Path(out_dir) / "proof"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = ProofStamp(dt.date.today().isoformat(), revision(Path(book_dir)))
    renderer = Renderer(book)

    # The print book's parts (shared with press build through the cache), bound under a folio
    # layer that carries the slug line and the PROOF mark: the proof's pages are the print's.
    job = LayoutJob(book, renderer, find_cmyk_profile(book), PartCache.in_output(Path(out_dir)), screen=False,
                    jobs=workers(jobs), proof=stamp, progress=progress)
    progress(StageStarted("layout"))
    laid = lay_out_book(job, diags)
    findings = _all_findings(book, diags, laid)
    pages = citations(book, laid.anchor_labels)
    # a finding placed in a paragraph is also placed on the page where that paragraph begins
    findings = [f.placed(page=pages.get(f.paragraph)) if f.paragraph and not f.page else f for f in findings]
    pdf_path = folder / f"{book.slug}-proof.pdf"
    with tempfile.TemporaryDirectory(prefix="press-stamp-") as scratch:
        stamp_pdf = Path(scratch) / "stamp.pdf"
        proof_stamp(job, stamp_pdf, diags)
        atomic_write(pdf_path, partial(bind, laid.parts, [p.print_pdf for p in laid.parts], laid.layer.print_pdfs, laid.plan,
                                       laid.front_pages, tagged=False, object_streams=True, stamp=stamp_pdf))
    progress(Note("proof PDF written"))

    # so that marks made on this proof can be read back, with the page map and the words' places
    keys = made_of(laid, folio_style(book, job.profile))
    record_round(folder, book, stamp.revision, [("proof", pdf_path)], pages, keys)
    images, rendered = render_pages(pdf_path, folder / "pages", laid.labels, keys)
    progress(Note(f"proof sheet: {rendered} of {len(images)} pages rendered anew"))
    previous = read_pages(folder / "pages.json")
    moved = drift(previous, pages) if previous is not None else None

    write_json(folder / "preflight.json", {"book": book.title, "revision": stamp.revision,
                                           "findings": [f.as_json() for f in findings]}, indent=2)
    write_json(folder / "pages.json", {"book": book.title, "revision": stamp.revision, "date": stamp.date, "pages": pages},
               indent=2)
    if moved is not None:
        write_json(folder / "drift.json", {"revision": stamp.revision, "moved": moved}, indent=2)
    html = renderer.render(
        "proof.html.j2", book=book, date=stamp.date, revision=stamp.revision, pages=images, spread_list=spreads(images), findings=findings,
        by_page=findings_by_page(findings), drift=moved, zoom=SHEET_ZOOM, scale=SHEET_ZOOM * DPI / 72,
        corrections=sheet_corrections(folder, stamp.revision), preflight=True,
    )
    atomic_write(folder / "index.html", lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return ProofResult(folder, findings, moved, len(images), rendered)


def made_of(laid: BookLayout, style: str) -> list[str]:
    """What each page of the proof is made of, as the proof sheet names its image and the round
    its words: the laid-out part's cache entry and the page's place in it (or a blank verso), the
    page's label and side (the folio the layer draws there), and the layer's ``style``
    (``folios.folio_style``). So a page that only moved keeps its name when its folio did not
    change. The stamp is left out: its slug line is outside the trim, its mark the same on every
    proof."""
    out = []
    for index, (page, label) in enumerate(zip(laid.plan, laid.labels)):
        part = f"{laid.parts[page.part].folder.name}:{page.local}" if page.part is not None else "blank"
        out.append(f"{part}|{label}|{'recto' if index % 2 == 0 else 'verso'}|{style}")
    return out


def has_errors(findings: list[Diagnostic], strict: bool = False) -> bool:
    return any(f.severity == ERROR or strict for f in findings)
