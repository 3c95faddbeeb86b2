"""Laid-out parts kept between builds, keyed by everything that can change their pages.

The key of a part is a hash of what its HTML and layout are made of: its document, the book's
own fields, the page numbers it cites, the stylesheets, templates, fonts, its images, the colour
profile, press's own code and WeasyPrint's version. A part whose key is in the cache is not laid
out again: its PDFs and what its layout told the build (pages, anchors, page starts) are read
back. Entries live in
``DIR/.press-cache/`` beside the outputs (git-ignored with the rest of ``dist/``); an entry
unused for two weeks is removed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

from pipeline.diagnostics import Diagnostic, Place
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


def part_key(book: Book, task: PartTask, files: list[Path], screen: bool) -> str:
    """The cache key of a part, from what its HTML is made of (not the HTML: rendering it costs more).

    The part's HTML is a function of press's code and templates (files), the book's own fields,
    the document (or, for the front matter, every document: the contents and the imprint list
    them; for the index, its entries with their locators) and the task (the pages it cites, its
    first folio).
    """
    digest = hashlib.sha256(code_version().encode())
    digest.update(b"screen" if screen else b"print only")
    if task.front:
        digest.update(repr(book).encode())
    elif task.back:  # the index: its entries and locators, the book's fields, the pages it cites (the task)
        digest.update(repr(replace(book, documents=(), editions=())).encode())
        digest.update(repr(tuple(d.number for d in book.documents)).encode())
    else:
        # a document's part does not depend on the index: an edit elsewhere that moves a locator
        # does not lay the documents out again
        digest.update(repr(replace(book, documents=(), editions=(), index=None)).encode())
        digest.update(repr((book.documents[0].number, book.edition)).encode())
        digest.update(repr(next(d for d in book.documents if d.number == task.number)).encode())
    digest.update(repr(task).encode())
    for path in sorted(set(files)):
        digest.update(str(path).encode() + file_hash(path).encode())
    return digest.hexdigest()[:32]


class PartCache:
    """The cache folder: ``parts/<key>/`` per laid-out part, ``folios-<key>/`` per folio layer, the last pages.

    ``fallback`` is another cache read but never written (``press check`` reads the output
    folder's cache and writes nothing there).
    """

    def __init__(self, folder: Path, fallback: Path | None = None):
        self.folder = folder
        self.fallback = fallback
        (folder / "parts").mkdir(parents=True, exist_ok=True)

    @classmethod
    def in_output(cls, out_dir: Path, use_cache: bool = True) -> "PartCache":
        """The cache of builds into ``out_dir``; without the cache, a scratch folder emptied each build."""
        folder = Path(out_dir) / CACHE_FOLDER
        if not use_cache:
            folder = folder / "uncached"
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder)

    @classmethod
    def reading(cls, out_dir: Path, scratch: Path) -> "PartCache":
        """A cache in ``scratch`` that also reads, and never writes, the one of ``out_dir``."""
        existing = Path(out_dir) / CACHE_FOLDER
        return cls(scratch, fallback=existing if existing.is_dir() else None)

    def entry(self, key: str) -> Path:
        return self.folder / "parts" / key

    def layer_entry(self, key: str) -> Path:
        """The folder of a folio layer (``layout/folios.py``): its PDFs and its ``plan.json``."""
        return self.folder / f"folios-{key}"

    def read_pages(self) -> dict[str, str]:
        """The printed page of every anchor in the last build: guesses for pages not known yet."""
        for folder in (self.folder, self.fallback):
            try:
                if folder is not None:
                    return json.loads((folder / "pages.json").read_text())
            except (OSError, ValueError):
                continue
        return {}

    def write_pages(self, pages: dict[str, str]) -> None:
        write_json(self.folder / "pages.json", pages)

    def load(self, key: str, task: PartTask, screen: bool) -> PartLayout | None:
        """The part laid out for ``key``, from this cache or (read only) its fallback, or None."""
        entry = self._found(self.entry(key), screen)
        if entry is None and self.fallback is not None:
            entry = self._found(self.fallback / "parts" / key, screen)
        if entry is None:
            return None
        meta = entry / "layout.json"
        data = json.loads(meta.read_text())
        if entry.is_relative_to(self.folder):
            meta.touch()  # used: keep it
        return PartLayout(
            task=task,
            pages=data["pages"],
            blanks=tuple(data["blanks"]),
            anchors=data["anchors"],
            starts=[PageStart(**s) for s in data["starts"]],
            folder=entry,
            diagnostics=[_diagnostic(d) for d in data["diagnostics"]],
        )

    @staticmethod
    def _found(entry: Path, screen: bool) -> Path | None:
        complete = (entry / "layout.json").is_file() and (entry / "print.pdf").is_file()
        return entry if complete and (not screen or (entry / "screen.pdf").is_file()) else None

    def store(self, layout: PartLayout) -> None:
        """Write what the layout told the build beside its PDFs (last, so a half-written entry never loads)."""
        data = {
            "pages": layout.pages,
            "blanks": list(layout.blanks),
            "anchors": layout.anchors,
            "starts": [asdict(s) for s in layout.starts],
            "diagnostics": [{"code": d.code, "loc": asdict(d.loc), "message": d.message, "hint": d.hint,
                             "place": asdict(d.place)} for d in layout.diagnostics],
        }
        write_json(layout.folder / "layout.json", data)

    def prune(self) -> None:
        """Remove parts and folio layers unused for two weeks, and any left half-written an hour ago or more."""
        now = time.time()
        for entry in [*(self.folder / "parts").iterdir(), *self.folder.glob(self.layer_entry("*").name)]:
            meta = entry / ("layout.json" if entry.parent.name == "parts" else "plan.json")
            stale = now - meta.stat().st_mtime > STALE_SECONDS if meta.is_file() else now - entry.stat().st_mtime > 3600
            if stale:
                shutil.rmtree(entry, ignore_errors=True)


def _diagnostic(data: dict) -> Diagnostic:
    place = data["place"]
    box = tuple(place["box"]) if place["box"] else None
    return Diagnostic(data["code"], SourceLoc(**data["loc"]), data["message"], data["hint"],
                      Place(place["document"], place["paragraph"], place["page"], box))
