"""The printed cover (``press build --format cover``): back | spine | front on one page.

The spine is as wide as the book is thick: the page count of the print layout on the paper of
``print.paper`` (pages per inch, or one leaf's caliper), plus ``print.cover_board``. The back
carries ``back_cover`` and the print ISBN as an EAN-13 barcode (the bars encoded by
python-barcode, MIT; drawn here as boxes in K so that they are CMYK like everything else).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import barcode
import pypdfium2
from PIL import Image

from pipeline.bind.pdfx import print_pdf_problems
from pipeline.diagnostics import Diagnostics
from pipeline.engine.cover import paint_cover
from pipeline.load.isbn import isbn13
from pipeline.model import Book
from pipeline.render import Renderer
from pipeline.render.html import COVER_MARGIN

#: Without print.paper: a common 50 lb uncoated book stock.
DEFAULT_PPI = 444.0
#: Text keeps this far from the trim and from every fold, the spine's two included: a fold is
#: never exactly where the printer meant it, and a letter on it cracks or turns onto a panel.
SAFE = 9.0  # 0.125 in
#: The spine's line takes this share of the room between its safe distances (Gentium's letters,
#: descenders included, stand within about 1.2 em of a line's centre line).
SPINE_FONT_SHARE = 0.8
#: Below this a spine holds no legible line of text 0.125 in clear of both folds: 0.25 in of
#: clearance and a line of about 6 pt (0.35 in is some 155 pages on 444 ppi paper).
MIN_SPINE_TEXT = 25.2  # 0.35 in
#: The panels' own margin, well inside the safe distance (the front alone has the same).
MARGIN = COVER_MARGIN
#: EAN-13 at 100 %: a module is 0.33 mm, the bars 22.85 mm tall.
MODULE = 0.33 * 72 / 25.4
BAR_HEIGHT = 22.85 * 72 / 25.4


@dataclass(frozen=True)
class Spine:
    """How wide the spine is (points), for how many pages, and on what paper (in words for the report)."""

    width: float
    pages: int
    paper: str
    assumed: bool

    def describe(self) -> str:
        return f"spine {self.width / 72:.2f} in ({self.width * 25.4 / 72:.1f} mm) for {self.pages} pages on {self.paper}"


def spine_width(book: Book, pages: int) -> Spine:
    """The spine of ``pages`` printed pages (two to a leaf) on the book's paper."""
    settings = book.print
    board = settings.cover_board
    if settings.caliper is not None:
        leaves = -(-pages // 2)
        paper = f"paper of {settings.caliper * 25.4 / 72:.3f} mm a leaf"
        return Spine(leaves * settings.caliper + board, pages, paper, False)
    ppi = settings.ppi or DEFAULT_PPI
    return Spine(pages / ppi * 72 + board, pages, f"{ppi:g} ppi paper", settings.ppi is None)


def barcode_drawing(digits: str, label: str) -> dict:
    """The EAN-13 bars of ``digits`` as boxes (x, width, height) in a white panel, with the digits under them."""
    modules = barcode.EAN13(digits[:12]).build()[0]
    quiet_left, quiet_right = 11, 7
    bars_top = 16.0  # room for the ISBN line above
    bars, x = [], 0
    while x < len(modules):
        if modules[x] == "1":
            run = x
            while run < len(modules) and modules[run] == "1":
                run += 1
            # the guard bars (start, middle, end) run down between the digits
            guard = x < 3 or 45 <= x < 50 or x >= 92
            bars.append(((quiet_left + x) * MODULE, (run - x) * MODULE, BAR_HEIGHT + (5 * MODULE if guard else 0)))
            x = run
        else:
            x += 1
    digit_size = 8.0
    digits_top = bars_top + BAR_HEIGHT + 0.5
    # each digit under its own seven modules (the middle guard between the two groups of six);
    # the first digit stands in the quiet zone before the start guard
    slots = [quiet_left + 3 + 7 * i + (5 if i >= 6 else 0) for i in range(12)]
    drawn = [(0.0, (quiet_left - 1) * MODULE, digits[0])] + [(x * MODULE, 7 * MODULE, d) for x, d in zip(slots, digits[1:])]
    return {
        "bars": bars, "bars_top": bars_top, "digits": drawn, "digits_top": digits_top, "digit_size": digit_size,
        "label": label,
        "width": (quiet_left + len(modules) + quiet_right) * MODULE, "height": digits_top + digit_size + 4,
    }


def hyphenated(digits: str, written: str) -> str:
    """The ISBN as book.yaml writes it when it has its hyphens, else the bare 13 digits."""
    return written.strip() if "-" in written and len("".join(c for c in written if c.isdigit())) == 13 else digits


def make_cover(book: Book, pages: int, renderer: Renderer, profile: Path | None, target: Path, diags: Diagnostics) -> Spine:
    """Write the cover of a book of ``pages`` printed pages to ``target``; its spine, for the report."""
    spine = spine_width(book, pages)
    print_loc = book.field_loc("print")
    if spine.assumed:
        diags.add("W130", print_loc if "print" in dict(book.field_lines) else book.loc,
                  f"the spine is reckoned on {DEFAULT_PPI:g} ppi paper (a common 50 lb uncoated stock): {spine.describe()}",
                  "ask the printer for the paper's ppi or caliper and set print.paper")
    spine_text = spine.width >= MIN_SPINE_TEXT
    if not spine_text:
        diags.add("W131", print_loc, f"a spine of {spine.width / 72:.2f} in is too thin for text: it is left blank",
                  "a spine takes text from 0.35 in (about 155 pages on 444 ppi paper), 0.125 in clear of each fold")
    drawing = None
    written = book.isbn.print
    if written:
        digits = isbn13(written)
        assert digits is not None, "the loader refuses an ISBN with a wrong check digit (E130)"
        drawing = barcode_drawing(digits, renderer.words("barcode_isbn", isbn=hyphenated(digits, written)))
    else:
        diags.add("W135", book.field_loc("isbn") if "isbn" in dict(book.field_lines) else book.loc,
                  "the book has no print ISBN: the cover's back has no barcode", "set isbn.print in book.yaml")
    tw, th = book.print.trim_width, book.print.trim_height
    geometry: dict = {
        "trim_width": tw, "height": th, "spine": spine.width, "width": 2 * tw + spine.width, "bleed": book.print.bleed,
        "spine_x": tw, "front_x": tw + spine.width, "margin": MARGIN, "spine_direction": book.print.spine_direction,
        "spine_length": th - 2 * MARGIN,
        # a line as tall as the spine allows inside its safe distances, and never larger than 13 pt
        "spine_font": min(13.0, max(1.0, (spine.width - 2 * SAFE) * SPINE_FONT_SHARE)),  # no text below MIN_SPINE_TEXT
    }
    if book.cover is not None:
        _check_resolution(book, geometry, diags)
    # the back text stops above the barcode
    geometry["back_height"] = th - 2 * MARGIN - (drawing["height"] + 18 if drawing else 0)
    if paint_cover(book, renderer, geometry, drawing, book.cover, spine_text, profile, target, diags):
        diags.add("W133", book.field_loc("back_cover"), "the back text is longer than the back of the cover holds: its end is left off",
                  "shorten back_cover")
    for problem in print_pdf_problems(target, book, trim=(2 * tw + spine.width, th)):
        diags.add("E131", book.loc, f"the cover is not PDF/X: {problem}")
    _check_text_clearance(book, target, geometry, diags)
    return spine


def _check_resolution(book: Book, geometry: dict, diags: Diagnostics) -> None:
    """W132: the front image fills the front panel with its bleed; under 300 dpi it prints soft."""
    assert book.cover is not None
    with Image.open(book.cover) as image:
        pixels = image.size
    bleed = geometry["bleed"]
    # fitted to cover the panel, the image's resolution is the smaller of its two
    dpi = min(pixels[0] / ((geometry["trim_width"] + bleed) / 72), pixels[1] / ((geometry["height"] + 2 * bleed) / 72))
    if dpi < 300:
        diags.add("W132", book.field_loc("cover"), f"the cover image prints at {dpi:.0f} dpi on the front panel",
                  f"give it at least {int((geometry['trim_width'] + bleed) / 72 * 300) + 1} x "
                  f"{int((geometry['height'] + 2 * bleed) / 72 * 300) + 1} pixels")


def _check_text_clearance(book: Book, target: Path, geometry: dict, diags: Diagnostics) -> None:
    """W133: text within 0.125 in of the trim or a fold, read off the PDF: each letter's own box,
    on the spine measured across it to both folds (and to the head and foot trims), elsewhere to
    the trims and to the nearer fold."""
    tw, th, spine = geometry["trim_width"], geometry["height"], geometry["spine"]
    width = geometry["width"]
    pdf = pypdfium2.PdfDocument(str(target))
    try:
        page = pdf[0]
        text = page.get_textpage()
        too_close: list[str] = []
        for i in range(text.count_chars()):
            left, bottom, right, top = text.get_charbox(i)
            char = text.get_text_range(i, 1)
            if not char.strip():
                continue
            on_spine = left >= tw - 0.5 and right <= tw + spine + 0.5
            if on_spine:
                near = left < tw + SAFE or right > tw + spine - SAFE or bottom < SAFE or top > th - SAFE
            else:
                near = (left < SAFE or right > width - SAFE or bottom < SAFE or top > th - SAFE
                        or any(left - SAFE < fold < right + SAFE for fold in (tw, tw + spine)))
            if near:
                too_close.append(char)
        text.close()
        page.close()
    finally:
        pdf.close()
    if too_close:
        sample = "".join(too_close[:20])
        diags.add("W133", book.loc, f"cover text within 0.125 in of the trim or a fold: '{sample}'",
                  "shorten the title or the back text, or set a wider spine")
