"""Preflight: what the model and the laid-out pages show an editor must fix before print.

Model checks read the text (speaker names, omissions typed the old way, missing source notes,
copyright lines or translators). Layout checks read WeasyPrint's laid-out pages: content that
overflows the text block or the trim, headings left at a page foot, and a page count that does
not fill the last signature.
"""

from __future__ import annotations

import re

import weasyprint

from pipeline.layout.pages import anchor_pages
from weasyprint.images import RasterImage

from pipeline.model import Book, Figure, Heading, Paragraph, Text, walk_blocks
from pipeline.proof.findings import Finding
from pipeline.write.separation import needs_cmyk

# A paragraph opening like a speaker turn: one to three capitalised words and a colon.
_TURN = re.compile(r"^([A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω][\w'’.\-]*(?: [A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω][\w'’.\-]*){0,2}):\s")
# Omissions typed as "..." or "(...)" (the typographer has made "..." into "…").
_OLD_OMISSION = re.compile(r"\((?:…|\.\.\.)\)|(?<=\s)…(?=\s)")
_PX = 0.75  # WeasyPrint lays out in CSS px; findings give points
MIN_DPI = 300  # what a print shop asks of a halftone at its printed size


def model_findings(book: Book) -> list[Finding]:
    """Findings that need no layout."""
    out: list[Finding] = []
    expect_translator = any(doc.translator for doc in book.documents)
    for doc in book.documents:
        where = {"document": doc.number, "file": doc.loc.file}
        if not doc.source:
            out.append(Finding("W401", f"Document No. {doc.number} has no source note", "add 'source:' to its front matter", line=1, **where))
        if not (doc.copyright or book.copyright):
            out.append(Finding("W402", f"Document No. {doc.number} has no copyright line", "add 'copyright:' to it or to book.yaml", line=1, **where))
        written_in_book_language = (doc.original_language or "").split("-")[0] == book.language.split("-")[0]
        if expect_translator and not doc.translator and not written_in_book_language:
            out.append(Finding("W403", f"Document No. {doc.number} credits no translator", "add 'translator:', or 'original_language:' when it was written in the book's language", line=1, **where))
        for block in walk_blocks(doc.body):
            if not isinstance(block, Paragraph):
                continue
            text = block.inlines[0].text if block.inlines and isinstance(block.inlines[0], Text) else ""
            if doc.speakers and block.speaker is None and (m := _TURN.match(text)) and block.role == "body":
                out.append(Finding("W404", f"'{m[1]}:' opens a turn, but {m[1]} is not in speakers", f"speakers are {', '.join(doc.speakers)}", paragraph=block.anchor, line=block.loc.line, **where))
        for block in walk_blocks(doc.headnote + doc.body + doc.source):
            if isinstance(block, Figure) and needs_cmyk(block.path):
                out.append(Finding("W410", f"'{block.path.name}' is an RGB image: print gets it converted to the CMYK of the output profile",
                                   "check its colours in the proof, or supply it in CMYK or greyscale", line=block.loc.line, **where))
            if isinstance(block, (Paragraph, Heading)):
                text = "".join(n.text for n in block.inlines if isinstance(n, Text))
                for m in _OLD_OMISSION.finditer(text):
                    out.append(Finding("W405", f"omission typed as '{m[0].strip()}'", "write editorial omissions as […]", paragraph=block.anchor, line=block.loc.line, **where))
    return out


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None and hasattr(element, "get") else set()


def layout_findings(book: Book, document: weasyprint.Document, labels: list[str], whole: bool = True) -> list[Finding]:
    """Findings read off the laid-out pages; ``whole`` when they are the whole book's (not a part's)."""
    out: list[Finding] = []
    where = anchor_pages(document)
    documents = [doc for doc in book.documents if doc.anchor in where]  # a part holds some of them
    owner = _block_owners(documents)
    figures = {b.key: b for d in documents for b in walk_blocks(d.headnote + d.body + d.source) if isinstance(b, Figure)}
    for index, page in enumerate(document.pages):
        page_box = page._page_box
        left = page_box.content_box_x()
        right = left + page_box.width
        trim_right = page_box.margin_width()
        seen: set[str] = set()

        def walk(box, key):
            if "pnum" in _classes(box) or "::" in (getattr(box, "element_tag", "") or ""):
                return  # margin numbers and generated text stand outside the column by design
            element = getattr(box, "element", None)
            key = (element.get("data-key") if element is not None and hasattr(element, "get") else None) or key
            kind = type(box).__name__
            image = getattr(box, "replacement", None)
            if isinstance(image, RasterImage) and box.width:
                dpi = image.width / (box.width / 96)
                if dpi < MIN_DPI - 0.5:
                    doc, figure = owner.get(key, (None, None))
                    source = figures[key].loc if key in figures else None
                    out.append(Finding(
                        "W409", f"image printed at {dpi:.0f} dpi ({image.width} pixels across {box.width * _PX / 72:.2f} in)",
                        f"supply it with at least {round(MIN_DPI * box.width / 96)} pixels across, or print it smaller",
                        document=doc, paragraph=figure, page=labels[index],
                        file=source.file if source else None, line=source.line if source else None,
                        box=(box.position_x * _PX, box.position_y * _PX, box.width * _PX, box.height * _PX),
                    ))
            if kind in ("TextBox", "InlineReplacedBox", "BlockReplacedBox", "TableBox") and box.width:
                x0, x1 = box.position_x, box.position_x + box.margin_width()
                if (x1 > right + 1 or x0 < left - 1) and key not in seen:
                    seen.add(key)
                    doc, para = owner.get(key, (None, None))
                    beyond = "the trim" if x1 > trim_right else "the text block"
                    out.append(Finding(
                        "W406", f"content runs past {beyond} by {(x1 - right) * _PX:.0f} pt",
                        "break the long word or URL, or narrow the table or image",
                        document=doc, paragraph=para, page=labels[index],
                        box=(x0 * _PX, box.position_y * _PX, (x1 - x0) * _PX, box.height * _PX),
                    ))
            for child in getattr(box, "children", ()):
                walk(child, key)

        for child in page_box.children:
            if type(child).__name__ == "BlockBox":
                walk(child, None)

    for doc in documents:
        blocks = [b for b in walk_blocks(doc.body) if isinstance(b, (Paragraph, Heading))]
        for heading, following in zip(blocks, blocks[1:]):
            if isinstance(heading, Heading) and heading.anchor in where and following.anchor in where:
                if where[following.anchor] != where[heading.anchor]:
                    out.append(Finding("W407", "heading left at the foot of a page", "its text begins on the next page",
                                       document=doc.number, paragraph=heading.anchor, page=labels[where[heading.anchor]]))

    if whole:
        out += signature_findings(book, labels)
    return out


def signature_findings(book: Book, labels: list[str]) -> list[Finding]:
    """The book's page count against the printer's signatures."""
    pages = len(labels)
    signature = book.print.signature
    if not pages % signature:
        return []
    blanks = signature - pages % signature
    return [Finding("W408", f"{pages} pages do not fill signatures of {signature}",
                    f"the printer will add {blanks} blank page{'s' if blanks > 1 else ''} at the end", page=labels[-1])]


def _block_owners(documents) -> dict[str, tuple[int, str | None]]:
    """Block key -> (document number, paragraph or heading id)."""
    out = {}
    for doc in documents:
        out[doc.anchor] = (doc.number, None)
        for block in walk_blocks(doc.headnote + doc.body + doc.source):
            if isinstance(block, (Paragraph, Heading, Figure)) and block.key:
                out[block.key] = (doc.number, block.anchor)
    return out
