"""Writing files so that a reader never sees half of one: a temporary name, then a rename."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, Callable


def partial_name(path: Path) -> Path:
    """The temporary name a file is written under, beside it and hidden."""
    return path.with_name(f".{path.name}.partial")


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
