"""Paragraph numbers in the outer margin of both pages of a spread.

WeasyPrint has no ``float: outside``. The CSS sets every number in the left margin, out of the
text flow (``position: absolute``); once the book is laid out the side of each page is known,
and on rectos the number boxes are moved to the right margin at the same distance from the
text. Moving an out-of-flow box changes no line and no page break, so this costs no second
layout. It reads and moves laid-out boxes through ``boxes``, the one door to WeasyPrint's
private structures; tests/test_sample_pdf.py checks the result.
"""

from __future__ import annotations

import weasyprint

from pipeline.engine import boxes

NUMBER_CLASS = "pnum"


def _numbers_with_paragraphs(box, paragraph=None):
    """Yield (number box, its paragraph's box) for every margin number under ``box``."""
    for child in boxes.children(box):
        if NUMBER_CLASS in boxes.classes(child) and paragraph is not None:
            yield child, paragraph
            continue
        is_paragraph = getattr(child, "element_tag", None) == "p" and "numbered" in boxes.classes(child)
        yield from _numbers_with_paragraphs(child, child if is_paragraph else paragraph)


def _text_extent(box) -> tuple[float, float] | None:
    """Left and right edge of the glyphs inside ``box``."""
    texts = [d for d in boxes.descendants(box) if boxes.is_text(d)]
    if not texts:
        return None
    return min(t.position_x for t in texts), max(t.position_x + t.width for t in texts)


def place_numbers_outside(document: weasyprint.Document) -> int:
    """Move the margin numbers of every recto to its outer (right) margin; return how many moved."""
    moved = 0
    for page in document.pages:
        if not boxes.is_recto(page):
            continue
        for number, paragraph in _numbers_with_paragraphs(boxes.page_box(page)):
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
