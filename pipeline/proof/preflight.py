"""Preflight: what the model shows an editor must fix before print, and how the book's page count
meets the printer's signatures. (What the laid-out pages show, overflows, coarse images and
headings at a page foot, is read off them as they are laid out: ``engine/inspect.py``.)

Model checks read the text: speaker names, omissions typed the old way, missing source notes,
copyright lines or translators, RGB images print will convert.
"""

from __future__ import annotations

import re

from pipeline.diagnostics import Diagnostic, Place
from pipeline.engine.separation import needs_cmyk
from pipeline.model import Book, Figure, Heading, Paragraph, SourceLoc, Text, walk_blocks
from pipeline.render.html import MARGINS
from pipeline.render.running import running_head
from pipeline.transforms.index import SUB_SEPARATOR, find_occurrences

# A paragraph opening like a speaker turn: one to three capitalised words and a colon.
_TURN = re.compile(r"^([A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω][\w'’.\-]*(?: [A-ZÀ-ÖØ-ÞА-ЯЁΑ-Ω][\w'’.\-]*){0,2}):\s")
# Omissions typed as "..." or "(...)" (the typographer has made "..." into "…").
_OLD_OMISSION = re.compile(r"\((?:…|\.\.\.)\)|(?<=\s)…(?=\s)")


def model_findings(book: Book) -> list[Diagnostic]:
    """Findings that need no layout."""
    out: list[Diagnostic] = []
    expect_translator = any(doc.translator for doc in book.documents)
    head_line = book.print.trim_width - MARGINS[2] - MARGINS[3]
    if running_head(book.title, head_line) != book.title:
        out.append(Diagnostic("W121", book.loc, f"the book's title is too long for the running head of versos: "
                              f"it is shortened to '{running_head(book.title, head_line)}'", "shorten the title, or accept the cut"))
    for doc in book.documents:
        front = SourceLoc(doc.loc.file, 1)
        here = Place(document=doc.number)
        shortened = running_head(doc.running_title, head_line)
        if shortened != doc.running_title:
            out.append(Diagnostic("W121", front, f"the title of Document No. {doc.number} is too long for the running head: "
                                  f"it is shortened to '{shortened}'", "add a short_title: to its front matter", here))
        if not doc.source:
            out.append(Diagnostic("W401", front, f"Document No. {doc.number} has no source note", "add 'source:' to its front matter", here))
        if not (doc.copyright or book.copyright):
            out.append(Diagnostic("W402", front, f"Document No. {doc.number} has no copyright line", "add 'copyright:' to it or to book.yaml", here))
        written_in_book_language = (doc.original_language or "").split("-")[0] == book.language.split("-")[0]
        printed_in_original = doc.language is not None and (doc.original_language or doc.language).split("-")[0] == doc.language.split("-")[0]
        if expect_translator and not doc.translator and not written_in_book_language and not printed_in_original:
            out.append(Diagnostic("W403", front, f"Document No. {doc.number} credits no translator",
                                  "add 'translator:'; or 'original_language:' when it was written in the book's language; "
                                  "or 'language:' when it is printed in its original language", here))
        for block in walk_blocks(doc.body):
            if not isinstance(block, Paragraph):
                continue
            text = block.inlines[0].text if block.inlines and isinstance(block.inlines[0], Text) else ""
            if doc.speakers and block.speaker is None and (m := _TURN.match(text)) and block.role == "body":
                out.append(Diagnostic("W404", _line(doc.loc.file, block.loc), f"'{m[1]}:' opens a turn, but {m[1]} is not in speakers",
                                      f"speakers are {', '.join(doc.speakers)}", Place(doc.number, block.anchor)))
        for block in walk_blocks(doc.text_blocks):
            if isinstance(block, Figure) and needs_cmyk(block.path):
                out.append(Diagnostic("W410", _line(doc.loc.file, block.loc),
                                      f"'{block.path.name}' is an RGB image: print gets it converted to the CMYK of the output profile",
                                      "check its colours in the proof, or supply it in CMYK or greyscale", here))
            if isinstance(block, (Paragraph, Heading)):
                text = "".join(n.text for n in block.inlines if isinstance(n, Text))
                for m in _OLD_OMISSION.finditer(text):
                    out.append(Diagnostic("W405", _line(doc.loc.file, block.loc), f"omission typed as '{m[0].strip()}'",
                                          "write editorial omissions as […]", Place(doc.number, block.anchor)))
    return out + index_findings(book)


#: A form found in more documents than this share of them is probably finding something else too;
#: in a book of fewer documents than ``COMMON_FORM_MIN_DOCUMENTS`` a third is two or three of them,
#: which proves nothing, and the warning would fall on every name.
COMMON_FORM_SHARE = 1 / 3
COMMON_FORM_MIN_DOCUMENTS = 6


def index_findings(book: Book) -> list[Diagnostic]:
    """The index against the text: entries that cite nothing (W170), forms found in more than a
    third of the documents (W171; only in a book of ``COMMON_FORM_MIN_DOCUMENTS`` or more, where a
    third means something), manual marks naming no entry (W172)."""
    if book.index is None:
        return []
    out: list[Diagnostic] = []
    hits = find_occurrences(book)
    for entry in book.index.entries:
        if not entry.see and not entry.locators and not any(s.locators for s in entry.subentries):
            out.append(Diagnostic("W170", entry.loc, f"'{entry.heading}' is found nowhere in the text",
                                  f"its forms are {', '.join(entry.forms) or 'none'}: add the forms the text uses, "
                                  "or mark a place with [words]{.ix key=\"…\"}"))
    documents = len(book.documents)
    if documents >= COMMON_FORM_MIN_DOCUMENTS:
        by_heading = {e.heading: e for e in book.index.entries}
        for (heading, form), found in sorted(hits.form_documents.items()):
            if len(found) > documents * COMMON_FORM_SHARE and heading in by_heading:
                out.append(Diagnostic("W171", by_heading[heading].loc, f"'{form}' (for '{heading}') is found in {len(found)} of "
                                      f"{documents} documents: is it finding something else too?",
                                      "use a longer form (a first name too), or mark false hits [words]{.noix}"))
    for mark in hits.unknown_marks:
        key = mark.key or ""
        out.append(Diagnostic("W172", mark.loc, f"the key '{key}' of an index mark is no heading of the index",
                              "use an entry's heading as index.yaml gives it" + (f", as 'Entry{SUB_SEPARATOR}Sub-entry' for a sub-entry"
                                                                                   if SUB_SEPARATOR not in key else "")))
    return out


def _line(file: str, loc: SourceLoc) -> SourceLoc:
    """The document's file at the block's line (as the preflight has always placed them)."""
    return SourceLoc(file, loc.line)


def signature_findings(book: Book, labels: list[str]) -> list[Diagnostic]:
    """The book's page count against the printer's signatures."""
    pages = len(labels)
    signature = book.print.signature
    if not pages % signature:
        return []
    blanks = signature - pages % signature
    # placed where book.yaml sets the signature (or could), and on the last page, where the blanks go
    return [Diagnostic("W408", book.field_loc("print"), f"{pages} pages do not fill signatures of {signature}",
                       f"the printer will add {blanks} blank page{'s' if blanks > 1 else ''} at the end",
                       Place(page=labels[-1]))]


def placed_in_document(book: Book, diagnostic: Diagnostic) -> Diagnostic:
    """A loader or check diagnostic, placed in its document by the file it names."""
    document = next((d.number for d in book.documents if d.loc.file == diagnostic.loc.file), None)
    return diagnostic.placed(document=document) if document is not None else diagnostic
