"""Paragraph numbers in the outer margin of both pages of a spread.

WeasyPrint has no ``float: outside``. The CSS sets every number in the left margin, out of the
text flow (``position: absolute``); once the book is laid out the side of each page is known,
and on rectos the number boxes are moved to the right margin at the same distance from the
text. Moving an out-of-flow box changes no line and no page break, so this costs no second
layout. It reads WeasyPrint's laid-out boxes (``page._page_box``), which is private API: the
version is pinned in pyproject.toml and tests/test_sample_pdf.py checks the result.
"""

from __future__ import annotations

import weasyprint

NUMBER_CLASS = "pnum"


def _classes(box) -> list[str]:
    element = getattr(box, "element", None)
    if element is None or not hasattr(element, "get"):
        return []
    return (element.get("class") or "").split()


def _numbers_with_paragraphs(box, paragraph=None):
    """Yield (number box, its paragraph's box) for every margin number under ``box``."""
    for child in getattr(box, "children", ()):
        if NUMBER_CLASS in _classes(child) and paragraph is not None:
            yield child, paragraph
            continue
        is_paragraph = getattr(child, "element_tag", None) == "p" and "numbered" in _classes(child)
        yield from _numbers_with_paragraphs(child, child if is_paragraph else paragraph)


def _text_extent(box) -> tuple[float, float] | None:
    """Left and right edge of the glyphs inside ``box``."""
    texts = [d for d in box.descendants() if type(d).__name__ == "TextBox"]
    if not texts:
        return None
    return min(t.position_x for t in texts), max(t.position_x + t.width for t in texts)


def place_numbers_outside(document: weasyprint.Document) -> int:
    """Move the margin numbers of every recto to its outer (right) margin; return how many moved."""
    moved = 0
    for page in document.pages:
        page_box = page._page_box
        if page_box.page_type.side != "right":
            continue
        for number, paragraph in _numbers_with_paragraphs(page_box):
            extent = _text_extent(number)
            if extent is None:
                continue
            left, right = extent
            column_left = paragraph.content_box_x()
            column_right = column_left + paragraph.width
            gap = column_left - right  # the distance the CSS sets on versos
            number.translate(dx=(column_right + gap) - left)
            moved += 1
    return moved
