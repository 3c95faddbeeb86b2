"""Columns filled in one pass where a page is full: the index's two columns laid out once.

WeasyPrint lays a multi-column box out twice on every page: once at the page's full height, to
learn whether its content fits there (and, on the page where it does, to balance the columns),
then again to place the columns it settled on. On a page the content overflows, the second pass
is the first again, at the same height from the same point, each column moved across. A print
index is nothing but such pages, so half of its line breaking was thrown away.

``columns_layout`` takes the engine's place for a multi-column box and lays each column out once,
where it stands, with what the engine's second pass would be given. When the columns hold the
rest of the content (the last page, balanced) or anything it does not vouch for is there, it
puts back what it laid out, as the engine does between its passes, and hands the box to the
engine. What it vouches for: columns of in-flow blocks (no spanning element, float, footnote,
absolute, fixed or running element, forced break, given height or min-height, positioned
container), on the boxes of WeasyPrint 70 (pinned in pyproject.toml).
"""

from __future__ import annotations

import weakref
from math import floor, inf

from weasyprint.layout import block as _block
from weasyprint.layout import column as _column
from weasyprint.layout.percent import percentage

#: The engine's own, for what this module does not vouch for.
ENGINE_COLUMNS = _column.columns_layout

_FORCED = {"page", "left", "right", "recto", "verso", "column"}
_plain: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a child box -> whether it is in-flow blocks only


def _in_flow(box) -> bool:
    """Whether ``box`` and everything in it stays in the flow of its column (cached per box:
    the same children are looked at on every page the columns run over)."""
    known = _plain.get(box)
    if known is None:
        style = box.style
        known = (style["float"] == "none" and style["position"] in ("static", "relative")
                 and style["break_before"] not in _FORCED and style["break_after"] not in _FORCED
                 and style["column_span"] != "all" and getattr(box, "footnote", None) is None
                 and all(_in_flow(child) for child in getattr(box, "children", ())))
        _plain[box] = known
    return known


def _vouched(box, children) -> bool:
    """Whether the columns of ``box`` on this page (``children`` left to lay out) are ones this
    module lays out as the engine would: a static box of no given height, in-flow blocks in it."""
    style = box.style
    if not children or style["position"] != "static" or style["height"] != "auto":
        return False
    if style["min_height"] != "auto" and style["min_height"].value != 0:
        return False
    if style["max_height"].value != inf:
        return False
    return all(_in_flow(child) for child in children)


def _count_and_width(box) -> tuple[int, float, float]:
    """The number of columns, their width and the gap, as CSS Multi-column Layout (3.4) gives them."""
    style = box.style
    gap = style["font_size"] if style["column_gap"] == "normal" else percentage(style["column_gap"], style, box.width)
    width, count = style["column_width"], style["column_count"]
    if width == "auto":  # a count alone
        count = max(1, count)
        return count, max(0, box.width - (count - 1) * gap) / count, gap
    fits = max(1, floor((box.width + gap) / (width + gap)))
    count = fits if count == "auto" else max(1, min(count, fits))
    return count, (box.width + gap) / count - gap, gap


def columns_layout(context, box, bottom_space, skip_stack, containing_block, page_is_empty,
                   absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style, first_line_style):
    """Lay the multi-column ``box`` out on this page (WeasyPrint's signature and return value)."""
    engine = (context, box, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes,
              fixed_boxes, adjoining_margins, first_letter_style, first_line_style)
    skip, = skip_stack.keys() if skip_stack else (0,)
    if not _vouched(box, box.children[skip:]):
        return ENGINE_COLUMNS(*engine)
    laid = box.copy_with_children(box.children)
    laid.position_y += _block.collapse_margin(adjoining_margins)
    _block.block_level_width(laid, containing_block)
    count, width, gap = _count_and_width(laid)
    children = [child.copy() for child in laid.children[skip:]]
    top = laid.content_box_y()
    resume: dict | None = {0: skip_stack[skip]} if skip_stack else None
    columns: list = []
    absolutes: list = []
    fixeds: list = []
    next_page = {"break": "any", "page": None}
    context.in_column = True
    try:
        for i in range(count):
            column = _column._create_column_box(laid, containing_block, children, width, top)
            if laid.style["direction"] == "rtl":
                column.position_x += laid.width - (i + 1) * width - i * gap
            else:
                column.position_x += i * (width + gap)
            laid_column, resume, next_page, _, _, _ = _block.block_box_layout(
                context, column, bottom_space, resume, containing_block, page_is_empty, absolutes, fixeds,
                None, first_letter_style, first_line_style, discard=False, max_lines=None)
            if laid_column is None:
                break
            columns.append(laid_column)
            if resume is None:
                break
    finally:
        context.in_column = False
    if resume is None or len(columns) < count:
        # the last page (balanced), or a column that took nothing: the engine's way
        _block.remove_placeholders(context, columns, absolutes, fixeds)
        return ENGINE_COLUMNS(*engine)
    absolute_boxes.extend(absolutes)
    fixed_boxes.extend(fixeds)
    tallest = max(column.margin_height() for column in columns)
    for column in columns:
        column.height = tallest
    laid.children = columns
    laid.height = min(context.page_bottom - top - bottom_space, tallest)
    (at,) = resume.keys()
    return laid, {skip + at: resume[at]}, next_page, [], False


def install() -> None:
    """Make ``columns_layout`` the engine's way to lay out a multi-column box (the block layout
    calls it by the name it imported)."""
    _block.columns_layout = columns_layout
