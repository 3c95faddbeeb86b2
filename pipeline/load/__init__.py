"""The load stage: a manuscript folder (book.yaml + document files) -> a ``Book`` model.

Every problem is collected before anything is built; ``load_book`` raises one
``ManuscriptError`` carrying all of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.load.document import load_document
from pipeline.load.images import check_image
from pipeline.load.markdown import make_parser
from pipeline.load.printsettings import read_print_settings
from pipeline.load.schema import BOOK_FIELDS
from pipeline.load.text import read_text
from pipeline.load.yamlnodes import compose, read_mapping
from pipeline.model import Book, Document, Edition, Isbn, NumberingPolicy, SourceLoc

BOOK_FILE = "book.yaml"
# Language, optional script and region subtags: enough to catch "English" or "en_GB".
_EDITION_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")


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
    node = compose(text, file, diags)
    diags.raise_if_errors()
    meta = read_mapping(node, BOOK_FIELDS, file, diags)
    diags.raise_if_errors()

    if "documents" in meta and not meta["documents"].value:
        diags.add("E110", meta["documents"].loc, "'documents' is empty", "list the document files in reading order")
    diags.raise_if_errors()

    print_settings = read_print_settings(meta["print"].value if "print" in meta else {}, root, diags)
    language = meta["language"].value if "language" in meta else "en"
    if not _LANGUAGE_TAG.fullmatch(language):
        diags.add("E108", meta["language"].loc, f"'{language}' is not a BCP 47 language tag", "for example en, de, ru or en-GB")
        diags.raise_if_errors()
    parser = make_parser(language)
    documents = _load_documents(root, meta["documents"].value, parser, language, diags)

    def opt(key: str):
        return meta[key].value if key in meta else None

    cover = None
    if "cover" in meta:
        found = check_image(meta["cover"].value, root, root, meta["cover"].loc, diags, what="cover image")
        cover = found.path if found else None
    editions = _editions(meta["editions"].value if "editions" in meta else {}, documents, diags)
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
        year=opt("year"),
        language=language,
        copyright=opt("copyright"),
        licence=opt("licence"),
        printing=opt("printing"),
        isbn=Isbn(**isbn),
        print=print_settings,
        cover=cover,
        field_lines=tuple((key, value.loc.line) for key, value in meta.items()),
        editions=editions,
        numbering=NumberingPolicy(**numbering),
        documents=tuple(documents),
    )


#: More documents than any reader holds; a longer list is a mistake (or an attack on the machine).
MAX_DOCUMENTS = 2_000


def _inside(root: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _load_documents(root: Path, entries, parser, language: str, diags: Diagnostics) -> list[Document]:
    documents: list[Document] = []
    if len(entries) > MAX_DOCUMENTS:
        diags.add("E115", entries[MAX_DOCUMENTS].loc, f"{len(entries):,} documents are more than press sets in one book ({MAX_DOCUMENTS:,})",
                  "split the reader into volumes")
        return documents
    seen_paths: dict[Path, SourceLoc] = {}
    by_number: dict[int, Document] = {}
    for entry in entries:
        path = (root / entry.value).resolve()
        if path in seen_paths:
            diags.add("E109", entry.loc, f"'{entry.value}' is listed twice", f"first listed at line {seen_paths[path].line}")
            continue
        seen_paths[path] = entry.loc
        if not _inside(root, path):
            diags.add("E116", entry.loc, f"'{entry.value}' is outside the manuscript folder", "keep documents inside it")
            continue
        if not path.is_file():
            diags.add("E105", entry.loc, f"listed document '{entry.value}' does not exist", f"looked for {path}")
            continue
        doc = load_document(path, _display(path), parser, language, diags, root)
        if doc is None:
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
    return documents


def _editions(entries: dict, documents: list[Document], diags: Diagnostics) -> tuple[Edition, ...]:
    """Check each class edition: a usable name, and documents the book has, each once."""
    numbers = {doc.number for doc in documents}
    out = []
    for name, entry in entries.items():
        fields = entry.value
        if not _EDITION_NAME.fullmatch(name) or name == "all":
            diags.add("E108", entry.loc, f"'{name}' cannot name an edition",
                      "use lower-case letters, digits and hyphens (it becomes part of file names); 'all' is reserved")
            continue
        if "title" not in fields or "documents" not in fields:
            continue  # reported by the schema
        chosen = []
        for item in fields["documents"].value:
            if item.value not in numbers:
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
            )
        )
    return tuple(out)


def _display(path: Path) -> str:
    """Name a file as the editor would type it: relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
