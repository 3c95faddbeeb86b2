"""Mammoth's HTML of a Word file, read back into a small tree press turns into Markdown.

Mammoth (BSD-2-Clause, pure Python) does the hard part of reading Word: styles, runs, footnotes,
lists, images. Its HTML is regular and small (p, h1–h6, em, strong, a, sup, br, ul/ol/li, table,
blockquote, img), so the standard library's HTML parser reads it into ``Element`` nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

#: Elements that never have content.
_VOID = {"br", "img", "hr"}


@dataclass
class Element:
    """An HTML element from mammoth: its tag, attributes and children (elements or text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Element | str"] = field(default_factory=list)

    def text(self) -> str:
        """All the text inside, without markup."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def elements(self, *tags: str) -> list["Element"]:
        return [c for c in self.children if isinstance(c, Element) and (not tags or c.tag in tags)]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("body")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    """The body of mammoth's HTML as a tree."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
