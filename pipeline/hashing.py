"""Content hashes of files, each file read once per process while it is unchanged."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def _file_hash(path: Path, size: int, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_hash(path: Path) -> str:
    """The SHA-256 of ``path``'s bytes (read again only when its size or time changes)."""
    info = path.stat()
    return _file_hash(path, info.st_size, info.st_mtime)
