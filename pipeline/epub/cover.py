"""The EPUB's cover: the book's own image (``cover:``), or the front of the printed cover.

The front is one design for every format (``cover-front.j2``): the build lays it out through the
engine, which the EPUB stage may not call, and hands it here as a PNG.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Book


def cover_image(book: Book, front: bytes | None) -> tuple[bytes, str] | None:
    """The cover as (bytes, media type): the book's own image, else ``front``; None without either."""
    if book.cover is not None:
        media = "image/png" if book.cover.suffix.lower() == ".png" else "image/jpeg"
        return Path(book.cover).read_bytes(), media
    return (front, "image/png") if front is not None else None
