"""Markdown text -> model blocks, through markdown-it-py's token stream.

markdown-it gives every block token the range of lines it came from, so each block carries
its ``SourceLoc``. Smart quotes, dashes and the ellipsis come from markdown-it's typographer
(on its tokens, before any HTML exists); the book's language picks the quotation marks.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_plugin
from mdit_py_plugins.footnote import footnote_plugin

from pipeline.diagnostics import Diagnostics
from pipeline.model import (
    Block,
    BlockQuote,
    Code,
    Emphasis,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    IndexMark,
    Inline,
    Language,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Paragraph,
    SourceLoc,
    Strong,
    Table,
    TableCell,
    Text,
)

# Quotation marks by primary language subtag: double open/close, single open/close.
_QUOTES = {
    "de": "„“‚‘",
    "fr": "«»‹›",
    "ru": "«»„“",
    "uk": "«»„“",
    "pl": "„”‚’",
    "cs": "„“‚‘",
}


#: A BCP 47 language tag as books use them: a language, then a script, region or variant.
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


def make_parser(language: str) -> MarkdownIt:
    """The one Markdown dialect of manuscripts: CommonMark, footnotes, no raw HTML."""
    quotes = _QUOTES.get(language.split("-")[0].lower(), "“”‘’")
    md = MarkdownIt("commonmark", {"typographer": True, "html": False, "quotes": quotes})
    # Definitions stay where they are written and every [^label] becomes a reference token,
    # so a note may be referenced from the headnote and defined in the body, and the loader
    # (not the parser) decides what a reference without a note means.
    # [words]{lang=ru} marks a passage in another language; only lang= is read (never an id or a
    # class from the manuscript), and only on such spans.
    return md.enable(["replacements", "smartquotes", "table"]).use(
        footnote_plugin, inline=False, move_to_end=False, always_match_refs=True
    ).use(attrs_plugin, spans=True)


def smart_text(language: str, text: str) -> str:
    """Plain text with the typographer's quotes, dashes and ellipses, and no other Markdown."""
    quotes = _QUOTES.get(language.split("-")[0].lower(), "“”‘’")
    md = MarkdownIt("zero", {"typographer": True, "quotes": quotes}).enable(["replacements", "smartquotes"])
    return "".join(child.content for child in md.parseInline(text, {})[0].children or [])


#: Block quotations and lists inside each other, at most. The parser's own limit (20 levels of
#: tokens, a list taking two) drops deeper text without a word; this one is met well before it.
MAX_BLOCK_DEPTH = 8
#: Emphasis, strong emphasis and links inside each other, at most: deeper is a typing slip, and
#: thousands of levels would exhaust Python's stack.
MAX_INLINE_DEPTH = 20

#: Makes a figure of an image token standing alone (src, description, caption), or reports why not.
FigureMaker = Callable[[str, str, str, SourceLoc], "Figure | None"]


