"""The typed book model: what the loader produces, the transforms refine and the renderers read.

Every node is a frozen dataclass that carries the ``SourceLoc`` it came from, so any later
stage can point an editor at ``file:line``. Transforms return new trees with
``dataclasses.replace``; nothing is mutated in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union


@dataclass(frozen=True)
class SourceLoc:
    """A place in the manuscript: a file (as the editor names it) and a 1-based line."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")


# ---------------------------------------------------------------- inline nodes


@dataclass(frozen=True)
class Text:
    """Plain running text."""

    text: str


@dataclass(frozen=True)
class Emphasis:
    """Italic (``*text*``)."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    """Bold (``**text**``)."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    """Inline code, set in the text face but never hyphenated."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink."""

    href: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Language:
    """A passage in another language than its paragraph (``[Горбачёв]{lang=ru}``): its BCP 47
    tag reaches every format, for screen readers' voices and for hyphenation."""

    lang: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class IndexMark:
    """Words marked for the index by hand: ``[the General Secretary]{.ix key="Gorbachev, Mikhail S."}``
    cites the entry ``key`` where the words stand; ``key`` None (``{.noix}``) keeps the words out of
    the index, where a form would find them by mistake. Printed as the words alone."""

    key: str | None
    children: tuple["Inline", ...]
    loc: SourceLoc


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


@dataclass(frozen=True)
class Omission:
    """An editorial omission, printed ``[…]`` and never broken across lines."""


@dataclass(frozen=True)
class FootnoteRef:
    """A reference to a footnote; ``number`` is set by the footnote transform."""

    label: str
    loc: SourceLoc
    number: int = 0


@dataclass(frozen=True)
class CrossRef:
    """A reference to a document or one of its paragraphs (``doc:37``, ``doc:37#19``).

    ``anchor`` is the id it points at, set by the cross-reference transform; None when the
    book has no such document or paragraph (reported, and printed as plain text).
    """

    document: int
    paragraph: int | None
    children: tuple["Inline", ...]
    loc: SourceLoc
    anchor: str | None = None


@dataclass(frozen=True)
class PageBreak:
    """Where a page of the printed reader begins, carried into the EPUB as a page-break marker."""

    label: str


Inline = Union[Text, Emphasis, Strong, Code, Link, Language, IndexMark, LineBreak, Omission, FootnoteRef, CrossRef, PageBreak]

#: The inline nodes that hold other inline nodes (``children``).
INLINE_CONTAINERS = (Emphasis, Strong, Link, Language, IndexMark, CrossRef)


# ----------------------------------------------------------------- block nodes


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of prose.

    ``role`` says where it stands (``headnote``, ``body`` or ``source``); ``speaker`` is set on
    a speaker turn; ``number`` and ``anchor`` are set by the numbering transform when the
    book's policy numbers this paragraph.
    """

    inlines: tuple[Inline, ...]
    loc: SourceLoc
    role: str = "body"
    speaker: str | None = None
    number: int | None = None
    anchor: str | None = None
    key: str | None = None  # doc{N}-b{k}: every block's place, to map printed pages back to the text
    page_break: str | None = None  # the printed page that begins with this block


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a document (``## …``); never numbered."""

    level: int
    inlines: tuple[Inline, ...]
    loc: SourceLoc
    anchor: str | None = None
    key: str | None = None
    page_break: str | None = None


@dataclass(frozen=True)
class BlockQuote:
    """A block quotation; its paragraphs are not numbered."""

    blocks: tuple["Block", ...]
    loc: SourceLoc


