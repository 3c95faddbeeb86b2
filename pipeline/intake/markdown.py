"""A Word file's tree (from mammoth) -> a press document: front matter and Markdown.

Word styles carry the front matter: ``Title`` (or the first ``Heading 1``) is the title, the
styles ``Headnote``, ``Source``, ``Translator`` and ``Date`` their keys. Headings become ``##``,
italics, bold, quotations, lists, tables, links and footnotes their Markdown. A paragraph that opens
``NAME:`` with a short name in capitals, or with a name that opens another paragraph too, is a
speaker turn, and the name joins ``speakers``. Omissions typed ``[...]``, ``(...)``, ``[ … ]`` or
``<...>`` become ``[…]``. Straight quotes and ``--`` are left for press's typography; every script
is kept as written (NFC).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from pipeline.intake.html import Element

#: Mammoth's style map: Word styles -> the HTML this module reads (classes mark front matter).
STYLE_MAP = "\n".join([
    "p[style-name='Title'] => h1.title:fresh",
    "p[style-name='Headnote'] => p.headnote:fresh",
    "p[style-name='Source'] => p.source:fresh",
    "p[style-name='Translator'] => p.translator:fresh",
    "p[style-name='Date'] => p.date:fresh",
    "p[style-name='Quote'] => blockquote > p:fresh",
    "p[style-name='Intense Quote'] => blockquote > p:fresh",
    "p[style-name='Block Text'] => blockquote > p:fresh",
    "p[style-name='Block Quotation'] => blockquote > p:fresh",
])

_OMISSION = re.compile(r"[\[(<]\s*(?:\.\s*){3}\s*[\])>]|[\[(<]\s*…\s*[\])>]")
# One to three words, each a capital and letters: "KISSINGER", "Dobrynin", "Van Well", "ГОРБАЧЁВ".
_TURN = re.compile(r"^\s*((?:[^\W\d_][\w'’.\-]*)(?: [^\W\d_][\w'’.\-]*){0,2}):\s")
_TRANSLATED_BY = re.compile(r"^\s*(?:translated by|translation by|translated from [^:]*by)\s+", re.IGNORECASE)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|!])")


@dataclass
class Draft:
    """A document as imported: its front matter, its Markdown body and notes, and what the editor should know."""

    title: str | None = None
    date: str | None = None
    translator: str | None = None
    headnote: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    speakers: list[str] = field(default_factory=list)
    dropped: Counter = field(default_factory=Counter)
    undescribed_images: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)  # speaker names typed in capitals, as written now

    def document(self, number: int) -> str:
        """The document file: front matter between ``---`` lines, then the text and its notes."""
        lines = ["---", f"number: {number}", f"title: {_quoted(self.title or '')}"]
        if self.date:
            lines.append(f"date: {_quoted(self.date)}")
        if self.translator:
            lines.append(f"translator: {_quoted(self.translator)}")
        if self.speakers:
            lines.append("speakers: [" + ", ".join(_quoted(s) for s in self.speakers) + "]")
        for key, paragraphs in (("headnote", self.headnote), ("source", self.source)):
            if paragraphs:
                lines.append(f"{key}: |")
                lines.extend(("  " + line) if line else "" for line in "\n\n".join(paragraphs).split("\n"))
        lines.append("---")
        text = "\n".join(lines) + "\n" + "\n\n".join(self.body) + "\n"
        if self.notes:
            text += "\n" + "\n".join(f"[^{label}]: {note}" for label, note in self.notes.items()) + "\n"
        return unicodedata.normalize("NFC", text)


def _quoted(text: str) -> str:
    """A YAML scalar that means exactly ``text`` (a JSON string is a YAML double-quoted scalar)."""
    return json.dumps(text, ensure_ascii=False)


def _escape(text: str) -> str:
    """Text as Markdown reads it back unchanged, omissions normalised to ``[…]``."""
    pieces = _OMISSION.split(text)
    escaped = [_MARKDOWN_SPECIAL.sub(r"\\\1", piece) for piece in pieces]
    return "[…]".join(escaped)


class _Writer:
    def __init__(self, draft: Draft, note_labels: dict[str, str]):
        self.draft = draft
        self.note_labels = note_labels  # mammoth's "footnote-1" -> the Markdown label "1"

    def inline(self, node: Element | str) -> str:
        if isinstance(node, str):
            return _escape(node.replace("\n", " "))
        inner = "".join(self.inline(c) for c in node.children)
        if node.tag in ("em", "i", "strong", "b"):
            mark = "*" if node.tag in ("em", "i") else "**"
            stripped = inner.strip()
            if not stripped:
                return inner
            lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
            return f"{lead}{mark}{stripped}{mark}{trail}"
        if node.tag == "sup" and (ref := node.elements("a")) and ref[0].attrs.get("href", "").startswith(("#footnote-", "#endnote-")):
            label = self.note_labels.get(ref[0].attrs["href"][1:])
            return f"[^{label}]" if label else ""
        if node.tag == "a":
            href = node.attrs.get("href", "")
            if re.match(r"(?i)https?://|mailto:", href):
                return f"[{inner}]({href.replace(')', '%29').replace(' ', '%20')})"
            return inner  # bookmarks inside the Word file lead nowhere in press
        if node.tag == "br":
            return "\\\n"
        if node.tag == "img":
            self.draft.dropped["image inside a line of text"] += 1
            return _escape(node.attrs.get("alt", ""))
        if node.tag in ("sup", "sub", "u", "s", "span", "p"):
            return inner
        self.draft.dropped[f"<{node.tag}>"] += 1
        return inner

    def inlines(self, element: Element) -> str:
        return "".join(self.inline(c) for c in element.children).strip()

    def blocks(self, element: Element, depth: int = 0) -> list[str]:
        out: list[str] = []
        for child in element.children:
            if isinstance(child, str):
                if child.strip():
                    out.append(_escape(child.strip()))
                continue
            tag = child.tag
            if tag == "p":
                images = child.elements("img")
                if images and not child.text().strip():
                    out.extend(self.image(img) for img in images)
                    continue
                text = self.inlines(child)
                if text:
                    out.append(text)
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                level = min(max(int(tag[1]), 2), 6)
                text = self.inlines(child)
                if text:
                    out.append("#" * level + " " + text.replace("\\\n", " "))
            elif tag == "blockquote":
                inner = self.blocks(child, depth)
                out.append("\n>\n".join("\n".join("> " + line if line else ">" for line in b.split("\n")) for b in inner))
            elif tag in ("ul", "ol"):
                out.append(self.list(child, depth))
            elif tag == "table":
                out.append(self.table(child))
            elif tag == "img":
                out.append(self.image(child))
            else:
                out.extend(self.blocks(child, depth))
        return out

    def list(self, element: Element, depth: int) -> str:
        lines = []
        for n, item in enumerate(element.elements("li"), start=1):
            marker = f"{n}." if element.tag == "ol" else "-"
            pad = " " * (len(marker) + 1)
            inline_parts = [c for c in item.children if isinstance(c, str) or c.tag not in ("ul", "ol", "p")]
            paragraphs = [self.inlines(p) for p in item.elements("p")]
            head = "".join(self.inline(c) for c in inline_parts).strip()
            texts = [t for t in [head, *paragraphs] if t]
            first = texts[0] if texts else ""
            lines.append(f"{marker} {first}")
            for more in texts[1:]:
                lines.append("")
                lines.append(pad + more)
            for sub in item.elements("ul", "ol"):
                lines.extend(pad + line if line else "" for line in self.list(sub, depth + 1).split("\n"))
        return "\n".join(lines)

    def table(self, element: Element) -> str:
        rows = [r for r in _descendants(element) if r.tag == "tr"]
        cells = [[self.inlines(c).replace("\\\n", " ").replace("|", "\\|") for c in r.elements("td", "th")] for r in rows]
        if not cells or not cells[0]:
            self.draft.dropped["empty table"] += 1
            return ""
        width = max(len(r) for r in cells)
        cells = [r + [""] * (width - len(r)) for r in cells]
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * width]
        lines += ["| " + " | ".join(r) + " |" for r in cells[1:]]
        return "\n".join(lines)

    def image(self, img: Element) -> str:
        alt = img.attrs.get("alt", "").strip()
        if not alt:
            self.draft.undescribed_images.append(img.attrs.get("src", ""))
        return f"![{_escape(alt)}]({img.attrs.get('src', '')})"


def _descendants(element: Element):
    for child in element.children:
        if isinstance(child, Element):
            yield child
            yield from _descendants(child)


def draft_from(tree: Element) -> Draft:
    """Read mammoth's tree into a ``Draft``."""
    draft = Draft()
    # Footnotes and endnotes come last, as an <ol> of <li id="footnote-N"> (or "endnote-N"); both
    # become press's notes, numbered in order of use.
    note_items: dict[str, Element] = {}
    for ol in [e for e in tree.elements("ol") if any(li.attrs.get("id", "").startswith(("footnote-", "endnote-")) for li in e.elements("li"))]:
        for li in ol.elements("li"):
            note_items[li.attrs.get("id", "")] = li
        tree.children.remove(ol)
    labels = {key: str(i) for i, key in enumerate(note_items, start=1)}
    writer = _Writer(draft, labels)
    for key, li in note_items.items():
        for a in [a for a in _descendants(li) if a.tag == "a" and a.attrs.get("href", "").startswith(("#footnote-ref-", "#endnote-ref-"))]:
            _remove(li, a)
        draft.notes[labels[key]] = " ".join(writer.inlines(p) for p in li.elements("p")) or writer.inlines(li)

    body_nodes: list[Element | str] = []
    for child in tree.children:
        if isinstance(child, Element) and child.tag == "h1" and draft.title is None:
            draft.title = child.text().strip()
            continue
        cls = child.attrs.get("class", "") if isinstance(child, Element) else ""
        if cls in ("headnote", "source"):
            text = writer.inlines(child)  # type: ignore[arg-type]
            if text:
                getattr(draft, cls).append(text)
        elif cls == "date" and isinstance(child, Element):
            draft.date = child.text().strip() or draft.date
        elif cls == "translator" and isinstance(child, Element):
            draft.translator = _TRANSLATED_BY.sub("", child.text().strip()) or draft.translator
        else:
            body_nodes.append(child)
    draft.body = writer.blocks(Element("body", children=body_nodes))
    _find_speakers(draft)
    return draft


