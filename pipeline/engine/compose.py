"""Laying HTML out: one WeasyPrint render for a PDF variant, then the numbers moved outside."""

from __future__ import annotations

import io
import logging
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import weasyprint
from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration

from pipeline.diagnostics import Diagnostics
from pipeline.engine.fetch import LocalFetcher
from pipeline.engine.links import set_links
from pipeline.engine.margins import place_numbers_outside
from pipeline.engine.separation import print_image
from pipeline.model import Book, SourceLoc
from pipeline.render import Renderer
from pipeline.styles import STYLES, stylesheet_paths

#: Room outside the bleed for crop marks and registration crosses, in points.
MARK_ROOM = 18.0


@dataclass(frozen=True)
class Variant:
    """A PDF made from the book's layout: ``print`` (CMYK, bleed, marks, PDF/X) or ``screen``."""

    name: str
    colour_css: str
    bleed: bool
    extra_css: tuple[str, ...] = ()
    #: The book's layers and its own book.css: off for a layer that holds none of the book's text.
    book_styles: bool = True

    @property
    def layers(self) -> tuple[str, ...]:
        """CSS layers in cascade order; the generated page geometry and the book's CSS follow."""
        if not self.book_styles:
            return ("fonts.css", *self.extra_css)
        return ("fonts.css", "book.css", "print.css", self.colour_css, *self.extra_css)


PRINT = Variant("print", "print-colour.css", bleed=True)
# The screen PDF is written from the print layout (engine/screen.py), never laid out itself.
SCREEN = Variant("screen", "print-colour.css", bleed=False)
# One part of the print book (the front matter, or a document), laid out alone to be bound.
PRINT_PART = Variant("print", "print-colour.css", bleed=True, extra_css=("chunk.css",))
# The folio layer of the bound book (layout/folios.py).
FOLIO_LAYER = Variant("print", "print-colour.css", bleed=True, extra_css=("folio-layer.css",))
# A stamped copy's lines (press stamp), laid out apart from the book and drawn over its screen
# PDF: press's fonts and stamp.css alone, so that no folio, running head or rule of the book's
# own CSS is drawn a second time over the copy's pages.
STAMP_LAYER = Variant("stamp", "", bleed=False, extra_css=("stamp.css",), book_styles=False)
# A proof's stamp: its slug line and PROOF mark, one page at the book's size (with its bleed and
# the room for marks) that the binder draws on every page of the proof. Apart from the folio
# layer, so that the layer, which depends on the pagination alone, is the print book's and stays
# in the cache from one proof to the next although every proof carries a new revision.
PROOF_STAMP = Variant("proof", "", bleed=True, extra_css=("proof.css",), book_styles=False)


def media_bleed(book: Book, variant: Variant) -> float:
    """The CSS bleed: the book's bleed plus room for marks, or nothing on screen."""
    if not variant.bleed:
        return 0.0
    return book.print.bleed + (MARK_ROOM if book.print.marks else 0.0)


class _ToDiagnostics(logging.Handler):
    """Routes WeasyPrint's warnings (ignored CSS, unloadable resources) into the build's diagnostics."""

    def __init__(self, diags: Diagnostics, loc: SourceLoc):
        super().__init__(logging.WARNING)
        self.diags = diags
        self.loc = loc

    def emit(self, record: logging.LogRecord) -> None:
        self.diags.add("W201", self.loc, f"layout: {record.getMessage()}")


@contextmanager
def _routed(diags: Diagnostics, loc: SourceLoc):
    """While the block runs, WeasyPrint's warnings become diagnostics placed at ``loc``."""
    logger = logging.getLogger("weasyprint")
    handler = _ToDiagnostics(diags, loc)
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


#: Parsed stylesheets by what they were parsed from: the parts of a book laid out in one process
#: share them (WeasyPrint's documented way: one FontConfiguration for many renders).
_parsed: dict[tuple, tuple] = {}


def _stylesheets(book: Book, variant: Variant, page_css: str, profile: Path | None, diags: Diagnostics):
    """The variant's stylesheets, parsed once per process for as long as their files are unchanged."""
    paths = stylesheet_paths(book, variant.layers)
    if not variant.book_styles:
        paths = paths[: len(variant.layers)]
    # The font configuration copies the fonts into the temporary folder, which is the build's own
    # (session.py) and goes with it: a later build in this process parses the sheets again.
    key = (variant.layers, page_css, profile, str(book.root), tempfile.gettempdir(),
           tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths))
    if key in _parsed:
        return _parsed[key]
    # In print every image is separated into the output intent's colours as it is read.
    separate = partial(print_image, profile=profile) if profile and variant.bleed else None
    fetcher = LocalFetcher([STYLES, book.root] + ([profile.parent] if profile else []), convert=separate)
    fonts = FontConfiguration()
    profiles: dict = {}  # filled by @color-profile rules; shared by every sheet and the render
    shared = {"font_config": fonts, "url_fetcher": fetcher, "color_profiles": profiles}
    sheets = []
    for path in paths[: len(variant.layers)]:
        with _routed(diags, SourceLoc(str(path))):  # a CSS problem names its stylesheet
            sheets.append(weasyprint.CSS(filename=str(path), **shared))
    with _routed(diags, SourceLoc("page.css.j2")):
        sheets.append(weasyprint.CSS(string=page_css, base_url=str(STYLES / "css") + "/", **shared))
    for path in paths[len(variant.layers) :]:
        with _routed(diags, SourceLoc(str(path))):
            sheets.append(weasyprint.CSS(filename=str(path), **shared))
    if len(_parsed) > 8:
        _parsed.clear()
    _parsed[key] = (sheets, fonts, profiles, fetcher)
    return _parsed[key]


def lay_out(
    book: Book, renderer: Renderer, html: str, variant: Variant, diags: Diagnostics, profile: Path | None,
    extra_css: str = "",
) -> weasyprint.Document:
    """Lay the book out for ``variant``; the result knows every page and every anchor on it.

    ``extra_css`` follows the page geometry (a part laid out alone sets its first folio there).
    """
    page_css = renderer.page_css(
        width=book.print.trim_width,
        height=book.print.trim_height,
        media_bleed=media_bleed(book, variant),
        # Without a profile (an EPUB-only build on a machine without one) the layout is the same.
        profile_url=profile.resolve().as_uri() if profile and variant.bleed else "",
    )
    sheets, fonts, profiles, fetcher = _stylesheets(book, variant, page_css, profile, diags)
    # A fresh profile object per render: littleCMS serialises a used profile to other bytes, and
    # a part must come out the same whichever parts its process laid out before.
    profiles = {name: ColorProfile(io.BytesIO(profile.read_bytes()), p.src, p.rendering_intent, p.components)
                if profile is not None and name == "device-cmyk" else p for name, p in profiles.items()}
    if extra_css:
        sheets = sheets + [weasyprint.CSS(string=extra_css, font_config=fonts, color_profiles=profiles)]
    with _routed(diags, book.loc):
        document = weasyprint.HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts, color_profiles=profiles
        )
    place_numbers_outside(document)
    set_links(document)
    return document
