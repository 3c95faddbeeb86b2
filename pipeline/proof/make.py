"""``press proof`` and ``press check``: the print layout, looked at before it goes to print."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from pipeline.checks.glyphs import check_glyphs
from pipeline.checks.xrefs import check_cross_references
from pipeline.diagnostics import ERROR, Diagnostics
from pipeline.layout.cache import PartCache
from pipeline.layout.compose import PRINT, lay_out
from pipeline.layout.book import lay_out_book, workers
from pipeline.layout.folios import book_findings
from pipeline.layout.pages import page_labels
from pipeline.layout.profile import find_cmyk_profile
from pipeline.load import load_book
from pipeline.model import Book
from pipeline.progress import Progress, silent
from pipeline.proof.drift import citations, drift, read_pages
from pipeline.proof.findings import Finding, from_diagnostic
from pipeline.proof.preflight import layout_findings, model_findings, signature_findings
from pipeline.proof.sheet import DPI, findings_by_page, render_pages, spreads
from pipeline.render import Renderer
from pipeline.transforms import apply_transforms
from pipeline.write.bind import bind

SHEET_ZOOM = 0.6  # pages shown at 60 % on the sheet, so a spread fits a laptop screen


@dataclass
class ProofResult:
    """What a proof wrote, what preflight found and which citations moved."""

    folder: Path
    findings: list[Finding] = field(default_factory=list)
    drift: list[dict] | None = None
    pages: int = 0


def revision(root: Path) -> str:
    """The manuscript's git short hash when it is in git, else a hash of its files."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "."], capture_output=True, text=True, timeout=10)
            return out.stdout.strip() + ("+edits" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        pass
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return "sha256:" + digest.hexdigest()[:10]


def _prepare(book_dir: Path, diags: Diagnostics) -> Book:
    """Load and transform; collect the model checks' problems as findings instead of stopping."""
    book = apply_transforms(load_book(Path(book_dir), diags))
    check_glyphs(book, diags)
    check_cross_references(book, diags)
    return book


def check(book_dir: Path, progress: Progress = silent) -> list[Finding]:
    """Every manuscript check and the layout preflight, writing nothing."""
    diags = Diagnostics()
    book = _prepare(book_dir, diags)
    renderer = Renderer(book)
    progress("layout: print")
    document = lay_out(book, renderer, renderer.print_html(), PRINT, diags, find_cmyk_profile(book))
    labels = page_labels(book, document)
    return _all_findings(book, diags, layout_findings(book, document, labels))


def _all_findings(book: Book, diags: Diagnostics, layout: list[Finding]) -> list[Finding]:
    return [from_diagnostic(book, d) for d in diags.items] + model_findings(book) + layout


def proof(book_dir: Path, out_dir: Path, progress: Progress = silent, jobs: int | None = None) -> ProofResult:
    """Write the proof PDF, page images, proof sheet, preflight.json, pages.json and drift.json."""
    diags = Diagnostics()
    book = _prepare(book_dir, diags)
    # proofs always carry crop marks, whatever the book's print settings say
    book = replace(book, print=replace(book.print, marks=tuple(dict.fromkeys(("crop", *book.print.marks)))))
    folder = Path(out_dir) / "proof"
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    rev = revision(Path(book_dir))
    renderer = Renderer(book)

    # The print book's parts (shared with press build through the cache), bound under a folio
    # layer that carries the slug line and the PROOF mark: the proof's pages are the print's.
    cache = PartCache(Path(out_dir) / ".press-cache")
    progress("layout…")
    laid = lay_out_book(book, renderer, find_cmyk_profile(book), cache, diags, progress, screen=False,
                        jobs=workers(jobs), proof={"date": today, "revision": rev})
    plan, labels = laid.plan, laid.labels
    findings = _all_findings(book, diags, book_findings(laid.parts, plan, labels) + signature_findings(book, labels))
    pages = citations(book, laid.anchor_labels)
    # a finding placed in a paragraph is also placed on the page where that paragraph begins
    findings = [replace(f, page=pages.get(f.paragraph)) if f.paragraph and not f.page else f for f in findings]
    pdf_path = folder / f"{book.slug}-proof.pdf"
    _atomic(pdf_path, partial(bind, laid.parts, [p.print_pdf for p in laid.parts], laid.layer.print_pdfs, plan,
                              laid.front_pages, tagged=False, object_streams=True))

    progress("proof sheet: rendering pages")
    images = render_pages(pdf_path, folder / "pages", labels)
    previous = read_pages(folder / "pages.json")
    moved = drift(previous, pages) if previous is not None else None

    _write_json(folder / "preflight.json", {"book": book.title, "revision": rev, "findings": [f.as_json() for f in findings]})
    _write_json(folder / "pages.json", {"book": book.title, "revision": rev, "date": today, "pages": pages})
    if moved is not None:
        _write_json(folder / "drift.json", {"revision": rev, "moved": moved})
    offset = book.print.bleed + (18.0 if book.print.marks else 0.0)  # trim's top-left corner in the image
    html = renderer.env.get_template("proof.html.j2").render(
        book=book, date=today, revision=rev, pages=images, spread_list=spreads(images), findings=findings,
        by_page=findings_by_page(findings), drift=moved, offset=offset, zoom=SHEET_ZOOM, scale=SHEET_ZOOM * DPI / 72,
    )
    _atomic(folder / "index.html", lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return ProofResult(folder, findings, moved, len(images))


def has_errors(findings: list[Finding], strict: bool = False) -> bool:
    return any(f.severity == ERROR or strict for f in findings)


def _write_json(path: Path, data) -> None:
    _atomic(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"))


def _atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.partial")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
