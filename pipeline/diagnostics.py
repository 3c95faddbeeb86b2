"""Diagnostics as data: every problem the pipeline finds is a ``Diagnostic`` with a code.

The table ``CODES`` is the one list of what press can report; the README's table is made
from it. Stages collect diagnostics and keep going; the build stops only once a stage has
gathered everything it can say, so the editor sees every problem of a manuscript at once.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from typing import Iterable, TextIO

from pipeline.model import SourceLoc

ERROR = "error"
WARNING = "warning"

#: code -> (severity, what it means). Codes are stable: tests and docs refer to them.
CODES: dict[str, tuple[str, str]] = {
    "E100": (ERROR, "book.yaml is missing or cannot be read"),
    "E101": (ERROR, "malformed YAML"),
    "E102": (ERROR, "unknown key"),
    "E103": (ERROR, "a value of the wrong type"),
    "E104": (ERROR, "a required key is missing"),
    "E105": (ERROR, "a listed document does not exist"),
    "E106": (ERROR, "front matter not opened or not closed"),
    "E107": (ERROR, "two documents share a number"),
    "E108": (ERROR, "a value that is not allowed"),
    "E109": (ERROR, "the same document is listed twice"),
    "E110": (ERROR, "the book lists no documents"),
    "E111": (ERROR, "an edition lists a document the book does not have, or one twice"),
    "E112": (ERROR, "no edition of that name"),
    "E113": (ERROR, "a file that is not UTF-8 text"),
    "W114": (WARNING, "a document with no text"),
    "E115": (ERROR, "more than press sets in one go: a paragraph or a book too long"),
    "E116": (ERROR, "a path that leads outside the manuscript folder"),
    "E117": (ERROR, "the output folder cannot be written"),
    "E118": (ERROR, "an image that is missing, unreadable, or not a PNG or JPEG"),
    "E121": (ERROR, "a gradient in device-cmyk() colours in the book's CSS, which the layout engine cannot draw"),
    "E124": (ERROR, "another press is building into this output folder, and it waited too long"),
    "E125": (ERROR, "a value on the command line that is not allowed"),
    "E126": (ERROR, "a file given to press diff that is not a PDF press can read"),
    "W115": (WARNING, "an image without a description for readers who cannot see it"),
    "W116": (WARNING, "a link that is not a web address: the words are kept, unlinked"),
    "W117": (WARNING, "an image whose colour profile cannot be read: its colours are taken as sRGB"),
    "W118": (WARNING, "an attribute in {…} that press does not read: only lang=, .ix key= and .noix are"),
    "E202": (ERROR, "a font file of the book is missing or unreadable"),
    "W110": (WARNING, "an image inside a line of text: only an image standing alone is placed"),
    "W111": (WARNING, "a footnote reference without a note"),
    "W112": (WARNING, "a footnote defined twice or never referenced"),
    "W113": (WARNING, "a cross-reference to a document or paragraph the book does not have"),
    "E200": (ERROR, "a character is missing from the book's fonts"),
    "W201": (WARNING, "the layout engine reported a problem"),
    "E300": (ERROR, "the print PDF fails a PDF/X check"),
    "W401": (WARNING, "a document without a source note"),
    "W402": (WARNING, "a document without a copyright line"),
    "W403": (WARNING, "a translated document that credits no translator"),
    "W404": (WARNING, "a turn whose speaker is not in the document's speakers"),
    "W405": (WARNING, "an omission typed as ... or (...) instead of […]"),
    "W406": (WARNING, "content runs past the text block or the trim"),
    "W407": (WARNING, "a heading left at the foot of a page"),
    "W408": (WARNING, "the page count does not fill the last signature"),
    "W409": (WARNING, "an image under 300 dpi at its printed size"),
    "W410": (WARNING, "an RGB image, converted to the print profile's CMYK"),
    "E301": (ERROR, "no CMYK colour profile for the print PDF"),
    "W120": (WARNING, "no message catalogue for the book's language: press's own words are English"),
    "W121": (WARNING, "a title too long for the running head, shortened"),
    "E119": (ERROR, "a template that cannot be rendered: a syntax error, an undefined name, a forbidden operation, too slow or too large"),
    "W122": (WARNING, "a reference in the book's CSS that the EPUB cannot carry, left out"),
    "E120": (ERROR, "a file press must read that is not a regular file: a FIFO, a device, a socket or a folder"),
    "E150": (ERROR, "a Word file press cannot import: not a .docx, damaged, protected or empty"),
    "E151": (ERROR, "a Word file without a title (style Title or Heading 1)"),
    "E152": (ERROR, "an imported document whose number or file name the book already has"),
    "E153": (ERROR, "a marked PDF that is not a proof, print or screen PDF of this book press made"),
    "E130": (ERROR, "an ISBN that is not one: a wrong check digit, or not 10 or 13 digits"),
    "E131": (ERROR, "the cover or the imposed sheets fail a PDF/X check"),
    "E132": (ERROR, "no print PDF to impose: build it first"),
    "E133": (ERROR, "a sheet too small for two pages with their bleed and marks"),
    "W130": (WARNING, "no print.paper: the spine is reckoned on 444 ppi paper"),
    "W131": (WARNING, "a spine too thin for text (under 0.35 in, so that it keeps 0.125 in from each fold): it is left blank"),
    "W132": (WARNING, "a cover image under 300 dpi at its printed size"),
    "W133": (WARNING, "cover text within 0.125 in of the trim or a fold"),
    "W134": (WARNING, "a saddle-stitched booklet of more than 80 sheets"),
    "W135": (WARNING, "a cover without a print ISBN: no barcode"),
    "E170": (ERROR, "two index entries with the same heading"),
    "E171": (ERROR, "a see or see-also reference to a heading the index does not have"),
    "E172": (ERROR, "see references that lead round in a circle"),
    "W170": (WARNING, "an index entry that finds no occurrence"),
    "W171": (WARNING, "an index form found in more than a third of the documents: a likely false hit"),
    "W172": (WARNING, "a manual index mark whose key is no entry of the index"),
    "E160": (ERROR, "a roster press cannot read: missing, empty, not UTF-8, without an id or name column, or a row with too many fields"),
    "E161": (ERROR, "a roster row without an id, an id twice, or two students with one copy id"),
    "E162": (ERROR, "no stamping secret (--secret-file or PRESS_STAMP_SECRET), or one too short"),
    "E163": (ERROR, "a stamp line that prints names, for copies made without --names"),
    "E164": (ERROR, "a file that is not a copy press stamp made"),
    "E165": (ERROR, "a catalogue press cannot build: no such file, a book name that cannot name a folder, a missing manuscript or roster, an edition the book does not have"),
    "E166": (ERROR, "manifests that do not make one run: of different catalogues, a shard missing, or an output twice"),
    "E140": (ERROR, "web.base_url is not an http or https address ending in /"),
}


#: Characters a terminal acts on instead of showing: C0 and C1 controls (ESC starts a terminal
#: command, CR rewrites the line) and the bidirectional overrides that reorder what is shown.
#: A message quotes the manuscript, so these are shown as escapes; the newline and the tab,
#: which press's own messages use, stay as they are.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` safe to print on a terminal: every control character as an escape (``\\x1b``)."""
    return _UNSHOWABLE.sub(_escape, text)


