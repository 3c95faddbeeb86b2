"""WeasyPrint's laid-out boxes, read through one door.

press reads the pages WeasyPrint has laid out (which side a page is on, whether it is a blank
page the engine inserted, the boxes on it, their classes and ``data-key``s) and moves a few
boxes (margin numbers, in ``margins``). None of that is public API: ``page._page_box`` and
the box classes belong to **WeasyPrint 70.0**, the version pinned in pyproject.toml
(``ENGINE_VERSION``). Every such access is in this module, so that an upgrade is checked here
and in ``tests/test_engine.py``, which lays out a small page and reads it through these
functions.
"""

from __future__ import annotations

from typing import Any, Iterator

import weasyprint

#: The WeasyPrint release whose private structures this module reads.
ENGINE_VERSION = "70.0"


def page_box(page: weasyprint.Page) -> Any:
    """The root box of a laid-out page (private: ``Page._page_box``)."""
    return page._page_box


def is_blank(page: weasyprint.Page) -> bool:
    """Whether WeasyPrint inserted this page empty (a blank verso before a recto)."""
    return bool(page_box(page).page_type.blank)


def is_recto(page: weasyprint.Page) -> bool:
    """Whether the page is a right-hand page."""
    return page_box(page).page_type.side == "right"


def kind(box: Any) -> str:
    """The box's class name: ``BlockBox``, ``LineBox``, ``TextBox``, ``InlineReplacedBox``, …"""
    return type(box).__name__


def is_text(box: Any) -> bool:
    return kind(box) == "TextBox"


def is_inline(box: Any) -> bool:
    """An inline box of an element (a ``span`` or an ``a`` on one line), not its text."""
    return kind(box) == "InlineBox"


def is_line(box: Any) -> bool:
    return kind(box) == "LineBox"


def is_replaced(box: Any) -> bool:
    """An image (inline or block)."""
    return kind(box) in ("InlineReplacedBox", "BlockReplacedBox")


def is_flow_block(box: Any) -> bool:
    """A block box of the page's main flow (not a margin box, not the footnote area)."""
    return kind(box) == "BlockBox"


def is_generated(box: Any) -> bool:
    """Generated content (``::before``, ``::after``, ``::footnote-call``), not the manuscript's text."""
    return "::" in (getattr(box, "element_tag", "") or "")


def element_of(box: Any) -> Any:
    """The HTML element the box was made for, or None."""
    element = getattr(box, "element", None)
    return element if element is not None and hasattr(element, "get") else None


def tag(box: Any) -> str | None:
    """The tag of the box's element (``p``, ``thead``), or None."""
    element = element_of(box)
    return element.tag if element is not None else None


def classes(box: Any) -> set[str]:
    """The CSS classes of the box's element."""
    element = element_of(box)
    return set((element.get("class") or "").split()) if element is not None else set()


def attribute(box: Any, name: str) -> str | None:
    """An attribute of the box's element (``data-key``, ``src``), or None."""
    element = element_of(box)
    return element.get(name) if element is not None else None


def children(box: Any) -> tuple:
    return tuple(getattr(box, "children", ()))


def descendants(box: Any) -> Iterator[Any]:
    """The box and every box under it, depth first."""
    yield box
    for child in children(box):
        yield from descendants(child)


def flow_blocks(page: weasyprint.Page) -> Iterator[Any]:
    """The top-level boxes of the page's main flow."""
    return (child for child in children(page_box(page)) if is_flow_block(child))


def anchor_pages(document: weasyprint.Document) -> dict[str, int]:
    """Element id -> index of the page where it starts (the first page it appears on)."""
    where: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for anchor in page.anchors:
            where.setdefault(anchor, index)
    return where
