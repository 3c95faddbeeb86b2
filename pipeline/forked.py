"""Run one step of the build in a forked process, and get its result (or its exception) back.

Two reasons to: steps that hold much of the book at once (the folio layer of every page,
binding a thousand pages with pikepdf) give their memory back to the system when they end,
so no process of a build grows with the size of the book; and independent steps (binding
the print PDF and the screen PDF, writing the EPUB) can run side by side on separate cores.
Forked, so nothing is pickled on the way in; the result comes back through a pipe.

Every forked process (these and the layout's workers) starts with ``child_setup``: it ends
with the process that forked it, and leaves stopping to that process.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import traceback
from typing import Any, Callable

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
#: The memory one layout process may need at its peak (WeasyPrint with a long document laid out).
WORKER_BYTES = 400 * 1024 * 1024

_live: set["Forked"] = set()


def child_setup(parent: int) -> None:
    """What every forked child of press does first.

    Ctrl-C reaches the whole process group: the children ignore it and the parent, which
    knows what is half-written, stops them. SIGTERM and SIGHUP kill a child outright (the
    parent's handlers turn them into an exception, which would be sent back as a result).
    On Linux the kernel kills the child when its parent dies, even by SIGKILL, so that no
    worker outlives the build; should the parent be gone already, the child ends now.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no libc to ask: the parent still stops its children
            pass
    if os.getppid() != parent:
        os._exit(1)
    # What the child inherits lives as long as it does: the collector leaves it alone, instead of
    # walking it in each full collection and writing into every page of it (copied on write).
    gc.freeze()


def max_workers() -> int:
    """How many layout processes this machine can run at once: one per core, and no more than
    the available memory holds at ``WORKER_BYTES`` each (at least one)."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, available_memory() // WORKER_BYTES or 1))


def available_memory() -> int:
    """MemAvailable from /proc/meminfo, in bytes; on a system without it, as if it were plenty."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 1 << 62


class Forked:
    """``fn(*args)`` running in a child process; ``result()`` waits for it.

    With ``reports``, ``fn`` is called as ``fn(report, *args)`` and may ``report`` one value before
    it ends, which ``report()`` here returns as soon as it is sent: the parent goes on with it
    while the child finishes its work (the index laid out, its PDFs still being painted).
    """

    def __init__(self, fn: Callable[..., Any], *args: Any, reports: bool = False):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        # A reporting child forks painters of its own, which a daemonic process may not; it ends with
        # this process all the same (child_setup), and is stopped with the build (``stop``, ``stop_all``).
        self._process = context.Process(target=_run, args=(os.getpid(), send, fn, args, reports), daemon=not reports)
        self._process.start()
        _live.add(self)
        send.close()
        self._outcome: tuple[str, Any] | None = None
        self._reported: list[Any] = []

    def _next(self) -> None:
        """Read the child's next message: its report, or its outcome (after which it is joined)."""
        try:
            message = self._receive.recv()
        except EOFError:
            message = ("error", RuntimeError("a build process ended without a result (out of memory?)"))
        except BaseException:
            self.stop()
            raise
        if message[0] == "report":
            self._reported.append(message[1])
            return
        self._outcome = message
        self._receive.close()
        self._process.join()
        _live.discard(self)

    def report(self) -> Any:
        """The value the child reported, as soon as it is sent; its exception if it failed first."""
        while not self._reported and self._outcome is None:
            self._next()
        if self._reported:
            return self._reported[0]
        self.result()  # ended without a report: its exception, if any, is raised here
        raise RuntimeError("a build process ended without reporting")

    def result(self) -> Any:
        """The child's return value; its exception is raised here (as often as asked).

        Interrupted while waiting (Ctrl-C, SIGTERM), the child is stopped before the
        interruption goes on, so that it writes nothing after the build has cleaned up.
        """
        while self._outcome is None:
            self._next()
        status, value = self._outcome
        if status == "error":
            raise value
        return value

    def stop(self) -> None:
        """End the child now, whatever it is doing, and wait until it has ended."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()
        if self._outcome is None:
            self._outcome = ("error", RuntimeError("a build process was stopped"))
        _live.discard(self)


def stop_all() -> None:
    """Stop every child still running (the build is being abandoned)."""
    for child in list(_live):
        child.stop()


def _run(parent: int, send, fn: Callable[..., Any], args: tuple, reports: bool = False) -> None:
    child_setup(parent)
    try:
        if reports:
            args = (lambda value: send.send(("report", value)), *args)
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
