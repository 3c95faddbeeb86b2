"""The load stage: a manuscript folder (book.yaml + document files) -> a ``Book`` model.

Every problem is collected before anything is built; ``load_book`` raises one
``ManuscriptError`` carrying all of them.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.load.document import load_document
from pipeline.load.images import check_image
from pipeline.load.indexfile import load_index
from pipeline.load.isbn import isbn_problem
from pipeline.load.markdown import LANGUAGE_TAG as _LANGUAGE_TAG
from pipeline.load.markdown import MarkdownReader, make_parser
from pipeline.load.printsettings import read_print_settings
from pipeline.load.schema import BOOK_FIELDS
from pipeline.load.stylefiles import check_styles
from pipeline.load.text import read_text, resolve, why_unreadable
from pipeline.load.yamlnodes import compose, read_mapping
from pipeline.model import Book, Document, Edition, Isbn, NumberingPolicy, SourceLoc, WebSettings
from pipeline.words import catalogue, placeholders

BOOK_FILE = "book.yaml"
# Language, optional script and region subtags: enough to catch "English" or "en_GB".
_EDITION_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_book(root: Path, diags: Diagnostics | None = None) -> Book:
    """Read ``root/book.yaml`` and the documents it lists; raise ``ManuscriptError`` on errors."""
    diags = diags if diags is not None else Diagnostics()
    root = Path(root)
    book_path = root / BOOK_FILE
    file = _display(book_path)
    if not book_path.is_file():
        diags.add("E100", SourceLoc(file), "no book.yaml here", f"is '{root}' a manuscript folder?")
        diags.raise_if_errors()
    text = read_text(book_path, file, diags)
    diags.raise_if_errors()
    assert text is not None  # read_text reported why it could not read
    node = compose(text, file, diags)
    diags.raise_if_errors()
    meta = read_mapping(node, BOOK_FIELDS, file, diags)
    # A problem elsewhere in book.yaml does not stop the documents being read: every problem of
    # the manuscript is listed at once. Only a book.yaml without a usable documents list does.
    if "documents" in meta and not meta["documents"].value:
        diags.add("E110", meta["documents"].loc, "'documents' is empty", "list the document files in reading order")
    if "documents" not in meta or not meta["documents"].value:
        diags.raise_if_errors()

    print_settings = read_print_settings(meta["print"].value if "print" in meta else {}, root, diags)
    language = meta["language"].value if "language" in meta else "en"
    if not _LANGUAGE_TAG.fullmatch(language):
        diags.add("E108", meta["language"].loc, f"'{language}' is not a BCP 47 language tag", "for example en, de, ru or en-GB")
        language = "en"  # to read the documents with; the error stops the build
    year = meta.get("year")
    if year is not None and not 1000 <= year.value <= 9999:
        diags.add("E108", year.loc, f"year {year.value} is not a year of publication", "write it in four digits, e.g. 2025")
    parser = make_parser(language)
    documents, complete = _load_documents(root, meta["documents"].value, parser, language, diags)
    check_styles(root, diags, _display)

    def opt(key: str):
        return meta[key].value if key in meta else None

    cover = None
    if "cover" in meta:
        found = check_image(meta["cover"].value, root, root, meta["cover"].loc, diags, what="cover image")
        cover = found.path if found else None
    back_cover: tuple = ()
    if "back_cover" in meta:
        # the publisher's own words, in the book's language; no images, no notes on a cover
        back_cover, _ = MarkdownReader(parser, file, meta["back_cover"].first_line, "back_cover", diags).read(meta["back_cover"].value)
    editions = _editions(meta["editions"].value if "editions" in meta else {}, documents, complete, diags)
    labels = _labels(meta["labels"].value if "labels" in meta else {}, diags)
    index = load_index(root, meta.get("index"), diags, _display)
    stamp_text = _stamp_text(meta.get("stamp"), diags)
    web = _web(meta["web"].value if "web" in meta else {}, diags)
    _check_isbns(meta.get("isbn"), diags)
    diags.raise_if_errors()

    isbn = {k: v.value for k, v in meta["isbn"].value.items()} if "isbn" in meta else {}
    numbering = {k: v.value for k, v in meta["numbering"].value.items()} if "numbering" in meta else {}
    return Book(
        title=meta["title"].value,
        root=root,
        loc=SourceLoc(file, 1),
        subtitle=opt("subtitle"),
        editors=tuple(v.value for v in meta["editors"].value) if "editors" in meta else (),
        publisher=opt("publisher"),
        year=year.value if year is not None else None,
        language=language,
        copyright=opt("copyright"),
        licence=opt("licence"),
        printing=opt("printing"),
        isbn=Isbn(**isbn),
        print=print_settings,
        cover=cover,
        field_lines=tuple((key, value.loc.line) for key, value in meta.items())
        + tuple((f"isbn.{key}", value.loc.line) for key, value in (meta["isbn"].value.items() if "isbn" in meta else ())),
        back_cover=back_cover,
        editions=editions,
        numbering=NumberingPolicy(**numbering),
        web=web,
        documents=tuple(documents),
        labels=labels,
        index=index,
        stamp_text=stamp_text,
    )


#: The values a stamp line may hold (``press stamp``): the copy id, the course line, the title, and
#: the student's name (printed only when the copies are made with ``--names``).
STAMP_SLOTS = ("copy", "course", "title", "name")


def _stamp_text(entry, diags: Diagnostics) -> str | None:
    """``stamp.text`` (of the book or of an edition), when it uses only the stamp's values."""
    if entry is None or "text" not in entry.value:
        return None
    text = entry.value["text"]
    unknown = placeholders(text.value) - set(STAMP_SLOTS)
    if unknown:
        diags.add("E108", text.loc, f"stamp.text uses {{{sorted(unknown)[0]}}}, which press does not fill in there",
                  f"it may use {', '.join('{' + s + '}' for s in STAMP_SLOTS)}")
        return None
    return text.value


