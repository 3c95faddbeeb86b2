"""Painting laid-out pages as a PDF: print (PDF/X, bleed, marks) or screen (tagged, RGB).

WeasyPrint paints the pages; a finisher then sets what it does not: the exact BleedBox,
printer's marks in registration colour, page labels matching the printed folios (when the
pages are a whole book), a document id derived from the book instead of WeasyPrint's random
one, and, in a tagged PDF, each link's description in the book's words
(``render/anchors.py``) instead of its target's name.
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager
from pathlib import Path

import pydyf
import weasyprint

from pipeline.clock import epoch_seconds
from pipeline.engine.compose import SCREEN, Variant
from pipeline.engine.marks import marks_operators
from pipeline.model import Book
from pipeline.pages import label_ranges
from pipeline.render.anchors import LinkDescriptions

#: PDF variant per print standard; the screen PDF is tagged for screen readers.
PDF_VARIANTS = {"pdf/x-4": "pdf/x-4", "pdf/x-1a": "pdf/x-1a"}
SCREEN_VARIANT = "pdf/ua-1"


def document_uuid(book: Book, variant: Variant) -> uuid.UUID:
    """A stable id for the file: the same book and variant always get the same one."""
    key = book.isbn.print or book.title
    edition = book.edition.name if book.edition else ""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"press:{variant.name}:{key}:{edition}")


@contextmanager
def source_date_epoch(seconds: int):
    """fontTools' subsetter (used when HarfBuzz-subset is missing) stamps the time it reads here."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    try:
        yield
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _finisher(book: Book, variant: Variant, marks: bool, first_body: int | None,
              size: tuple[float, float] | None = None, folds: tuple[float, ...] = (), tagged: bool = False):
    def finish(document: weasyprint.Document, pdf: pydyf.PDF) -> None:
        pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
        if variant.bleed:
            bleed = book.print.bleed
            width, height = size or (book.print.trim_width, book.print.trim_height)
            operators = marks_operators(book.print.marks, width, height, bleed, folds) if marks else None
            for page in pages:
                x0, y0, x1, y1 = page["TrimBox"]
                page["BleedBox"] = pydyf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
                if operators:
                    _referenced(pdf, page["Contents"]).stream.append(operators)
        if first_body is not None:
            nums: list = []
            for page, style, start in label_ranges(first_body):
                nums += [page, pydyf.Dictionary({"S": "/" + style, **({"St": start} if start else {})})]
            pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(nums)})
        _stable_document_id(pdf, document_uuid(book, variant))
        if tagged:  # an untagged PDF's links have no description to put in the book's words
            _describe_links(pdf, LinkDescriptions(book))

    return finish


def _describe_links(pdf: pydyf.PDF, describe: LinkDescriptions) -> None:
    """Each internal link's description (``/Contents``, which WeasyPrint writes when it tags the
    file) in the book's words; a target press does not name keeps WeasyPrint's."""
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("Subtype") == "/Link" and "Contents" in obj \
                and isinstance(obj.get("Dest"), pydyf.String):
            description = describe(str(obj["Dest"].string))
            if description:
                obj["Contents"] = pydyf.String(description)


def _referenced(pdf: pydyf.PDF, reference):
    """The object behind a pydyf reference (``b"5 0 R"``)."""
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return pdf.objects[int(text.split()[0])]


def _stable_document_id(pdf: pydyf.PDF, doc_id: uuid.UUID) -> None:
    """WeasyPrint writes ``xmpMM:DocumentID`` as a fresh uuid4 for PDF/X; make it the book's."""
    if "Metadata" not in pdf.catalog:
        return
    stream = _referenced(pdf, pdf.catalog["Metadata"])
    stream.stream = [
        re.sub(rb"xmp\.did:[0-9a-f-]{36}", f"xmp.did:{doc_id}".encode(), part) if isinstance(part, bytes) else part
        for part in stream.stream
    ]


def write_pdf(book: Book, document: weasyprint.Document, target: Path, variant: Variant, *,
              marks: bool = True, first_body: int | None = None, tagged: bool | None = None,
              size: tuple[float, float] | None = None, folds: tuple[float, ...] = (),
              compressed: bool = True) -> None:
    """Paint ``document`` as the ``variant`` PDF.

    ``first_body`` (the index of the page where arabic folios start) gives the file the book's
    page labels; a part of a book to be bound (``bind/binder.py``) has none, nor marks: the
    folio layer brings the marks, the binder sets the book's labels. ``size`` is the trim when
    it is not the book's page (a cover), ``folds`` where fold marks go across it (from the left).
    The screen PDF is tagged unless ``tagged`` is False; a print PDF only when it is True (a
    part's, from which its screen PDF is derived: ``derive.py``). A PDF that is only bound into
    another (a part, the folio layer) is written ``compressed=False``: the binder compresses the
    book as it saves it, and WeasyPrint's own compression (zlib at its slowest level) cost a fifth
    of the painting.
    """
    options: dict[str, bool] = {"uncompressed_pdf": not compressed}
    if variant.name == SCREEN.name:
        pdf_variant = SCREEN_VARIANT if tagged is not False else None
    else:
        pdf_variant = PDF_VARIANTS[book.print.standard]
        if tagged:
            options["pdf_tags"] = True
    tagged_pdf = pdf_variant == SCREEN_VARIANT or options.get("pdf_tags", False)
    with source_date_epoch(epoch_seconds(book)):
        document.write_pdf(target, pdf_variant=pdf_variant,
                           finisher=_finisher(book, variant, marks, first_body, size, folds, tagged_pdf), **options)
