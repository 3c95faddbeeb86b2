"""Where each printed page begins in the text: the block (by its ``data-key``) and the word.

Read off the print layout once it is laid out. Text is gathered block by block in the order
WeasyPrint set it; margin numbers, running heads, footnotes and generated text (``::after``,
footnote calls) are left out, so the words counted are the words of the model's text. A page
that begins inside a word hyphenated across the page break begins, for the EPUB, at that word.
"""

from __future__ import annotations

import weasyprint

from pipeline.engine import boxes
from pipeline.pages import PageStart

_SKIP_CLASSES = {"pnum", "sr-only", "footnote"}
_HYPHENS = ("-", "\u2010", "\u00ad")


def _skipped(box) -> bool:
    if boxes.is_generated(box):
        return True  # generated content: footnote calls, "(p. 12)" after cross-references
    if boxes.tag(box) == "thead":
        return True  # a table's header rows, repeated on every page the table runs onto
    return bool(boxes.classes(box) & _SKIP_CLASSES)


def _words_before(text: str) -> int:
    """Complete words in ``text``; a word still running on (no space after it) is not complete."""
    words = text.split()
    if words and text and not text[-1].isspace():
        return len(words) - 1
    return len(words)


def page_starts(document: weasyprint.Document) -> list[PageStart]:
    """For every page whose main text holds words: the block and word it begins with."""
    gathered: dict[str, str] = {}
    starts: list[PageStart] = []

    for index, page in enumerate(document.pages):
        first: list[PageStart] = []

        def walk(box, key: str | None) -> None:
            if _skipped(box):
                return
            own_key = boxes.attribute(box, "data-key")
            if own_key and not boxes.is_text(box):
                key = own_key
            if boxes.is_replaced(box) and key is not None and not first:
                first.append(PageStart(index, key, 0))  # the page begins with an image
                return
            if boxes.is_line(box) and key in gathered and gathered[key] and not gathered[key][-1].isspace():
                if not gathered[key].endswith(_HYPHENS):
                    gathered[key] += " "  # lines end where a space was
            if boxes.is_text(box) and key is not None and box.text.strip():
                if not first:
                    first.append(PageStart(index, key, _words_before(gathered.get(key, ""))))
                gathered[key] = gathered.get(key, "") + box.text
                return
            for child in boxes.children(box):
                walk(child, key)

        for child in boxes.flow_blocks(page):  # the main flow; not margin boxes or footnotes
            walk(child, None)
        starts.extend(first)
    return starts
