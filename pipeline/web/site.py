"""The web edition: the model (its printed pages marked) + the render stage's templates → a static
site that works opened from the file system and served by any static host.

Pages: ``index.html`` (title page, contents, downloads), ``imprint.html``, ``docN.html`` for each
document, ``book-index.html`` (the book's index of persons, places and subjects, when it has one:
the same entries as the EPUB's, each locator a link to ``docN.html#docN-pM``), ``search.html`` (with ``search-index.js``), ``404.html``; ``assets/`` holds the
stylesheets, the site's two scripts and the faces as WOFF2 subset to the characters the site
uses; ``images/`` the figures; ``downloads/`` copies of the PDFs and the EPUB built in the same
run. Every file depends on the manuscript alone (no dates, no random names), so a rebuild gives
the same bytes.
"""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import urlsplit

from markupsafe import Markup
from PIL import Image

from pipeline.fonts import subset_font
from pipeline.model import Book, Document, Figure, walk_blocks
from pipeline.render import Renderer
from pipeline.render.html import WEB_INDEX_FILE, epub_image_file, web_file
from pipeline.styles import STYLES, font_files, stylesheet_paths
from pipeline.web.search import build_index
from pipeline.web.units import DocumentReading, read_document

#: Only the site's own files: no other host, no inline script or style, no plugin, no <base>.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
       "form-action 'self'; base-uri 'none'; object-src 'none'")
WEB_CSS = ("book.css", "web.css")
SCRIPTS = ("press.js", "search.js")


@dataclass(frozen=True)
class Download:
    """A file built beside the site and copied into it: ``word`` is its catalogue key."""

    word: str
    name: str
    source: Path
    media_type: str

    @property
    def href(self) -> str:
        return f"downloads/{self.name}"


@dataclass
class _Site:
    """What every page's frame needs (``site`` in the templates)."""

    csp: str
    stylesheets: list[str]
    downloads: list[dict] = field(default_factory=list)
    index: str | None = None  # the index page, when the book has an index


@dataclass
class _Page:
    """One page's head (``page`` in the templates)."""

    kind: str
    title: str
    description: str
    canonical: str | None = None
    og_type: str = "website"
    json_ld: Markup | None = None
    meta: list[tuple[str, str]] = field(default_factory=list)
    scripts: tuple[str, ...] = ("assets/press.js",)
    root: str = ""


