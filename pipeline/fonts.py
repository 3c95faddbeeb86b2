"""The book faces cut down to the characters an output uses: for the EPUB (TrueType) and the web
edition (WOFF2).

Whole, press's four faces are 3.4 MB, most of an EPUB and far more than a web page should
fetch. Each is subset with fontTools to the characters the output's own text holds, keeping
every OpenType layout feature (small capitals, ligatures, the glyphs they reach) and dropping
the Graphite tables, which no reading system or browser uses. The result depends on the text
alone, so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

_GRAPHITE = ["Silf", "Sill", "Silt", "Glat", "Gloc", "Feat"]


def subset_font(path: Path, characters: set[str], flavor: str | None = None) -> bytes:
    """The font at ``path`` with the glyphs for ``characters`` (and what its features reach);
    ``flavor`` ``"woff2"`` compresses it for the web (Brotli, through fontTools)."""
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                              glyph_names=False, hinting=True, drop_tables=[*subset.Options().drop_tables, *_GRAPHITE])
    font = TTFont(str(path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters} | {0x20, 0xA0})
    subsetter.subset(font)
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
