"""Checks on the written print PDF before it may be called PDF/X.

WeasyPrint labels a file PDF/X whatever it holds: it converts no colour and writes no
output intent without a colour profile. These checks read the file back with pikepdf and
list what a print shop's preflight would reject.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from pipeline.engine.inks import walk_colours
from pipeline.model import Book


def print_pdf_problems(path: Path, book: Book, trim: tuple[float, float] | None = None, *,
                       colours: bool = True) -> list[str]:
    """Everything that keeps the print PDF from being the PDF/X file it claims to be.

    ``trim`` is the size every TrimBox must have, when not the book's page (a cover's three
    panels, an imposed sheet's two pages). A bound book's pages are the parts' and the folio
    layer's, checked for colour when each was written (``check_colours``): its read-back checks
    the rest (``colours=False``), which spares reading every content stream of the book again.
    """
    width, height = trim or (book.print.trim_width, book.print.trim_height)
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        intents = pdf.Root.get("/OutputIntents", [])
        if not any(i.get("/S") == "/GTS_PDFX" and int(i.DestOutputProfile.get("/N", 0)) == 4 for i in intents):
            problems.append("no PDF/X output intent with a CMYK profile")
        metadata = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else b""
        if b"GTS_PDFXVersion" not in metadata:
            problems.append("no PDF/X version key in the metadata")
        bleed = book.print.bleed
        seen: set = set()
        for number, page in enumerate(pdf.pages, 1):
            where = f"page {number}"
            if "/TrimBox" not in page or "/BleedBox" not in page:
                problems.append(f"{where}: no TrimBox or BleedBox")
                continue
            box = [float(v) for v in page.TrimBox]
            bleed_box = [float(v) for v in page.BleedBox]
            expected = [box[0] - bleed, box[1] - bleed, box[2] + bleed, box[3] + bleed]
            if any(abs(a - b) > 0.01 for a, b in zip(bleed_box, expected)):
                problems.append(f"{where}: BleedBox {bleed_box} is not the TrimBox plus {bleed:g} pt")
            if abs((box[2] - box[0]) - width) > 0.01 or abs((box[3] - box[1]) - height) > 0.01:
                problems.append(f"{where}: TrimBox {box} is not the trim size")
            for _, font in page.Resources.get("/Font", {}).items():
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).get("/FontDescriptor")
                if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    problems.append(f"{where}: font {font.get('/BaseFont')} is not embedded")
            if colours:
                walk_colours(page.obj, page.Resources, where, problems, seen)
    return problems
