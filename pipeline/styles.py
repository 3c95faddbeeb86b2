"""Where press's own styles live, and which stylesheets a book's outputs use.

``styles/`` holds the CSS layers, the templates and the fonts; a book may add its own
``styles/book.css`` (last in the cascade) and ``styles/templates/`` (looked up first).
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Book

STYLES = Path(__file__).resolve().parents[1] / "styles"
FONTS = STYLES / "fonts"
TEMPLATES = STYLES / "templates"


def book_styles(book: Book) -> Path:
    """The book's own styles folder (it may not exist)."""
    return book.root / "styles"


def stylesheet_paths(book: Book, layers: tuple[str, ...]) -> list[Path]:
    """press's CSS ``layers`` in cascade order, then the book's own ``book.css`` when it has one."""
    paths = [STYLES / "css" / name for name in layers]
    own = book_styles(book) / "book.css"
    return paths + ([own] if own.is_file() else [])


def font_files() -> list[Path]:
    """The book faces, in a stable order."""
    return sorted(FONTS.glob("*.ttf"))
