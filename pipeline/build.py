"""The orchestrator: load, transform, check, lay out, bind, write. Read it top to bottom."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from pipeline.bind import bind_book
from pipeline.checks.glyphs import check_glyphs
from pipeline.checks.language import check_language
from pipeline.checks.xrefs import check_cross_references
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.engine.cover import front_cover_png
from pipeline.engine.profile import find_cmyk_profile
from pipeline.epub import write_epub
from pipeline.events import DocumentFound, EditionChosen, Progress, StageStarted, silent
from pipeline.files import NO_SPACE, partial_name, put_in_place, remove, write_json
from pipeline.hashing import file_hash
from pipeline.layout.book import lay_out_book, workers
from pipeline.layout.cache import CACHE_FOLDER, PartCache
from pipeline.layout.context import LayoutJob
from pipeline.load import load_book
from pipeline.model import Book, SourceLoc
from pipeline.prepress.cover import make_cover
from pipeline.proof.drift import citations
from pipeline.proof.preflight import model_findings, signature_findings
from pipeline.proof.revision import content_hash, revision
from pipeline.proof.rounds import record_round
from pipeline.render import Renderer
from pipeline.session import output_lock, private_tempdir
from pipeline.transforms import apply_transforms
from pipeline.transforms.editions import select_edition
from pipeline.transforms.pagebreaks import insert_page_breaks
from pipeline.web import Download, write_site

FORMATS = ("pdf", "epub", "web")
#: Every format a build can make; the cover is made when asked for.
ALL_FORMATS = FORMATS + ("cover",)


@dataclass
class BuildResult:
    """What a build wrote, what it found on the way, and how long each stage took (seconds)."""

    outputs: list[Path] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    pages: int = 0
    notes: list[str] = field(default_factory=list)  # what a build reports besides problems (the spine's width)
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

    The build holds ``out_dir``'s lock while it writes there (another build into it waits;
    ``files.folder_lock``), and keeps its temporary files in a folder of its own, removed however
    it ends (``session.py``).
    """
    with private_tempdir():
        return _build(book_dir, out_dir, formats, progress, edition, jobs, use_cache)


def _build(book_dir, out_dir, formats, progress, edition, jobs, use_cache) -> BuildResult:
    result = BuildResult()
    diags = result.diagnostics
    stage = _stage_clock(result.timings, progress)
    processes = workers(jobs)

    with stage("load"):
        # the manuscript as it stands before anything of it is read: an edit during the build makes the PDF stale
        manuscript = content_hash(Path(book_dir), skip=Path(out_dir)) if "pdf" in formats else ""
        book = load_book(Path(book_dir), diags)
    with stage("transforms"):
        book = _prepare(book, edition, formats, diags, progress)

    # Held from the first write into out_dir (the cache's, during layout) to the last rename.
    with output_lock(Path(out_dir), progress), _outputs(Path(out_dir), result) as output:
        # The print layout, part by part in worker processes, serves the PDFs and the EPUB's page-list.
        with stage("layout"):
            job = LayoutJob(book, Renderer(book), find_cmyk_profile(book), PartCache.in_output(Path(out_dir), use_cache),
                            screen="pdf" in formats, jobs=processes, progress=progress)
            laid = lay_out_book(job, diags)
            result.pages = len(laid.plan)
        # The print and the screen PDF are bound in processes of their own while this one writes the EPUB.
        pdfs = (output(f"{book.slug}.pdf"), output(f"{book.slug}-screen.pdf")) if "pdf" in formats else (None, None)
        with stage("pdf", announce="pdf" in formats):
            binding = bind_book(book, laid, pdfs[0], pdfs[1], processes)
        # The EPUB and the web edition show the printed pages: the model with the print's page starts marked.
        marked = insert_page_breaks(book, laid.page_starts, laid.labels) if {"epub", "web"} & set(formats) else book
        epub = output(f"{book.slug}.epub") if "epub" in formats else None
        try:
            # the front of the printed cover, drawn once for the EPUB's cover and the web edition's home page
            front = front_cover_png(book, job.renderer) if {"epub", "web"} & set(formats) and book.cover is None else None
            if epub is not None:
                with stage("epub"):
                    write_epub(marked, epub, diags, front=front, fonts_kept=job.cache.fonts_folder())
            if "cover" in formats:
                with stage("cover"):
                    spine = make_cover(book, result.pages, job.renderer, job.profile, output(f"{book.slug}-cover.pdf"), diags)
                    result.notes.append(spine.describe())
            with stage("pdf", announce=False):  # waiting for the binding processes
                problems = binding.wait()
        except BaseException:
            binding.abandon()  # stopped before their temporary files are removed, so none is written after
            raise
        for problem in problems:
            diags.add("E300", book.loc, f"print PDF is not PDF/X: {problem}")
        diags.raise_if_errors()
        if pdfs[0] is not None and pdfs[1] is not None:  # so that marks on a copy of either can be read back
            with stage("pdf", announce=False):
                # in the cache, not beside the outputs: a build's outputs are the files it was asked for
                # the manuscript's files were hashed once already, at load (for the print PDF's record)
                record_round(Path(out_dir) / CACHE_FOLDER, book, revision(Path(book_dir), manuscript),
                             [("print", pdfs[0]), ("screen", pdfs[1])], citations(book, laid.anchor_labels))
        if "web" in formats:  # last: the site holds copies of the files just made
            with stage("web"):
                site = output(f"{book.slug}-web")
                remove(site)  # a folder a killed build left behind
                write_site(marked, site, _downloads(book, pdfs, epub), front=front, fonts_kept=job.cache.fonts_folder())
    if "pdf" in formats:  # after the rename: a record never vouches for a file that is not there
        _record_print_pdf(manuscript, Path(out_dir), book.slug)
    # The warnings press check would give, so that a build is not silent about a misspelt speaker.
    diags.extend(model_findings(book) + laid.findings + (signature_findings(book, laid.labels) if "pdf" in formats else []))
    return result


