"""Footnote numbers, in the order of first reference through headnote, body and source note."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Book, Document, Emphasis, FootnoteRef, Inline, Link, Strong, footnote_refs
from pipeline.transforms.walk import map_documents, map_inline_runs


def number_footnotes(book: Book) -> Book:
    """Reads ``FootnoteRef`` labels; numbers refs and notes 1..n per document, notes sorted by number."""
    return map_documents(book, _document)


def _document(doc: Document) -> Document:
    order: dict[str, int] = {}
    known = {note.label for note in doc.footnotes}
    for ref in footnote_refs(doc.headnote + doc.body + doc.source):
        if ref.label in known:  # a reference without a note was reported by the loader
            order.setdefault(ref.label, len(order) + 1)

    def renumber(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out = []
        for node in inlines:
            if isinstance(node, FootnoteRef):
                node = replace(node, number=order.get(node.label, 0))
            elif isinstance(node, (Emphasis, Strong, Link)):
                node = replace(node, children=renumber(node.children))
            out.append(node)
        return tuple(out)

    doc = map_inline_runs(doc, renumber)
    notes = [replace(n, number=order[n.label]) for n in doc.footnotes if n.label in order]
    return replace(doc, footnotes=tuple(sorted(notes, key=lambda n: n.number)))