class MarkdownReader:
    """Turns one text (a body, a headnote, a source note) into blocks and footnotes."""

    def __init__(self, parser: MarkdownIt, file: str, first_line: int, role: str, diags: Diagnostics,
                 figure: FigureMaker | None = None, folders: tuple[Path, Path] | None = None):
        self.folders = folders  # (the text's own folder, the manuscript's), where relative links lead
        self.parser = parser
        self.file = file
        self.first_line = first_line
        self.role = role
        self.diags = diags
        self.figure = figure

    def read(self, text: str) -> tuple[tuple[Block, ...], tuple[Footnote, ...]]:
        self._footnotes: list[Footnote] = []
        self._too_deep = False
        blocks, _ = self._blocks(self.parser.parse(text, {}), 0, stop=None)
        return tuple(blocks), tuple(self._footnotes)

    # -- blocks

    def _loc(self, token: Token | None) -> SourceLoc:
        if token is None or token.map is None:
            return SourceLoc(self.file, self.first_line)
        return SourceLoc(self.file, self.first_line + token.map[0])

    def _nested_too_deep(self, tok: Token, depth: int, limit: int, what: str) -> None:
        """Report, once per text, nesting beyond ``limit``: beyond it the parser drops text unsaid."""
        if depth >= limit and not self._too_deep:
            self._too_deep = True
            self.diags.add("E115", self._loc(tok), f"{what} nested more than {limit} deep, more than press sets",
                           "flatten the nesting: text nested deeper may be lost")

    def _blocks(self, tokens: list[Token], pos: int, stop: str | None, depth: int = 0) -> tuple[list[Block], int]:
        blocks: list[Block] = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok.type == stop:
                return blocks, pos
            if tok.type == "paragraph_open":
                loc = self._loc(tok)
                children = tokens[pos + 1].children or []
                image = _lone_image(children)
                if image is not None and self.figure is not None:
                    figure = self.figure(str(image.attrGet("src") or ""), image.content, str(image.attrGet("title") or ""), loc)
                    if figure is not None:
                        blocks.append(figure)
                else:
                    blocks.append(Paragraph(self._inlines(children, loc), loc, role=self.role))
                pos += 3
            elif tok.type == "heading_open":
                loc = self._loc(tok)
                blocks.append(Heading(int(tok.tag[1:]), self._inlines(tokens[pos + 1].children or [], loc), loc))
                pos += 3
            elif tok.type == "blockquote_open":
                self._nested_too_deep(tok, depth, MAX_BLOCK_DEPTH, "block quotations and lists")
                inner, pos = self._blocks(tokens, pos + 1, "blockquote_close", depth + 1)
                blocks.append(BlockQuote(tuple(inner), self._loc(tok)))
                pos += 1
            elif tok.type in ("bullet_list_open", "ordered_list_open"):
                close = tok.type.replace("_open", "_close")
                self._nested_too_deep(tok, depth, MAX_BLOCK_DEPTH, "block quotations and lists")
                items: list[ListItem] = []
                item_pos = pos + 1
                while tokens[item_pos].type == "list_item_open":
                    inner, item_pos = self._blocks(tokens, item_pos + 1, "list_item_close", depth + 1)
                    items.append(ListItem(tuple(inner), self._loc(tokens[item_pos])))
                    item_pos += 1
                assert tokens[item_pos].type == close
                start = int(tok.attrGet("start") or 1)
                blocks.append(ListBlock(tok.type.startswith("ordered"), tuple(items), self._loc(tok), start))
                pos = item_pos + 1
            elif tok.type in ("fence", "code_block"):
                # A reader has no code listings; keep the text as a plain paragraph.
                blocks.append(Paragraph((Code(tok.content.rstrip("\n")),), self._loc(tok), role=self.role))
                pos += 1
            elif tok.type == "footnote_reference_open":
                inner, pos = self._blocks(tokens, pos + 1, "footnote_reference_close")
                loc = inner[0].loc if inner else self._loc(None)
                for figure in (b for b in inner if isinstance(b, Figure)):
                    self.diags.add("W110", figure.loc, f"an image in a footnote is not placed: '{figure.alt}'",
                                   "place it in the text, in a paragraph of its own")
                inner = [b for b in inner if not isinstance(b, Figure)]
                self._footnotes.append(Footnote(tok.meta["label"], tuple(_plain(b) for b in inner), loc))
                pos += 1
            elif tok.type == "table_open":
                table, pos = self._table(tokens, pos)
                blocks.append(table)
            elif tok.type == "hr":
                pos += 1  # a thematic break carries no text; the layout spaces sections itself
            else:
                pos += 1
        return blocks, pos

    def _table(self, tokens: list[Token], pos: int) -> tuple[Table, int]:
        """A GFM table from ``table_open`` to its close: header rows, body rows, cells aligned by column."""
        loc = self._loc(tokens[pos])
        head: list[tuple[TableCell, ...]] = []
        body: list[tuple[TableCell, ...]] = []
        rows = head
        row: list[TableCell] = []
        pos += 1
        while tokens[pos].type != "table_close":
            tok = tokens[pos]
            if tok.type == "tbody_open":
                rows = body
            elif tok.type == "tr_close":
                rows.append(tuple(row))
                row = []
            elif tok.type in ("th_open", "td_open"):
                style = str(tok.attrGet("style") or "")
                align = style.removeprefix("text-align:") if style.startswith("text-align:") else None
                inline = tokens[pos + 1]
                row.append(TableCell(self._inlines(inline.children or [], self._loc(tok) if tok.map else loc),
                                     header=tok.type == "th_open", align=align))
                pos += 2
            pos += 1
        return Table(tuple(head), tuple(body), loc), pos + 1

    # -- inlines

    def _inlines(self, children: list[Token], loc: SourceLoc) -> tuple[Inline, ...]:
        out, _ = self._inline_run(children, 0, None, loc)
        return tuple(out)

    def _inline_run(
        self, toks: list[Token], pos: int, stop: str | None, loc: SourceLoc, depth: int = 0
    ) -> tuple[list[Inline], int]:
        out: list[Inline] = []
        while pos < len(toks):
            t = toks[pos]
            if t.type == stop:
                return out, pos
            if t.type == "text":
                _append_text(out, t.content)
            elif t.type == "softbreak":
                _append_text(out, " ")
            elif t.type == "hardbreak":
                out.append(LineBreak())
            elif t.type == "code_inline":
                out.append(Code(t.content))
            elif t.type == "span_open":
                inner, pos = self._inline_run(toks, pos + 1, "span_close", loc, depth + 1)
                out.extend(self._span(dict(t.attrs), tuple(inner), loc))
            elif t.type in ("em_open", "strong_open", "link_open") and depth >= MAX_INLINE_DEPTH:
                # The words stay; the markup this deep goes (and the build stops on the error).
                if not self._too_deep:
                    self._too_deep = True
                    self.diags.add("E115", loc, f"emphasis and links nested more than {MAX_INLINE_DEPTH} deep, more than press sets",
                                   "check the asterisks and brackets of this paragraph")
            elif t.type in ("em_open", "strong_open", "link_open"):
                inner, pos = self._inline_run(toks, pos + 1, t.type.replace("_open", "_close"), loc, depth + 1)
                if t.type == "em_open":
                    out.append(Emphasis(tuple(inner)))
                elif t.type == "strong_open":
                    out.append(Strong(tuple(inner)))
                elif self._followable(str(t.attrGet("href") or ""), loc):
                    out.append(Link(str(t.attrGet("href") or ""), tuple(inner)))
                else:
                    out.extend(inner)  # the words stay, without the link
            elif t.type == "footnote_ref":
                out.append(FootnoteRef(t.meta["label"], loc))
            elif t.type == "image":
                src = t.attrGet("src") or ""
                self.diags.add("W110", loc, f"image '{src}' stands inside a line of text and is not placed",
                               "give it a paragraph of its own; its description is printed instead")
                _append_text(out, t.content)
            pos += 1
        return out, pos


    def _span(self, attrs: dict, inner: tuple[Inline, ...], loc: SourceLoc) -> list[Inline]:
        """``[words]{lang=ru}``: the words in their language; ``[words]{.ix key="Heading"}``: an index
        mark; ``[words]{.noix}``: words the index must not find. The class and key are read, never
        passed on (a manuscript sets no element's id or class); anything else is reported and dropped."""
        lang = str(attrs.pop("lang", "") or "")
        classes = str(attrs.pop("class", "") or "").split()
        key = " ".join(str(attrs.pop("key", "") or "").split())
        mark: IndexMark | None = None
        if "ix" in classes and key:
            mark = IndexMark(key, (), loc)
            classes.remove("ix")
        elif "ix" in classes:
            self.diags.add("W118", loc, "an index mark {.ix} without key= is not read", 'write [words]{.ix key="Heading of the entry"}')
            classes.remove("ix")
        elif "noix" in classes:
            mark = IndexMark(None, (), loc)
            classes.remove("noix")
        elif key:
            attrs["key"] = key  # a key outside an index mark means nothing: reported below
        unread = sorted(attrs) + [f".{c}" for c in classes]
        if unread:
            self.diags.add("W118", loc, f"press reads only lang=, .ix key= and .noix in {{…}} after words in brackets, not {', '.join(unread)}",
                           'write [words]{lang=ru} for a passage in another language, [words]{.ix key="Heading"} for an index mark')
        if lang and not LANGUAGE_TAG.fullmatch(lang):
            self.diags.add("E108", loc, f"'{lang}' is not a BCP 47 language tag", "for example en, de, ru or en-GB")
            lang = ""
        out: tuple[Inline, ...] = (Language(lang, inner),) if lang else inner
        return [IndexMark(mark.key, out, loc)] if mark is not None else list(out)

    def _followable(self, href: str, loc: SourceLoc) -> bool:
        """Whether a reader of every format can follow ``href``: a web or mail address.

        The parser has already refused ``javascript:``, ``file:`` and ``data:``. A path would
        become a link into the machine that built the book (``file://…`` in the PDFs, a missing
        resource in the EPUB): outside the manuscript it is an error, inside it a warning.
        """
        parsed = urlsplit(href)
        if parsed.scheme.lower() in LINK_SCHEMES or parsed.scheme == "doc":  # doc:37#19, a cross-reference
            return True
        if not parsed.scheme and self.folders is not None and parsed.path:
            here, root = self.folders
            target = Path(os.path.normpath(here / unquote(parsed.path)))
            if not target.is_relative_to(os.path.normpath(root)):
                self.diags.add("E116", loc, f"the link '{href}' leads outside the manuscript folder",
                               "link to a web address (https://…) or leave the words unlinked")
                return False
        self.diags.add("W116", loc, f"the link '{href}' is not a web address: readers could not follow it, the words are kept unlinked",
                       "link to https://… or mailto:…; refer to documents and paragraphs as 'Doc. 37, § 19'")
        return False


#: The links kept in every format: what a reader's browser or mail program opens.
LINK_SCHEMES = ("http", "https", "mailto")


def _lone_image(children: list[Token]) -> Token | None:
    """The image token of a paragraph that holds one image and nothing else but spaces."""
    solid = [t for t in children if not (t.type in ("softbreak", "hardbreak") or (t.type == "text" and not t.content.strip()))]
    return solid[0] if len(solid) == 1 and solid[0].type == "image" else None


def _append_text(out: list[Inline], text: str) -> None:
    if out and isinstance(out[-1], Text):
        out[-1] = Text(out[-1].text + text)
    else:
        out.append(Text(text))


def _plain(block: Block) -> Block:
    """Paragraphs inside footnotes are never numbered: give them their own role."""
    if isinstance(block, Paragraph):
        return Paragraph(block.inlines, block.loc, role="footnote")
    return block