def write_site(book: Book, target: Path, downloads: Sequence[Download] = (), front: bytes | None = None,
               fonts_kept: Path | None = None) -> None:
    """Write the web edition of ``book`` into the folder ``target`` (made here; must not exist).

    The home page shows the front of the cover, as the EPUB does: the book's ``cover:`` image,
    else ``front`` (the printed cover's front panel as a PNG, drawn by the build through the engine).
    ``fonts_kept`` is where the build's cache keeps the faces' subsets (``fonts.subset_font``)."""
    target.mkdir(parents=True)
    renderer = Renderer(book)
    words = renderer.words
    base = book.web.base_url
    readings = {doc.number: read_document(doc, book.language) for doc in book.documents}

    assets = target / "assets"
    assets.mkdir()
    stylesheets = []
    for i, path in enumerate(stylesheet_paths(book, WEB_CSS)):
        name = f"assets/{WEB_CSS[i] if i < len(WEB_CSS) else 'custom.css'}"
        (target / name).write_bytes(path.read_bytes())
        stylesheets.append(name)
    stylesheets.insert(0, "assets/fonts.css")
    for script in SCRIPTS:
        (assets / script).write_bytes((STYLES / "web" / script).read_bytes())

    index_kinds = renderer.web_index_kinds()
    site = _Site(CSP, stylesheets, index=WEB_INDEX_FILE if index_kinds else None)
    if downloads:
        (target / "downloads").mkdir()
        for d in downloads:
            shutil.copyfile(d.source, target / d.href)
            site.downloads.append({"href": d.href, "word": d.word, "media_type": d.media_type,
                                   "size": _size(d.source.stat().st_size)})
    figures = {epub_image_file(b): b for doc in book.documents for b in walk_blocks(doc.text_blocks) if isinstance(b, Figure)}
    if figures:
        (target / "images").mkdir()
        for name, figure in sorted(figures.items()):
            (target / name).write_bytes(figure.path.read_bytes())

    cover = _cover(book, front, target)
    pages: dict[str, str] = {}
    description = book.subtitle or book.title
    context = dict(site=site, t=words.markup, web_file=web_file, cover=cover)
    pages["index.html"] = renderer.web_page(
        "web-index.html.j2", page=_Page("home", book.title, description, _url(base, "index.html"),
                                        json_ld=_json_ld({"@context": "https://schema.org", **_book_ld(book, base)})), **context)
    pages["imprint.html"] = renderer.web_page(
        "web-imprint.html.j2", page=_Page("imprint", words("web_page_title", title=words("imprint"), book=book.title), description,
                                          _url(base, "imprint.html")), **context)
    documents = list(book.documents)
    for i, doc in enumerate(documents):
        reading = readings[doc.number]
        page_of = reading.pages.get
        r = renderer.web_inline_renderer(doc, page_of, book.web.page_numbers)
        pages[web_file(doc.number)] = renderer.web_page(
            "web-document.html.j2", doc=doc, r=r, cite=_citation(book, doc, words, base),
            previous=documents[i - 1] if i else None, next=documents[i + 1] if i + 1 < len(documents) else None,
            page=_document_page(book, doc, reading, words, base), **context)
    if index_kinds:
        pages[WEB_INDEX_FILE] = renderer.web_page(
            "web-book-index.html.j2", kinds=index_kinds,
            page=_Page("book-index", words("web_page_title", title=words("index"), book=book.title), description,
                       _url(base, WEB_INDEX_FILE)), **context)
    pages["search.html"] = renderer.web_page(
        "web-search.html.j2", page=_Page("search", words("web_page_title", title=words("search"), book=book.title), description,
                                         _url(base, "search.html"),
                                         scripts=("assets/press.js", "search-index.js", "assets/search.js")), **context)
    # Served as the answer to any missing address, deep or not: with a known base its links are absolute paths.
    root = urlsplit(base).path if base else ""
    pages["404.html"] = renderer.web_page(
        "web-404.html.j2", page=_Page("not-found", words("web_page_title", title=words("not_found"), book=book.title), description, root=root),
        **{**context, "site": _Site(CSP, stylesheets, site.downloads, site.index)})

    units = [unit for doc in documents for unit in readings[doc.number].units]
    label_words = {key: words.messages[key] for key in ("doc_short", "paragraph_short", "note_short", "page", "search_result_label")}
    index = build_index(units, book.language, label_words)
    (target / "search-index.js").write_text(index, encoding="utf-8")

    for name, html in pages.items():
        (target / name).write_text(html, encoding="utf-8")
    # The faces hold what the pages and the index show (their markup adds a few letters).
    characters = set("".join(pages.values())) | set(index)
    (assets / "fonts").mkdir()
    faces = []
    for path in font_files():
        (assets / "fonts" / f"{path.stem}.woff2").write_bytes(subset_font(path, characters, flavor="woff2", kept=fonts_kept))
        faces.append(_font_face(path.stem))
    (assets / "fonts.css").write_text("".join(faces), encoding="utf-8")
    if base:
        (target / "sitemap.xml").write_text(_sitemap(base, [n for n in pages if n != "404.html"]), encoding="utf-8")


def _cover(book: Book, front: bytes | None, target: Path) -> dict | None:
    """The front of the cover written as ``images/cover.png`` (or the book's own ``.jpg``): its
    address and pixel size for the home page, or None without one."""
    if book.cover is not None:
        data, suffix = book.cover.read_bytes(), (".png" if book.cover.suffix.lower() == ".png" else ".jpg")
    elif front is not None:
        data, suffix = front, ".png"
    else:
        return None
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    (target / "images").mkdir(exist_ok=True)
    (target / "images" / f"cover{suffix}").write_bytes(data)
    return {"src": f"images/cover{suffix}", "width": width, "height": height}


