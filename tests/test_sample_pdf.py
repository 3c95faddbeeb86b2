"""Layout tests on the bundled sample's print PDF: geometry and structure, never bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from pipeline.model import Paragraph
from pipeline.styles import STYLES

PT_PER_IN = 72


@pytest.fixture(scope="session")
def pdf_path(sample_build) -> Path:
    return next(p for p in sample_build.outputs if p.suffix == ".pdf")


@pytest.fixture(scope="session")
def lines(pdf_path):
    """Per page: the text column's edges, the baselines of body text, and the small figures
    standing outside the column as (number, baseline, left edge, right edge)."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            body = [c for c in page.chars if c["size"] > 8]
            if not body:
                out.append(None)
                continue
            column = (min(c["x0"] for c in body), max(c["x1"] for c in body))
            baselines = {round(page.height - c["matrix"][5], 1) for c in body}
            figures: dict[tuple, list] = {}
            for c in page.chars:
                outside = c["x1"] < column[0] - 5 or c["x0"] > column[1] + 5
                if c["size"] < 7.5 and c["text"].isdigit() and outside:
                    side = "left" if c["x1"] < column[0] else "right"
                    figures.setdefault((round(page.height - c["matrix"][5], 1), side), []).append(c)
            numbers = [
                (
                    int("".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"]))),
                    base,
                    min(c["x0"] for c in cs),
                    max(c["x1"] for c in cs),
                )
                for (base, _), cs in sorted(figures.items())
            ]
            out.append((column, baselines, numbers))
    return out


def numbered_paragraphs(book):
    return [[b for b in d.headnote + d.body + d.source if isinstance(b, Paragraph) and b.number] for d in book.documents]


def test_trim_bleed_and_media_boxes(pdf_path):
    """6 x 9 in trim, 0.125 in bleed, and room beyond the bleed for the crop marks."""
    with pikepdf.open(pdf_path) as pdf:
        assert len(pdf.pages) >= 20
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert (trim[2] - trim[0], trim[3] - trim[1]) == (6 * PT_PER_IN, 9 * PT_PER_IN)
            assert [round(b - t, 3) for b, t in zip(bleed, trim)] == [-9, -9, 9, 9]
            assert media[0] < bleed[0] - 12 and media[2] > bleed[2] + 12


def test_margin_numbers_stand_in_the_outer_margin_in_order(lines, sample_book):
    """Every numbered paragraph's number is in the outer margin (left on versos, right on
    rectos) at the same distance from the text, on the baseline of a line of text, and the
    numbers run 1..n per document in reading order."""
    found, gaps = [], []
    for index, page in enumerate(lines):
        if page is None:
            continue
        (column_left, column_right), baselines, numbers = page
        recto = index % 2 == 0  # page 1 is a recto
        for number, baseline, left, right in numbers:
            gap = left - column_right if recto else column_left - right
            assert 0 < gap < 0.5 * PT_PER_IN, f"{number} on page {index + 1} is not in the outer margin"
            assert any(abs(baseline - b) < 0.3 for b in baselines), f"{number} is not on a text baseline"
            found.append(number)
            gaps.append(round(gap))
    expected = [p.number for doc in numbered_paragraphs(sample_book) for p in doc]
    assert found == expected
    assert max(gaps) - min(gaps) <= 1, "numbers stand at different distances from the text"
    for doc in numbered_paragraphs(sample_book):
        assert [p.number for p in doc] == list(range(1, len(doc) + 1))


def test_named_destinations_are_the_paragraph_ids(pdf_path, sample_book):
    with pikepdf.open(pdf_path) as pdf:
        dests = set(pikepdf.NameTree(pdf.Root.Names.Dests).keys())
    ids = {p.anchor for doc in numbered_paragraphs(sample_book) for p in doc}
    assert ids <= dests


def test_fonts_are_embedded_and_come_from_styles_fonts(pdf_path):
    shipped = {p.stem.split("-")[0] for p in (STYLES / "fonts").glob("*.ttf")}
    assert shipped == {"GentiumBookPlus"}
    seen = set()
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            for _, font in page.Resources.get("/Font", {}).items():
                name = str(font.BaseFont)
                descendants = font.get("/DescendantFonts")
                descriptor = (descendants[0] if descendants else font).FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), f"{name} not embedded"
                seen.add(name.split("+", 1)[1])
    assert seen and all(name.startswith("Gentium-Book-Plus") for name in seen), seen
    assert {"Gentium-Book-Plus", "Gentium-Book-Plus-Italic"} <= seen


