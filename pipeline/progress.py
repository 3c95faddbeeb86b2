"""The command line's view of a build: a line per event, or progress bars on a terminal.

Events (``pipeline/events.py``) become words only here. A ``StageStarted`` opens a stage
("layout…"); ``PartLaidOut`` counts its steps (documents laid out); other events are notes. On
a terminal, rich draws a bar per stage; elsewhere (a log, a CI job) each event is one plain
line; ``--quiet`` shows nothing.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

from pipeline.events import (
    BookPaginated,
    DocumentFound,
    EditionChosen,
    Event,
    PartLaidOut,
    PartsLaidOutAgain,
    Progress,
    StageStarted,
    silent,
)


def describe(event: Event) -> tuple[str, int | None, int | None]:
    """The event in words, and how far its stage has come (``done`` of ``total``) when it counts."""
    if isinstance(event, StageStarted):
        return f"{event.name}…", None, None
    if isinstance(event, DocumentFound):
        return f"  Document No. {event.number}: {event.file}", None, None
    if isinstance(event, EditionChosen):
        return f"edition: {event.name} ({event.documents} documents)", None, None
    if isinstance(event, PartLaidOut):
        unchanged = ", unchanged" if event.cached else ""
        return f"  {event.name}: {_pages(event.pages)}{unchanged}", event.done, event.total
    if isinstance(event, PartsLaidOutAgain):
        return f"  {event.count} part(s) cited pages that came out otherwise: laying them out again", None, None
    if isinstance(event, BookPaginated):
        return f"  {_pages(event.pages)}", None, None
    return event.text, None, None


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def lines(event: Event) -> None:
    """One plain line per event, on standard error."""
    message, done, total = describe(event)
    print(message if done is None else f"{message} ({done}/{total})", file=sys.stderr)


@contextmanager
def bars() -> Iterator[Progress]:
    """Progress bars on the terminal: one per stage, filled as its steps are done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bars

    console = Console(stderr=True)
    with Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              console=console, transient=False) as board:
        current: list = []

        def finish(task_id) -> None:
            task = board.tasks[task_id]
            board.update(task_id, total=task.total or 1, completed=task.total or 1,
                         description=task.description.split(":")[0])

        def report(event: Event) -> None:
            message, done, total = describe(event)
            if isinstance(event, StageStarted):  # a new stage; the last one is complete
                if current:
                    finish(current[-1])
                current.append(board.add_task(event.name, total=None))
            elif done is not None and current:
                stage = board.tasks[current[-1]].description.split(":")[0]
                board.update(current[-1], completed=done, total=total, description=f"{stage}: {message.strip()}")
            else:
                board.console.print(message, highlight=False)

        try:
            yield report
        finally:
            if current:
                finish(current[-1])


@contextmanager
def reporter(quiet: bool) -> Iterator[Progress]:
    """The right display for where press runs."""
    if quiet:
        yield silent
    elif sys.stderr.isatty():
        with bars() as report:
            yield report
    else:
        yield lines

