"""Laid-out parts kept between builds, keyed by everything that can change their pages.

The key of a part is a hash of what its HTML and layout are made of: its document, the book's
own fields, the page numbers it cites, the stylesheets, templates, fonts, its images, the colour
profile, press's own code and WeasyPrint's version. A part whose key is in the cache is not laid
out again: its PDFs and what its layout told the build (pages, anchors, page starts) are read
back. Entries live in
``DIR/.press-cache/`` beside the outputs (git-ignored with the rest of ``dist/``); an entry
unused for two weeks is removed.

The cache only ever saves work: an entry that cannot be read, or does not hold what its
``layout.json`` says (a truncated or foreign file, a PDF cut short, a JSON of another shape), is
a miss, laid out again and written anew, never an error. Its files are written whole under
temporary names (``files.atomic_write``), so a reader in another press sees an entry complete or
not at all. The key does not depend on how the manuscript's path was typed, nor on the working
folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

from pipeline.diagnostics import CODES, Diagnostic, Place
from pipeline.engine import ENGINE_VERSION
from pipeline.files import write_json
from pipeline.hashing import file_hash
from pipeline.layout.plan import PartLayout, PartTask
from pipeline.model import Book, SourceLoc
from pipeline.pages import PageStart

PIPELINE = Path(__file__).resolve().parents[1]
STALE_SECONDS = 14 * 24 * 3600
#: The cache's folder inside an output folder.
CACHE_FOLDER = ".press-cache"


@lru_cache(maxsize=1)
def code_version() -> str:
    """press's own code and the layout engine's version: a change to either empties the cache."""
    digest = hashlib.sha256(ENGINE_VERSION.encode())
    for path in sorted(PIPELINE.rglob("*.py")):
        digest.update(path.relative_to(PIPELINE).as_posix().encode() + file_hash(path).encode())
    return digest.hexdigest()


def part_key(book: Book, task: PartTask, files: list[Path], screen: bool, front_html: str | None = None) -> str:
    """The cache key of a part, from what its HTML is made of (not the HTML: rendering it costs more).

    The part's HTML is a function of press's code and templates (files), the book's own fields,
    the document (for the index, its entries with their locators) and the task (the pages it
    cites, its first folio). The front matter shows a little of every document (the contents, the
    imprint's list): its key is made of its HTML (``front_html``, a few kilobytes, rendered in
    milliseconds), so that an edit inside a document, which changes no title and no page, does
    not lay the front matter out again.
    """
    digest = hashlib.sha256(code_version().encode())
    digest.update(b"screen" if screen else b"print only")
    book = replace(book, root=book.root.resolve())
    if task.front:
        if front_html is None:
            raise ValueError("the front matter's key is made of its HTML")
        digest.update(_placeless(repr(replace(book, documents=(), editions=(), index=None))).encode())
        digest.update(front_html.encode())
    elif task.back:  # the index: its entries and locators, the book's fields, the pages it cites (the task)
        digest.update(_placeless(repr(replace(book, documents=(), editions=()))).encode())
        digest.update(repr(tuple(d.number for d in book.documents)).encode())
    else:
        # a document's part does not depend on the index: an edit elsewhere that moves a locator
        # does not lay the documents out again
        digest.update(_placeless(repr(replace(book, documents=(), editions=(), index=None))).encode())
        digest.update(repr((book.documents[0].number, book.edition)).encode())
        digest.update(_placeless(repr(next(d for d in book.documents if d.number == task.number))).encode())
    digest.update(repr(task).encode())
    for path in sorted({p.resolve() for p in files}):
        digest.update(str(path).encode() + file_hash(path).encode())
    return digest.hexdigest()[:32]


#: A source location in a model's repr: ``SourceLoc(file='manuscript/x.md'`` (or with double quotes).
_LOC = re.compile(r"""SourceLoc\(file=(?:'([^'\\]*)'|"([^"\\]*)")""")


def _placeless(text: str) -> str:
    """``text`` (a model's repr) with every source file named by its absolute path, not as it was typed:
    the same manuscript built from another working folder, or through a relative path, has the same key."""
    seen: dict[str, str] = {}

    def absolute(match: re.Match) -> str:
        name = match.group(1) if match.group(1) is not None else match.group(2)
        if name not in seen:
            seen[name] = os.path.abspath(name) if name else name
        return f"SourceLoc(file={seen[name]!r}"

    return _LOC.sub(absolute, text)