def test_copyright_lines_and_credits_are_printed(pdf_path, sample_book):
    with pdfplumber.open(pdf_path) as pdf:
        text = " ".join((p.extract_text() or "") for p in pdf.pages)
    text = re.sub(r"\s+", " ", text)
    for doc in sample_book.documents:
        notice = doc.copyright or sample_book.copyright
        assert notice in text
        if doc.translator:
            assert f"Translated by {doc.translator}" in text
    assert sample_book.isbn.print in text


def dest_pages(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Named destination -> 0-based page index."""
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    out = {}
    for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
        target = dest[0] if isinstance(dest, pikepdf.Array) else dest.D[0]
        out[name] = index[target.objgen]
    return out


def test_documents_open_on_rectos_and_folios_start_at_one(pdf_path, sample_book):
    with pikepdf.open(pdf_path) as pdf:
        where = dest_pages(pdf)
    openings = [where[doc.anchor] for doc in sample_book.documents]
    assert all(i % 2 == 0 for i in openings), "a document opens on a verso"  # index 0 is page 1, a recto
    with pdfplumber.open(pdf_path) as pdf:
        def foot(i):
            page = pdf.pages[i]
            return [w["text"] for w in page.extract_words() if w["top"] > page.height - 0.85 * PT_PER_IN]

        assert foot(openings[0]) == []  # no folio on an opening page
        assert foot(openings[0] + 1) == ["2"]  # arabic folios count from the first document
        assert foot(openings[0] - 1) == []  # the blank verso before it


def test_outline_lists_the_documents(pdf_path, sample_book):
    with pikepdf.open(pdf_path) as pdf, pdf.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles == ["Contents"] + [f"Document No. {d.number}: {d.title}" for d in sample_book.documents] + ["Index"]


def test_metadata(pdf_path, sample_book):
    with pikepdf.open(pdf_path) as pdf:
        info = pdf.docinfo
        assert str(info.Title) == sample_book.title
        assert str(info.Author) == ", ".join(sample_book.editors)
        assert str(pdf.Root.Lang) == sample_book.language


def test_the_sample_builds_without_any_diagnostic(sample_build):
    # but the printer's blanks: with its index the sample has 42 pages, two short of signatures of 4
    assert [d.code for d in sample_build.diagnostics.items] in ([], ["W408"])


def test_no_heading_is_left_at_the_foot_of_a_page(pdf_path, sample_book):
    with pikepdf.open(pdf_path) as pdf:
        where = dest_pages(pdf)
    checked = 0
    for doc in sample_book.documents:
        blocks = doc.body
        for heading, following in zip(blocks, blocks[1:]):
            if getattr(heading, "level", None) and getattr(following, "anchor", None):
                assert where[heading.anchor] == where[following.anchor], heading.anchor
                checked += 1
    assert checked >= 3


def test_every_link_of_the_screen_pdf_is_described_in_the_book_words(sample_build):
    """A link's description (/Contents, which a screen reader may read out) names its target as the
    book does, "Document No. 12, Paragraph 14", not by its id ("doc12-p14"), as WeasyPrint writes it."""
    screen = next(p for p in sample_build.outputs if p.name.endswith("-screen.pdf"))
    described: dict[str, set[str]] = {}
    with pikepdf.open(screen) as pdf:
        for page in pdf.pages:
            for annotation in page.obj.get("/Annots", []):
                if "/Dest" in annotation:
                    described.setdefault(str(annotation.Dest), set()).add(str(annotation.get("/Contents", "")))
    assert described["doc12"] == {"Document No. 12"}  # the contents
    assert described["index"] == {"Index"}
    paragraphs = {name: text for name, text in described.items() if re.fullmatch(r"doc\d+-p\d+", name)}
    assert len(paragraphs) > 50  # the index's locators and the cross-references
    for name, text in paragraphs.items():
        document, paragraph = re.fullmatch(r"doc(\d+)-p(\d+)", name).groups()
        assert text == {f"Document No. {document}, Paragraph {paragraph}"}
    assert described["ix-4"] == {"Grigoriev, Vasily Petrovich"}  # "First Deputy Minister, see Grigoriev …"
    assert all(name not in texts for name, texts in described.items())


def test_link_descriptions_come_from_the_book_language_and_labels():
    from dataclasses import replace

    from pipeline.load import load_book
    from pipeline.render.anchors import LinkDescriptions
    from tests.conftest import SAMPLE

    book = load_book(SAMPLE)
    french = LinkDescriptions(replace(book, language="fr"))
    assert french("doc3-p2") == "Document n° 3, Paragraphe 2"
    assert french("doc3-fn1") == "Document n° 3, n. 1"
    assert LinkDescriptions(replace(book, labels={"document": "Doc. {number}"}))("doc3") == "Doc. 3"
    assert french("a-book-template-own-id") is None and french("doc3-p") is None
