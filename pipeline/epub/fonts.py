"""The book faces cut down to the characters the EPUB uses.

The EPUB embeds press's four faces so that it reads the same everywhere; whole, they are most
of the file (3.4 MB). Each is subset with fontTools to the characters of the EPUB's own XHTML,
keeping every OpenType layout feature (small capitals, ligatures, the glyphs they reach) and
dropping the Graphite tables, which no reading system uses. The result depends on the text
alone, so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

_GRAPHITE = ["Silf", "Sill", "Silt", "Glat", "Gloc", "Feat"]


def subset_font(path: Path, characters: set[str]) -> bytes:
    """The font at ``path`` with the glyphs for ``characters`` (and what its features reach)."""
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                              glyph_names=False, hinting=True, drop_tables=[*subset.Options().drop_tables, *_GRAPHITE])
    font = TTFont(str(path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters} | {0x20, 0xA0})
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
