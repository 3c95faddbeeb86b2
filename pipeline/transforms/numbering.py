"""Margin paragraph numbers and the ids that cite them (``doc37-p19``)."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Book, Document, Figure, Heading, NumberingPolicy, Paragraph, Table
from pipeline.transforms.walk import map_blocks, map_cells


def paragraph_anchor(document_number: int, paragraph_number: int) -> str:
    """The id of a numbered paragraph, shared by the EPUB and the PDF's named destinations."""
    return f"doc{document_number}-p{paragraph_number}"


def number_paragraphs(book: Book) -> Book:
    """Reads top-level paragraphs and ``book.numbering``; sets ``number`` and ``anchor`` (1..n per document).

    Order: headnote, body (speaker turns included), source note. Paragraphs inside block
    quotations, lists and footnotes are never numbered; headings get ``doc{N}-h{k}`` ids and
    images ``doc{N}-fig{k}``. Every paragraph, heading and image outside footnotes also gets a ``key`` (``doc{N}-b{k}``), by which
    the printed pages are mapped back into the text for the EPUB's page-list.
    """
    return replace(book, documents=tuple(_document(d, book.numbering) for d in book.documents))


def _document(doc: Document, policy: NumberingPolicy) -> Document:
    counter = 0
    headings = 0
    figures = 0
    tables = 0
    blocks = 0

    def keyed(block):
        """Every paragraph and heading, nested ones too, gets a key in reading order."""
        nonlocal blocks
        if isinstance(block, (Paragraph, Heading, Figure)):
            blocks += 1
            return replace(block, key=f"doc{doc.number}-b{blocks}")
        if isinstance(block, Table):  # and each cell, where a printed page may begin
            blocks += 1
            key = f"doc{doc.number}-b{blocks}"
            cells = iter(range(1, len(block.cells) + 1))
            return map_cells(replace(block, key=key), lambda cell: replace(cell, key=f"{key}-c{next(cells)}"))
        return block

    def part(blocks, numbered: bool):
        nonlocal counter, headings, figures, tables
        out = []
        for block in blocks:
            if isinstance(block, Paragraph) and numbered:
                counter += 1
                block = replace(block, number=counter, anchor=paragraph_anchor(doc.number, counter))
            elif isinstance(block, Heading):
                headings += 1
                block = replace(block, anchor=f"doc{doc.number}-h{headings}")
            elif isinstance(block, Figure):
                figures += 1
                block = replace(block, anchor=f"doc{doc.number}-fig{figures}")
            elif isinstance(block, Table):
                tables += 1
                block = replace(block, anchor=f"doc{doc.number}-tab{tables}")
            out.append(block)
        return tuple(out)

    doc = replace(
        doc,
        headnote=part(doc.headnote, policy.headnote),
        body=part(doc.body, policy.body),
        source=part(doc.source, policy.source),
    )
    return replace(
        doc,
        headnote=map_blocks(doc.headnote, keyed),
        body=map_blocks(doc.body, keyed),
        source=map_blocks(doc.source, keyed),
    )
