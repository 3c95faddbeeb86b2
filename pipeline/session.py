"""One run of press, cleaned up however it ends: its own temporary folder, SIGTERM and SIGHUP
met as Ctrl-C is, and the lock on the output folder it writes.

WeasyPrint copies the book's fonts into a ``weasyprint-*`` folder of the temporary folder and
removes it only when its font configuration is garbage-collected, which a forked worker, ended
with ``os._exit``, never does: every build left megabytes behind. So a build gets a temporary
folder of its own (``tempfile.tempdir`` and ``TMPDIR`` point into it, for the build and every
process it forks), removed with everything in it when the build ends, by success, error,
exception or signal.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Iterator

from pipeline import forked
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.events import Note, Progress
from pipeline.files import NO_SPACE, FolderBusy, folder_lock
from pipeline.model import SourceLoc

#: The signals that stop a build the way Ctrl-C does (SIGINT raises KeyboardInterrupt by itself).
STOPPING = (signal.SIGTERM, signal.SIGHUP)

_roots: list[tuple[int, Path]] = []  # (pid, folder) of the temporary folder in use


class Stopped(KeyboardInterrupt):
    """The process was asked to stop by ``signum`` (SIGTERM, SIGHUP): unwound as Ctrl-C is, so
    that every ``finally`` runs; press then exits with 128 + ``signum``."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextmanager
def stopping_on_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``Stopped`` in the block (only the main thread may set handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise Stopped(signum)

    previous = {s: signal.signal(s, stop) for s in STOPPING}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def private_tempdir() -> Iterator[Path]:
    """A temporary folder for this build, under the system's, removed at the end with whatever it holds.

    Nested calls (``press build --edition all`` builds in one command) share the outer folder.
    On the way out the children still running are stopped first (they may be writing there),
    and the stopping signals are held back until the folder is gone, so a second Ctrl-C cannot
    cut the clean-up short.
    """
    if _roots and _roots[-1][0] == os.getpid() and _roots[-1][1].is_dir():
        yield _roots[-1][1]
        return
    root = Path(tempfile.mkdtemp(prefix="press-", dir=tempfile.gettempdir()))
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(root)
    _roots.append((os.getpid(), root))
    try:
        yield root
    finally:
        held = {signal.SIGINT, *STOPPING}
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            forked.stop_all()
            _roots.pop()
            tempfile.tempdir = saved[0]
            if saved[1] is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved[1]
            shutil.rmtree(root, ignore_errors=True)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


@contextmanager
def output_lock(out_dir: Path, progress: Progress) -> Iterator[None]:
    """Hold the lock of ``out_dir`` for the block (``files.folder_lock``), saying once that we wait.

    Waiting too long is E124; a folder where the lock cannot even be made is E117.
    """
    diags = Diagnostics()
    held = ExitStack()
    try:
        held.enter_context(folder_lock(out_dir, lambda message: progress(Note(f"press: {message}"))))
    except FolderBusy as busy:
        diags.add("E124", SourceLoc(str(out_dir)), f"another press is building into this folder; waited {busy.waited:.0f} s",
                  "wait for it to finish, or choose another folder with --out")
        raise ManuscriptError(diags.errors) from None
    except OSError as exc:  # the folder (or its lock file) cannot be made
        diags.add("E117", SourceLoc(str(out_dir)), f"cannot write the outputs: {exc.strerror or exc}",
                  "choose another folder with --out")
        raise ManuscriptError(diags.errors) from None
    with held:
        yield


@contextmanager
def writing_into(out_dir: Path) -> Iterator[None]:
    """An OSError while writing into ``out_dir`` (or a full disk, whatever file it stopped) is E117, not a crash."""
    try:
        yield
    except OSError as exc:
        inside = exc.filename is not None and Path(exc.filename).absolute().is_relative_to(out_dir.absolute())
        if not (inside or exc.errno in NO_SPACE):
            raise
        diags = Diagnostics()
        diags.add("E117", SourceLoc(str(out_dir)), f"cannot write the outputs: {exc.strerror or exc}",
                  "choose another folder with --out, or free some space")
        raise ManuscriptError(diags.errors) from None