@dataclass(frozen=True)
class ListItem:
    """One item of a list."""

    blocks: tuple["Block", ...]
    loc: SourceLoc


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list; its items are not numbered as paragraphs."""

    ordered: bool
    items: tuple[ListItem, ...]
    loc: SourceLoc
    start: int = 1


@dataclass(frozen=True)
class Figure:
    """An image standing in a paragraph of its own: ``![description](file.png "Caption")``.

    ``path`` is the checked file inside the manuscript folder; ``alt`` is what a screen reader
    says in its place; ``inlines`` is the caption printed under it (it may be empty). The pixel
    size and colour mode are read once by the loader: the preflight's resolution check and the
    print's colour conversion use them.
    """

    path: Path
    alt: str
    inlines: tuple[Inline, ...]
    loc: SourceLoc
    pixels: tuple[int, int] = (0, 0)
    mode: str = "RGB"
    anchor: str | None = None  # doc{N}-fig{k}
    key: str | None = None
    page_break: str | None = None

    @property
    def media_type(self) -> str:
        return "image/png" if self.path.suffix.lower() == ".png" else "image/jpeg"


@dataclass(frozen=True)
class TableCell:
    """One cell of a table: a header cell (``th``) or a data cell, aligned as its column is."""

    inlines: tuple[Inline, ...]
    header: bool = False
    align: str | None = None  # left, center or right, from the table's delimiter row
    key: str | None = None  # doc{N}-b{k}-c{m}: where a printed page may begin inside the table
    page_break: str | None = None


@dataclass(frozen=True)
class Table:
    """A table (GFM pipes): header rows and body rows of cells; never numbered as a paragraph.

    In print its header rows repeat on every page it runs onto; in the EPUB its header cells are
    marked as headers of their columns.
    """

    head: tuple[tuple[TableCell, ...], ...]
    body: tuple[tuple[TableCell, ...], ...]
    loc: SourceLoc
    anchor: str | None = None  # doc{N}-tab{k}
    key: str | None = None
    page_break: str | None = None

    @property
    def cells(self) -> tuple[TableCell, ...]:
        """Every cell, header rows first, in reading order."""
        return tuple(cell for row in self.head + self.body for cell in row)


Block = Union[Paragraph, Heading, BlockQuote, ListBlock, Figure, Table]


@dataclass(frozen=True)
class Footnote:
    """A footnote's text; ``number`` follows the order of first reference in the document."""

    label: str
    blocks: tuple[Block, ...]
    loc: SourceLoc
    number: int = 0


# ------------------------------------------------------------- documents, book


@dataclass(frozen=True)
class Document:
    """One document of the reader: its front matter, headnote, body and source note."""

    number: int
    title: str
    loc: SourceLoc
    short_title: str | None = None
    date: str | None = None
    translator: str | None = None
    original_language: str | None = None
    language: str | None = None  # the language its text is printed in, when not the book's
    speakers: tuple[str, ...] = ()
    headnote: tuple[Block, ...] = ()
    body: tuple[Block, ...] = ()
    source: tuple[Block, ...] = ()
    copyright: str | None = None
    footnotes: tuple[Footnote, ...] = ()
    page_break: str | None = None  # the printed page that begins with this document's opening

    @property
    def text_blocks(self) -> tuple["Block", ...]:
        """Headnote, body and source note: the document's running text, in reading order."""
        return self.headnote + self.body + self.source

    @property
    def all_blocks(self) -> tuple["Block", ...]:
        """The running text and the blocks of the footnotes: every text of the document."""
        return self.text_blocks + tuple(b for note in self.footnotes for b in note.blocks)

    @property
    def anchor(self) -> str:
        return f"doc{self.number}"

    @property
    def running_title(self) -> str:
        return self.short_title or self.title


@dataclass(frozen=True)
class Isbn:
    """The book's ISBNs by format."""

    print: str | None = None
    epub: str | None = None


@dataclass(frozen=True)
class NumberingPolicy:
    """Which paragraphs carry a margin number. The default numbers all three parts."""

    headnote: bool = True
    body: bool = True
    source: bool = True