class PartCache:
    """The cache folder: ``parts/<key>/`` per laid-out part, ``folios-<key>/`` per folio layer, the last pages.

    ``fallback`` is another cache read but never written (``press check`` reads the output
    folder's cache and writes nothing there).
    """

    def __init__(self, folder: Path, fallback: Path | None = None, read: bool = True):
        self.folder = folder
        self.fallback = fallback
        self.read = read
        (folder / "parts").mkdir(parents=True, exist_ok=True)

    @classmethod
    def in_output(cls, out_dir: Path, use_cache: bool = True) -> "PartCache":
        """The cache of builds into ``out_dir``; without the cache (``--no-cache``) nothing is read from
        it, but what is laid out is written there, so that a rebuild without the option finds it fresh."""
        folder = Path(out_dir) / CACHE_FOLDER
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder, read=use_cache)

    @classmethod
    def reading(cls, out_dir: Path, scratch: Path) -> "PartCache":
        """A cache in ``scratch`` that also reads, and never writes, the one of ``out_dir``."""
        existing = Path(out_dir) / CACHE_FOLDER
        return cls(scratch, fallback=existing if existing.is_dir() else None)

    def entry(self, key: str) -> Path:
        return self.folder / "parts" / key

    def fonts_folder(self) -> Path | None:
        """Where the EPUB's and the web edition's font subsets are kept between builds (none read or
        kept when the cache is not to be read)."""
        return self.folder / "fonts" if self.read else None

    def layer_entry(self, key: str) -> Path:
        """The folder of a folio layer (``layout/folios.py``): its PDFs and its ``plan.json``."""
        return self.folder / f"folios-{key}"

    def read_pages(self) -> dict[str, str]:
        """The printed page of every anchor in the last build: guesses for pages not known yet."""
        for folder in (self.folder, self.fallback) if self.read else ():
            try:
                if folder is not None:
                    pages = json.loads((folder / "pages.json").read_text(encoding="utf-8"))
                    if isinstance(pages, dict) and all(isinstance(v, str) for v in pages.values()):
                        return pages
            except (OSError, ValueError):
                continue
        return {}

    def write_pages(self, pages: dict[str, str]) -> None:
        write_json(self.folder / "pages.json", pages)

    def load(self, key: str, task: PartTask, screen: bool) -> PartLayout | None:
        """The part laid out for ``key``, from this cache or (read only) its fallback, or None.

        None too for an entry that is damaged or half-written (by a press that was stopped, or is
        writing it now): the part is laid out again.
        """
        if not self.read:
            return None
        for entry in [self.entry(key)] + ([self.fallback / "parts" / key] if self.fallback is not None else []):
            layout = _read_entry(entry, task, screen)
            if layout is not None:
                if entry.is_relative_to(self.folder):
                    try:
                        (entry / "layout.json").touch()  # used: keep it
                    except OSError:
                        pass
                return layout
        return None

    def clear(self, key: str) -> None:
        """Empty the entry of ``key`` before the part is laid out into it again (it was a miss)."""
        shutil.rmtree(self.entry(key), ignore_errors=True)

    def store(self, layout: PartLayout) -> None:
        """Write what the layout told the build beside its PDFs (last, so a half-written entry never loads).

        The PDFs' sizes go with it: a PDF cut short or replaced afterwards no longer matches.
        """
        pdfs = [layout.print_pdf] + ([layout.screen_pdf] if layout.screen_pdf.is_file() else [])
        data = {
            "pages": layout.pages,
            "blanks": list(layout.blanks),
            "anchors": layout.anchors,
            "starts": [asdict(s) for s in layout.starts],
            "diagnostics": [{"code": d.code, "loc": asdict(d.loc), "path": _absolute(d.loc.file), "message": d.message,
                             "hint": d.hint, "place": asdict(d.place)} for d in layout.diagnostics],
            "files": {pdf.name: pdf.stat().st_size for pdf in pdfs},
        }
        write_json(layout.folder / "layout.json", data)

    def layer_plan(self, entry: Path, files: list[Path]) -> list[list] | None:
        """The plan of the folio layer in ``entry`` when it and all its ``files`` are whole, else None."""
        if not self.read:
            return None
        try:
            data = json.loads((entry / "plan.json").read_text(encoding="utf-8"))
            plan, sizes = data["plan"], data["files"]
            if not (isinstance(plan, list) and isinstance(sizes, dict) and all(_is_page(p) for p in plan)):
                return None
            if not all(_whole_pdf(f, sizes.get(f.name)) for f in files):
                return None
            (entry / "plan.json").touch()
            return plan
        except (OSError, ValueError, TypeError, KeyError):
            return None

    @staticmethod
    def store_layer_plan(entry: Path, plan: list[list], files: list[Path]) -> None:
        write_json(entry / "plan.json", {"plan": plan, "files": {f.name: f.stat().st_size for f in files}})

    def prune(self) -> None:
        """Remove parts and folio layers unused for two weeks, and any left half-written an hour ago or more."""
        now = time.time()
        for entry in [*(self.folder / "parts").iterdir(), *self.folder.glob(self.layer_entry("*").name)]:
            meta = entry / ("layout.json" if entry.parent.name == "parts" else "plan.json")
            try:
                stale = now - meta.stat().st_mtime > STALE_SECONDS if meta.is_file() else now - entry.stat().st_mtime > 3600
            except OSError:  # removed meanwhile (by the clear of a part laid out again)
                continue
            if stale:
                shutil.rmtree(entry, ignore_errors=True)


