"""Jinja2 rendering of the book model into the print HTML and the EPUB's XHTML files.

Templates are looked up in the book's own ``styles/templates`` first, then in press's, so a
press can override one block of one template. Autoescape is on and undefined names fail. Every
template runs sandboxed and bounded (``sandbox.py``): a book's template is a program from outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import jinja2
from markupsafe import Markup, escape

from pipeline.clock import build_time
from pipeline.diagnostics import ManuscriptError
from pipeline.hashing import file_hash
from pipeline.model import (
    INDEX_ANCHOR,
    BlockQuote,
    Book,
    Document,
    Figure,
    Footnote,
    Heading,
    Inline,
    ListBlock,
    PageBreak,
    Paragraph,
    Table,
    Text,
    iter_inlines,
    walk_blocks,
    walk_inlines,
)
from pipeline.render.indexpage import IndexRenderer
from pipeline.render.inline import InlineRenderer, lang_attributes, page_anchor
from pipeline.render.running import running_head
from pipeline.render.sandbox import MAX_OUTPUT_CHARS, TemplateFolders, TemplateSandbox, template_diagnostic
from pipeline.styles import STYLES, TEMPLATES, book_styles
from pipeline.words import Words


def chapter_file(document_number: int) -> str:
    """The EPUB content file of a document."""
    return f"doc-{document_number}.xhtml"


def has_index(book: Book) -> bool:
    """Whether the book prints an index: it has index.yaml, with at least one entry."""
    return book.index is not None and bool(book.index.entries)


#: The EPUB content file of the index.
INDEX_FILE = "index.xhtml"


#: The web edition's page of the index (``index.html`` is the site's home page).
WEB_INDEX_FILE = "book-index.html"


def web_file(document_number: int) -> str:
    """A document's page in the web edition."""
    return f"doc{document_number}.html"


def epub_image_file(figure: Figure) -> str:
    """An image's name in the EPUB: from its content, so one file used twice is stored once."""
    return f"images/{file_hash(figure.path)[:16]}{'.png' if figure.media_type == 'image/png' else '.jpg'}"


def image_src(figure: Figure, target: str) -> str:
    """Print reads the manuscript's file (through the confined fetcher); the EPUB its own copy."""
    return figure.path.as_uri() if target == "print" else epub_image_file(figure)


TYPEFACE = "Gentium Book Plus"
#: The cover's panels keep their text this far inside the trim (well inside the 0.125 in a printer asks).
COVER_MARGIN = 36.0
#: The page margins in points: head, foot, inner, outer (the outer one has room for paragraph numbers).
MARGINS = (54, 61.2, 54, 68.4)


def css_content(text: str, slots: dict[str, str]) -> str:
    """A catalogue entry as a CSS ``content`` value: its words as strings, its ``{slots}`` as the
    CSS functions given for them (``attr(data-number)``)."""
    parts = re.split(r"\{([a-z_]+)\}", text)
    out = [slots[part] if i % 2 else f'"{css_string(part)}"' for i, part in enumerate(parts) if part]
    return " ".join(out) or '""'


def css_string(text: str) -> str:
    """``text`` for the inside of a CSS string: anything but letters, digits, spaces and full stops
    escaped, so that a book's own words cannot close the string or the rule."""
    # an escape ends at the one space after it, which CSS takes as part of the escape
    return "".join(c if c.isalnum() or c in " ." else f"\\{ord(c):x} " for c in text)


def translations(book: Book) -> list[tuple[str, list[int]]]:
    """Each translator with the numbers of the documents they translated."""
    out: dict[str, list[int]] = {}
    for doc in book.documents:
        if doc.translator:
            out.setdefault(doc.translator, []).append(doc.number)
    return list(out.items())


