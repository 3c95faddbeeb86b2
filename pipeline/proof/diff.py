"""``press diff OLD.pdf NEW.pdf``: which pages differ, side by side, with the changes outlined.

Pages are compared inside their TrimBox, as rendered images: what a reader would see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
from PIL import Image, ImageChops, ImageDraw

from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.model import SourceLoc

DPI = 72


@dataclass(frozen=True)
class PageChange:
    """Page ``number`` (1-based) differs; ``boxes`` outline the changed areas in px at 72 dpi."""

    number: int
    boxes: tuple[tuple[int, int, int, int], ...]


def _open(path: Path) -> pypdfium2.PdfDocument:
    """The PDF at ``path``; one that is not a PDF, is damaged or needs a password is E126, naming it."""
    try:
        return pypdfium2.PdfDocument(str(path))
    except (pypdfium2.PdfiumError, OSError) as exc:
        diags = Diagnostics()
        diags.add("E126", SourceLoc(str(path)), f"press diff cannot read this file as a PDF ({exc})",
                  "give two PDFs press made, without a password")
        raise ManuscriptError(diags.errors) from None


def _render(path: Path) -> list[Image.Image]:
    """Each page cropped to its TrimBox: a proof's slug line (date, revision) is not a change."""
    pdf = _open(path)
    try:
        images = []
        for i in range(len(pdf)):
            page = pdf[i]
            ml, mb, mr, mt = page.get_mediabox()
            tl, tb, tr, tt = page.get_trimbox()
            crop = (tl - ml, tb - mb, mr - tr, mt - tt)
            images.append(page.render(scale=DPI / 72, crop=crop).to_pil().convert("RGB"))
        return images
    finally:
        pdf.close()


def _changed_areas(a: Image.Image, b: Image.Image, band: int = 12) -> tuple[tuple[int, int, int, int], ...]:
    """Bands of rows that differ, merged, as boxes spanning the changed columns."""
    if a.size != b.size:
        return ((0, 0, max(a.width, b.width), max(a.height, b.height)),)
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > 24 else 0)
    if diff.getbbox() is None:
        return ()
    boxes: list[tuple[int, int, int, int]] = []
    for top in range(0, diff.height, band):
        strip = diff.crop((0, top, diff.width, min(diff.height, top + band)))
        box = strip.getbbox()
        if box:
            x0, y0, x1, y1 = box
            if boxes and boxes[-1][3] >= top - 1:
                px0, py0, px1, py1 = boxes[-1]
                boxes[-1] = (min(px0, x0), py0, max(px1, x1), top + y1)
            else:
                boxes.append((x0, top + y0, x1, top + y1))
    return tuple(boxes)


def diff_pdfs(old: Path, new: Path, out_dir: Path) -> list[PageChange]:
    """Compare page by page; write side-by-side images of changed pages, index.html and diff.json.

    Raises ``ManuscriptError`` (E126) when either file is not a PDF press can read.
    """
    for path in (old, new):  # both checked before the long rendering of either
        _open(path).close()
    a_pages, b_pages = _render(old), _render(new)
    out_dir.mkdir(parents=True, exist_ok=True)
    changes: list[PageChange] = []
    for i in range(max(len(a_pages), len(b_pages))):
        a = a_pages[i] if i < len(a_pages) else None
        b = b_pages[i] if i < len(b_pages) else None
        shown = a or b
        assert shown is not None  # one of the two PDFs has page i
        if a is not None and b is not None:
            boxes = _changed_areas(a, b)
        else:
            boxes = ((0, 0, shown.width, shown.height),)
        if not boxes:
            continue
        changes.append(PageChange(i + 1, boxes))
        blank = Image.new("RGB", shown.size, (235, 235, 235))
        left, right = (a or blank).copy(), (b or blank).copy()
        for image in (left, right):
            draw = ImageDraw.Draw(image)
            for x0, y0, x1, y1 in boxes:
                draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), outline=(208, 2, 27), width=2)
        sheet = Image.new("RGB", (left.width + right.width + 12, max(left.height, right.height)), (90, 90, 90))
        sheet.paste(left, (0, 0))
        sheet.paste(right, (left.width + 12, 0))
        sheet.save(out_dir / f"page-{i + 1:04d}.png", format="PNG", optimize=True)
    (out_dir / "diff.json").write_text(
        json.dumps({"old": str(old), "new": str(new), "pages": [{"page": c.number, "boxes": c.boxes} for c in changes]}, indent=2) + "\n",
        encoding="utf-8",
    )
    rows = "\n".join(
        f'<section><h2>Page {c.number}</h2><img src="page-{c.number:04d}.png" alt="page {c.number}, old and new"></section>'
        for c in changes
    )
    (out_dir / "index.html").write_text(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>PDF diff</title>"
        "<style>body{font:15px Georgia,serif;margin:24px;background:#eee}img{max-width:100%;box-shadow:0 1px 4px #0004}</style>"
        f"</head><body><h1>{len(changes)} changed page(s)</h1><p>old: {old.name} · new: {new.name}</p>{rows}</body></html>\n",
        encoding="utf-8",
    )
    return changes
