"""``press stamp``: a copy of the screen PDF and the EPUB for every student of a roster.

Read the roster and the secret (nothing is made when either has a problem), build the screen
PDF and the EPUB when they are missing or older than the manuscript, then stamp copies from
those two files without laying the book out again: the students' lines are laid out in a small
stamp layer, a chunk of copies at a time (``engine/stamps.py``), drawn over the built PDF as an
incremental update (``pdf.py``) and put on the EPUB's front-matter page (``epub.py``).

Chunks run in worker processes, ``jobs`` at a time; each chunk's stamp layer lives in its
worker's memory and is gone when the worker ends, and copies are written one at a time, so
memory does not grow with the roster. The roster and the secret are never written: not to the
output folder, the cache, the terminal (which CI keeps as logs) or a crash log.
"""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
import pypdfium2

from pipeline import crash
from pipeline.build import FORMATS, build
from pipeline.checks.glyphs import font_coverage
from pipeline.copies.epub import StampedEpub
from pipeline.copies.ids import copy_id, document_id, read_secret
from pipeline.copies.pdf import CopyStamp, StampedPdf
from pipeline.copies.roster import Student, read_roster
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.engine.stamps import stamp_layer
from pipeline.events import Note, Progress, StageStarted, silent
from pipeline.files import partial_name
from pipeline.forked import Forked
from pipeline.layout.book import workers
from pipeline.load import load_book
from pipeline.model import Book, SourceLoc
from pipeline.render import Renderer
from pipeline.render.html import TYPEFACE, StampLines
from pipeline.styles import FONTS
from pipeline.transforms.editions import select_edition
from pipeline.words import Words, fill, placeholders

#: Copies whose lines are laid out together: one WeasyPrint render serves them all (a render
#: costs a tenth of a second, a page of it a millisecond), and a chunk's layer stays small.
CHUNK = 64


@dataclass
class StampResult:
    """What ``stamp`` made: the folder of the copies and each copy id, in roster order."""

    folder: Path
    copies: list[str] = field(default_factory=list)
    built: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


@dataclass(frozen=True)
class _Copy:
    """A student's copy: id, lines, and document id. Held only in memory."""

    copy: str
    document_id: bytes
    lines: StampLines


def stamp(book_dir: Path, roster: Path, out_dir: Path, *, edition: str | None = None, secret_file: Path | None = None,
          names: bool = False, jobs: int | None = None, progress: Progress = silent) -> StampResult:
    """Stamp a copy of ``book_dir``'s screen PDF and EPUB (or its ``edition``'s) for every student of
    ``roster`` into ``out_dir/copies/<slug>/``; raises ``ManuscriptError`` before writing anything
    when the roster, the secret, the book or a stamp line has a problem."""
    diags = Diagnostics()
    secret = read_secret(secret_file, diags)
    students = read_roster(Path(roster), diags, names=names)
    crash.keep_out([s.id for s in students] + [s.name for s in students] + [s.email for s in students]
                   + ([secret.decode("utf-8", "replace")] if secret else []))
    diags.raise_if_errors()
    assert secret is not None
    book = _book(Path(book_dir), edition, diags)
    copies = _copies(book, students, secret, names, str(roster), diags)
    diags.raise_if_errors()

    out_dir = Path(out_dir)
    screen, epub = out_dir / f"{book.slug}-screen.pdf", out_dir / f"{book.slug}.epub"
    result = StampResult(out_dir / "copies" / book.slug)
    if _stale([screen, epub], Path(book_dir)):
        built = build(Path(book_dir), out_dir, FORMATS, progress, edition=edition, jobs=jobs)
        result.diagnostics.extend(built.diagnostics.items)
        result.built = True
    progress(StageStarted("stamp"))
    imprint = imprint_page(screen, book)
    pdf = StampedPdf(screen, imprint)
    characters = {c for item in copies for c in item.lines.ex_libris}
    ebook = StampedEpub(epub, characters)
    result.folder.mkdir(parents=True, exist_ok=True)
    renderer = Renderer(book)
    processes = workers(jobs)
    chunks = [copies[i: i + CHUNK] for i in range(0, len(copies), CHUNK)]
    done = 0
    for batch in range(0, len(chunks), processes):
        running = [Forked(_stamp_chunk, book, renderer, chunk, pdf, ebook, imprint % 2 == 1, result.folder)
                   for chunk in chunks[batch: batch + processes]]
        for child in running:
            done += len(child.result())
        progress(Note(f"  {done} of {len(copies)} copies"))
    result.copies = [c.copy for c in copies]
    return result


