"""Writing files so that a reader never sees half of one: a temporary name, then a rename."""

from __future__ import annotations

import json
import os
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