def _print_record(out_dir: Path, slug: str) -> Path:
    return out_dir / CACHE_FOLDER / f"built-{slug}.json"


def _record_print_pdf(manuscript: str, out_dir: Path, slug: str) -> None:
    """Note which manuscript the print PDF just placed was built from (its files' hash) and which
    bytes it has, so that ``press impose`` can tell a print PDF that no longer matches the manuscript."""
    write_json(_print_record(out_dir, slug), {"manuscript": manuscript, "pdf": file_hash(out_dir / f"{slug}.pdf")})


def print_pdf_is_current(book_dir: Path, out_dir: Path, edition: str | None = None) -> bool:
    """Whether ``out_dir`` holds the print PDF of ``book_dir`` (or of its ``edition``) as the
    manuscript's files now stand: built by press from them, and not replaced since. A record that is
    missing, unreadable or of another shape (a PDF built by an older press, or copied in) says no.
    An edition the book does not have says yes: the caller's own check names the problem."""
    book = load_book(Path(book_dir))
    if edition is not None:
        chosen = [e for e in book.editions if e.name == edition]
        if not chosen:
            return True
        book = select_edition(book, chosen[0])
    pdf = Path(out_dir) / f"{book.slug}.pdf"
    try:
        record = json.loads(_print_record(Path(out_dir), book.slug).read_text(encoding="utf-8"))
        return (pdf.is_file() and isinstance(record, dict) and record.get("pdf") == file_hash(pdf)
                and record.get("manuscript") == content_hash(Path(book_dir), skip=Path(out_dir)))
    except (OSError, ValueError):
        return False


def _downloads(book: Book, pdfs: tuple[Path | None, Path | None], epub: Path | None) -> list[Download]:
    """The files of this run the site offers, read from their temporary names, under their final ones."""
    out = []
    if pdfs[0] is not None and pdfs[1] is not None:
        out.append(Download("download_print", f"{book.slug}.pdf", pdfs[0], "application/pdf"))
        out.append(Download("download_screen", f"{book.slug}-screen.pdf", pdfs[1], "application/pdf"))
    if epub is not None:
        out.append(Download("download_epub", f"{book.slug}.epub", epub, "application/epub+zip"))
    return out


def _prepare(book: Book, edition: str | None, formats, diags: Diagnostics, progress: Progress) -> Book:
    """Transforms, the chosen edition, and the checks that stop a build before any layout."""
    for doc in book.documents:
        progress(DocumentFound(doc.number, doc.loc.file))
    book = apply_transforms(book)
    if edition is not None:
        chosen = [e for e in book.editions if e.name == edition]
        if not chosen:
            names = ", ".join(e.name for e in book.editions) or "none"
            diags.add("E112", book.loc, f"the book has no edition named '{edition}'", f"its editions: {names}")
            diags.raise_if_errors()
        book = select_edition(book, chosen[0])
        progress(EditionChosen(edition, len(book.documents)))
    check_glyphs(book, diags)
    check_cross_references(book, diags)
    check_language(book, diags)
    if ("pdf" in formats or "cover" in formats) and find_cmyk_profile(book) is None:
        diags.add("E301", book.loc, "no CMYK profile for the print PDF's output intent",
                  "run 'bash setup.sh' (installs Debian's libgs-common) or set print.profile in book.yaml")
    diags.raise_if_errors()
    return book


def _stage_clock(timings: dict[str, float], progress: Progress):
    @contextmanager
    def stage(name: str, announce: bool = True) -> Iterator[None]:
        """Time a stage (added to its earlier time); ``announce`` says so on the progress display."""
        if announce:
            progress(StageStarted(name))
        started = time.perf_counter()
        try:
            yield
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - started

    return stage


@contextmanager
def _outputs(out_dir: Path, result: BuildResult) -> Iterator:
    """Hands out ``output(name)``: the temporary path beside ``out_dir/name`` to write that output
    (a file, or a folder such as the web edition) to.

    Every file is renamed into place only when the whole block succeeds; on any failure the
    temporary files go and the folder is left as it was. A folder that cannot be written is
    a placed problem (E117), not a traceback; so is a full disk, whichever file (the cache's,
    a temporary one) it stopped, since it is the outputs that could not be written.
    """
    pending: list[tuple[Path, Path]] = []

    def output(name: str) -> Path:
        target = out_dir / name
        pending.append((partial_name(target), target))
        return pending[-1][0]

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        yield output
    except BaseException as exc:
        for partial, _ in pending:
            remove(partial)
        if isinstance(exc, OSError) and (_under(exc.filename, out_dir) or exc.errno in NO_SPACE):
            result.diagnostics.add("E117", SourceLoc(str(out_dir)), f"cannot write the outputs: {exc.strerror or exc}",
                                   "choose another folder with --out, or free some space")
            raise ManuscriptError(result.diagnostics.errors) from None
        raise
    for partial, target in pending:
        put_in_place(partial, target)
        result.outputs.append(target)


def _under(filename, folder: Path) -> bool:
    """Whether an OSError's file is the output folder, inside it, or on the way to it."""
    if not filename:
        return False
    path, folder = Path(filename).absolute(), folder.absolute()
    return path == folder or folder.is_relative_to(path) or path.is_relative_to(folder)
