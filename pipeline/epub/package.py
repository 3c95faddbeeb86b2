"""EPUB 3: one XHTML file per document, our own navigation document, packed with EbookLib.

EbookLib re-parses ``EpubHtml`` chapters (dropping ``<head>``) and builds page-lists from any
``epub:type``; content is therefore added as plain ``EpubItem``s with XHTML serialised by our
templates, and the nav document is ours. EbookLib writes the OPF, the NCX and the zip; the
zip is then re-packed with fixed entry times so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zipfile
from pathlib import Path

from ebooklib import epub
from lxml import etree

from pipeline.clock import build_time
from pipeline.diagnostics import Diagnostics
from pipeline.epub.cover import cover_image
from pipeline.epub.css import epub_stylesheet
from pipeline.epub.fonts import subset_font
from pipeline.model import Book, Figure, SourceLoc, walk_blocks
from pipeline.render import Renderer
from pipeline.render.html import INDEX_FILE, chapter_file, epub_image_file, has_index, page_breaks
from pipeline.styles import book_stylesheet, display_name, font_files, read_style_file, stylesheet_paths

EPUB_CSS = ("fonts.css", "book.css", "epub.css")
#: A printed page's marker as the chapters' XHTML carries it (``render.inline.page_break``).
_PAGE_MARKER = re.compile(r'<span id="(page-[^"]+)" role="doc-pagebreak"')
COVER_FILE = "cover.xhtml"
FRONT_FILE = "front.xhtml"
NAV_FILE = "nav.xhtml"


def identifier(book: Book) -> str:
    """The EPUB's identifier: its ISBN when it has one, else a name-based UUID that never changes."""
    if book.isbn.epub:  # an edition's own, once the edition is selected
        return "urn:isbn:" + book.isbn.epub.replace("-", "").replace(" ", "")
    # A class edition is another publication: a name-based id from the reader and the edition.
    key = f"press:{book.edition.reader_title if book.edition else book.title}:{book.edition.name if book.edition else ''}"
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, key))


def write_epub(book: Book, target: Path, diags: Diagnostics | None = None, front: bytes | None = None,
               fonts_kept: Path | None = None) -> None:
    """Write ``book`` (its printed pages marked in it, when it has them) as an EPUB 3 into ``target``;
    what the EPUB leaves out of the book's own CSS is reported into ``diags`` (W122). Its cover is
    the book's ``cover:`` image, else ``front`` (the printed cover's front panel as a PNG, which the
    build draws through the engine); with neither the EPUB has no cover. ``fonts_kept`` is where
    the build's cache keeps the faces' subsets (``fonts.subset_font``)."""
    renderer = Renderer(book)
    # press's layers keep their names; the book's own book.css comes last as custom.css
    sheets = {f"css/{name}": path.read_bytes() for name, path in zip(EPUB_CSS, stylesheet_paths(book, EPUB_CSS))}
    own = book_stylesheet(book)
    if own is not None:
        sheets["css/custom.css"] = custom_css(own, book.root, diags if diags is not None else Diagnostics())
    stylesheets = list(sheets)
    eb = epub.EpubBook()
    figures = _figures(book)
    _metadata(eb, book, list(figures.values()), renderer.words("accessibility_summary"))

    for i, (name, css) in enumerate(sheets.items()):
        eb.add_item(epub.EpubItem(uid=f"css{i}", file_name=name, media_type="text/css", content=css))

    xhtml = "application/xhtml+xml"
    covers = []
    art = cover_image(book, front)
    if art is not None:
        image, media = art
        image_name = "images/cover" + (".png" if media == "image/png" else ".jpg")
        cover_art = epub.EpubItem(uid="cover-image", file_name=image_name, media_type=media, content=image)
        cover_art.properties = ["cover-image"]
        eb.add_item(cover_art)
        covers.append(epub.EpubItem(uid="cover", file_name=COVER_FILE, media_type=xhtml,
                                    content=renderer.cover_xhtml(image_name).encode()))
    title_page = epub.EpubItem(uid="front", file_name=FRONT_FILE, media_type=xhtml, content=renderer.front_xhtml(stylesheets).encode())
    files = {doc.number: chapter_file(doc.number) for doc in book.documents}
    for name, figure in sorted(figures.items()):
        eb.add_item(epub.EpubItem(uid="img-" + name[7:-4], file_name=name, media_type=figure.media_type,
                                  content=figure.path.read_bytes()))
    chapters = []
    markers: set[str] = set()
    for doc in book.documents:
        content = renderer.chapter_xhtml(doc, stylesheets)
        markers.update(_PAGE_MARKER.findall(content))
        chapters.append(epub.EpubItem(uid=f"doc{doc.number}", file_name=files[doc.number], media_type=xhtml,
                                      content=content.encode()))
    # The index, when the book has one, is back matter after the documents (EPUB Indexes 1.1).
    back = []
    if has_index(book):
        content = renderer.index_xhtml(stylesheets)
        markers.update(_PAGE_MARKER.findall(content))  # the print index's pages
        back.append(epub.EpubItem(uid="index", file_name=INDEX_FILE, media_type=xhtml, content=content.encode()))
    nav = epub.EpubItem(uid="nav", file_name=NAV_FILE, media_type=xhtml,
                        content=renderer.nav_xhtml(FRONT_FILE, files, stylesheets, markers,
                                                   INDEX_FILE if back else None, has_cover=bool(covers)).encode())
    nav.properties = ["nav"]
    for item in (*covers, title_page, nav, *chapters, *back):
        eb.add_item(item)
    # The faces carry only the characters the XHTML holds (markup included: a few more letters).
    characters = {c for item in (*covers, title_page, nav, *chapters, *back) for c in item.content.decode()}
    for path in font_files():
        eb.add_item(epub.EpubItem(uid=f"font-{path.stem}", file_name=f"fonts/{path.name}", media_type="font/ttf",
                                  content=subset_font(path, characters, kept=fonts_kept)))

    # The NCX is for EPUB 2 reading systems; EbookLib's spine always names one.
    words = renderer.words
    eb.toc = [epub.Link(files[d.number], words("document_titled", document=words("document", number=d.number), title=d.title),
                        f"toc-doc{d.number}") for d in book.documents]
    if back:
        eb.toc.append(epub.Link(INDEX_FILE, words("index"), "toc-index"))
    eb.add_item(epub.EpubNcx())
    eb.spine = [*covers, title_page, nav, *chapters, *back]

    tmp = target.with_suffix(".epub.tmp")  # EbookLib's zip, re-packed into ``target``
    try:
        epub.write_epub(str(tmp), eb, {"raise_exceptions": True, "mtime": build_time(book), "epub2_guide": False})
        _repack(tmp, target, build_time(book), book.language)
    finally:
        tmp.unlink(missing_ok=True)


