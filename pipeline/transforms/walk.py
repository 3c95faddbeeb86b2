"""Helpers that rebuild a document's trees with a function applied to each block or inline run."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Sequence

from pipeline.model import (
    INLINE_CONTAINERS,
    Block,
    BlockQuote,
    Book,
    Document,
    Heading,
    Inline,
    ListBlock,
    Paragraph,
    Table,
    TableCell,
)


def map_inlines(nodes: tuple[Inline, ...], fn: Callable[[Inline], Sequence[Inline] | None]) -> tuple[Inline, ...]:
    """Rebuild an inline run: ``fn(node)`` gives the nodes that replace ``node`` (taken as they
    are), or None to keep it, in which case a container's children are rebuilt the same way."""
    out: list[Inline] = []
    for node in nodes:
        replaced = fn(node)
        if replaced is not None:
            out.extend(replaced)
        elif isinstance(node, INLINE_CONTAINERS):
            out.append(replace(node, children=map_inlines(node.children, fn)))
        else:
            out.append(node)
    return tuple(out)


def map_blocks(blocks: tuple[Block, ...], fn: Callable[[Block], Block]) -> tuple[Block, ...]:
    """Apply ``fn`` to every block, depth first, containers after their contents."""
    out = []
    for block in blocks:
        if isinstance(block, BlockQuote):
            block = replace(block, blocks=map_blocks(block.blocks, fn))
        elif isinstance(block, ListBlock):
            block = replace(block, items=tuple(replace(i, blocks=map_blocks(i.blocks, fn)) for i in block.items))
        out.append(fn(block))
    return tuple(out)


def map_cells(table: Table, fn: Callable[[TableCell], TableCell]) -> Table:
    """Apply ``fn`` to every cell of a table."""
    def rows(rows_):
        return tuple(tuple(fn(cell) for cell in row) for row in rows_)

    return replace(table, head=rows(table.head), body=rows(table.body))


def map_document_blocks(doc: Document, fn: Callable[[Block], Block]) -> Document:
    """Apply ``fn`` to every block of a document: headnote, body, source note and footnotes."""
    return replace(
        doc,
        headnote=map_blocks(doc.headnote, fn),
        body=map_blocks(doc.body, fn),
        source=map_blocks(doc.source, fn),
        footnotes=tuple(replace(n, blocks=map_blocks(n.blocks, fn)) for n in doc.footnotes),
    )


def map_inline_runs(doc: Document, fn: Callable[[tuple[Inline, ...]], tuple[Inline, ...]]) -> Document:
    """Apply ``fn`` to the inline content of every paragraph and heading of a document."""

    def on_block(block: Block) -> Block:
        if isinstance(block, (Paragraph, Heading)):
            return replace(block, inlines=fn(block.inlines))
        if isinstance(block, Table):
            return map_cells(block, lambda cell: replace(cell, inlines=fn(cell.inlines)))
        return block

    return map_document_blocks(doc, on_block)


def map_documents(book: Book, fn: Callable[[Document], Document]) -> Book:
    return replace(book, documents=tuple(fn(d) for d in book.documents))