def _remove(root: Element, target: Element) -> None:
    for child in root.children:
        if child is target:
            root.children.remove(child)
            return
        if isinstance(child, Element):
            _remove(child, target)


def _find_speakers(draft: Draft) -> None:
    """Names that open turns: a short name in capitals, or one that opens two paragraphs or more.

    A name typed in capitals (the typewriter's convention) is written as the name is written
    elsewhere in the file, or with capital initials, so that every turn of one speaker opens
    with one name: ``GROMYKO:`` and ``Gromyko:`` are one speaker, Gromyko.
    """
    openers = Counter(m[1] for block in draft.body if (m := _TURN.match(block)))
    by_person: dict[str, list[str]] = {}
    for name in openers:
        by_person.setdefault(name.casefold(), []).append(name)
    chosen: dict[str, str] = {}
    for forms in by_person.values():
        count = sum(openers[f] for f in forms)
        capitals = all(f.upper() == f for f in forms)
        if count < 2 and not capitals:
            continue
        written = next((f for f in forms if f.upper() != f), None) or _initials(forms[0])
        for form in forms:
            chosen[form] = written
    renamed = []
    for i, block in enumerate(draft.body):
        m = _TURN.match(block)
        if m and m[1] in chosen and chosen[m[1]] != m[1]:
            draft.body[i] = block.replace(m[1], chosen[m[1]], 1)
            renamed.append(f"{m[1]} as {chosen[m[1]]}")
    draft.speakers = list(dict.fromkeys(chosen[name] for name in openers if name in chosen))
    draft.renamed = sorted(set(renamed))


def _initials(name: str) -> str:
    """``VAN WELL`` -> ``Van Well``, ``ГРОМЫКО`` -> ``Громыко``, ``SMITH-JONES`` -> ``Smith-Jones``."""
    return "-".join(" ".join(w[:1] + w[1:].lower() for w in part.split(" ")) for part in name.split("-"))