@dataclass(frozen=True)
class Place:
    """Where in the book a problem stands, beyond its file and line: the document, the
    paragraph or heading (its id), the printed page (its label) and the box on that page
    (x, y, width, height in pt), as far as they are known."""

    document: int | None = None
    paragraph: str | None = None
    page: str | None = None
    box: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a code from ``CODES``, where it is, what is wrong and how to fix it.

    Every stage reports this one type: the loader and the checks with a ``loc`` in the
    manuscript, the layout's preflight with a ``place`` in the book as well.
    """

    code: str
    loc: SourceLoc
    message: str
    hint: str | None = None
    place: Place = Place()

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    @property
    def document(self) -> int | None:
        return self.place.document

    @property
    def paragraph(self) -> str | None:
        return self.place.paragraph

    @property
    def page(self) -> str | None:
        return self.place.page

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        return self.place.box

    @property
    def file(self) -> str | None:
        return self.loc.file or None

    @property
    def line(self) -> int | None:
        return self.loc.line or None

    def placed(self, **where) -> "Diagnostic":
        """The same problem with more of its place known (``document=``, ``paragraph=``, ``page=``, ``box=``)."""
        return replace(self, place=replace(self.place, **where))

    def format(self) -> str:
        """The one line an editor reads:
        ``file:line:col: error[E102]: Doc. 37, doc37-p19, p. 12: what is wrong (hint: how to fix)``."""
        where = []
        if self.place.document is not None:
            where.append(f"Doc. {self.place.document}")
        if self.place.paragraph:
            where.append(self.place.paragraph)
        if self.place.page:
            where.append(f"p. {self.place.page}")
        hint = f" (hint: {self.hint})" if self.hint else ""
        head = f"{self.loc}: " if self.loc.file else ""
        inside = f"{', '.join(where)}: " if where else ""
        return shown(f"{head}{self.severity}[{self.code}]: {inside}{self.message}{hint}")

    def as_json(self) -> dict:
        """As preflight.json lists it."""
        return {
            "severity": self.severity, "code": self.code, "message": self.message, "hint": self.hint,
            "document": self.place.document, "paragraph": self.place.paragraph, "page": self.place.page,
            "file": self.file, "line": self.line, "box": list(self.place.box) if self.place.box else None,
        }


class ManuscriptError(Exception):
    """Raised when a stage found errors in the manuscript; carries all of them."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def __reduce__(self):
        # Layout workers send their errors back pickled; Exception's own reduction would rebuild
        # this one from its message, a string, and lose the diagnostics (or fail outright).
        return (type(self), (self.diagnostics,))


class Diagnostics:
    """Collects the diagnostics of one build; ``raise_if_errors`` ends a stage that found errors."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, code: str, loc: SourceLoc, message: str, hint: str | None = None, place: Place = Place()) -> None:
        self.append(Diagnostic(code, loc, message, hint, place))

    def append(self, diagnostic: Diagnostic) -> None:
        if diagnostic.code not in CODES:
            raise KeyError(f"undeclared diagnostic code {diagnostic.code}")
        if diagnostic not in self.items:  # the print and screen layouts report the same CSS twice
            self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.append(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == WARNING]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ManuscriptError(self.errors)

    def report(self, stream: TextIO = sys.stderr) -> None:
        for item in self.items:
            print(item.format(), file=stream)