def page_breaks(book: Book) -> list[tuple[Document, str]]:
    """Every printed-page marker in reading order, with the document that holds it."""
    out = []
    for doc in book.documents:
        if doc.page_break:
            out.append((doc, doc.page_break))
        for block in walk_blocks(doc.text_blocks):
            if getattr(block, "page_break", None):
                out.append((doc, block.page_break))
            if isinstance(block, Table):
                for cell in block.cells:
                    if cell.page_break:
                        out.append((doc, cell.page_break))
                    out.extend((doc, node.label) for node in walk_inlines(cell.inlines) if isinstance(node, PageBreak))
            if isinstance(block, (Paragraph, Heading, Figure)):
                out.extend((doc, node.label) for node in iter_inlines((block,)) if isinstance(node, PageBreak))
    return out


def note_inlines(note: Footnote) -> tuple[Inline, ...]:
    """A note's paragraphs as one run: print sets notes inline at their reference."""
    out: list[Inline] = []
    for block in note.blocks:
        if isinstance(block, (Paragraph, Heading)):
            if out:
                out.append(Text(" "))
            out.extend(block.inlines)
    return tuple(out)


@dataclass(frozen=True)
class Part:
    """A part of the print book laid out on its own: the front matter, or some documents.

    ``pages`` gives the printed page of every anchor the part refers to (contents entries,
    cross-references), since a part's own page counter knows nothing of the rest of the book.
    """

    front: bool = False
    documents: tuple[Document, ...] = ()
    pages: dict[str, str] = field(default_factory=dict)
    index: bool = False  # the index, at the back


@dataclass(frozen=True)
class ProofStamp:
    """What a proof prints on every page, outside the trim: its date and the manuscript's revision."""

    date: str
    revision: str


@dataclass(frozen=True)
class LayerRun:
    """A run of the folio layer's skeleton (``layout/folios.py``): the front matter's pages, if the
    run holds them (each with the side a page after a blank must begin on, or None), the page
    count of each document of the run (whether the run opens the book's first document), and
    whether a blank verso ends it."""

    front: tuple[str | None, ...] | None
    documents: tuple[int, ...]
    opens_book: bool
    blank_after: bool


@dataclass(frozen=True)
class StampLines:
    """What one stamped copy prints over the book's pages (``press stamp``): the line at the foot
    of every page and the ex-libris line of the imprint page, as plain text (escaped on rendering)."""

    foot: str
    ex_libris: str


#: A range of years or pages, "1978–1981" or "212-14": not to be broken at its dash.
_RANGE = re.compile(r"(\d+[\u2013-]\d+)")


def unbroken_ranges(text: str) -> Markup:
    """``text``, escaped, with each range of numbers in a span kept on one line (``.unbroken``): a
    subtitle set large on a cover should not leave "1981" alone on its last line."""
    pieces = _RANGE.split(str(text))
    return Markup("").join(Markup('<span class="unbroken">%s</span>') % piece if i % 2 else escape(piece)
                           for i, piece in enumerate(pieces))


