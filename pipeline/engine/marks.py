"""Printer's marks drawn in the slug area, outside the bleed, in registration colour.

WeasyPrint's own ``marks`` are drawn in RGB inside its bleed area; a PDF/X file with a CMYK
output intent may hold no RGB, and the marks belong outside the bleed. So the CSS bleed
reserves room (``MARK_ROOM``) and the marks are painted here as PDF operators, in the page's
top-down coordinates (origin at the trim's top-left corner, y growing downwards).
"""

from __future__ import annotations

OFFSET = 3.0  # from the bleed edge to where a crop mark starts
LENGTH = 12.0
LINE = 0.25
# Registration: all four process inks, so the marks print on every plate.
REGISTRATION = "/DeviceCMYK CS 1 1 1 1 SC"


def _line(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"{x0:.3f} {y0:.3f} m {x1:.3f} {y1:.3f} l S"


def crop_marks(width: float, height: float, bleed: float) -> list[str]:
    """Eight short lines on the trim lines' extensions, starting beyond the bleed."""
    start, end = bleed + OFFSET, bleed + OFFSET + LENGTH
    ops = []
    for x in (0.0, width):
        ops.append(_line(x, -start, x, -end))
        ops.append(_line(x, height + start, x, height + end))
    for y in (0.0, height):
        ops.append(_line(-start, y, -end, y))
        ops.append(_line(width + start, y, width + end, y))
    return ops


def _circle(cx: float, cy: float, r: float) -> str:
    k = 0.5523 * r  # Bézier handle length for a quarter circle
    return (
        f"{cx + r:.3f} {cy:.3f} m "
        f"{cx + r:.3f} {cy + k:.3f} {cx + k:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
        f"{cx - k:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k:.3f} {cx - r:.3f} {cy:.3f} c "
        f"{cx - r:.3f} {cy - k:.3f} {cx - k:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
        f"{cx + k:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k:.3f} {cx + r:.3f} {cy:.3f} c S"
    )


def registration_crosses(width: float, height: float, bleed: float) -> list[str]:
    """A circled cross at the middle of each side, in the slug area."""
    r = 4.0
    d = bleed + OFFSET + r + 2
    centres = [(width / 2, -d), (width / 2, height + d), (-d, height / 2), (width + d, height / 2)]
    ops = []
    for cx, cy in centres:
        ops.append(_circle(cx, cy, r))
        ops.append(_line(cx - r - 2, cy, cx + r + 2, cy))
        ops.append(_line(cx, cy - r - 2, cx, cy + r + 2))
    return ops


def fold_marks(folds: tuple[float, ...], height: float, bleed: float) -> list[str]:
    """A dashed line above and below the bleed at each fold (``folds``: distances from the left trim)."""
    start, end = bleed + OFFSET, bleed + OFFSET + LENGTH
    ops = ["[3 2] 0 d"]
    for x in folds:
        ops.append(_line(x, -start, x, -end))
        ops.append(_line(x, height + start, x, height + end))
    return ops + ["[] 0 d"]


def marks_operators(marks: tuple[str, ...], width: float, height: float, bleed: float, folds: tuple[float, ...] = ()) -> bytes:
    """The content stream fragment for the requested marks, wrapped in its own graphics state.

    Fold marks (a cover's spine, an imposed sheet's middle) go with the crop marks.
    """
    ops: list[str] = []
    if "crop" in marks:
        ops += crop_marks(width, height, bleed)
        if folds:
            ops += fold_marks(folds, height, bleed)
    if "cross" in marks:
        ops += registration_crosses(width, height, bleed)
    if not ops:
        return b""
    return ("\nq " + REGISTRATION + f" {LINE} w\n" + "\n".join(ops) + "\nQ\n").encode()
