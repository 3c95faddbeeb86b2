"""The index as the templates print it: each entry's locators as linked text, in every format.

The print index and the EPUB's index document are rendered from the same entries by the same
template macro (``index.j2``); only the links differ (an id in the same PDF, or a document's file
in the EPUB) and what print adds, the pages where the cited paragraphs begin.

Locators read ``37 § 3–5, 19``: the document, then its paragraphs with consecutive ones joined,
documents separated by semicolons. In print ``both`` adds each document's pages, ``(212–14)``,
and ``pages`` cites the pages alone, ``212–14, 230``. Each locator is one link: a paragraph's
number, or where it has none (text before a document's first numbered paragraph, a book that
does not number them) its page, or in the EPUB and the web edition the document's number. The
pages ``both`` adds for numbered paragraphs are plain text, for the reader of the printed book:
as links they led to the same paragraphs as the numbers before them, two stops for each locator
in a screen reader's list of links and twice the tagged links to paint.

In print the numbers are not ``<a>`` elements: an index cites thousands of them, and the engine
lays out an inline box per element, five times the cost of the plain text. Print's locators are
plain text whose ``data-links`` lists each link's characters and target; the engine sets those
links on the laid-out lines (``engine/links.py``), where they become the same annotations and
tags an ``<a>`` would have made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

from pipeline.model import INDEX_ANCHOR, Book, IndexEntry, IndexKind, Locator
from pipeline.render.inline import epub_page_marker
from pipeline.transforms.index import collapse, entry_ids, runs, sub_id
from pipeline.words import Words


@dataclass(frozen=True)
class EntryView:
    """One entry (or sub-entry) as printed: heading, its id, locators, see and see-also references."""

    heading: str
    id: str
    locators: Markup
    see: Markup | None
    see_also: Markup | None
    subentries: tuple["EntryView", ...]
    pages: Markup = Markup("")  # the EPUB's markers of printed index pages that begin in this entry
    links: str = ""  # print: the locators' links as ``start-end:href`` character ranges (data-links)


@dataclass(frozen=True)
class KindView:
    """One kind of the index: its heading and its entries."""

    name: str
    heading: str
    entries: tuple[EntryView, ...]
    pages: Markup = Markup("")  # the EPUB's markers of printed index pages that begin at this heading


class IndexRenderer:
    """Renders the book's index for one target.

    ``href`` gives the link to an anchor; ``page_of`` (print only) its printed page; ``epub`` marks
    the EPUB Indexes 1.1 semantics (``epub:type``) on the locators and references, and the print
    index's pages (``book.index.page_breaks``) where they begin. ``ranges`` (print) gives the
    locators as plain text and their links as character ranges, for the engine to set.
    """

    def __init__(self, book: Book, words: Words, href: Callable[[str], str],
                 page_of: Callable[[str], str | None] | None = None, epub: bool = False, ranges: bool = False):
        assert book.index is not None
        self.book = book
        self.words = words
        self.href = href
        self.page_of = page_of
        self.epub = epub
        self.ranges = ranges
        self.mode = book.index.locators if page_of is not None else "paragraphs"
        self.ids = entry_ids(book.index)
        self.breaks: dict[str, list[str]] = {}
        for key, label in book.index.page_breaks if epub else ():
            self.breaks.setdefault(key, []).append(label)

    def page_markers(self, key: str) -> Markup:
        """The EPUB's markers of the printed index pages that begin in the element ``key``."""
        return Markup("").join(epub_page_marker(label) for label in self.breaks.get(key, ()))

    def kinds(self) -> list[KindView]:
        out = []
        for kind in self.book.index.kinds if self.book.index else ():
            if not kind.entries:
                continue
            heading = kind_heading(kind, self.words)
            entries = tuple(self._entry(e, self.ids[e.heading]) for e in kind.entries)
            out.append(KindView(kind.name, heading, entries, self.page_markers(f"{INDEX_ANCHOR}-{kind.name}")))
        return out

    def _type(self, name: str) -> Markup:
        return Markup(' epub:type="%s"') % name if self.epub else Markup("")

    def _entry(self, entry: IndexEntry, id_: str) -> EntryView:
        subs = tuple(self._entry(s, sub_id(id_, k)) for k, s in enumerate(entry.subentries, start=1))
        see = self._reference(entry.see, "index-xref-preferred") if entry.see else None
        also = Markup(", ").join(self._reference(t, "index-xref-related") for t in entry.see_also) if entry.see_also else None
        locators, links = self._written(self._tokens(entry.locators))
        return EntryView(entry.heading, id_, locators, see, also, subs, self.page_markers(id_), links)

    def _reference(self, heading: str, kind: str) -> Markup:
        return Markup('<a%s href="#%s">%s</a>') % (self._type(kind), self.ids.get(heading, ""), heading)

    def locators(self, locators: tuple[Locator, ...]) -> Markup:
        """An entry's locators as linked text (in print, as plain text: ``data-links``); empty when it has none."""
        return self._written(self._tokens(locators))[0]

    def _written(self, tokens: list) -> tuple[Markup, str]:
        """Locators as HTML, and in print (``ranges``) their links as ``data-links`` (``start-end:href``,
        counted in characters of the text, which is then plain)."""
        if self.ranges:
            plain: list[str] = []
            links: list[str] = []
            length = 0
            for token in tokens:
                if isinstance(token, str):
                    plain.append(token)
                    length += len(token)
                elif len(token) == 2:
                    anchor, text = token
                    links.append(f"{length}-{length + len(text)}:{self.href(anchor)}")
                    plain.append(text)
                    length += len(text)
            return escape("".join(plain)), " ".join(links)
        out = []
        locator = self._type("index-locator")
        for token in tokens:
            if isinstance(token, str):
                out.append(_html(token))
            elif token is _OPEN:
                out.append(f"<span{self._type('index-locator-range')}>")
            elif token is _CLOSE:
                out.append("</span>")
            else:
                out.append(f'<a{locator} href="{_html(self.href(token[0]))}">{_html(token[1])}</a>')
        return Markup("".join(out)), ""

    def _number(self, anchor: str | None, text: str) -> list:
        return [text] if anchor is None else [(anchor, text)]

    def _range(self, first: tuple[int, str | None], last: tuple[int, str | None]) -> list:
        """A locator or a range of two, the second shortened as Chicago does; an end without an
        anchor is plain text."""
        if first[0] == last[0]:
            return self._number(first[1], str(first[0]))
        short = collapse(first[0], last[0]).split("–", 1)[1]
        inner = self._number(first[1], str(first[0])) + ["–"] + self._number(last[1], short)
        return [_OPEN, *inner, _CLOSE] if self.epub else inner

    def _tokens(self, locators: tuple[Locator, ...]) -> list:
        """An entry's locators as tokens: a string is text, ``(anchor, text)`` a link, ``_OPEN`` and
        ``_CLOSE`` an EPUB range's span. Built as tokens and written once (``_written``): built as
        Markup, ninety thousand small strings were escaped and joined, most of the time the index's
        HTML took."""
        if not locators:
            return []
        if self.mode == "pages":
            return _joined(", ", self._pages(list(locators)))
        groups: dict[int, list[Locator]] = {}
        for loc in locators:
            groups.setdefault(loc.document, []).append(loc)
        out = []
        for document, locs in groups.items():
            numbered = {loc.paragraph: loc.anchor for loc in locs if loc.paragraph is not None}
            # text without a paragraph number is cited by the document's number (its page, in print)
            whole = next((loc.anchor for loc in locs if loc.paragraph is None), None)
            tokens = self._number(whole if self.mode != "both" else None, str(document))
            if numbered:
                spans = [self._range((a, numbered[a]), (b, numbered[b])) for a, b in runs(list(numbered))]
                tokens += ["\u00a0§\u00a0", *_joined(", ", spans)]
            if self.mode == "both":
                pages = self._pages(locs, linked=lambda loc: loc.paragraph is None)
                tokens += [" (", *_joined(", ", pages), ")"]
            out.append(tokens)
        return _joined("; ", out)

    def _pages(self, locators: list[Locator], linked: Callable[[Locator], bool] | None = None) -> list[list]:
        """The pages where the cited paragraphs begin, consecutive ones joined; a page is a link to
        the first cited paragraph on it that ``linked`` says it links for (every one by default),
        else plain text."""
        assert self.page_of is not None
        first_on: dict[int, str | None] = {}
        other: list[list] = []
        for loc in locators:
            label = self.page_of(loc.anchor) or "?"
            anchor = loc.anchor if linked is None or linked(loc) else None
            if label.isdigit():
                if first_on.get(int(label)) is None:
                    first_on[int(label)] = anchor
            else:  # a roman folio cannot be part of a range
                other.append(self._number(anchor, label))
        return other + [self._range((a, first_on[a]), (b, first_on[b])) for a, b in runs(list(first_on))]


def kind_heading(kind: IndexKind, words: Words) -> str:
    """A kind's heading as printed: the book's own, or the catalogue's word for a kind press knows."""
    return kind.heading or words(f"index_{kind.name}")


#: An EPUB range's span around its two ends (``IndexRenderer._tokens``).
_OPEN, _CLOSE = ("<span>",), ("</span>",)
_SPECIAL = re.compile("[&<>\"']")


def _html(text: str) -> str:
    """``text`` escaped for HTML, as markupsafe escapes it (locators and hrefs seldom need it)."""
    return str(escape(text)) if _SPECIAL.search(text) else text


def _joined(separator: str, groups: list[list]) -> list:
    out: list = []
    for k, group in enumerate(groups):
        if k:
            out.append(separator)
        out += group
    return out
