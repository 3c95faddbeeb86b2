"""The book's language against press's message catalogues: the words press adds need one."""

from __future__ import annotations

from pipeline.diagnostics import Diagnostics
from pipeline.model import Book
from pipeline.words import catalogue_language


def check_language(book: Book, diags: Diagnostics) -> None:
    """Reads ``book.language``; reports W120 when no catalogue serves it (English words are used)."""
    if catalogue_language(book.language) is None:
        diags.add("W120", book.loc, f"press has no words in '{book.language}': the words it adds are set in English",
                  "give them in your language with labels: in book.yaml (see the README), or use en, fr, de, es, it or ru")
