"""The orchestrator: load, transform, check, render, lay out, write. Read it top to bottom."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pipeline.checks.glyphs import check_glyphs
from pipeline.checks.pdfx import print_pdf_problems
from pipeline.checks.xrefs import check_cross_references
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.layout.compose import PRINT, SCREEN, lay_out
from pipeline.layout.pagemap import page_starts
from pipeline.layout.pages import page_labels
from pipeline.layout.profile import find_cmyk_profile
from pipeline.load import load_book
from pipeline.model import SourceLoc
from pipeline.render import Renderer
from pipeline.transforms import apply_transforms
from pipeline.transforms.editions import select_edition
from pipeline.transforms.pagebreaks import insert_page_breaks
from pipeline.write.epub import write_epub
from pipeline.write.pdf import write_pdf

FORMATS = ("pdf", "epub")

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    """What a build wrote and what it found on the way."""

    outputs: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    pages: int = 0


def build(
    book_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    progress: Progress = lambda message: None,
    edition: str | None = None,
) -> BuildResult:
    """Build the book in ``book_dir`` (or one class ``edition`` of it) into ``out_dir``.

    Raises ``ManuscriptError`` when the manuscript has errors.

    Outputs are written to temporary names and renamed only once every format has been
    made and checked, so a failed build leaves ``out_dir`` as it was.
    """
    result = BuildResult()
    diags = result.diagnostics

    progress(f"load: {book_dir}")
    book = load_book(Path(book_dir), diags)
    for doc in book.documents:
        progress(f"  Document No. {doc.number}: {doc.loc.file}")
    book = apply_transforms(book)
    if edition is not None:
        chosen = [e for e in book.editions if e.name == edition]
        if not chosen:
            names = ", ".join(e.name for e in book.editions) or "none"
            diags.add("E112", book.loc, f"the book has no edition named '{edition}'", f"its editions: {names}")
            diags.raise_if_errors()
        book = select_edition(book, chosen[0])
        progress(f"edition: {edition} ({len(book.documents)} documents)")
    check_glyphs(book, diags)
    check_cross_references(book, diags)
    profile = find_cmyk_profile(book)
    if "pdf" in formats and profile is None:
        diags.add("E301", book.loc, "no CMYK profile for the print PDF's output intent",
                  "run 'bash setup.sh' (installs Debian's libgs-common) or set print.profile in book.yaml")
    diags.raise_if_errors()
    renderer = Renderer(book)

    pending: list[tuple[Path, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # The print layout is made for the print PDF and for the EPUB's page-list alike.
        html = renderer.print_html()
        progress("layout: print")
        document = lay_out(book, renderer, html, PRINT, diags, profile)
        result.pages = len(document.pages)
        progress(f"  {result.pages} pages")
        labels = page_labels(book, document)
        starts = page_starts(document)
        if "pdf" in formats:
            target = out_dir / f"{book.slug}.pdf"
            write_pdf(book, document, _partial(target), PRINT)
            pending.append((_partial(target), target))
            for problem in print_pdf_problems(_partial(target), book):
                diags.add("E300", book.loc, f"print PDF is not PDF/X: {problem}")
        del document  # a laid-out book holds ~0.4 MB a page; free it before the next
        if "pdf" in formats:
            progress("layout: screen PDF")
            document = lay_out(book, renderer, html, SCREEN, diags, profile)
            target = out_dir / f"{book.slug}-screen.pdf"
            write_pdf(book, document, _partial(target), SCREEN)
            pending.append((_partial(target), target))
            del document
        if "epub" in formats:
            progress("write: EPUB")
            paged = insert_page_breaks(book, starts, labels)
            target = out_dir / f"{book.slug}.epub"
            write_epub(paged, Renderer(paged), _partial(target))
            pending.append((_partial(target), target))
        diags.raise_if_errors()
    except BaseException as exc:
        for partial, _ in pending:
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError) and _under(exc.filename, out_dir):
            diags.add("E117", SourceLoc(str(out_dir)), f"cannot write the outputs: {exc.strerror or exc}",
                      "choose another folder with --out, or free some space")
            raise ManuscriptError(diags.errors) from None
        raise
    for partial, target in pending:
        os.replace(partial, target)
        result.outputs.append(target)
    return result


def _under(filename, folder: Path) -> bool:
    """Whether an OSError's file is the output folder or inside it (or the folder's parent path)."""
    if not filename:
        return False
    path, folder = Path(filename).absolute(), folder.absolute()
    return path == folder or folder.is_relative_to(path) or path.is_relative_to(folder)


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")
