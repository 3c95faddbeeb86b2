"""Bare web addresses in the text become links, in every format."""

from __future__ import annotations

import re

from pipeline.model import Book, CrossRef, Inline, Link, Text
from pipeline.transforms.walk import map_documents, map_inline_runs, map_inlines

# An address runs to the next space or angle bracket; what ends a sentence around it is not part of it.
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"’”»"


def link_bare_urls(book: Book) -> Book:
    """Reads text nodes; writes a ``Link`` around each bare ``http(s)://`` or ``www.`` address."""
    return map_documents(book, lambda doc: map_inline_runs(doc, _run))


def _run(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    def link(node: Inline) -> list[Inline] | None:
        if isinstance(node, (Link, CrossRef)):
            return [node]  # already a link: its words stay as written
        if isinstance(node, Text) and ("://" in node.text or "www." in node.text.lower()):
            return _split(node.text)
        return None

    return map_inlines(inlines, link)


def _split(text: str) -> list[Inline]:
    out: list[Inline] = []
    pos = 0
    for m in _URL.finditer(text):
        url = _trimmed(m[0])
        if m.start() > pos:
            out.append(Text(text[pos : m.start()]))
        href = url if "://" in url else "https://" + url
        out.append(Link(href, (Text(url),)))
        pos = m.start() + len(url)
    if pos < len(text):
        out.append(Text(text[pos:]))
    return out


def _trimmed(url: str) -> str:
    """The address without the punctuation that closes the sentence or bracket around it."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url
