"""Lay the book's parts out in worker processes, each with the exact page numbers it cites.

A part may be laid out once every page it cites is known: a document citing Document No. 12
waits until the documents up to No. 12 are laid out (their page counts place No. 12, its own
layout places the paragraph); the front matter, whose contents cite every document, comes last.
Parts go in reading order, so that the documents before a citing one are done early and it
does not wait at the end of the build. Should every remaining part wait on another
(two documents citing each other), the first is laid out with the pages of the last build, or
a guess, and laid out again if the guess was wrong.

``jobs`` processes share the work (forked, so the book is not copied to each); with one job
the parts are laid out in this process, one after another, each freed once written.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import ExitStack
from pathlib import Path

from pipeline.layout.cache import PartCache, part_key
from pipeline.layout.compose import PRINT_PART, stylesheet_paths
from pipeline.layout.parts import (
    FRONT,
    PartLayout,
    PartTask,
    cited_anchors,
    document_folios,
    document_of,
    lay_out_part,
    part_html,
)
from pipeline.model import Book, Figure, walk_blocks
from pipeline.progress import Progress, silent
from pipeline.render import Renderer
from pipeline.render.html import STYLES

MAX_ROUNDS = 4  # a wrong guess is corrected in the next round; two are almost always enough

_state: dict = {}  # the book and settings, set before the workers fork


def _work(task: PartTask, folder: Path) -> PartLayout:
    book, renderer = _state["book"], _state["renderer"]
    html, css = part_html(book, renderer, task)
    return lay_out_part(book, renderer, task, html, css, _state["profile"], folder, _state["screen"])


class _InProcess:
    """An executor that runs each task at once, here: ``--jobs 1``."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future

    def shutdown(self, wait=True, cancel_futures=False):
        pass


class Pagination:
    """Printed pages of anchors, from the parts laid out so far."""

    def __init__(self, book: Book, layouts: dict[int, PartLayout]):
        self.index = {doc.number: i for i, doc in enumerate(book.documents, start=1)}
        self.layouts = layouts
        self.folios = document_folios(book, layouts)

    def label(self, anchor: str) -> str | None:
        number = document_of(anchor)
        index = self.index.get(number)
        if index not in self.layouts or number not in self.folios:
            return None
        local = self.layouts[index].anchors.get(anchor)
        return None if local is None else str(self.folios[number] + local)


def lay_out_parts(
    book: Book,
    renderer: Renderer,
    profile: Path | None,
    screen: bool,
    jobs: int,
    cache: PartCache,
    guesses: dict[str, str],
    progress: Progress = silent,
) -> list[PartLayout]:
    """Every part laid out (or taken from ``cache``), in book order: front matter, then documents.

    ``guesses`` (the pages of the last build) stand in for pages not known yet in a cycle.
    """
    numbers: list[int | None] = [None] + [d.number for d in book.documents]
    cited = {i: cited_anchors(book, n) for i, n in enumerate(numbers)}
    files = _files(book, profile)

    with ExitStack() as stack:
        _state.update(book=book, renderer=renderer, profile=profile, screen=screen)
        if jobs > 1:
            context = multiprocessing.get_context("fork")
            executor = stack.enter_context(ProcessPoolExecutor(max_workers=jobs, mp_context=context))
        else:
            executor = _InProcess()

        layouts: dict[int, PartLayout] = {}
        used: dict[int, PartTask] = {}

        def start(i: int, pages: Pagination, running: dict) -> None:
            """Lay part ``i`` out with the pages known now, or take it from the cache."""
            task = _task(i, numbers[i], cited[i], pages, guesses)
            key = part_key(book, task, files + _images(book, numbers[i]), screen)
            what = "front matter" if i == FRONT else f"Document No. {numbers[i]}"
            found = cache.load(key, task, screen)
            if found is not None:
                layouts[i], used[i] = found, task
                progress(f"  {what}: {found.pages} pages, unchanged", len(layouts), len(numbers))
            else:
                running[executor.submit(_work, task, cache.entry(key))] = (i, what)

        def finish(running: dict) -> None:
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                i, what = running.pop(future)
                layout = future.result()
                cache.store(layout)
                layouts[i], used[i] = layout, layout.task
                progress(f"  {what}: {layout.pages} pages", len(layouts), len(numbers))

        # Each part as soon as the pages it cites are known.
        pending = list(range(len(numbers)))
        running: dict[Future, tuple[int, str]] = {}
        while pending or running:
            pages = Pagination(book, layouts)
            ready = [i for i in pending if _ready(i, numbers, cited[i], pages)]
            if not ready and not running:  # a cycle: lay the first document out with guessed pages
                ready = [min(pending, key=lambda i: (i == FRONT, i))]
            for i in sorted(ready):  # in reading order: the sooner a prefix is done, the sooner citing parts may go
                pending.remove(i)
                start(i, pages, running)
            if running:
                finish(running)

        # Parts laid out on guesses are laid out again with the pages as they came out.
        for _ in range(MAX_ROUNDS):
            pages = Pagination(book, layouts)
            wrong = [i for i in layouts if _task(i, numbers[i], cited[i], pages, guesses) != used[i]]
            if not wrong:
                break
            progress(f"  {len(wrong)} part(s) cited pages that came out otherwise: laying them out again")
            for i in wrong:
                start(i, pages, running)
            while running:
                finish(running)
        cache.prune()
        return [layouts[i] for i in range(len(numbers))]


def _ready(i: int, numbers, cited, pages: Pagination) -> bool:
    """Whether every page part ``i`` cites is known."""
    outside, inside = cited
    if inside and pages.folios.get(numbers[i]) is None:
        return False
    return all(pages.label(anchor) is not None for anchor in outside)


def _task(i: int, number: int | None, cited, pages: Pagination, guesses: dict[str, str]) -> PartTask:
    outside, inside = cited
    labels = tuple(sorted((a, pages.label(a) or guesses.get(a) or "1") for a in outside))
    first = None
    if inside:
        first = pages.folios.get(number) or int(guesses.get(f"doc{number}", "1"))
    return PartTask(i, number, labels, first)


def _files(book: Book, profile: Path | None) -> list[Path]:
    """The files every part's HTML and layout come from: templates, stylesheets, fonts, the profile."""
    templates = sorted((STYLES / "templates").glob("*.j2")) + sorted((book.root / "styles" / "templates").glob("*.j2"))
    files = templates + stylesheet_paths(book, PRINT_PART.layers) + sorted((STYLES / "fonts").glob("*.ttf"))
    return files + ([profile] if profile else [])


def _images(book: Book, number: int | None) -> list[Path]:
    docs = [d for d in book.documents if d.number == number]
    return [b.path for d in docs for b in walk_blocks(d.headnote + d.body + d.source) if isinstance(b, Figure)]