@dataclass(frozen=True)
class PrintSettings:
    """The printed reader's geometry: trim size, bleed and marks in points, and its PDF/X standard."""

    trim_width: float = 432.0  # 6 in
    trim_height: float = 648.0  # 9 in
    bleed: float = 9.0  # 0.125 in
    marks: tuple[str, ...] = ("crop",)
    standard: str = "pdf/x-4"
    profile: Path | None = None
    signature: int = 4
    ppi: float | None = None  # print.paper.ppi: the printer's pages per inch of the paper
    caliper: float | None = None  # print.paper.caliper: one leaf's thickness, in points
    cover_board: float = 0.0  # the cover's own thickness, added to the spine
    spine_direction: str = "top-to-bottom"
    imposition: "Imposition" = field(default_factory=lambda: Imposition())


@dataclass(frozen=True)
class Imposition:
    """``print.imposition``: how ``press impose`` lays the print pages on sheets, when not told on the
    command line. ``layout`` None means booklet up to 64 pages, signatures above; ``sheet`` None the
    smallest common sheet that holds two pages; lengths in points."""

    layout: str | None = None
    sheet: tuple[float, float] | None = None
    creep: float = 0.0


@dataclass(frozen=True)
class WebSettings:
    """The web edition's settings (book.yaml ``web:``): where it will be hosted, if known, and
    whether the printed page numbers stand in the margin."""

    base_url: str | None = None  # "https://example.org/reader/": canonical links and sitemap.xml
    page_numbers: bool = True


@dataclass(frozen=True)
class Edition:
    """A class edition: some of the reader's documents under their own title.

    The documents keep the whole reader's numbers and paragraph numbers, so that a citation
    such as "Doc. 37, § 19" means the same in every edition.
    """

    name: str
    title: str
    loc: SourceLoc
    documents: tuple[int, ...]
    subtitle: str | None = None
    course: str | None = None
    isbn: Isbn = Isbn()  # its own, or none: never the whole reader's
    stamp_text: str | None = None  # its own stamp line for press stamp (``stamp.text``), else the book's
    reader_title: str | None = None  # the whole reader's title, set when the edition is selected


#: The longest file-name stem press makes from a title: file systems allow 255 bytes a name, and the
#: outputs add an edition's name, ``-screen``, extensions and a temporary suffix to it.
SLUG_LENGTH = 80


