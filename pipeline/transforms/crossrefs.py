"""Cross-references between documents: ``[§ 19](doc:37#19)`` links and "Document No. 37" mentions."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.model import Book, CrossRef, Heading, Inline, Link, Paragraph, SourceLoc, Text
from pipeline.transforms.numbering import paragraph_anchor
from pipeline.transforms.walk import map_document_blocks, map_documents, map_inlines

_HREF = re.compile(r"doc:(\d+)(?:#(\d+))?")
_MENTION = re.compile(r"\bDocument No\.[\s\u00a0](\d+)\b")


def resolve_cross_references(book: Book) -> Book:
    """Reads ``doc:`` links and "Document No. n" in text; writes ``CrossRef`` nodes with their target id.

    Runs after paragraph numbering. A mention of a document the book does not hold stays text
    (a reader may name documents of another volume); a ``doc:`` link to a missing target keeps
    ``anchor=None`` and is reported by ``checks.xrefs``.
    """
    targets: dict[int, set[int]] = {
        doc.number: {b.number for b in doc.text_blocks if isinstance(b, Paragraph) and b.number}
        for doc in book.documents
    }

    def anchor(document: int, paragraph: int | None) -> str | None:
        if document not in targets:
            return None
        if paragraph is None:
            return f"doc{document}"
        return paragraph_anchor(document, paragraph) if paragraph in targets[document] else None

    def run(inlines: tuple[Inline, ...], loc: SourceLoc) -> tuple[Inline, ...]:
        def resolve(node: Inline) -> list[Inline] | None:
            if isinstance(node, Link) and (m := _HREF.fullmatch(node.href)):
                doc, para = int(m[1]), int(m[2]) if m[2] else None
                return [CrossRef(doc, para, node.children, loc, anchor(doc, para))]
            if isinstance(node, Text):
                return _mentions(node.text, loc, anchor)
            return None

        return map_inlines(inlines, resolve)

    def block(b):
        if isinstance(b, (Paragraph, Heading)):
            return replace(b, inlines=run(b.inlines, b.loc))
        return b

    return map_documents(book, lambda doc: map_document_blocks(doc, block))


def _mentions(text: str, loc: SourceLoc, anchor) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in _MENTION.finditer(text):
        target = anchor(int(m[1]), None)
        if target is None:
            continue
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        out.append(CrossRef(int(m[1]), None, (Text(m[0]),), loc, target))
        pos = m.end()
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out or [Text(text)]