#: An address a site can be served from: http(s), a host, and a path ending in "/" (pages are
#: named relative to it); no query, fragment, quotes or spaces, which would break out of an attribute.
_BASE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?(/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?/")


def _web(entries: dict, diags: Diagnostics) -> WebSettings:
    """book.yaml's ``web:``: the base address is checked, since it is written into every page."""
    base = entries.get("base_url")
    if base is not None and (not _BASE_URL.fullmatch(base.value) or "'" in base.value):
        diags.add("E140", base.loc, f"web.base_url '{base.value}' is not an http or https address ending in /",
                  "for example https://example.org/reader/")
        base = None
    numbers = entries.get("page_numbers")
    return WebSettings(base_url=base.value if base is not None else None,
                       page_numbers=numbers.value if numbers is not None else True)


def _labels(entries: dict, diags: Diagnostics) -> tuple[tuple[str, str], ...]:
    """book.yaml's own words for press's: each may use the values its English entry has, no others."""
    out = []
    for key, entry in entries.items():
        allowed = placeholders(catalogue("en")[key])
        unknown = placeholders(entry.value) - allowed
        if unknown:
            diags.add("E108", entry.loc, f"labels.{key} uses {{{sorted(unknown)[0]}}}, which press does not fill in there",
                      f"it may use {', '.join('{' + p + '}' for p in sorted(allowed))}" if allowed else "it takes no values")
        else:
            out.append((key, entry.value))
    return tuple(out)


#: More documents than any reader holds; a longer list is a mistake (or an attack on the machine).
MAX_DOCUMENTS = 2_000


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _load_documents(root: Path, entries, parser, language: str, diags: Diagnostics) -> tuple[list[Document], bool]:
    """The documents listed, and whether every one of them could be read (so their numbers are all known)."""
    documents: list[Document] = []
    complete = True
    if len(entries) > MAX_DOCUMENTS:
        diags.add("E115", entries[MAX_DOCUMENTS].loc, f"{len(entries):,} documents are more than press sets in one book ({MAX_DOCUMENTS:,})",
                  "split the reader into volumes")
        return documents, False
    seen_paths: dict[Path, SourceLoc] = {}
    by_number: dict[int, Document] = {}
    for entry in entries:
        path = resolve(root / entry.value)
        if path is None:
            diags.add("E105", entry.loc, f"listed document '{entry.value}' cannot be reached: a symbolic link leads round in a loop")
            complete = False
            continue
        if path in seen_paths:
            diags.add("E109", entry.loc, f"'{entry.value}' is listed twice", f"first listed at line {seen_paths[path].line}")
            continue
        seen_paths[path] = entry.loc
        if not _inside(root, path):
            diags.add("E116", entry.loc, f"'{entry.value}' is outside the manuscript folder", "keep documents inside it")
            complete = False
            continue
        problem = why_unreadable(path)
        if problem:
            diags.add("E105", entry.loc, f"listed document '{entry.value}' {problem}",
                      _nearest(root, entry.value, path) if problem == "does not exist" else None)
            complete = False
            continue
        doc = load_document(path, _display(path), parser, language, diags, root)
        if doc is None:
            complete = False
            continue
        if doc.number in by_number:
            first = by_number[doc.number]
            diags.add(
                "E107",
                doc.loc,
                f"document number {doc.number} is already used by {first.loc.file}",
                "give each document its own number",
            )
            continue
        by_number[doc.number] = doc
        documents.append(doc)
    return documents, complete


def _nearest(root: Path, written: str, path: Path) -> str:
    """The hint for a document that is not there: the existing file whose name is nearest, if any."""
    candidates = sorted(str(p.relative_to(root)) for p in root.rglob("*.md") if p.is_file())[:5000]
    close = difflib.get_close_matches(written, candidates, n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else f"looked for {path}"


#: Edition names that would collide with the file names of press's own outputs.
RESERVED_EDITION_NAMES = ("all", "screen", "web", "cover", "imposed", "proof", "copies")


def _editions(entries: dict, documents: list[Document], complete: bool, diags: Diagnostics) -> tuple[Edition, ...]:
    """Check each class edition: a usable name, and documents the book has, each once.

    When a document could not be read its number is unknown, so an edition listing it is not
    blamed for that (the document's own error says what is wrong).
    """
    numbers = {doc.number for doc in documents}
    out = []
    for name, entry in entries.items():
        fields = entry.value
        if not _EDITION_NAME.fullmatch(name) or name in RESERVED_EDITION_NAMES:
            diags.add("E108", entry.loc, f"'{name}' cannot name an edition",
                      "use lower-case letters, digits and hyphens (it becomes part of file names); "
                      f"{', '.join(RESERVED_EDITION_NAMES)} are press's own")
            continue
        _check_isbns(fields.get("isbn"), diags)
        if "title" not in fields or "documents" not in fields:
            continue  # reported by the schema
        if not fields["documents"].value:
            diags.add("E111", fields["documents"].loc, f"edition '{name}' lists no documents",
                      "list the numbers of the documents it holds, e.g. [12, 13, 17]")
            continue
        chosen = []
        for item in fields["documents"].value:
            if item.value not in numbers:
                if complete:
                    diags.add("E111", item.loc, f"edition '{name}' lists Document No. {item.value}, which the book does not have")
            elif item.value in chosen:
                diags.add("E111", item.loc, f"edition '{name}' lists Document No. {item.value} twice")
            else:
                chosen.append(item.value)
        out.append(
            Edition(
                name=name,
                title=fields["title"].value,
                loc=entry.loc,
                documents=tuple(chosen),
                subtitle=fields["subtitle"].value if "subtitle" in fields else None,
                course=fields["course"].value if "course" in fields else None,
                isbn=Isbn(**{k: v.value for k, v in fields["isbn"].value.items()}) if "isbn" in fields else Isbn(),
                stamp_text=_stamp_text(fields.get("stamp"), diags),
            )
        )
    return tuple(out)


def _check_isbns(node, diags: Diagnostics) -> None:
    """E130 at the line of each ISBN (print or EPUB, the book's or an edition's) that is not one:
    a wrong check digit would not scan under the cover's barcode, nor name the EPUB in a catalogue."""
    if node is None:
        return
    for key, value in node.value.items():
        problem = isbn_problem(value.value)
        if problem is not None:
            diags.add("E130", value.loc, f"isbn.{key} '{value.value}' is not an ISBN: {problem}",
                      "copy the ISBN from the agency's record; a barcode with a wrong check digit will not scan")


def _display(path: Path) -> str:
    """Name a file as the editor would type it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
