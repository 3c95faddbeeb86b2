"""What a long build shows while it runs: a line per stage, or progress bars on a terminal.

Stages report through one callable, ``progress(message, done=None, total=None)``: a message
ending in "…" opens a stage ("layout…"); ``done`` of ``total`` counts its steps (documents laid
out); other messages are notes. On a terminal, rich draws a bar per stage; elsewhere (a log, a
CI job) each message is one plain line; ``--quiet`` shows nothing.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator, Protocol


class Progress(Protocol):
    def __call__(self, message: str, done: int | None = None, total: int | None = None) -> None: ...


def silent(message: str, done: int | None = None, total: int | None = None) -> None:
    """``--quiet``."""


def lines(message: str, done: int | None = None, total: int | None = None) -> None:
    """One plain line per message, on standard error."""
    print(message if done is None else f"{message} ({done}/{total})", file=sys.stderr)


@contextmanager
def bars() -> Iterator[Progress]:
    """Progress bars on the terminal: one per stage, filled as its steps are done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              console=console, transient=False) as board:
        current: list = []

        def finish(task_id) -> None:
            task = board.tasks[task_id]
            board.update(task_id, total=task.total or 1, completed=task.total or 1,
                         description=task.description.split(":")[0])

        def report(message: str, done: int | None = None, total: int | None = None) -> None:
            if message.endswith("…"):  # a new stage; the last one is complete
                if current:
                    finish(current[-1])
                current.append(board.add_task(message[:-1], total=None))
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