def slugify(text: str) -> str:
    """A file-name stem: lower-case ASCII letters, digits and hyphens, at most ``SLUG_LENGTH`` long
    (a longer one is cut after its last whole word that fits)."""
    import re
    import unicodedata

    # dashes and spaces of every kind separate words ("1958–1961" -> 1958-1961); accents go
    text = re.sub(r"[\s\u2010-\u2015\u2212]+", " ", text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > SLUG_LENGTH:
        cut = slug[: SLUG_LENGTH + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_LENGTH]
    return slug.strip("-") or "book"


@dataclass(frozen=True)
class Locator:
    """Where the index cites an entry: a paragraph (``anchor`` its id, ``doc37-p19``), or a document
    whose text there is not numbered (``paragraph`` None, ``anchor`` the document's or the numbered
    paragraph before)."""

    document: int
    paragraph: int | None
    anchor: str


@dataclass(frozen=True)
class IndexEntry:
    """One entry of the index: its heading as printed, the forms that find it in the text, its
    sub-entries, its "see" and "see also" references (headings of other entries) and, once the
    index transform has read the text, its locators in reading order."""

    heading: str
    loc: SourceLoc
    forms: tuple[str, ...] = ()
    see: str | None = None
    see_also: tuple[str, ...] = ()
    subentries: tuple["IndexEntry", ...] = ()
    locators: tuple[Locator, ...] = ()


@dataclass(frozen=True)
class IndexKind:
    """A part of the index (persons, places, subjects, or a kind of the book's own) and its
    heading (None: the catalogue's word for a kind press knows)."""

    name: str
    heading: str | None
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class BookIndex:
    """index.yaml: the kinds with their entries, and what the print index cites (``paragraphs``,
    ``pages`` or ``both``; the EPUB always cites paragraphs)."""

    loc: SourceLoc
    kinds: tuple[IndexKind, ...]
    locators: str = "both"
    #: Where each printed page of the print index begins: (the id of the element it begins in, its
    #: label), in page order; set after layout (``transforms.pagebreaks``) for the EPUB's page-list.
    page_breaks: tuple[tuple[str, str], ...] = ()

    @property
    def entries(self) -> tuple[IndexEntry, ...]:
        return tuple(e for kind in self.kinds for e in kind.entries)


#: The id of the index in every format: the print part's opening, the EPUB's file.
INDEX_ANCHOR = "index"


@dataclass(frozen=True)
class Book:
    """The whole reader: book.yaml's metadata and the documents in reading order."""

    title: str
    root: Path
    loc: SourceLoc
    subtitle: str | None = None
    editors: tuple[str, ...] = ()
    publisher: str | None = None
    year: int | None = None
    language: str = "en"
    copyright: str | None = None
    licence: str | None = None
    printing: str | None = None
    isbn: Isbn = field(default_factory=Isbn)
    print: PrintSettings = field(default_factory=PrintSettings)
    numbering: NumberingPolicy = field(default_factory=NumberingPolicy)
    web: WebSettings = field(default_factory=WebSettings)
    cover: Path | None = None
    back_cover: tuple["Block", ...] = ()  # the text on the printed cover's back (back_cover, Markdown)
    stamp_text: str | None = None  # book.yaml's ``stamp.text``: the foot line of a stamped copy
    labels: tuple[tuple[str, str], ...] = ()  # book.yaml's own words for the catalogue's (words.py)
    field_lines: tuple[tuple[str, int], ...] = ()  # book.yaml key -> the line it is set on
    editions: tuple[Edition, ...] = ()
    edition: Edition | None = None  # set on the book of one class edition
    documents: tuple[Document, ...] = ()
    index: BookIndex | None = None  # index.yaml, when the book has one

    @property
    def slug(self) -> str:
        """The file name stem of the outputs: from the reader's title, plus the edition's name."""
        if self.edition is not None:
            return f"{slugify(self.edition.reader_title or self.title)}-{self.edition.name}"
        return slugify(self.title)

    def field_loc(self, key: str) -> SourceLoc:
        """Where book.yaml sets ``key`` (its first line when the loader did not say)."""
        line = dict(self.field_lines).get(key)
        return SourceLoc(self.loc.file, line) if line else self.loc

    @property
    def translators(self) -> tuple[str, ...]:
        """Every translator credited in the documents, in order of first appearance."""
        seen: dict[str, None] = {}
        for doc in self.documents:
            if doc.translator:
                seen.setdefault(doc.translator, None)
        return tuple(seen)


# ------------------------------------------------------------------ traversal


def walk_blocks(blocks: "tuple[Block, ...]"):
    """Every block in ``blocks``, containers before their contents, in reading order."""
    for block in blocks:
        yield block
        if isinstance(block, BlockQuote):
            yield from walk_blocks(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_blocks(item.blocks)


def walk_inlines(nodes: "tuple[Inline, ...]"):
    """Every inline node of a run, depth first, in reading order."""
    for node in nodes:
        yield node
        if isinstance(node, INLINE_CONTAINERS):
            yield from walk_inlines(node.children)


def iter_inlines(blocks: "tuple[Block, ...]"):
    """Every inline node in ``blocks``, depth first, in reading order."""
    walk = walk_inlines

    for block in blocks:
        if isinstance(block, BlockQuote):
            yield from iter_inlines(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from iter_inlines(item.blocks)
        elif isinstance(block, Table):
            for cell in block.cells:
                yield from walk(cell.inlines)
        else:
            yield from walk(block.inlines)


def footnote_refs(blocks: "tuple[Block, ...]"):
    """Every footnote reference in ``blocks``, in reading order."""
    return (node for node in iter_inlines(blocks) if isinstance(node, FootnoteRef))
