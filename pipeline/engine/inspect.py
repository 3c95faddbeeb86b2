"""Preflight read off the laid-out pages: what overflows, which images print too coarse, which
headings are left at a page foot.

Only the process that laid a part out holds its boxes, so these findings are made there, as
diagnostics placed at the manuscript line of the paragraph or image concerned and on the page
(its index in the part, as a string, until the book is bound and the page has its label).
"""

from __future__ import annotations

import weasyprint
from weasyprint.images import RasterImage

from pipeline.diagnostics import Diagnostic, Place
from pipeline.engine import boxes
from pipeline.model import Book, Document, Figure, Heading, Paragraph, SourceLoc, walk_blocks

_PX = 0.75  # WeasyPrint lays out in CSS px; findings give points
MIN_DPI = 300  # what a print shop asks of a halftone at its printed size
_NOWHERE = SourceLoc("")


def layout_findings(book: Book, document: weasyprint.Document) -> list[Diagnostic]:
    """Findings read off the laid-out pages, each placed on its page by index (``"0"``, ``"1"``, …)."""
    out: list[Diagnostic] = []
    where = boxes.anchor_pages(document)
    documents = [doc for doc in book.documents if doc.anchor in where]  # a part holds some of them
    owner = _block_owners(documents)
    for index, page in enumerate(document.pages):
        page_box = boxes.page_box(page)
        left = page_box.content_box_x()
        right = left + page_box.width
        trim_right = page_box.margin_width()
        seen: set[str | None] = set()

        def walk(box, key: str | None, index: int = index) -> None:
            if "pnum" in boxes.classes(box) or boxes.is_generated(box):
                return  # margin numbers and generated text stand outside the column by design
            key = boxes.attribute(box, "data-key") or key
            doc, block, loc = owner.get(key or "", (None, None, _NOWHERE))
            image = getattr(box, "replacement", None)
            if isinstance(image, RasterImage) and box.width:
                dpi = image.width / (box.width / 96)
                if dpi < MIN_DPI - 0.5:
                    out.append(Diagnostic(
                        "W409", loc, f"image printed at {dpi:.0f} dpi ({image.width} pixels across {box.width * _PX / 72:.2f} in)",
                        f"supply it with at least {round(MIN_DPI * box.width / 96)} pixels across, or print it smaller",
                        Place(doc, block, str(index), (box.position_x * _PX, box.position_y * _PX, box.width * _PX, box.height * _PX)),
                    ))
            if (boxes.is_text(box) or boxes.is_replaced(box) or boxes.kind(box) == "TableBox") and box.width:
                x0, x1 = box.position_x, box.position_x + box.margin_width()
                if (x1 > right + 1 or x0 < left - 1) and key not in seen:
                    seen.add(key)
                    beyond = "the trim" if x1 > trim_right else "the text block"
                    out.append(Diagnostic(
                        "W406", loc, f"content runs past {beyond} by {(x1 - right) * _PX:.0f} pt",
                        "break the long word or URL, or narrow the table or image",
                        Place(doc, block, str(index), (x0 * _PX, box.position_y * _PX, (x1 - x0) * _PX, box.height * _PX)),
                    ))
            for child in boxes.children(box):
                walk(child, key)

        for child in boxes.flow_blocks(page):
            walk(child, None)

    for doc in documents:
        blocks = [b for b in walk_blocks(doc.body) if isinstance(b, (Paragraph, Heading))]
        for heading, following in zip(blocks, blocks[1:]):
            if isinstance(heading, Heading) and heading.anchor in where and following.anchor in where:
                if where[following.anchor] != where[heading.anchor]:
                    out.append(Diagnostic("W407", heading.loc, "heading left at the foot of a page",
                                          "its text begins on the next page",
                                          Place(doc.number, heading.anchor, str(where[heading.anchor]))))
    return out


def _block_owners(documents: list[Document]) -> dict[str, tuple[int | None, str | None, SourceLoc]]:
    """Block key -> (document number, paragraph, heading or image id, where the block is written)."""
    out: dict[str, tuple[int | None, str | None, SourceLoc]] = {}
    for doc in documents:
        out[doc.anchor] = (doc.number, None, doc.loc)
        for block in walk_blocks(doc.text_blocks):
            if isinstance(block, (Paragraph, Heading, Figure)) and block.key:
                out[block.key] = (doc.number, block.anchor, block.loc)
    return out
