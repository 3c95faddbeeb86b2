"""The declared schema of book.yaml and of a document's front matter.

Each key is declared once, with its type and its documentation side by side; the loader
validates against these tables and the README's reference is written from them.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.words import KEYS, catalogue


@dataclass(frozen=True)
class Field:
    """One key: ``kind`` is ``str``, ``int``, ``bool``, ``str_list``, ``int_list``, ``markdown``, ``map``
    or ``named_maps`` (names of the book's choosing, each a ``map`` of ``fields``)."""

    name: str
    kind: str
    doc: str
    required: bool = False
    fields: tuple["Field", ...] = ()


BOOK_FIELDS: tuple[Field, ...] = (
    Field("title", "str", "The book's title.", required=True),
    Field("subtitle", "str", "The subtitle, on the title page and in the EPUB metadata."),
    Field("editors", "str_list", "The editors, in the order they are credited."),
    Field("publisher", "str", "The publisher, on the title and imprint pages."),
    Field("year", "int", "The year of publication."),
    Field("language", "str", "The book's language as a BCP 47 tag (default `en`); drives hyphenation."),
    Field("copyright", "str", "The book's copyright notice, e.g. `© Saltmarsh Academic Press, 2025`."),
    Field("licence", "str", "The licence line of the imprint page (default `All rights reserved.`)."),
    Field("printing", "str", "The edition and printing line of the imprint page, e.g. `First published 2025`."),
    Field(
        "isbn",
        "map",
        "The ISBNs by format.",
        fields=(
            Field("print", "str", "ISBN of the printed reader."),
            Field("epub", "str", "ISBN of the EPUB; it becomes the EPUB's identifier."),
        ),
    ),
    Field(
        "numbering",
        "map",
        "Which paragraphs carry a margin number (all `true` by default).",
        fields=(
            Field("headnote", "bool", "Number the headnote's paragraphs."),
            Field("body", "bool", "Number the body's paragraphs, speaker turns included."),
            Field("source", "bool", "Number the source note."),
        ),
    ),
    Field(
        "print",
        "map",
        "The print PDF's geometry and standard.",
        fields=(
            Field("trim", "str", "`6x9in` (default), `a5`, `b5`, `royal`, `us-letter`, or a size like `5.5x8.5in`, `150x230mm`."),
            Field("bleed", "str", "Bleed beyond the trim on every side (default `0.125in`)."),
            Field("marks", "str", "`crop` (default), `cross`, `crop cross` or `none`: printer's marks outside the bleed."),
            Field("standard", "str", "`pdf/x-4` (default) or `pdf/x-1a`."),
            Field("profile", "str", "A CMYK ICC profile for the output intent, relative to book.yaml (default: Ghostscript's)."),
            Field("signature", "int", "Pages per printed signature, for the proof's page-count check and `press impose` (default 4)."),
            Field(
                "paper",
                "map",
                "The paper the book is printed on, for the cover's spine width: `ppi` or `caliper`.",
                fields=(
                    Field("ppi", "int", "The printer's pages per inch (e.g. 444 for a 50 lb uncoated stock)."),
                    Field("caliper", "str", "The thickness of one leaf, as a length (`0.0045in`, `0.114mm`)."),
                ),
            ),
            Field("cover_board", "str", "The cover's own thickness, added to the spine (a length, default 0)."),
            Field("spine_direction", "str", "`top-to-bottom` (default, the English way) or `bottom-to-top`: how the spine reads."),
            Field(
                "imposition",
                "map",
                "Defaults for `press impose`.",
                fields=(
                    Field("layout", "str", "`booklet` (saddle stitch) or `signatures` (default: booklet up to 64 pages)."),
                    Field("sheet", "str", "`a4`, `letter`, `a3`, `tabloid`, `sra3` or a size like `320x450mm` (default: the smallest that holds two pages)."),
                    Field("creep", "str", "How far the innermost sheet's pages move toward the fold (a length, default 0)."),
                ),
            ),
        ),
    ),
    Field("back_cover", "markdown", "The text on the back of the printed cover (`press build --format cover`); Markdown."),
    Field(
        "stamp",
        "map",
        "Stamped copies (`press stamp`).",
        fields=(
            Field("text", "str", "The line at the foot of every page of a stamped copy; `{copy}`, `{course}`, `{title}`, `{name}` mark its values."),
        ),
    ),
    Field(
        "web",
        "map",
        "The web edition (`press build --format web`).",
        fields=(
            Field("base_url", "str", "The address the site will be served from, e.g. `https://example.org/reader/`: "
                  "canonical links, full permalinks in citations, and a sitemap.xml."),
            Field("page_numbers", "bool", "Show in the margin where each printed page begins (default `true`)."),
        ),
    ),
    Field("cover", "str", "A cover image (PNG or JPEG) for the printed cover's front, the EPUB and the web home page, relative to book.yaml; "
          "press's own front when absent."),
    Field(
        "editions",
        "named_maps",
        "Class editions: a selection of the documents under its own title, by name.",
        fields=(
            Field("title", "str", "The edition's title.", required=True),
            Field("subtitle", "str", "Its subtitle."),
            Field("course", "str", "The course line, e.g. `HIST 214, Spring 2026`."),
            Field("documents", "int_list", "The numbers of the documents it holds, in reading order.", required=True),
            Field(
                "isbn",
                "map",
                "The edition's own ISBNs, if it has any; it never carries the whole reader's.",
                fields=(
                    Field("print", "str", "ISBN of the edition's printed copy."),
                    Field("epub", "str", "ISBN of the edition's EPUB; it becomes the EPUB's identifier."),
                ),
            ),
            Field(
                "stamp",
                "map",
                "The edition's own stamp for `press stamp` (default: the book's).",
                fields=(Field("text", "str", "The line at the foot of every page of the edition's stamped copies."),),
            ),
        ),
    ),
    Field(
        "labels",
        "map",
        "The book's own words for any of press's (e.g. `document: \"Text {number}\"`); `{name}` marks a value.",
        fields=tuple(Field(key, "str", catalogue("en")[key]) for key in KEYS),
    ),
    Field("index", "str", "The index's file, relative to book.yaml (default `index.yaml` beside it, when there is one)."),
    Field("documents", "str_list", "The document files in reading order, relative to book.yaml.", required=True),
)

#: The kinds of index entry a book has unless index.yaml's ``kinds:`` says otherwise, in the
#: order they are printed; their headings are catalogue words (``index_persons``, …).
DEFAULT_INDEX_KINDS = ("persons", "places", "subjects")

#: An entry of index.yaml (under its kind, by its heading as printed).
INDEX_ENTRY_FIELDS: tuple[Field, ...] = (
    Field("forms", "str_list", "The words or phrases that find the entry in the text, whole words, as written (inflected "
          "forms, other scripts); English possessives are found without listing. Default: the heading up to its first comma."),
    Field("see", "str", "The heading of the entry to look under instead; the entry then has no locators of its own."),
    Field("see_also", "str_list", "Headings of related entries."),
    Field("sub", "named_maps", "Sub-entries by heading: each cites the paragraphs where one of its forms and its entry are both found.",
          fields=(Field("forms", "str_list", "The words or phrases that find the sub-entry (default: its heading)."),)),
)

#: The settings of index.yaml; every other top-level key is a kind, mapping headings to entries.
INDEX_FIELDS: tuple[Field, ...] = (
    Field("locators", "str", "What the print index cites: `paragraphs`, `pages` or `both` (default); the EPUB cites paragraphs."),
    Field("kinds", "map", "The kinds in the order printed, each with its heading (default: persons, places, subjects)."),
)

FRONT_MATTER_FIELDS: tuple[Field, ...] = (
    Field("number", "int", "The document's number in the reader; unique.", required=True),
    Field("title", "str", "The full title.", required=True),
    Field("short_title", "str", "A shorter title for running heads."),
    Field("date", "str", "The date of the document, as printed."),
    Field("translator", "str", "Who translated the document."),
    Field("original_language", "str", "The language it was written in (BCP 47); one in the book's language needs no translator."),
    Field("language", "str", "The language its text is printed in (BCP 47), when not the book's: e.g. a letter given in the original."),
    Field("speakers", "str_list", "Names that open speaker turns (`Name: …`)."),
    Field("headnote", "markdown", "The editor's headnote; Markdown, may hold several paragraphs."),
    Field("source", "markdown", "The source note, printed in square brackets after the text."),
    Field("copyright", "str", "The document's copyright line; overrides the book's."),
)