class Renderer:
    """Holds the Jinja2 environment for one book and renders each output's HTML."""

    def __init__(self, book: Book):
        self.book = book
        # The book's templates first (each confined to the manuscript), then press's own.
        self.templates = TemplateFolders([(book_styles(book) / "templates", book.root), (TEMPLATES, STYLES)])
        self.env = TemplateSandbox(
            loader=self.templates,
            # HTML and XHTML are escaped; the page geometry stylesheet is CSS, not markup.
            autoescape=lambda name: not (name or "").endswith(".css.j2"),
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
        )
        self.words = Words(book.language, book.labels)
        self.env.filters.update(join_names=self.words.names, doc_list=self.words.document_list, translations=translations,
                                unbroken_ranges=unbroken_ranges)
        self.env.tests.update(
            paragraph=lambda b: isinstance(b, Paragraph),
            heading=lambda b: isinstance(b, Heading),
            blockquote=lambda b: isinstance(b, BlockQuote),
            listblock=lambda b: isinstance(b, ListBlock),
            figure=lambda b: isinstance(b, Figure),
            table=lambda b: isinstance(b, Table),
        )
        self.env.globals.update(typeface=TYPEFACE, note_inlines=note_inlines, image_src=image_src, t=self.words.markup,
                                running=self.running, lang_attributes=lang_attributes)

    def render(self, name: str, limit: int = MAX_OUTPUT_CHARS, /, **context) -> str:
        """The template ``name`` rendered with ``context``, bounded (``render/sandbox.py``); a
        template that cannot be read or rendered raises ``ManuscriptError`` placed at its line."""
        try:
            template = self.env.get_template(name)
            return self.env.render_bounded(template, context, limit)
        except Exception as error:
            problem = template_diagnostic(error, self.templates.served, name)
            if problem is None:
                raise
            raise ManuscriptError([problem]) from None

    def inline_renderer(self, target: str, doc: Document, page_of=None) -> InlineRenderer:
        notes = {n.number: note_inlines(n) for n in doc.footnotes}
        href = self._print_href if target == "print" else self._epub_href
        return InlineRenderer(target, doc.number, notes, href, page_of, omission=self.words("omission"))

    @staticmethod
    def _print_href(anchor: str) -> str:
        return "#" + anchor

    @staticmethod
    def _epub_href(anchor: str, document: int | None = None) -> str:
        """Every anchor lives in its document's file: ``doc37-p19`` -> ``doc-37.xhtml#doc37-p19``."""
        number = document if document is not None else int(anchor[3:].split("-")[0])
        return f"{chapter_file(number)}#{anchor}"

    def web_inline_renderer(self, doc: Document, page_of, show_pages: bool) -> InlineRenderer:
        """Inline runs for a document's web page: links between pages, the printed page of each
        anchor (``page_of``) for citations, and the page marks unless the book hides them."""
        notes = {n.number: note_inlines(n) for n in doc.footnotes}
        return InlineRenderer("web", doc.number, notes, self._web_href, page_of, omission=self.words("omission"),
                              page_word=self.words("page") if show_pages else None, cite=True)

    @staticmethod
    def _web_href(anchor: str, document: int | None = None) -> str:
        """Every anchor lives in its document's page: ``doc37-p19`` -> ``doc37.html#doc37-p19``."""
        number = document if document is not None else int(anchor[3:].split("-")[0])
        return f"{web_file(number)}#{anchor}"

    def web_index_kinds(self) -> list:
        """The index as the web edition prints it: paragraphs cited, each a link into its document's page."""
        return IndexRenderer(self.book, self.words, self._web_href).kinds() if has_index(self.book) else []

    def web_page(self, template: str, **context) -> str:
        """One page of the web edition from ``template`` (``web-*.html.j2``)."""
        return self.render(template, 2 * MAX_OUTPUT_CHARS, book=self.book, **context)  # a long document's page

    def print_html(self, part: Part | None = None, index_pages: dict[str, str] | None = None) -> str:
        """The book as one HTML document for WeasyPrint, or one ``part`` of it.

        Laid out whole, the book's index cites the pages ``index_pages`` gives (those of a bound
        build, to compare with it), or none."""
        page_of = part.pages.get if part is not None else (index_pages.get if index_pages else None)
        documents = self.book.documents if part is None else part.documents
        with_index = has_index(self.book) and (part is None or part.index)
        kinds = IndexRenderer(self.book, self.words, self._print_href, page_of, ranges=True).kinds() if with_index else []
        # a document is at most 500,000 characters of Markdown: its HTML may take that much room
        return self.render(
            "book.html.j2",
            MAX_OUTPUT_CHARS * (1 + len(documents)),
            book=self.book,
            with_front=part is None or part.front,
            documents=documents,
            pages=part.pages if part is not None else {},
            index_kinds=kinds,
            index_in_contents=has_index(self.book),
            inline_renderer=lambda doc: self.inline_renderer("print", doc, page_of),
            created=build_time(self.book).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )

    def folio_layer_html(self, run: LayerRun) -> str:
        """The skeleton of one run of the bound book: empty pages, grouped and broken as the book's."""
        html = self.render("folio-layer.html.j2", book=self.book, run=run)
        return html.rstrip("\n")

    def proof_stamp_html(self, proof: ProofStamp) -> str:
        """A proof's stamp: one page with the slug line and the PROOF mark."""
        return self.render("proof-stamp.html.j2", book=self.book, proof=proof)

    def stamp_layer_html(self, copies: list[StampLines]) -> str:
        """Two pages for each stamped copy: its foot line, then its ex-libris line."""
        return self.render("stamp-layer.html.j2", book=self.book, copies=copies).rstrip("\n")

    def page_css(self, **geometry) -> str:
        """The page geometry stylesheet, from book.yaml's print settings."""
        # The outline names a document as its catalogue entry does: "Document No. 12: Title".
        label = self.words.messages["document_titled"].replace("{document}", self.words.messages["document"])
        outline = css_content(label, {"number": "attr(data-number)", "title": "content(text)"})
        return self.render("page.css.j2", page_word=css_string(self.words("page")), margins=MARGINS,
                                                           outline_label=outline, **geometry)

    def running(self, title: str) -> str:
        """``title`` as a running head: on one line of the text block's width."""
        return running_head(title, self.book.print.trim_width - MARGINS[2] - MARGINS[3])

    def chapter_xhtml(self, doc: Document, stylesheets: list[str]) -> str:
        """One document as an EPUB content file."""
        return self.render(
            "chapter.xhtml.j2",
            book=self.book, doc=doc, r=self.inline_renderer("epub", doc), stylesheets=stylesheets
        )

    def print_cover_html(self, geometry: dict, barcode: dict | None, image: str | None, spine_text: bool) -> str:
        """The printed cover: back, spine and front on one page (``geometry`` in points, see
        ``prepress/cover.py``), the ISBN's ``barcode`` bars, the front ``image`` (a file URL) if any."""
        r = InlineRenderer("print", 0, {}, self._print_href, None, omission=self.words("omission"))
        return self.env.get_template("print-cover.html.j2").render(
            book=self.book, g=geometry, barcode=barcode, image=image, spine_text=spine_text, r=r)

    def front_cover_html(self) -> str:
        """The front of the cover alone, at the trim size without bleed: the same design as the
        printed cover's front panel (``cover-front.j2``), for the EPUB's cover and the web edition's."""
        g = {"trim_width": self.book.print.trim_width, "height": self.book.print.trim_height, "margin": COVER_MARGIN}
        return self.env.get_template("cover-front.html.j2").render(book=self.book, g=g)

    def print_cover_css(self, geometry: dict, media_bleed: float, profile_url: str) -> str:
        """The printed cover's page: its whole width and height, no margins, bleed and room for marks."""
        return self.env.get_template("print-cover.css.j2").render(g=geometry, media_bleed=media_bleed, profile_url=profile_url)

    def index_xhtml(self, stylesheets: list[str]) -> str:
        """The index as an EPUB content file (EPUB Indexes 1.1), its locators linking to the paragraphs."""
        index = IndexRenderer(self.book, self.words, self._epub_href, epub=True)
        return self.render("index.xhtml.j2", book=self.book, kinds=index.kinds(), opening=index.page_markers(INDEX_ANCHOR),
                           stylesheets=stylesheets)

    def cover_xhtml(self, image: str) -> str:
        return self.render("cover.xhtml.j2", book=self.book, image=image)

    def front_xhtml(self, stylesheets: list[str]) -> str:
        return self.render("front.xhtml.j2", book=self.book, stylesheets=stylesheets)

    def nav_xhtml(self, front_file: str, chapter_files: dict[int, str], stylesheets: list[str],
                  markers: set[str] | None = None, index_file: str | None = None, has_cover: bool = True) -> str:
        """The navigation document; its page-list names only the page markers in ``markers`` (the
        ids the chapters really hold), so that no entry ever points at a marker that is not there."""
        pages = [(label, self._epub_href(page_anchor(label), doc.number)) for doc, label in page_breaks(self.book)
                 if markers is None or page_anchor(label) in markers]
        if index_file and self.book.index is not None:  # then the print index's pages, marked in the EPUB's index
            pages += [(label, f"{index_file}#{page_anchor(label)}") for _, label in self.book.index.page_breaks
                      if markers is None or page_anchor(label) in markers]
        return self.render(
            "nav.xhtml.j2",
            book=self.book,
            front_file=front_file,
            chapter_files=chapter_files,
            stylesheets=stylesheets,
            index_file=index_file,
            has_cover=has_cover,
            page_list=pages,
        )
