"""Typography on the tree: editorial omissions become ``Omission`` nodes tied to the word before."""

from __future__ import annotations

import re

from pipeline.model import Book, Inline, Omission, Text
from pipeline.transforms.walk import map_documents, map_inline_runs, map_inlines

# The typographer has already turned "..." into "…"; the dotted form is kept for safety.
_OMISSION = re.compile(r"\[(?:…|\.\.\.)\]")
_NBSP = "\u00a0"


def mark_omissions(book: Book) -> Book:
    """Reads text nodes; replaces ``[…]``/``[...]`` with ``Omission`` and binds it to the word before."""
    return map_documents(book, lambda doc: map_inline_runs(doc, _run))


def _run(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    return map_inlines(inlines, lambda node: _split(node.text) if isinstance(node, Text) else None)


def _split(text: str) -> list[Inline]:
    parts = _OMISSION.split(text)
    if len(parts) == 1:
        return [Text(text)]
    out: list[Inline] = []
    for i, part in enumerate(parts):
        if i < len(parts) - 1 and part.endswith(" "):
            # A non-breaking space keeps "[…]" on the line of the word it follows.
            part = part[:-1] + _NBSP
        if part:
            out.append(Text(part))
        if i < len(parts) - 1:
            out.append(Omission())
    return out
