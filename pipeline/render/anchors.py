"""What a link points at, in the book's words: the description a tagged PDF gives each link.

PDF/UA asks every link annotation for a description (its ``/Contents``), and a screen reader
may read it out instead of, or beside, the link's own text. WeasyPrint gives the name of the
target, so a student heard "doc12-p15" for a paragraph number in the index or a
cross-reference. ``LinkDescriptions`` says "Document No. 12, Paragraph 15" instead: the target
as the book itself names it, from the language's catalogue (``words.py``) and the index's
headings. A name press does not make (a book template's own id) keeps WeasyPrint's description.
"""

from __future__ import annotations

import re

from pipeline.model import INDEX_ANCHOR, Book
from pipeline.render.indexpage import kind_heading
from pipeline.transforms.index import entry_ids, sub_id
from pipeline.words import Words

# press's ids inside a document: the document, a numbered paragraph, a footnote
_DOCUMENT = re.compile(r"doc(\d+)(?:-(p|fn)(\d+))?")


class LinkDescriptions:
    """The description of each of press's link targets in ``book``: call it with a target's name."""

    def __init__(self, book: Book) -> None:
        self.words = Words(book.language, book.labels)
        self.book = book
        self._index: dict[str, str] | None = None

    def __call__(self, anchor: str) -> str | None:
        """The description of ``anchor``, or None for a name press does not make."""
        found = _DOCUMENT.fullmatch(anchor)
        if found is not None:
            document = self.words("document", number=found[1])
            if found[2] == "p":
                return f"{document}, {self.words('paragraph')} {found[3]}"
            if found[2] == "fn":
                return f"{document}, {self.words('note_short', number=found[3])}"
            return document
        return self._index_targets().get(anchor)

    def _index_targets(self) -> dict[str, str]:
        """The index, its kinds' headings and its entries (a sub-entry after its entry), by id."""
        if self._index is None:
            index = self.book.index
            self._index = {INDEX_ANCHOR: self.words("index")} if index is not None else {}
            if index is not None:
                for kind in index.kinds:
                    self._index[f"{INDEX_ANCHOR}-{kind.name}"] = kind_heading(kind, self.words)
                ids = entry_ids(index)
                for entry in index.entries:
                    self._index[ids[entry.heading]] = entry.heading
                    for place, sub in enumerate(entry.subentries, start=1):
                        self._index[sub_id(ids[entry.heading], place)] = f"{entry.heading}, {sub.heading}"
        return self._index
