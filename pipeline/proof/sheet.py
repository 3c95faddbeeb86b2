"""The proof sheet: every spread as an image, labels under each, findings marked and listed.

Pages are rendered with pypdfium2 (PDFium from PyPI, so no system tools are needed) and the
sheet is one static HTML file with relative links: it opens from the file system anywhere.

Each image shows the page as trimmed: the slug line, which carries the revision and so changes
at every proof, stands outside the trim and is left out, and an image is named by what its
page is made of (the laid-out part's cache key and the page's place in it, the folio layer's
key and the page's place in the book). A proof after an edit that moved no page renders only
the pages of the document it changed; the others' images are already there under their names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import PIL.Image
import pypdfium2

from pipeline.diagnostics import Diagnostic

DPI = 72  # one pixel a point: a 6 x 9 in page is 432 x 648 px


@dataclass(frozen=True)
class PageImage:
    """One rendered page: its file (relative to the sheet), label and size in px."""

    file: str
    label: str
    width: int
    height: int


def image_name(made_of: str, dpi: int = DPI) -> str:
    """The file name of a page image, from what the page is made of (and the resolution)."""
    # PDFium's version too: another renderer may draw the same page otherwise
    made = f"{made_of}\0{dpi}\0{pypdfium2.PDFIUM_INFO}\0{pypdfium2.PYPDFIUM_INFO}"
    return "page-" + hashlib.sha256(made.encode()).hexdigest()[:24] + ".png"


def render_pages(pdf_path: Path, folder: Path, labels: list[str], made_of: list[str],
                 dpi: int = DPI) -> tuple[list[PageImage], int]:
    """The images of the pages of ``pdf_path``, trimmed, in ``folder``; (images, how many were rendered).

    ``made_of`` names what each page is made of: a page whose image is there under that name is
    not rendered again. Images no page uses any more are removed.
    """
    folder.mkdir(parents=True, exist_ok=True)
    pdf = pypdfium2.PdfDocument(str(pdf_path))
    images, rendered = [], 0
    try:
        for index in range(len(pdf)):
            name = image_name(made_of[index], dpi)
            if (folder / name).is_file():
                with PIL.Image.open(folder / name) as kept:  # reads the header only
                    width, height = kept.size
            else:
                page = pdf[index]
                media, trim = page.get_mediabox(), page.get_trimbox()
                crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
                image = page.render(scale=dpi / 72, crop=crop).to_pil()
                page.close()  # a page left open keeps its parsed content until the document closes
                width, height = image.width, image.height
                partial = folder / f".{name}.part"
                image.save(partial, format="PNG", compress_level=6)  # optimize=True takes three times as long
                partial.replace(folder / name)  # whole or not there: an image is never half-written
                rendered += 1
            images.append(PageImage(f"{folder.name}/{name}", labels[index], width, height))
    finally:
        pdf.close()
    used = {Path(i.file).name for i in images}
    for old in folder.iterdir():
        if old.name not in used and (old.is_file() or old.is_symlink()):
            old.unlink(missing_ok=True)
    return images, rendered


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
