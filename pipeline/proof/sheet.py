"""The proof sheet: every spread as an image, labels under each, findings marked and listed.

Pages are rendered with pypdfium2 (PDFium from PyPI, so no system tools are needed) and the
sheet is one static HTML file with relative links: it opens from the file system anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2

from pipeline.diagnostics import Diagnostic

DPI = 72  # one pixel a point: a 6 x 9 in page is 432 x 648 px plus its bleed and marks


@dataclass(frozen=True)
class PageImage:
    """One rendered page: its file (relative to the sheet), label and size in px."""

    file: str
    label: str
    width: int
    height: int


def render_pages(pdf_path: Path, folder: Path, labels: list[str], dpi: int = DPI) -> list[PageImage]:
    folder.mkdir(parents=True, exist_ok=True)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    images = []
    try:
        for index in range(len(pdf)):
            bitmap = pdf[index].render(scale=dpi / 72)
            image = bitmap.to_pil()
            name = f"page-{index + 1:04d}.png"
            image.save(folder / name, format="PNG", optimize=True)
            images.append(PageImage(f"{folder.name}/{name}", labels[index], image.width, image.height))
    finally:
        pdf.close()
    return images


def spreads(pages: list[PageImage]) -> list[list[PageImage | None]]:
    """Page 1 alone on the right, then verso and recto pairs, as a book opens."""
    out: list[list[PageImage | None]] = [[None, pages[0]]] if pages else []
    for i in range(1, len(pages), 2):
        out.append([pages[i], pages[i + 1] if i + 1 < len(pages) else None])
    return out


def findings_by_page(findings: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
    out: dict[str, list[Diagnostic]] = {}
    for finding in findings:
        if finding.page:
            out.setdefault(finding.page, []).append(finding)
    return out
