"""Running heads that never wrap: a title too long for the head line is cut at a word boundary.

The running heads are set in 8 pt all-small-caps with 0.12 em letter-spacing (``print.css``,
``@top-left`` and ``@top-right``); a head wider than the text block would wrap onto a second
line. Widths are measured from the book face itself (its small-capital glyphs, through the
font's ``c2sc`` and ``smcp`` substitutions), before any layout.
"""

from __future__ import annotations

import re
from functools import lru_cache

from fontTools.ttLib import TTFont

from pipeline.styles import FONTS

HEAD_SIZE = 8.0  # pt, as print.css sets the running heads
HEAD_TRACKING = 0.12  # em of letter-spacing, likewise
FACE = FONTS / "GentiumBookPlus-Regular.ttf"
ELLIPSIS = "…"
# Where a long title reads well cut short: before its first comma, or before "between".
_NATURAL_CUTS = (re.compile(r",\s"), re.compile(r"\sbetween\s"))


@lru_cache(maxsize=1)
def _metrics() -> tuple[dict[int, str], dict[str, int], dict[str, str], int]:
    font = TTFont(str(FACE), lazy=True)
    cmap = font.getBestCmap()
    advances = {name: width for name, (width, _) in font["hmtx"].metrics.items()}
    small: dict[str, str] = {}
    gsub = font["GSUB"].table
    for record in gsub.FeatureList.FeatureRecord:
        if record.FeatureTag not in ("c2sc", "smcp"):
            continue
        for index in record.Feature.LookupListIndex:
            for table in gsub.LookupList.Lookup[index].SubTable:
                table = getattr(table, "ExtSubTable", table)
                small.update(getattr(table, "mapping", {}) or {})
    return cmap, advances, small, font["head"].unitsPerEm


def head_width(text: str) -> float:
    """The width of ``text`` as a running head, in points."""
    cmap, advances, small, units = _metrics()
    width = 0.0
    for char in text:
        glyph = cmap.get(ord(char))
        glyph = small.get(glyph, glyph) if glyph else None
        width += (advances.get(glyph, units // 2) if glyph else units // 2) / units * HEAD_SIZE
        width += HEAD_TRACKING * HEAD_SIZE
    return width


def running_head(title: str, width: float) -> str:
    """``title`` as it fits on one line of ``width`` points: whole, cut at a natural break, or
    cut after its last whole word that fits, with an ellipsis."""
    if head_width(title) <= width:
        return title
    for cut in _NATURAL_CUTS:
        found = cut.search(title)
        if found and found.start() > 0 and head_width(title[: found.start()]) <= width:
            return title[: found.start()].rstrip()
    words = title.split()
    while len(words) > 1 and head_width(" ".join(words) + ELLIPSIS) > width:
        words.pop()
    return " ".join(words).rstrip(",;:") + ELLIPSIS