def _citation(book: Book, doc: Document, words, base: str | None) -> dict[str, str]:
    """The parts of a paragraph's citation; the site's script puts in the paragraph, its page
    and (without a base address) the address the page was opened from."""
    editors = ""
    if book.editors:
        key = "editors_short_one" if len(book.editors) == 1 else "editors_short_other"
        editors = words(key, names=words.names(book.editors))
    title = f"{book.title}: {book.subtitle}" if book.subtitle else book.title
    parts = [p for p in (editors, title, book.publisher, str(book.year) if book.year else "") if p]
    return {
        "book": ", ".join(parts),
        "document": words("doc_short", number=doc.number),
        "paragraph": words("paragraph_short", number="{number}"),
        "page": f"{words('page')}\u00a0{{page}}",
        "url": _url(base, web_file(doc.number)) or "",
    }


def _document_page(book: Book, doc: Document, reading: DocumentReading, words, base: str | None) -> _Page:
    label = words("document", number=doc.number)
    title = words("web_page_title", title=words("document_titled", document=label, title=doc.title), book=book.title)
    # The description: the first numbered paragraph (the headnote's, by default), shortened.
    first = next((u for u in reading.units[1:] if u.paragraph is not None), None)
    headnote = first.text if first is not None else doc.title
    description = headnote if len(headnote) <= 200 else headnote[:200].rsplit(" ", 1)[0] + "…"
    url = _url(base, web_file(doc.number))
    # Highwire Press tags, which Zotero and Google Scholar read: the document as a part of the book.
    meta = [("citation_title", doc.title), ("citation_inbook_title", book.title)]
    meta += [("citation_editor", name) for name in book.editors]
    meta += [(k, v) for k, v in (("citation_publisher", book.publisher), ("citation_publication_date", str(book.year) if book.year else None),
                                 ("citation_isbn", book.isbn.print), ("citation_language", doc.language or book.language),
                                 ("citation_firstpage", doc.page_break), ("citation_lastpage", reading.last_page),
                                 ("citation_abstract_html_url", url)) if v]
    if doc.translator:
        meta.append(("dc.contributor", doc.translator))
    ld = {"@context": "https://schema.org", "@type": "Chapter", "name": doc.title, "position": doc.number,
          "inLanguage": doc.language or book.language, "isPartOf": _book_ld(book, base)}
    if doc.translator:
        ld["translator"] = {"@type": "Person", "name": doc.translator}
    if doc.page_break:
        ld["pageStart"] = doc.page_break
    if reading.last_page:
        ld["pageEnd"] = reading.last_page
    if url:
        ld["url"] = url
    return _Page("document", title, description, url, og_type="article", json_ld=_json_ld(ld), meta=meta)


def _book_ld(book: Book, base: str | None) -> dict:
    ld: dict = {"@type": "Book", "name": book.title, "inLanguage": book.language}
    if book.subtitle:
        ld["alternativeHeadline"] = book.subtitle
    if book.editors:
        ld["editor"] = [{"@type": "Person", "name": n} for n in book.editors]
    if book.publisher:
        ld["publisher"] = {"@type": "Organization", "name": book.publisher}
    if book.year:
        ld["datePublished"] = str(book.year)
    if book.isbn.print:
        ld["isbn"] = book.isbn.print
    if base:
        ld["url"] = base
    return ld


def _json_ld(data: dict) -> Markup:
    """JSON-LD for a <script> element: "<", ">" and "&" escaped so no text can end the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _url(base: str | None, name: str) -> str | None:
    return base + name if base else None


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, round(n / 1000))} kB"


def _font_face(stem: str) -> str:
    style = "italic" if "Italic" in stem else "normal"
    weight = 700 if "Bold" in stem else 400
    return (f'@font-face {{ font-family: "Gentium Book Plus"; font-style: {style}; font-weight: {weight}; '
            f'font-display: block; src: url(fonts/{stem}.woff2) format("woff2"); }}\n')


def _sitemap(base: str, names: list[str]) -> str:
    from xml.sax.saxutils import escape

    rows = "".join(f"<url><loc>{escape(base + name)}</loc></url>\n" for name in sorted(names))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + rows + "</urlset>\n")
