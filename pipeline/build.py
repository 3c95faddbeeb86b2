"""The orchestrator: load, transform, check, render, lay out, write. Read it top to bottom."""

from __future__ import annotations

import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from pipeline.checks.glyphs import check_glyphs
from pipeline.checks.xrefs import check_cross_references
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.forked import Forked
from pipeline.layout.cache import PartCache
from pipeline.layout.book import lay_out_book, workers
from pipeline.layout.folios import book_page_starts
from pipeline.layout.profile import find_cmyk_profile
from pipeline.load import load_book
from pipeline.model import Book, SourceLoc
from pipeline.progress import Progress, silent
from pipeline.render import Renderer
from pipeline.transforms import apply_transforms
from pipeline.transforms.editions import select_edition
from pipeline.transforms.pagebreaks import insert_page_breaks
from pipeline.write.bind import bind_print, bind_screen
from pipeline.write.epub import write_epub

FORMATS = ("pdf", "epub")



@dataclass
class BuildResult:
    """What a build wrote, what it found on the way, and how long each stage took (seconds)."""

    outputs: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def build(
    book_dir: Path,
    out_dir: Path,
    formats: tuple[str, ...] = FORMATS,
    progress: Progress = silent,
    edition: str | None = None,
    jobs: int | None = None,
    use_cache: bool = True,
) -> BuildResult:
    """Build the book in ``book_dir`` (or one class ``edition`` of it) into ``out_dir``.

    Raises ``ManuscriptError`` when the manuscript has errors. Outputs are written to
    temporary names and renamed only once every format has been made and checked, so a
    failed build leaves ``out_dir`` as it was. The book is laid out in parts by ``jobs``
    processes (default: one per core); parts unchanged since the last build into ``out_dir``
    are taken from its cache unless ``use_cache`` is off.
    """
    result = BuildResult()
    diags = result.diagnostics
    stage = _stage_clock(result.timings, progress)

    with stage("load"):
        book = load_book(Path(book_dir), diags)
    with stage("transforms"):
        book = _prepare(book, edition, formats, diags, progress)
    renderer = Renderer(book)
    profile = find_cmyk_profile(book)

    processes = workers(jobs)
    with _outputs(out_dir, result) as write:
        cache = PartCache(_cache_folder(out_dir, use_cache))
        # The print layout, part by part in worker processes, serves the PDFs and the EPUB's page-list.
        with stage("layout"):
            laid = lay_out_book(book, renderer, profile, cache, diags, progress, screen="pdf" in formats, jobs=processes)
            starts = book_page_starts(laid.parts, laid.plan)
            result.pages = len(laid.plan)
        progress(f"  {result.pages} pages")
        # The print and the screen PDF are bound in processes of their own, side by side when
        # there are cores for it, while this one writes the EPUB.
        binding: list[Forked] = []

        def apart(*args) -> None:
            binding.append(Forked(*args))
            if processes == 1:
                binding[-1].result()

        if "pdf" in formats:
            with stage("pdf"):
                write(f"{book.slug}.pdf", partial(
                    apart, bind_print, book, laid.parts, laid.layer.print_pdfs, laid.plan, laid.front_pages))
                write(f"{book.slug}-screen.pdf", partial(
                    apart, bind_screen, laid.parts, laid.layer.screen_pdfs, laid.plan, laid.front_pages))
        try:
            if "epub" in formats:
                with stage("epub"):
                    paged = insert_page_breaks(book, starts, laid.labels)
                    write(f"{book.slug}.epub", partial(write_epub, paged, Renderer(paged)))
        except BaseException:
            for child in binding:  # let them finish, so that no half-written file outlives the build
                try:
                    child.result()
                except BaseException:
                    pass
            raise
        with stage("pdf", announce=False):  # waiting for the binding processes
            for problem in (binding[0].result() if binding else []):
                diags.add("E300", book.loc, f"print PDF is not PDF/X: {problem}")
            for child in binding[1:]:
                child.result()
        diags.raise_if_errors()
    return result


def _prepare(book: Book, edition: str | None, formats, diags: Diagnostics, progress: Progress) -> Book:
    """Transforms, the chosen edition, and the checks that stop a build before any layout."""
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
    if "pdf" in formats and find_cmyk_profile(book) is None:
        diags.add("E301", book.loc, "no CMYK profile for the print PDF's output intent",
                  "run 'bash setup.sh' (installs Debian's libgs-common) or set print.profile in book.yaml")
    diags.raise_if_errors()
    return book


def _cache_folder(out_dir: Path, use_cache: bool) -> Path:
    """Parts are kept in ``DIR/.press-cache``; without the cache, in a scratch folder emptied each build."""
    folder = out_dir / ".press-cache"
    if not use_cache:
        folder = folder / "uncached"
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stage_clock(timings: dict[str, float], progress: Progress):
    @contextmanager
    def stage(name: str, announce: bool = True):
        """Time a stage (added to its earlier time); ``announce`` says so on the progress display."""
        if announce:
            progress(f"{name}…")
        started = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

    return stage


@contextmanager
def _outputs(out_dir: Path, result: BuildResult):
    """Hands out ``write(name, make)``: ``make`` writes a temporary file beside the target.

    Every file is renamed into place only when the whole block succeeds; on any failure the
    temporary files go and the folder is left as it was. A folder that cannot be written is
    a placed problem (E117), not a traceback.
    """
    pending: list[tuple[Path, Path]] = []

    def write(name: str, make: Callable[[Path], None]) -> Path:
        target = out_dir / name
        partial = target.with_name(f".{target.name}.partial")
        pending.append((partial, target))
        make(partial)
        return partial

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        yield write
    except BaseException as exc:
        for partial, _ in pending:
            partial.unlink(missing_ok=True)
        if isinstance(exc, OSError) and _under(exc.filename, out_dir):
            result.diagnostics.add("E117", SourceLoc(str(out_dir)), f"cannot write the outputs: {exc.strerror or exc}",
                                   "choose another folder with --out, or free some space")
            raise ManuscriptError(result.diagnostics.errors) from None
        raise
    for partial, target in pending:
        os.replace(partial, target)
        result.outputs.append(target)


def _under(filename, folder: Path) -> bool:
    """Whether an OSError's file is the output folder, inside it, or on the way to it."""
    if not filename:
        return False
    path, folder = Path(filename).absolute(), folder.absolute()
    return path == folder or folder.is_relative_to(path) or path.is_relative_to(folder)
