"""Writing files so that a reader never sees half of one: a temporary name, then a rename; and the
lock that keeps two presses from building into one output folder at once."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

#: The file in an output folder that a build holds locked while it writes there.
LOCK_FILE = ".press-lock"
#: How long a build waits for another one building into the same folder (``PRESS_LOCK_TIMEOUT``
#: overrides it, in seconds): long enough for a long book's build, short enough to notice a stuck one.
LOCK_WAIT_SECONDS = 600.0
#: What a full disk or a quota says: the output folder cannot be written, whichever file was being written.
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


def partial_name(path: Path) -> Path:
    """The temporary name a file is written under, beside it and hidden.

    Unique to this process and call (pid and a random part), so that two presses writing the
    same output never write one temporary file, nor rename each other's away.
    """
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.partial")


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """``write(tmp)`` writes the file under a temporary name; it replaces ``path`` only once complete."""
    tmp = partial_name(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data: Any, *, indent: int | None = None) -> None:
    """``data`` as JSON (UTF-8, keys as given unless compact), written atomically."""
    if indent is None:
        text = json.dumps(data, sort_keys=True)
    else:
        text = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


class FolderBusy(Exception):
    """Another press held the output folder's lock for longer than we were willing to wait."""

    def __init__(self, folder: Path, waited: float):
        super().__init__(f"another press is building into {folder}; waited {waited:.0f} s")
        self.folder = folder
        self.waited = waited


def lock_wait() -> float:
    """Seconds to wait for the output folder's lock: ``PRESS_LOCK_TIMEOUT`` or ``LOCK_WAIT_SECONDS``."""
    try:
        return max(0.0, float(os.environ.get("PRESS_LOCK_TIMEOUT", LOCK_WAIT_SECONDS)))
    except ValueError:
        return LOCK_WAIT_SECONDS


@contextmanager
def folder_lock(folder: Path, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold ``folder/.press-lock`` (an advisory ``flock``) for the block; ``waiting`` is told once if we must wait.

    The lock goes with the process, so a build that is killed never leaves the folder locked.
    Raises ``FolderBusy`` after ``lock_wait()`` seconds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        started, told = time.monotonic(), False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= lock_wait():
                    raise FolderBusy(folder, waited) from None
                if not told:
                    waiting(f"waiting for another press building into {folder}")
                    told = True
                time.sleep(0.2)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def remove(path: Path) -> None:
    """Remove a file or a whole folder, if there is one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def put_in_place(partial: Path, target: Path) -> None:
    """Move a finished file or folder to ``target``. A folder cannot replace a folder in one
    rename, so the old one is moved aside first and removed after: a reader finds the old site
    or the new one at ``target``, never a half-written one."""
    if not partial.is_dir():
        os.replace(partial, target)
        return
    old = target.with_name(f".{target.name}.old")
    remove(old)
    if target.exists() or target.is_symlink():
        os.replace(target, old)
    os.replace(partial, target)
    remove(old)
