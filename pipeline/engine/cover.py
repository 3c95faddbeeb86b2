"""The printed cover laid out and painted: one page, back | spine | front, PDF/X like the book.

The cover's HTML and page CSS come from the render stage; here they are laid out with the book's
faces and the confined fetcher (the front image separated into the output intent's CMYK, as in
the book), then painted with the bleed box, crop marks and the spine's fold marks.
"""

from __future__ import annotations

import io
from functools import partial
from pathlib import Path

import pypdfium2
import weasyprint
from weasyprint.text.fonts import FontConfiguration

from pipeline.diagnostics import Diagnostics
from pipeline.engine.boxes import classes, descendants, is_line, page_box
from pipeline.engine.compose import MARK_ROOM, Variant, _routed
from pipeline.engine.fetch import LocalFetcher
from pipeline.engine.paint import write_pdf
from pipeline.engine.separation import print_image
from pipeline.model import Book
from pipeline.render import Renderer
from pipeline.styles import STYLES

#: The cover is a print variant of its own: its document id differs from the book's.
COVER = Variant("cover", "print-colour.css", bleed=True)


def paint_cover(book: Book, renderer: Renderer, geometry: dict, barcode: dict | None, image: Path | None,
                spine_text: bool, profile: Path | None, target: Path, diags: Diagnostics) -> bool:
    """Lay the cover out and write it to ``target`` as the book's PDF/X standard; whether the back
    text runs longer than its panel holds (its end is then cut off, never printed over the barcode)."""
    media_bleed = book.print.bleed + (MARK_ROOM if book.print.marks else 0.0)
    css = renderer.print_cover_css(geometry, media_bleed, profile.resolve().as_uri() if profile else "")
    html = renderer.print_cover_html(geometry, barcode, image.resolve().as_uri() if image else None, spine_text)
    separate = partial(print_image, profile=profile) if profile else None
    fetcher = LocalFetcher([STYLES, book.root] + ([profile.parent] if profile else []), convert=separate)
    fonts = FontConfiguration()
    profiles: dict = {}
    shared = {"font_config": fonts, "url_fetcher": fetcher, "color_profiles": profiles}
    with _routed(diags, book.loc):
        sheets = [weasyprint.CSS(filename=str(STYLES / "css" / "fonts.css"), **shared),
                  weasyprint.CSS(string=css, base_url=str(STYLES / "css") + "/", **shared)]
        document = weasyprint.HTML(string=html, base_url=str(book.root) + "/", url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=fonts, color_profiles=profiles)
    folds = (geometry["spine_x"], geometry["front_x"])
    write_pdf(book, document, target, COVER, size=(geometry["width"], geometry["height"]), folds=folds)
    return _overflows(document, "back")


def _overflows(document: weasyprint.Document, css_class: str) -> bool:
    """Whether a line of the element of ``css_class`` stands below the element's own bottom."""
    for page in document.pages:
        for box in descendants(page_box(page)):
            if css_class in classes(box):
                bottom = box.position_y + box.margin_height()
                return any(is_line(line) and line.position_y + line.height > bottom + 0.5 for line in descendants(box))
    return False


#: The EPUB's cover image is this tall (pixels): what the stores ask for (1600 x 2560 at most).
FRONT_HEIGHT = 2400  # 1,600 px wide at 6 x 9 in: the shorter side the stores ask at least 1,400 for


def front_cover_png(book: Book, renderer: Renderer, height: int = FRONT_HEIGHT) -> bytes:
    """The front of the cover alone, laid out at the trim size and drawn ``height`` pixels tall as
    a PNG: the printed cover's front panel, for the EPUB and the web edition.

    Its inks are device CMYK, as on the printed cover; pdfium shows them on screen by the plain
    conversion (no output intent), which keeps the ground and the rule the colours they print as
    near as a screen shows them without a proof profile. PNG has no timestamp, and the page is
    drawn from the laid-out page alone, so the same book gives the same bytes.
    """
    fetcher = LocalFetcher([STYLES, book.root])
    fonts = FontConfiguration()
    with _routed(Diagnostics(), book.loc):  # nothing fetched but the book's faces
        sheets = [weasyprint.CSS(filename=str(STYLES / "css" / "fonts.css"), font_config=fonts, url_fetcher=fetcher)]
        document = weasyprint.HTML(string=renderer.front_cover_html(), base_url=str(book.root) + "/",
                                   url_fetcher=fetcher).render(stylesheets=sheets, font_config=fonts)
    pdf = pypdfium2.PdfDocument(document.write_pdf())
    try:
        page = pdf[0]
        image = page.render(scale=height / book.print.trim_height).to_pil().convert("RGB")
        page.close()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
