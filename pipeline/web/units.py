"""A document read in order for the web edition: where each printed page begins, and the pieces
search finds (a numbered paragraph, a heading, a figure or table, the opening, a note).

The printed pages come from the ``PageBreak`` markers the print layout put into the model (the
same ones the EPUB's page-list is made of), so "p. 213" on the web is the print's page 213.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import (
    INLINE_CONTAINERS,
    BlockQuote,
    Code,
    CrossRef,
    Document,
    Figure,
    Heading,
    Inline,
    Language,
    LineBreak,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
    Text,
)
from pipeline.render.inline import footnote_id


@dataclass
class Unit:
    """One search result's worth of a document. ``paragraph`` is its number when it is a
    numbered paragraph, ``note`` when it is a footnote; ``page`` the printed page it begins on;
    ``texts`` its words as (text, BCP 47 language) pieces, for the stemmer of each language."""

    document: int
    anchor: str
    paragraph: int | None = None
    note: int | None = None
    page: str | None = None
    texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(t for t, _ in self.texts).split())


@dataclass
class DocumentReading:
    """What reading a document gave: its units in order and the printed page of each anchor."""

    units: list[Unit]
    pages: dict[str, str]
    last_page: str | None


def read_document(doc: Document, language: str) -> DocumentReading:
    """Walk ``doc`` in reading order (its text in ``language`` unless it says otherwise)."""
    lang = doc.language or language
    state = {"page": doc.page_break}
    pages: dict[str, str] = {}
    opening = Unit(doc.number, doc.anchor, page=doc.page_break)
    opening.texts += [(doc.title, lang)] + [(t, language) for t in (doc.date, doc.translator) if t]
    units = [opening]

    def begin(anchor: str | None, **kw) -> Unit:
        if anchor is None:  # an unnumbered block belongs with what precedes it
            return units[-1]
        unit = Unit(doc.number, anchor, page=state["page"], **kw)
        if state["page"] is not None:
            pages[anchor] = state["page"]
        units.append(unit)
        return unit

    def run(unit: Unit, nodes: tuple[Inline, ...], current: str) -> None:
        for node in nodes:
            if isinstance(node, Text):
                unit.texts.append((node.text, current))
            elif isinstance(node, Code):
                unit.texts.append((node.text, current))
            elif isinstance(node, PageBreak):
                state["page"] = node.label
            elif isinstance(node, LineBreak):
                unit.texts.append((" ", current))
            elif isinstance(node, Language):
                run(unit, node.children, node.lang)
            elif isinstance(node, (CrossRef, *INLINE_CONTAINERS)):
                run(unit, node.children, current)

    def blocks(items, current: str) -> None:
        for b in items:
            if getattr(b, "page_break", None):
                state["page"] = b.page_break
            if isinstance(b, Paragraph):
                unit = begin(b.anchor, paragraph=b.number) if b.number else units[-1]
                if b.speaker:
                    unit.texts.append((b.speaker + ":", current))
                run(unit, b.inlines, current)
            elif isinstance(b, Heading):
                run(begin(b.anchor), b.inlines, current)
            elif isinstance(b, Figure):
                unit = begin(b.anchor)
                unit.texts.append((b.alt, current))
                run(unit, b.inlines, current)
            elif isinstance(b, Table):
                unit = begin(b.anchor)
                for cell in b.cells:
                    if cell.page_break:
                        state["page"] = cell.page_break
                    run(unit, cell.inlines, current)
            elif isinstance(b, BlockQuote):
                blocks(b.blocks, current)
            elif isinstance(b, ListBlock):
                for item in b.items:
                    blocks(item.blocks, current)

    blocks(doc.headnote, language)
    blocks(doc.body, lang)
    blocks(doc.source, language)
    last_page = state["page"]
    for note in doc.footnotes:
        unit = Unit(doc.number, footnote_id(doc.number, note.number), note=note.number)
        units.append(unit)
        for b in note.blocks:
            if isinstance(b, (Paragraph, Heading)):
                run(unit, b.inlines, lang)
    return DocumentReading(units, pages, last_page)
