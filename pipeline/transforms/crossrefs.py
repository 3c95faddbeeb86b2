"""Cross-references between documents: ``[§ 19](doc:37#19)`` links and "Document No. 37" mentions
(in the book's language: "Document n° 37" in French, as its catalogue or ``labels:`` spell it)."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.model import Book, CrossRef, Heading, Inline, Link, Paragraph, SourceLoc, Text
from pipeline.transforms.numbering import paragraph_anchor
from pipeline.transforms.walk import map_document_blocks, map_documents, map_inlines
from pipeline.words import Words

_HREF = re.compile(r"doc:(\d+)(?:#(\d+))?")


def mention_pattern(label: str) -> re.Pattern:
    """A regex for a document named in running text as ``label`` spells it (``Document No. {number}``):
    any space in it may be a no-break space; the number is the group."""
    before, _, after = label.partition("{number}")
    literal = [r"[\s\u00a0]" if c.isspace() else re.escape(c) for c in before]
    start = r"\b" if before[:1].isalnum() else ""
    end = re.escape(after) if after else r"\b"
    return re.compile(start + "".join(literal) + r"(\d+)" + end)


def resolve_cross_references(book: Book) -> Book:
    """Reads ``doc:`` links and "Document No. n" in text; writes ``CrossRef`` nodes with their target id.

    Runs after paragraph numbering. A mention of a document the book does not hold stays text
    (a reader may name documents of another volume); a ``doc:`` link to a missing target keeps
    ``anchor=None`` and is reported by ``checks.xrefs``.
    """
    mentions = mention_pattern(Words(book.language, book.labels).messages["document"])
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
                return _mentions(node.text, loc, anchor, mentions)
            return None

        return map_inlines(inlines, resolve)

    def block(b):
        if isinstance(b, (Paragraph, Heading)):
            return replace(b, inlines=run(b.inlines, b.loc))
        return b

    return map_documents(book, lambda doc: map_document_blocks(doc, block))


def _mentions(text: str, loc: SourceLoc, anchor, pattern: re.Pattern) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in pattern.finditer(text):
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