def _book(book_dir: Path, edition: str | None, diags: Diagnostics) -> Book:
    book = load_book(book_dir, diags)
    if edition is None:
        return book
    chosen = [e for e in book.editions if e.name == edition]
    if not chosen:
        names = ", ".join(e.name for e in book.editions) or "none"
        diags.add("E112", book.loc, f"the book has no edition named '{edition}'", f"its editions: {names}")
        diags.raise_if_errors()
    return select_edition(book, chosen[0])


def stamp_template(book: Book, names: bool) -> tuple[str, SourceLoc]:
    """The foot line's template: the edition's ``stamp.text``, the book's, or the catalogue's word."""
    if book.edition is not None and book.edition.stamp_text:
        return book.edition.stamp_text, book.edition.loc
    if book.stamp_text:
        return book.stamp_text, book.field_loc("stamp")
    words = Words(book.language, book.labels)
    return words.messages["stamp_named" if names else "stamp"], book.field_loc("labels")


def _copies(book: Book, students: list[Student], secret: bytes, names: bool, roster: str,
            diags: Diagnostics) -> list[_Copy]:
    """Every student's copy id and lines; E163 for a stamp that would print names without
    ``--names``, E161 for two students whose copy ids are the same, E200 for a character the
    fonts lack (named by the roster's line, never by the value)."""
    words = Words(book.language, book.labels)
    template, where = stamp_template(book, names)
    if "name" in placeholders(template) and not names:
        diags.add("E163", where, "the stamp line prints the student's name, and the copies are made without --names",
                  "give --names to print names, or take {name} out of stamp.text")
        return []
    course = (book.edition.course if book.edition is not None and book.edition.course else None) or book.title
    covered = font_coverage(FONTS)
    copies: list[_Copy] = []
    seen: dict[str, int] = {}
    for student in students:
        copy = copy_id(secret, student.id)
        if copy in seen:
            diags.add("E161", SourceLoc(roster, student.line), f"this student's copy id is that of line {seen[copy]}",
                      "two ids gave the same copy id under this secret: choose another secret")
            continue
        seen[copy] = student.line
        values = {"copy": copy, "course": course, "title": book.title, "name": student.name if names else ""}
        lines = StampLines(fill(template, **values),
                           words("ex_libris_named" if names else "ex_libris", **values))
        missing = {c for c in lines.foot + lines.ex_libris if ord(c) not in covered and not c.isspace()}
        for char in sorted(missing):
            diags.add("E200", SourceLoc(roster, student.line),
                      f"'{char}' (U+{ord(char):04X} {unicodedata.name(char, 'unnamed character')}) in this student's stamp "
                      "is not in the book's fonts", "write the name in characters the fonts have, or add a font that has it")
        copies.append(_Copy(copy, document_id(secret, student.id), lines))
    return copies


def _stale(outputs: list[Path], book_dir: Path) -> bool:
    """Whether an output is missing or older than a file of the manuscript (its hidden folders aside)."""
    try:
        made = min(p.stat().st_mtime_ns for p in outputs)
    except OSError:
        return True
    for folder, dirs, files in os.walk(book_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            try:
                if (Path(folder) / name).stat().st_mtime_ns > made:
                    return True
            except OSError:
                continue
    return False


def imprint_page(screen: Path, book: Book) -> int:
    """The index of the imprint page in the built screen PDF: the front-matter page holding the
    imprint's last line ("Set in …"), else the fourth page (half title, its verso, title page, imprint)."""
    words = Words(book.language, book.labels)
    needle = words("set_in", typeface=TYPEFACE)
    document = pypdfium2.PdfDocument(str(screen))
    try:
        for index in range(min(len(document), 12)):
            text = document[index].get_textpage().get_text_range()
            if needle in " ".join(text.split()):
                return index
        return min(3, len(document) - 1)
    finally:
        document.close()


def _stamp_chunk(book: Book, renderer: Renderer, chunk: list[_Copy], pdf: StampedPdf, ebook: StampedEpub,
                 imprint_verso: bool, folder: Path) -> list[str]:
    """In a worker: lay out the chunk's lines, then write each copy's PDF and EPUB, one at a time."""
    layer_bytes = stamp_layer(book, renderer, [c.lines for c in chunk], imprint_verso, Diagnostics())
    with pikepdf.open(io.BytesIO(layer_bytes)) as layer:
        for index, item in enumerate(chunk):
            _write(folder / f"{item.copy}.pdf", lambda out: pdf.write(out, CopyStamp(layer, index, item.copy, item.document_id)))
            _write(folder / f"{item.copy}.epub", lambda out: ebook.write(out, item.copy, item.lines.ex_libris))
    return [c.copy for c in chunk]


def _write(target: Path, write) -> None:
    partial = partial_name(target)
    try:
        with open(partial, "wb") as out:
            write(out)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


__all__ = ["stamp", "StampResult", "ManuscriptError"]
