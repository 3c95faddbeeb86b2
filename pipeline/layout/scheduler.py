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
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from pathlib import Path

from pipeline import forked
from pipeline.engine.compose import PRINT_PART
from pipeline.events import PartLaidOut, PartsLaidOutAgain
from pipeline.layout.cache import part_key
from pipeline.layout.context import LayoutJob
from pipeline.layout.parts import lay_out_part, part_html
from pipeline.layout.plan import (
    FRONT,
    PartLayout,
    PartTask,
    back_folio,
    cited_anchors,
    document_folios,
    document_of,
    has_index_part,
)
from pipeline.model import INDEX_ANCHOR, Book, Figure, walk_blocks
from pipeline.styles import TEMPLATES, book_templates, font_files, stylesheet_paths

MAX_ROUNDS = 4  # a wrong guess is corrected in the next round; two are almost always enough

_job: list[LayoutJob] = []  # the job being laid out, set before the workers fork


def _work(task: PartTask, folder: Path, report=None) -> PartLayout:
    job = _job[-1]
    return lay_out_part(job.book, job.renderer, task, job.profile, folder, job.screen, report)


def _work_reporting(report, task: PartTask, folder: Path) -> PartLayout:
    return _work(task, folder, report)


class _InProcess(Executor):
    """An executor that runs each task at once, here: ``--jobs 1``."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future, as a pool would
            future.set_exception(exc)
        return future


class Pagination:
    """Printed pages of anchors, from the parts laid out so far."""

    def __init__(self, book: Book, layouts: dict[int, PartLayout]):
        self.index = {doc.number: i for i, doc in enumerate(book.documents, start=1)}
        self.layouts = layouts
        self.folios = document_folios(book, layouts)
        self.back = back_folio(book, layouts) if has_index_part(book) else None

    def label(self, anchor: str) -> str | None:
        if anchor == INDEX_ANCHOR:  # the index opens on the recto after the last document
            return None if self.back is None else str(self.back)
        number = document_of(anchor)
        index = self.index.get(number)
        if index is None or index not in self.layouts or number not in self.folios:
            return None
        local = self.layouts[index].anchors.get(anchor)
        return None if local is None else str(self.folios[number] + local)


class PartScheduler:
    """Lays out (or takes from the cache) every part of ``job.book``, as soon as the pages it cites are known.

    ``guesses`` (the pages of the last build) stand in for pages not known yet in a cycle.
    """

    def __init__(self, job: LayoutJob, guesses: dict[str, str]):
        self.job = job
        self.guesses = guesses
        self.numbers: list[int | None] = [None] + [d.number for d in job.book.documents]
        # the index, when the book has one, is the last part: it cites every paragraph it lists
        self.back: int | None = None
        if has_index_part(job.book):
            self.back = len(self.numbers)
            self.numbers.append(None)
        self.cited = {i: cited_anchors(job.book, n, i == self.back) for i, n in enumerate(self.numbers)}
        self.files = _files(job.book, job.profile)
        self.layouts: dict[int, PartLayout] = {}
        self.used: dict[int, PartTask] = {}
        self.running: dict[Future, int] = {}
        #: The index laid out in a process of its own that reports its layout before painting it
        #: (several jobs): the folio layer goes on meanwhile, and ``finish_painting`` waits for it.
        self.painting: forked.Forked | None = None
        self.unreported = False  # the index's process has not yet been asked for its layout

    def run(self, before_index: Callable[[dict[int, PartLayout]], None] | None = None) -> list[PartLayout]:
        """Every part, in book order: front matter, then documents, then the index.

        ``before_index`` is given the parts laid out in the first round once only the index is
        still being laid out (the folio layer's runs of the documents go ahead meanwhile)."""
        _job.append(self.job)
        executor: Executor
        if self.job.jobs > 1:
            executor = ProcessPoolExecutor(max_workers=self.job.jobs, mp_context=multiprocessing.get_context("fork"),
                                           initializer=forked.child_setup, initargs=(os.getpid(),))
        else:
            executor = _InProcess()
        try:
            self._first_round(executor, before_index)
            self._correct_guesses(executor)
        except BaseException:
            _terminate(executor)
            self.abandon()
            raise
        else:
            executor.shutdown()
        finally:
            _job.pop()
        self.job.cache.prune()
        return [self.layouts[i] for i in range(len(self.numbers))]

    def _first_round(self, executor: Executor,
                     before_index: Callable[[dict[int, PartLayout]], None] | None = None) -> None:
        """Each part as soon as the pages it cites are known, the first in reading order first.

        No more parts are handed to the workers than they can lay out at once: a part that waited
        for the pages it cites (a document citing the one before it needs the page count of every
        part before that) must not queue behind every part that was ready sooner, or the parts
        citing it in turn are laid out one after another at the end, on one core.
        """
        pending = list(range(len(self.numbers)))
        while pending or self.running:
            pages = Pagination(self.job.book, self.layouts)
            ready = [i for i in pending if self._ready(i, pages)]
            if not ready and not self.running:  # a cycle: lay the first document out with guessed pages
                ready = [min(pending, key=lambda i: (i in (FRONT, self.back), i))]
            for i in sorted(ready):  # in reading order: the sooner a prefix is done, the sooner citing parts may go
                if len(self.running) >= self.job.jobs:
                    break
                pending.remove(i)
                self._start(executor, i, pages)
            if self.running:
                self._finish()
        if before_index is not None:
            before_index({i: layout for i, layout in self.layouts.items() if i != self.back})
        self._reported()

    def _correct_guesses(self, executor: Executor) -> None:
        """Parts laid out on guesses are laid out again with the pages as they came out."""
        for _ in range(MAX_ROUNDS):
            pages = Pagination(self.job.book, self.layouts)
            wrong = [i for i in self.layouts if self._task(i, pages) != self.used[i]]
            if not wrong:
                return
            self.job.progress(PartsLaidOutAgain(len(wrong)))
            if self.back in wrong:
                self.finish_painting()  # its PDFs are written before the part is laid out again
            for i in wrong:
                self._start(executor, i, pages)
            while self.running:
                self._finish()
            self._reported()

    def _start(self, executor: Executor, i: int, pages: Pagination) -> None:
        """Lay part ``i`` out with the pages known now, or take it from the cache."""
        task = self._task(i, pages)
        images = _images(self.job.book, self.numbers[i]) if not task.back else []
        front = "\0".join(part_html(self.job.book, self.job.renderer, task)) if task.front else None
        key = part_key(self.job.book, task, self.files + images, self.job.screen, front)
        found = self.job.cache.load(key, task, self.job.screen)
        if found is not None:
            self._laid_out(i, found, True)
        elif task.back and self.job.jobs > 1:
            # The index comes last, alone: in a process of its own it reports its pages as soon as
            # they are laid out, and the folio layer is laid out while its PDFs are painted.
            self.job.cache.clear(key)
            self.painting = forked.Forked(_work_reporting, task, self.job.cache.entry(key), reports=True)
            self.unreported = True
        else:
            self.job.cache.clear(key)  # whatever a damaged or half-written entry held goes
            self.running[executor.submit(_work, task, self.job.cache.entry(key))] = i

    def _finish(self) -> None:
        finished, _ = wait(list(self.running), return_when=FIRST_COMPLETED)
        for future in finished:
            i = self.running.pop(future)
            layout = future.result()
            self.job.cache.store(layout)
            self._laid_out(i, layout, False)

    def _laid_out(self, i: int, layout: PartLayout, cached: bool) -> None:
        self.layouts[i], self.used[i] = layout, layout.task
        self.job.progress(PartLaidOut(self.numbers[i], layout.pages, cached, len(self.layouts), len(self.numbers), i == self.back))

    def _reported(self) -> None:
        """The index's layout, from its process, once it has been laid out there."""
        if self.painting is not None and self.unreported and self.back is not None:
            self.unreported = False
            self._laid_out(self.back, self.painting.report(), False)

    def finish_painting(self) -> None:
        """Wait until the index's PDFs are painted (when it was laid out in a process of its own),
        and put it in the cache."""
        if self.painting is not None:
            painting, self.painting = self.painting, None
            self.job.cache.store(painting.result())

    def abandon(self) -> None:
        """Stop painting the index: the build is being abandoned."""
        if self.painting is not None:
            self.painting.stop()
            self.painting = None

    def _ready(self, i: int, pages: Pagination) -> bool:
        """Whether every page part ``i`` cites is known."""
        outside, inside = self.cited[i]
        number = self.numbers[i]
        if i == self.back and pages.back is None:
            # the index follows every document: not asked again of its thousands of anchors each
            # time a document is done (this process shares the cores with the workers)
            return False
        if inside and (number is None or pages.folios.get(number) is None):
            return False
        return all(pages.label(anchor) is not None for anchor in outside)

    def _task(self, i: int, pages: Pagination) -> PartTask:
        outside, inside = self.cited[i]
        number = self.numbers[i]
        labels = tuple(sorted((a, pages.label(a) or self.guesses.get(a) or "1") for a in outside))
        first = None
        if inside and number is not None:
            first = pages.folios.get(number) or int(self.guesses.get(f"doc{number}", "1"))
        return PartTask(i, number, labels, first, back=i == self.back)


def _terminate(executor: Executor) -> None:
    """Stop the workers now: on an error or an interruption, the parts still being laid out are not
    wanted, and waiting for them (as ``shutdown`` does) could take minutes."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # the pool's own workers
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join()


def _files(book: Book, profile: Path | None) -> list[Path]:
    """The files every part's HTML and layout come from: templates, stylesheets, fonts, the profile."""
    templates = sorted(TEMPLATES.glob("*.j2")) + book_templates(book)
    files = templates + stylesheet_paths(book, PRINT_PART.layers) + font_files()
    return files + ([profile] if profile else [])


def _images(book: Book, number: int | None) -> list[Path]:
    docs = [d for d in book.documents if d.number == number]
    return [b.path for d in docs for b in walk_blocks(d.text_blocks) if isinstance(b, Figure)]