def custom_css(path: Path, root: Path, diags: Diagnostics) -> bytes:
    """The book's ``book.css`` (confined, as the loader checked it) as the EPUB carries it."""
    text = read_style_file(path, root).decode("utf-8")
    carried, left_out = epub_stylesheet(text)
    for item in left_out:
        diags.add("W122", SourceLoc(display_name(path), item.line), f"{item.what} is left out of the EPUB's copy of book.css",
                  "an EPUB carries no files a stylesheet names: no web addresses, no files of the machine")
    return carried.encode("utf-8")


def _figures(book: Book) -> dict[str, Figure]:
    """The book's images by their name in the EPUB (one file used twice is stored once)."""
    return {
        epub_image_file(block): block
        for doc in book.documents
        for block in walk_blocks(doc.text_blocks)
        if isinstance(block, Figure)
    }


def _metadata(eb: epub.EpubBook, book: Book, figures: list[Figure], summary: str) -> None:
    eb.set_identifier(identifier(book))
    eb.set_title(book.title)
    eb.set_language(book.language)
    for i, editor in enumerate(book.editors, 1):
        eb.add_author(editor, role="edt", uid=f"editor{i}")
    for i, translator in enumerate(book.translators, 1):
        eb.add_metadata("DC", "contributor", translator, {"id": f"translator{i}"})
        eb.add_metadata(None, "meta", "trl", {"refines": f"#translator{i}", "property": "role", "scheme": "marc:relators"})
    if book.publisher:
        eb.add_metadata("DC", "publisher", book.publisher)
    if book.copyright:
        eb.add_metadata("DC", "rights", book.copyright)
    if book.subtitle:
        eb.add_metadata("DC", "description", book.subtitle)
    if book.year:
        eb.add_metadata("DC", "date", str(book.year))
    if book.isbn.print:
        eb.add_metadata("DC", "source", "urn:isbn:" + book.isbn.print.replace("-", ""))
    for prop, value in ACCESSIBILITY:
        eb.add_metadata(None, "meta", value, {"property": prop})
    eb.add_metadata(None, "meta", summary, {"property": "schema:accessibilitySummary"})
    described = all(f.alt for f in figures)
    # Text alone is sufficient when every image is described; otherwise the images must be seen.
    eb.add_metadata(None, "meta", "textual" if described else "textual,visual", {"property": "schema:accessModeSufficient"})
    if figures:
        eb.add_metadata(None, "meta", "visual", {"property": "schema:accessMode"})
        if described:
            eb.add_metadata(None, "meta", "alternativeText", {"property": "schema:accessibilityFeature"})
    if page_breaks(book):
        eb.add_metadata(None, "meta", "pageBreakMarkers", {"property": "schema:accessibilityFeature"})
        eb.add_metadata(None, "meta", "pageNavigation", {"property": "schema:accessibilityFeature"})
        # The pages are those of the PDF built beside this EPUB: the reader's, or the edition's own.
        if book.isbn.print:
            source = "urn:isbn:" + book.isbn.print.replace("-", "")
        else:
            source = f"{book.title}, print PDF of {book.slug}"
        eb.add_metadata(None, "meta", source, {"property": "pageBreakSource"})


#: EPUB Accessibility 1.1 statements that hold for every book press makes: text in
#: reading order, with navigation by document and heading, and no flashing or sound.
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"),
)  # and the accessibility summary, in the book's language (``accessibility_summary``)


def _repack(source: Path, target: Path, when: dt.datetime, language: str) -> None:
    """Copy the zip with ``mimetype`` first and stored, every entry stamped ``when``, and the
    package document given its language."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        names = sorted(zin.namelist(), key=lambda n: (n != "mimetype", n))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = zin.read(name)
            if name.endswith(".opf"):
                data = _package_language(data, language)
            zout.writestr(info, data, compresslevel=9 if name != "mimetype" else None)


def _package_language(opf: bytes, language: str) -> bytes:
    """EbookLib gives the package element no xml:lang; reading systems use it for the metadata."""
    root = etree.fromstring(opf)
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
