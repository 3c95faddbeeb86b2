"""A line of text drawn as filled outlines in the book's face, for what press prints on a sheet.

The slug line of an imposed sheet is written straight into a PDF with pikepdf, with no layout
engine. A font resource would have to be embedded and subset to stay PDF/X; outlines need
neither, and a slug is never read aloud or searched.
"""

from __future__ import annotations

from functools import lru_cache

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

from pipeline.styles import FONTS


class _PdfPen(BasePen):
    """Collects a glyph's contours as PDF path operators, scaled and moved into place."""

    def __init__(self, glyphs, scale: float, x: float, y: float):
        super().__init__(glyphs)
        self.ops: list[str] = []
        self.scale, self.x, self.y = scale, x, y

    def _point(self, pt) -> str:
        return f"{self.x + pt[0] * self.scale:.2f} {self.y + pt[1] * self.scale:.2f}"

    def _moveTo(self, pt) -> None:
        self.ops.append(f"{self._point(pt)} m")

    def _lineTo(self, pt) -> None:
        self.ops.append(f"{self._point(pt)} l")

    def _curveToOne(self, pt1, pt2, pt3) -> None:
        self.ops.append(f"{self._point(pt1)} {self._point(pt2)} {self._point(pt3)} c")

    def _closePath(self) -> None:
        self.ops.append("h")


@lru_cache(maxsize=2)
def _face(name: str) -> TTFont:
    return TTFont(str(FONTS / f"GentiumBookPlus-{name}.ttf"), lazy=True)


def text_outlines(text: str, size: float, x: float, y: float, face: str = "Regular") -> str:
    """``text`` from its baseline's start (x, y) in PDF user space, as path operators (to be filled)."""
    font = _face(face)
    cmap = font.getBestCmap()
    glyphs = font.getGlyphSet()
    scale = size / font["head"].unitsPerEm
    ops: list[str] = []
    for char in text:
        name = cmap.get(ord(char), ".notdef")
        pen = _PdfPen(glyphs, scale, x, y)
        glyphs[name].draw(pen)
        ops.extend(pen.ops)
        x += font["hmtx"][name][0] * scale
    return "\n".join(ops) + ("\nf" if ops else "")


def text_width(text: str, size: float, face: str = "Regular") -> float:
    """How wide ``text`` is set at ``size`` points."""
    font = _face(face)
    cmap = font.getBestCmap()
    return sum(font["hmtx"][cmap.get(ord(c), ".notdef")][0] for c in text) * size / font["head"].unitsPerEm
