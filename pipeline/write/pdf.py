"""Print PDF: the book's HTML laid out by WeasyPrint with press's and the book's CSS."""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from pipeline.diagnostics import Diagnostics
from pipeline.model import Book, SourceLoc
from pipeline.render.html import STYLES
from pipeline.write.fetch import LocalFetcher

#: CSS layers, in cascade order; the book's own styles/book.css comes last.
PRINT_CSS = ("fonts.css", "book.css", "print.css")


class _ToDiagnostics(logging.Handler):
    """Routes WeasyPrint's warnings (ignored CSS, unloadable resources) into the build's diagnostics."""

    def __init__(self, diags: Diagnostics, loc: SourceLoc):
        super().__init__(logging.WARNING)
        self.diags = diags
        self.loc = loc

    def emit(self, record: logging.LogRecord) -> None:
        self.diags.add("W201", self.loc, f"layout: {record.getMessage()}")


def stylesheet_paths(book: Book, layers: tuple[str, ...]) -> list[Path]:
    paths = [STYLES / "css" / name for name in layers]
    own = book.root / "styles" / "book.css"
    return paths + ([own] if own.is_file() else [])


def render_pdf(book: Book, html: str, diags: Diagnostics) -> weasyprint.Document:
    """Lay the book out; the returned document knows every page and every anchor on it."""
    fetcher = LocalFetcher([STYLES, book.root])
    fonts = FontConfiguration()
    sheets = [
        weasyprint.CSS(filename=str(p), font_config=fonts, url_fetcher=fetcher) for p in stylesheet_paths(book, PRINT_CSS)
    ]
    logger = logging.getLogger("weasyprint")
    handler = _ToDiagnostics(diags, book.loc)
    logger.addHandler(handler)
    try:
        document = weasyprint.HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts
        )
    finally:
        logger.removeHandler(handler)
    return document


def write_pdf(document: weasyprint.Document, target: Path) -> None:
    document.write_pdf(target)
