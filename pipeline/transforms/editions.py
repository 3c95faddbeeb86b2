"""A class edition: the whole reader's model narrowed to the edition's documents and title."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Book, CrossRef, Edition, Inline
from pipeline.transforms.index import narrow_index
from pipeline.transforms.walk import map_inline_runs, map_inlines


def select_edition(book: Book, edition: Edition) -> Book:
    """Reads ``edition``; keeps its documents in its order, unchanged (numbers, paragraph numbers, ids).

    A cross-reference to a document left out of the edition keeps its words but loses its link;
    the index cites only the edition's documents.
    """
    kept = set(edition.documents)

    def unlink(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return map_inlines(inlines, lambda node: [replace(node, anchor=None)]
                           if isinstance(node, CrossRef) and node.document not in kept else None)

    by_number = {doc.number: map_inline_runs(doc, unlink) for doc in book.documents if doc.number in kept}
    return replace(
        book,
        title=edition.title,
        subtitle=edition.subtitle if edition.subtitle is not None else book.subtitle,
        edition=replace(edition, reader_title=book.title),
        isbn=edition.isbn,  # the reader's ISBNs name another publication
        documents=tuple(by_number[n] for n in edition.documents),
        index=narrow_index(book.index, kept) if book.index is not None else None,  # only its documents are cited
    )
