"""Footnote numbers, in the order of first reference through headnote, body and source note."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Book, Document, FootnoteRef, Inline, footnote_refs
from pipeline.transforms.walk import map_documents, map_inline_runs, map_inlines


def number_footnotes(book: Book) -> Book:
    """Reads ``FootnoteRef`` labels; numbers refs and notes 1..n per document, notes sorted by number."""
    return map_documents(book, _document)


def _document(doc: Document) -> Document:
    order: dict[str, int] = {}
    known = {note.label for note in doc.footnotes}
    for ref in footnote_refs(doc.text_blocks):
        if ref.label in known:  # a reference without a note was reported by the loader
            order.setdefault(ref.label, len(order) + 1)

    def renumber(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return map_inlines(inlines, lambda node: [replace(node, number=order.get(node.label, 0))]
                           if isinstance(node, FootnoteRef) else None)

    doc = map_inline_runs(doc, renumber)
    notes = [replace(n, number=order[n.label]) for n in doc.footnotes if n.label in order]
    return replace(doc, footnotes=tuple(sorted(notes, key=lambda n: n.number)))
