"""Where press's own styles live, and which stylesheets a book's outputs use.

``styles/`` holds the CSS layers, the templates and the fonts; a book may add its own
``styles/book.css`` (last in the cascade) and ``styles/templates/`` (looked up first).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.model import Book

STYLES = Path(__file__).resolve().parents[1] / "styles"
FONTS = STYLES / "fonts"
TEMPLATES = STYLES / "templates"


def book_styles(book: Book) -> Path:
    """The book's own styles folder (it may not exist)."""
    return book.root / "styles"


#: The most a book's stylesheet may hold (a long house style is some tens of kilobytes).
MAX_STYLESHEET_BYTES = 1024 * 1024
#: The most a template file may hold (press's largest is a few kilobytes).
MAX_TEMPLATE_BYTES = 256 * 1024


class StyleFileRefused(Exception):
    """A file of the book's styles that press will not read: ``code`` says why (E116: it leads
    outside the manuscript; E120: not a regular file, or it cannot be opened; the caller's code
    for one too large), ``path`` names it as it was asked for."""

    def __init__(self, code: str, path: Path, message: str):
        super().__init__(message)
        self.code, self.path, self.message = code, path, message

    def __reduce__(self):
        return (type(self), (self.code, self.path, self.message))


def read_style_file(path: Path, root: Path, limit: int = MAX_STYLESHEET_BYTES, too_large: str = "E115") -> bytes:
    """The bytes of ``path``, a file of the book's styles, read as the images and documents are:
    only once its real place (links followed) is inside ``root``, only if it is a regular file
    (a FIFO would hang the build, a device never end), and only up to ``limit`` bytes."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise StyleFileRefused("E116", path, f"'{path.name}' leads outside the manuscript folder (to {resolved})")
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer; O_NOFOLLOW:
        # a link put in place since it was resolved is not followed.
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        raise StyleFileRefused("E120", path, f"'{path.name}' cannot be opened: {error.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StyleFileRefused("E120", path, f"'{path.name}' is not a regular file")
    with os.fdopen(fd, "rb") as file:
        data = file.read(limit + 1)
    if len(data) > limit:
        raise StyleFileRefused(too_large, path, f"'{path.name}' holds more than press reads of it ({limit // 1024:,} KB)")
    return data


def usable_style_file(path: Path, root: Path, limit: int = MAX_STYLESHEET_BYTES) -> bool:
    """Whether ``path`` exists and ``read_style_file`` would read it (the loader reports why not)."""
    try:
        resolved = path.resolve()
        info = resolved.stat()
    except OSError:
        return False
    return resolved.is_relative_to(root.resolve()) and stat.S_ISREG(info.st_mode) and info.st_size <= limit


def book_stylesheet(book: Book) -> Path | None:
    """The book's own ``styles/book.css``, when it has one press may read."""
    own = book_styles(book) / "book.css"
    return own if usable_style_file(own, book.root) else None


def display_name(path: Path | str) -> str:
    """A file as the editor names it: relative to the working folder when it is below it, and not
    resolved, so a link is named as the manuscript names it rather than by its target."""
    absolute = os.path.abspath(path)
    try:
        return str(Path(absolute).relative_to(os.path.abspath(os.getcwd())))
    except ValueError:
        return absolute


def book_templates(book: Book) -> list[Path]:
    """The book's own templates press may read (``styles/templates/*.j2``), in a stable order."""
    return sorted(p for p in (book_styles(book) / "templates").glob("*.j2") if usable_style_file(p, book.root, MAX_TEMPLATE_BYTES))


def stylesheet_paths(book: Book, layers: tuple[str, ...]) -> list[Path]:
    """press's CSS ``layers`` in cascade order, then the book's own ``book.css`` when it has one."""
    paths = [STYLES / "css" / name for name in layers]
    own = book_stylesheet(book)
    return paths + ([own] if own is not None else [])


def font_files() -> list[Path]:
    """The book faces, in a stable order."""
    return sorted(FONTS.glob("*.ttf"))
