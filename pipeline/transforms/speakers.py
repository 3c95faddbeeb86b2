"""Speaker turns: a body paragraph opening ``Name:`` with Name among the document's speakers."""

from __future__ import annotations

from dataclasses import replace

from pipeline.model import Book, Document, Paragraph, Text
from pipeline.transforms.walk import map_documents


def mark_speaker_turns(book: Book) -> Book:
    """Reads body paragraphs' leading text and ``speakers``; sets ``Paragraph.speaker``, drops ``Name:``."""
    return map_documents(book, _document)


def _document(doc: Document) -> Document:
    if not doc.speakers:
        return doc
    # Longest first, so "Deng Xiaoping" wins over "Deng" when both are listed.
    names = sorted(doc.speakers, key=len, reverse=True)
    return replace(doc, body=tuple(_turn(b, names) if isinstance(b, Paragraph) else b for b in doc.body))


def _turn(para: Paragraph, names: list[str]) -> Paragraph:
    if not para.inlines or not isinstance(para.inlines[0], Text):
        return para
    first = para.inlines[0].text
    for name in names:
        if first.startswith(name + ":"):
            rest = first[len(name) + 1 :].lstrip()
            inlines = ((Text(rest),) if rest else ()) + para.inlines[1:]
            return replace(para, speaker=name, inlines=inlines)
    return para
