"""Run one step of the build in a forked process, and get its result (or its exception) back.

Two reasons to: steps that hold much of the book at once (the folio layer of every page,
binding a thousand pages with pikepdf) give their memory back to the system when they end,
so no process of a build grows with the size of the book; and independent steps (binding
the print PDF and the screen PDF, writing the EPUB) can run side by side on separate cores.
Forked, so nothing is pickled on the way in; the result comes back through a pipe.
"""

from __future__ import annotations

import multiprocessing
import traceback
from typing import Any, Callable


class Forked:
    """``fn(*args)`` running in a child process; ``result()`` waits for it."""

    def __init__(self, fn: Callable[..., Any], *args: Any):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run, args=(send, fn, args), daemon=True)
        self._process.start()
        send.close()
        self._outcome: tuple[str, Any] | None = None

    def result(self) -> Any:
        """The child's return value; its exception is raised here (as often as asked)."""
        if self._outcome is None:
            try:
                self._outcome = self._receive.recv()
            except EOFError:
                self._outcome = ("error", RuntimeError("a build process ended without a result (out of memory?)"))
            finally:
                self._receive.close()
                self._process.join()
        status, value = self._outcome
        if status == "error":
            raise value
        return value


def _run(send, fn: Callable[..., Any], args: tuple) -> None:
    try:
        send.send(("ok", fn(*args)))
    except BaseException as exc:  # handed to the parent, which decides what it means
        try:
            send.send(("error", exc))
        except Exception:  # an exception that cannot be pickled: send what it said
            send.send(("error", RuntimeError(traceback.format_exc())))
    finally:
        send.close()


def run(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a child process, waited for."""
    return Forked(fn, *args).result()
