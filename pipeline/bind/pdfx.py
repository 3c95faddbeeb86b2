"""Checks on the written print PDF before it may be called PDF/X.

WeasyPrint labels a file PDF/X whatever it holds: it converts no colour and writes no
output intent without a colour profile. These checks read the file back with pikepdf and
list what a print shop's preflight would reject.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pikepdf

from pipeline.model import Book

_RGB_OPERATORS = {"rg", "RG"}
_TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
_READ_OPERATORS = " ".join(sorted(_RGB_OPERATORS | _TEXT_OPERATORS | {"cs", "sc", "scn", "k", "g", "Do"}))


def _is_rgb_space(space) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space in ("/DeviceRGB", "/CalRGB")
    if isinstance(space, pikepdf.Array) and len(space) and space[0] == "/ICCBased":
        return int(space[1].get("/N", 0)) == 3
    return False


def _colour_problems(stream_owner, resources, where: str, out: list[str], seen: set) -> None:
    """Walk one content stream (a page or a form XObject), and the forms and images it uses."""
    key = stream_owner.objgen
    if key in seen:
        return
    seen.add(key)
    spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
    fill_space: Any = "/DeviceGray"
    fill: list[float] = [0.0]
    # Only the operators read here come back from the parser: a page of text is mostly others
    # (positioning, glyph runs' spacing), and making Python objects of them took two thirds of
    # the check's time.
    for operands, operator in pikepdf.parse_content_stream(stream_owner, _READ_OPERATORS):
        op = str(operator)
        if op in _RGB_OPERATORS:
            out.append(f"{where}: RGB colour ({op})")
        elif op == "cs":
            name = operands[0]
            fill_space = name if name in ("/DeviceCMYK", "/DeviceGray", "/DeviceRGB") else spaces.get(name)
            if _is_rgb_space(fill_space if not isinstance(fill_space, str) else pikepdf.Name(fill_space)):
                out.append(f"{where}: RGB colour space {name}")
        elif op in ("sc", "scn"):
            fill = [float(v) for v in operands if not isinstance(v, pikepdf.Name)]
        elif op == "k":
            fill_space, fill = "/DeviceCMYK", [float(v) for v in operands]
        elif op == "g":
            fill_space, fill = "/DeviceGray", [float(v) for v in operands]
        elif op in _TEXT_OPERATORS:
            if str(fill_space) != "/DeviceCMYK" or len(fill) != 4 or any(fill[:3]):
                out.append(f"{where}: text not in CMYK black or a tint of K ({fill_space} {fill})")
        elif op == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Form":
                _colour_problems(xobject, xobject.get("/Resources", resources), where, out, seen)
            elif xobject.get("/Subtype") == "/Image" and _is_rgb_space(xobject.get("/ColorSpace")):
                out.append(f"{where}: RGB image {operands[0]}")


def print_pdf_problems(path: Path, book: Book, trim: tuple[float, float] | None = None) -> list[str]:
    """Everything that keeps the print PDF from being the PDF/X file it claims to be.

    ``trim`` is the size every TrimBox must have, when not the book's page (a cover's three
    panels, an imposed sheet's two pages).
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
            _colour_problems(page.obj, page.Resources, where, problems, seen)
    return problems
