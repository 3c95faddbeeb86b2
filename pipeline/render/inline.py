"""Inline nodes -> HTML. Text is escaped here; the result is marked safe for the templates."""

from __future__ import annotations

import re
from typing import Callable

from markupsafe import Markup, escape

from pipeline.model import (
    Code,
    CrossRef,
    Emphasis,
    FootnoteRef,
    IndexMark,
    Inline,
    Language,
    LineBreak,
    Link,
    Omission,
    PageBreak,
    Strong,
    Text,
)

_URL_TEXT = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)
# Where the Chicago Manual of Style lets an address break, never with a hyphen: after the
# double slash, before a single slash, full stop, question mark, number sign, hyphen, tilde,
# underscore, percent or ampersand, and after an equals sign.
_BREAK = re.compile(r"(?<=//)|(?<=[^/:])(?=[/.?#\-~_%&])|(?<==)")


def url_breaks(text: str) -> Markup:
    """An address as text with ``<wbr/>`` where a line may break (WeasyPrint and reading systems both honour it)."""
    pieces = [piece for piece in _BREAK.split(text) if piece]
    return Markup("<wbr/>").join(escape(piece) for piece in pieces)


def lang_attributes(tag: str, target: str) -> Markup:
    """``lang`` for HTML; in the EPUB's XHTML ``xml:lang`` too, which XML reading systems go by."""
    if target == "epub":
        return Markup('lang="%s" xml:lang="%s"') % (tag, tag)
    return Markup('lang="%s"') % tag


def page_anchor(label: str) -> str:
    """The id of the marker where printed page ``label`` begins."""
    return f"page-{label}"


def epub_page_marker(label: str) -> Markup:
    """The EPUB's marker where printed page ``label`` begins (an empty span the page-list links to)."""
    return Markup('<span id="%s" role="doc-pagebreak" epub:type="pagebreak" aria-label="%s"></span>') % (page_anchor(label), label)


def footnote_id(document_number: int, number: int) -> str:
    return f"doc{document_number}-fn{number}"


def footnote_ref_id(document_number: int, number: int) -> str:
    return f"doc{document_number}-fnref{number}"


class InlineRenderer:
    """Renders inline runs for one target (``print``, ``epub`` or ``web``) within one document.

    Footnotes differ by target: in print the note's text stands where it is referenced, for
    WeasyPrint's ``float: footnote``; in the EPUB and on the web a reference links to an ``aside``.
    A printed page's start is an empty marker in the EPUB and a visible "p. 213" on the web
    (``page_word``; none when ``page_word`` is None: the book hides them). ``cite`` says whether
    paragraph numbers get a citation button (web).
    """

    def __init__(
        self, target: str, document_number: int, notes: dict[int, tuple[Inline, ...]], href: Callable[[str], str],
        page_of: Callable[[str], str | None] | None = None, omission: str = "omission",
        page_word: str | None = None, cite: bool = False,
    ):
        self.target = target
        self.href = href  # anchor id -> link target in this output (same file, or another chapter)
        self.page_of = page_of  # anchor id -> its printed page, when a part of the book is laid out alone
        self.document_number = document_number
        self.notes = notes
        self.omission = omission  # what a screen reader says for "[…]", in the book's language
        self.page_word = page_word
        self.cite = cite
        self._placed: set[int] = set()  # a note referenced twice is set (print) or targeted (EPUB) once

    def __call__(self, nodes: tuple[Inline, ...]) -> Markup:
        return Markup("").join(self.node(n) for n in nodes)

    def node(self, node: Inline) -> Markup:
        if isinstance(node, Text):
            return escape(node.text)
        if isinstance(node, Emphasis):
            return Markup("<em>%s</em>") % self(node.children)
        if isinstance(node, Strong):
            return Markup("<strong>%s</strong>") % self(node.children)
        if isinstance(node, Language):
            return Markup('<span %s>%s</span>') % (lang_attributes(node.lang, self.target), self(node.children))
        if isinstance(node, IndexMark):  # the index cites its paragraph; the words print as they are
            return self(node.children)
        if isinstance(node, Code):
            return Markup('<code>%s</code>') % node.text
        if isinstance(node, Link):
            if len(node.children) == 1 and isinstance(node.children[0], Text) and _URL_TEXT.match(node.children[0].text):
                return Markup('<a class="url" href="%s">%s</a>') % (node.href, url_breaks(node.children[0].text))
            return Markup('<a href="%s">%s</a>') % (node.href, self(node.children))
        if isinstance(node, LineBreak):
            return Markup("<br/>")
        if isinstance(node, Omission):
            # The brackets are hidden from screen readers, which hear "omission" instead.
            return Markup(
                '<span class="omission"><span aria-hidden="true">[…]</span>'
                '<span class="sr-only">(%s)</span></span>'
            ) % self.omission
        if isinstance(node, FootnoteRef):
            return self.footnote_ref(node)
        if isinstance(node, PageBreak):
            return self.page_break(node.label)
        if isinstance(node, CrossRef):
            if node.anchor is None:  # reported by checks.xrefs; the words stay
                return self(node.children)
            page = self.page_of(node.anchor) if self.page_of is not None else None
            if page is not None:
                return Markup('<a class="xref" href="%s" data-page="%s">%s</a>') % (
                    self.href(node.anchor), page, self(node.children))
            return Markup('<a class="xref" href="%s">%s</a>') % (self.href(node.anchor), self(node.children))
        raise TypeError(f"no HTML for {type(node).__name__}")

    def page_break(self, label: str) -> Markup:
        """An EPUB marker where a printed page begins; print has real pages instead."""
        if self.target == "print":
            return Markup("")
        if self.target == "web":
            if self.page_word is None:
                return Markup("")
            # Seen in the margin (or in the line, on a phone); the id is the EPUB's marker's.
            return Markup('<span class="page-mark" id="%s"><span class="page-label">%s\u00a0%s</span></span>') % (
                page_anchor(label), self.page_word, label)
        return epub_page_marker(label)

    def footnote_ref(self, ref: FootnoteRef) -> Markup:
        if not ref.number:  # reported by the loader; keep the editor's text visible
            return escape(f"[^{ref.label}]")
        n = ref.number
        if self.target == "print":
            if n in self._placed:
                return Markup('<sup class="noteref">%s</sup>') % n
            self._placed.add(n)
            return Markup('<span class="footnote" id="%s" data-n="%s">%s</span>') % (
                footnote_id(self.document_number, n),
                n,
                self(self.notes[n]),
            )
        # Only the first reference carries the id the note's back-link points to.
        ref_id = "" if n in self._placed else Markup(' id="%s"') % footnote_ref_id(self.document_number, n)
        self._placed.add(n)
        noteref = Markup(' epub:type="noteref"') if self.target == "epub" else Markup("")
        return Markup('<a class="noteref"%s role="doc-noteref"%s href="#%s">%s</a>') % (
            noteref,
            ref_id,
            footnote_id(self.document_number, n),
            n,
        )
