"""Every character of the book must be in the book's own fonts.

WeasyPrint silently takes a missing glyph from whatever system font has it, which makes the
output depend on the machine. Checking the text against the fonts' character maps finds the
character, the document and the paragraph before any layout is done.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from pipeline.diagnostics import Diagnostics
from pipeline.model import Book, Code, Paragraph, SourceLoc, Text, iter_inlines
from pipeline.styles import FONTS, STYLES
from pipeline.words import KEYS, Words

# Characters that are layout, not glyphs: spaces and breaks are drawn by the engine itself.
_IGNORED = {"\n", "\t", "\u00ad", "\u200b", "\u2060"}


@lru_cache(maxsize=None)
def font_coverage(font_dir: Path) -> frozenset[int]:
    """Code points that every face in ``font_dir`` can draw."""
    faces = sorted(font_dir.glob("*.ttf"))
    maps = [set(TTFont(str(f), lazy=True).getBestCmap()) for f in faces]
    return frozenset(set.intersection(*maps)) if maps else frozenset()


def check_fonts(book: Book, diags: Diagnostics, css: Path = STYLES / "css" / "fonts.css") -> bool:
    """Every face fonts.css declares must be there and readable; report E202 for each that is not."""
    ok = True
    for name in re.findall(r"url\(\.\./fonts/([^)]+)\)", css.read_text(encoding="utf-8")):
        path = css.parent.parent / "fonts" / name
        try:
            TTFont(str(path), lazy=True).getBestCmap()
        except Exception as exc:  # fontTools raises many kinds for a damaged file
            diags.add("E202", SourceLoc(str(path)), f"font file {name} is missing or unreadable ({type(exc).__name__})",
                      "restore styles/fonts from the repository")
            ok = False
    return ok


def check_glyphs(book: Book, diags: Diagnostics, font_dir: Path = FONTS) -> None:
    """Reads all text of the model; reports E200 for each character the fonts lack, once per paragraph."""
    if not check_fonts(book, diags):
        return
    covered = font_coverage(font_dir)

    def check(text: str, where: str, loc) -> None:
        for char in sorted(set(text)):
            if ord(char) in covered or char in _IGNORED or char == " ":
                continue
            name = unicodedata.name(char, "unnamed character")
            diags.add(
                "E200",
                loc,
                f"'{char}' (U+{ord(char):04X} {name}) in {where} is not in the book's fonts",
                "replace it, or add a font that has it to styles/fonts",
            )

    # Everything printed from book.yaml, and every word press adds in the book's language.
    for key in ("title", "subtitle", "publisher", "copyright", "licence", "printing"):
        check(getattr(book, key) or "", f"book.yaml {key}", book.field_loc(key))
    check(book.isbn.print or "", "book.yaml isbn.print", book.field_loc("isbn"))
    check(book.isbn.epub or "", "book.yaml isbn.epub", book.field_loc("isbn"))
    for editor in book.editors:
        check(editor, "book.yaml editors", book.field_loc("editors"))
    for edition in book.editions + ((book.edition,) if book.edition else ()):
        for key in ("title", "subtitle", "course"):
            check(getattr(edition, key) or "", f"book.yaml editions.{edition.name}.{key}", edition.loc)
    words = Words(book.language, book.labels)
    for key in KEYS:
        check(words.messages[key], f"the word '{key}' in the book's language", book.field_loc("labels"))
    for doc in book.documents:
        for key in ("title", "short_title", "date", "translator", "copyright"):
            check(getattr(doc, key) or "", f"Document No. {doc.number}, {key}", doc.loc)
        check("".join(doc.speakers), f"Document No. {doc.number}, speakers", doc.loc)
        parts = [("headnote", doc.headnote), ("text", doc.body), ("source note", doc.source)]
        parts += [(f"footnote {n.number}", n.blocks) for n in doc.footnotes]
        for part, blocks in parts:
            for block in blocks:
                label = f"§ {block.number}" if isinstance(block, Paragraph) and block.number else part
                check(_text((block,)), f"Document No. {doc.number}, {label}", block.loc)


def _text(blocks) -> str:
    out = []
    for node in iter_inlines(blocks):
        if isinstance(node, (Text, Code)):
            out.append(node.text)
    return "".join(out)
