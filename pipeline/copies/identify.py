"""``press identify``: whose copy a leaked PDF or EPUB is.

A copy carries its id in several places: the visible stamp, the PDF's document information
and XMP metadata, the PDF's document id (in the update's trailer and in the built file's, so
cutting the update off does not help), the EPUB's package metadata and front-matter page. Any
one is enough: every student of the roster is given their copy id under the secret, and the
ids found in the file are looked up among them.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2

from pipeline import crash
from pipeline.copies import epub as epub_copy
from pipeline.copies import pdf as pdf_copy
from pipeline.copies.ids import copy_id, read_secret
from pipeline.copies.roster import Student, read_roster
from pipeline.diagnostics import Diagnostics
from pipeline.model import SourceLoc

_VISIBLE_ID = re.compile(r"\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b")


def identify(path: Path, roster: Path, secret_file: Path | None) -> tuple[list[str], list[tuple[str, Student]]]:
    """The copy ids the file carries, and the students of ``roster`` they belong to; raises
    ``ManuscriptError`` (E164) when the file is not a copy press can read."""
    diags = Diagnostics()
    secret = read_secret(secret_file, diags)
    students = read_roster(Path(roster), diags)
    crash.keep_out([s.id for s in students] + [s.name for s in students] + [s.email for s in students]
                   + ([secret.decode("utf-8", "replace")] if secret else []))
    diags.raise_if_errors()
    assert secret is not None
    found = copy_marks(Path(path), diags)
    diags.raise_if_errors()
    if not found:
        diags.add("E164", SourceLoc(str(path)), "no copy id in this file: it is not a copy press stamp made",
                  "press identify reads the PDF and EPUB copies of press stamp")
        diags.raise_if_errors()
    wanted = set(found)
    matches = [(copy, student) for student in students if (copy := copy_id(secret, student.id)) in wanted]
    return found, matches


def copy_marks(path: Path, diags: Diagnostics) -> list[str]:
    """Every copy id the file carries, metadata first, then the visible stamp."""
    try:
        if zipfile.is_zipfile(path):
            return epub_copy.read_copy_marks(path)
        found = pdf_copy.read_copy_marks(path)
        document = pypdfium2.PdfDocument(str(path))
        try:
            for index in range(len(document)):
                found += _VISIBLE_ID.findall(document[index].get_textpage().get_text_range())
        finally:
            document.close()
        return list(dict.fromkeys(found))
    except (OSError, pikepdf.PdfError, pypdfium2.PdfiumError, zipfile.BadZipFile, ValueError) as error:
        diags.add("E164", SourceLoc(str(path)), f"cannot read the copy: {error}", "give a PDF or EPUB copy press stamp made")
        return []
