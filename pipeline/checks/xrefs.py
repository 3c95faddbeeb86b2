"""Cross-references that lead nowhere: a ``doc:`` link to a document or paragraph the book lacks."""

from __future__ import annotations

from pipeline.diagnostics import Diagnostics
from pipeline.model import Book, CrossRef, iter_inlines


def check_cross_references(book: Book, diags: Diagnostics) -> None:
    """Reads ``CrossRef`` nodes; reports W113 for each without a target."""
    for doc in book.documents:
        for node in iter_inlines(doc.all_blocks):
            if isinstance(node, CrossRef) and node.anchor is None:
                target = f"Document No. {node.document}" + (f", § {node.paragraph}" if node.paragraph else "")
                diags.add("W113", node.loc, f"cross-reference to {target}, which the book does not have",
                          "check the number; the link text is printed without a link")
