"""The stamp layer of ``press stamp``: every copy's lines laid out in one small PDF, in memory.

A stamped copy is the built screen PDF with two lines drawn over it (``copies/``): a line at the
foot of every page and an ex-libris line on the imprint page. The lines of many copies are laid
out here in one render, two pages a copy, so that their type is WeasyPrint's (shaped, kerned,
the font embedded as a subset) and the book is not laid out again. The PDF is never written to
a file: the lines may name students.
"""

from __future__ import annotations

import io

from pipeline.clock import epoch_seconds
from pipeline.diagnostics import Diagnostics
from pipeline.engine.compose import STAMP_LAYER, lay_out
from pipeline.engine.paint import source_date_epoch
from pipeline.model import Book
from pipeline.render import Renderer
from pipeline.render.html import MARGINS, StampLines

#: The foot line's baseline region: this far above the page's lower edge, below the folio.
FOOT_BOTTOM = 16.0
#: The foot line's side margins: narrower than the text block's, so that a long course line and
#: name still take one line (it wraps upwards, towards the folio, when it must).
FOOT_SIDE = 36.0


def stamp_layer(book: Book, renderer: Renderer, copies: list[StampLines], imprint_verso: bool,
                diags: Diagnostics) -> bytes:
    """The PDF of the copies' lines: page ``2k`` the foot line of copy ``k``, page ``2k + 1`` its
    ex-libris line, set at the head of the imprint page's text block (on a verso when
    ``imprint_verso``, whose outer margin is on the left)."""
    width, height = book.print.trim_width, book.print.trim_height
    head, _, inner, outer = MARGINS
    left = outer if imprint_verso else inner
    # The page area is the whole page; the lines are placed on it in points from its edges.
    css = ("@page { margin: 0 }\n@page :left { margin: 0 }\n@page :right { margin: 0 }\n"
           f".stamp-page {{ height: {height:.3f}pt; }}\n"
           f".stamp-foot {{ bottom: {FOOT_BOTTOM:.3f}pt; left: {FOOT_SIDE:.3f}pt; width: {width - 2 * FOOT_SIDE:.3f}pt; }}\n"
           f".stamp-ex-libris {{ top: {head:.3f}pt; left: {left:.3f}pt; width: {width - inner - outer:.3f}pt; }}\n")
    html = renderer.stamp_layer_html(copies)
    document = lay_out(book, renderer, html, STAMP_LAYER, diags, None, extra_css=css)
    if len(document.pages) != 2 * len(copies):
        raise AssertionError(f"the stamp layer has {len(document.pages)} pages for {len(copies)} copies")
    buffer = io.BytesIO()
    with source_date_epoch(epoch_seconds(book)):
        document.write_pdf(buffer)
    return buffer.getvalue()
