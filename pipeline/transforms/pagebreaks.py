"""Printed page breaks carried into the model as ``PageBreak`` nodes, for the EPUB's page-list
(and, for the print index's pages, as the index's ``page_breaks``).

Unlike the other transforms this one reads where the print layout began each page (``PageStart``,
read off the pages by ``engine.pagemap``), so it runs after layout, on the model the EPUB is
written from.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import (
    INLINE_CONTAINERS,
    Book,
    Figure,
    Heading,
    Inline,
    LineBreak,
    Omission,
    PageBreak,
    Paragraph,
    Table,
    TableCell,
    Text,
)
from pipeline.pages import PageStart
from pipeline.transforms.index import index_element_ids
from pipeline.transforms.walk import map_cells, map_document_blocks, map_documents


def insert_page_breaks(book: Book, starts: list[PageStart], labels: list[str]) -> Book:
    """Reads page starts (block key, words before); writes a ``PageBreak`` before that word."""
    by_key: dict[str, list[tuple[int, str]]] = {}
    for start in starts:
        by_key.setdefault(start.key, []).append((start.words_before, labels[start.index]))

    def block(b):
        if isinstance(b, (Paragraph, Heading)) and b.key in by_key:
            inlines, at_start = b.inlines, None
            speaker_words = len(b.speaker.split()) if isinstance(b, Paragraph) and b.speaker else 0
            # Later breaks first, so earlier word positions stay valid.
            for words, label in sorted(by_key[b.key], reverse=True):
                if words <= speaker_words:  # the page begins with the block: mark it before its number
                    at_start = label
                else:
                    inlines = insert_at_word(inlines, words - speaker_words, PageBreak(label))
            return replace(b, inlines=inlines, page_break=at_start)
        if isinstance(b, Figure) and b.key in by_key:  # a page that begins with an image
            return replace(b, page_break=by_key[b.key][0][1])
        if isinstance(b, Table):  # a page that begins in a cell (never in a repeated header row)
            return map_cells(b, cell)
        return b

    def cell(c: TableCell) -> TableCell:
        if c.key not in by_key:
            return c
        inlines, at_start = c.inlines, None
        for words, label in sorted(by_key[c.key], reverse=True):
            if words == 0:
                at_start = label
            else:
                inlines = insert_at_word(inlines, words, PageBreak(label))
        return replace(c, inlines=inlines, page_break=at_start)

    def document(doc):
        doc = map_document_blocks(doc, block)
        if doc.anchor in by_key:
            doc = replace(doc, page_break=by_key[doc.anchor][0][1])
        return doc

    book = map_documents(book, document)
    if book.index is not None:
        # The print index's pages, marked by the entry (or kind heading) each begins in: the EPUB's
        # index cites paragraphs where print may cite pages too, so a word count inside an entry
        # would not fall on the same word; a page that begins inside an entry is marked at its start.
        ids = index_element_ids(book.index)
        marks = tuple((s.key, labels[s.index]) for s in sorted(starts, key=lambda s: s.index) if s.key in ids)
        book = replace(book, index=replace(book.index, page_breaks=marks))
    return book


def insert_at_word(inlines: tuple[Inline, ...], words: int, marker: Inline) -> tuple[Inline, ...]:
    """Insert ``marker`` before the word that has ``words`` words before it."""
    state = {"seen": 0, "in_word": False, "done": False}

    def run(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in nodes:
            if state["done"]:
                out.append(node)
            elif isinstance(node, Text):
                out.extend(split_text(node.text))
            elif isinstance(node, INLINE_CONTAINERS):
                out.append(replace(node, children=run(node.children)))
            elif isinstance(node, Omission):  # "[…]" counts as a word of its own
                if not state["in_word"] and state["seen"] == words:
                    out.append(marker)
                    state["done"] = True
                out.append(node)
                state["seen"] += 0 if state["in_word"] else 1
                state["in_word"] = True
            else:
                if isinstance(node, LineBreak):
                    state["in_word"] = False
                out.append(node)
        return tuple(out)

    def split_text(text: str) -> list[Inline]:
        for i, ch in enumerate(text):
            if ch.isspace():
                state["in_word"] = False
            elif not state["in_word"]:
                if state["seen"] == words:
                    state["done"] = True
                    return [n for n in (Text(text[:i]) if i else None, marker, Text(text[i:])) if n is not None]
                state["seen"] += 1
                state["in_word"] = True
        return [Text(text)]

    result = run(inlines)
    if not state["done"]:  # fewer words than counted (should not happen): mark the block's end
        result = result + (marker,)
    return result