def _read_entry(entry: Path, task: PartTask, screen: bool) -> PartLayout | None:
    """The part in ``entry`` if everything it should hold is there, whole and of the right shape; else None."""
    try:
        data = json.loads((entry / "layout.json").read_text(encoding="utf-8"))
        sizes = data["files"]
        pages = data["pages"]
        if not (isinstance(sizes, dict) and _is_count(pages) and pages > 0):
            return None
        pdfs = [entry / "print.pdf"] + ([entry / "screen.pdf"] if screen else [])
        if not all(_whole_pdf(pdf, sizes.get(pdf.name)) for pdf in pdfs):
            return None
        blanks, anchors, starts = data["blanks"], data["anchors"], data["starts"]
        if not (isinstance(blanks, list) and all(_is_count(b) and b < pages for b in blanks)):
            return None
        if not (isinstance(anchors, dict) and all(_is_count(v) and v < pages for v in anchors.values())):
            return None
        if not isinstance(starts, list):
            return None
        page_starts = [PageStart(**s) for s in starts]
        if not all(_is_count(s.index) and isinstance(s.key, str) and _is_count(s.words_before) for s in page_starts):
            return None
        return PartLayout(task=task, pages=pages, blanks=tuple(blanks), anchors=anchors, starts=page_starts,
                          folder=entry, diagnostics=[_diagnostic(d) for d in data["diagnostics"]])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):  # damaged or half-written: a miss
        return None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_page(value: object) -> bool:
    """One page of a folio layer's plan: ``[part or None, page in the part]``."""
    return (isinstance(value, list) and len(value) == 2 and (value[0] is None or _is_count(value[0]))
            and _is_count(value[1]))


def _whole_pdf(path: Path, size: object) -> bool:
    """Whether ``path`` is the PDF that was written: its recorded size, a PDF header, an end-of-file mark."""
    if not _is_count(size) or path.stat().st_size != size or size < 16:
        return False
    with open(path, "rb") as pdf:
        head = pdf.read(5)
        pdf.seek(max(0, size - 1024))
        tail = pdf.read()
    return head == b"%PDF-" and b"%%EOF" in tail


def _absolute(file: str) -> str:
    """A diagnostic's file as an absolute path, to be cached (it may be read from another working folder)."""
    return os.path.abspath(file) if file else file


def _shown(typed: str, path: str | None) -> str:
    """A cached diagnostic's file as the build that laid it out named it (``typed``), or, when that name
    means another file from here (another working folder), as press names files: relative to the
    working folder when inside it."""
    if not typed or path is None or os.path.abspath(typed) == path:
        return typed
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _diagnostic(data: dict) -> Diagnostic:
    place = data["place"]
    box = tuple(place["box"]) if place["box"] else None
    if data["code"] not in CODES:
        raise ValueError(f"unknown code {data['code']!r}")
    loc = SourceLoc(**{**data["loc"], "file": _shown(data["loc"]["file"], data.get("path"))})
    return Diagnostic(data["code"], loc, data["message"], data["hint"],
                      Place(place["document"], place["paragraph"], place["page"], box))
