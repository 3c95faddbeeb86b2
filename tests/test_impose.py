"""press impose, read back: which printed page stands where on each side of each sheet, creep, PDF/X."""

from __future__ import annotations

import re

import pdfplumber
import pikepdf
import pytest

from pipeline.bind.pdfx import print_pdf_problems
from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from pipeline.prepress.impose import impose, page_order
from tests.conftest import write_manuscript

WORDS = "ledger harbour treaty cable frigate census quota herring boundary charter".split()


def generated_book(root, documents: int, paragraphs: int, extra_yaml: str = ""):
    """A manuscript of ``documents`` documents of ``paragraphs`` paragraphs each, every paragraph
    different (its document and number in words), so that no two printed pages read alike."""
    docs = {}
    for n in range(1, documents + 1):
        body = "\n\n".join(
            f"Paragraph {n}.{p}: " + " ".join(WORDS[(n * 7 + p + i) % len(WORDS)] for i in range(60)) + "."
            for p in range(1, paragraphs + 1))
        docs[f"d{n}.md"] = f"---\nnumber: {n}\ntitle: Document {n}\nsource: Archive {n}.\ncopyright: Public domain.\n---\n{body}\n"
    listing = "".join(f"  - d{n}.md\n" for n in range(1, documents + 1))
    return write_manuscript(root, f"title: Imposed Reader\nyear: 2025\n{extra_yaml}documents:\n{listing}", docs)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A book of about twenty pages, built to its print PDF once for the module."""
    root = generated_book(tmp_path_factory.mktemp("impose") / "book", 6, 5)
    out = root.parent / "dist"
    result = build(root, out, formats=("pdf",), jobs=1)
    return root, out, result.pages


def _print_texts(path, trim) -> list[str]:
    """Each print page's text inside its trim (in pdfplumber's top-down coordinates)."""
    with pdfplumber.open(path) as pdf:
        out = []
        for page in pdf.pages:
            x0, top = -float(page.mediabox[0]), float(page.mediabox[3]) - trim[1]
            out.append(page.crop((x0, top, x0 + trim[0], top + trim[1])).extract_text().strip())
        return out


def _sheet_texts(path) -> list[tuple[str, str]]:
    """Each sheet side's text left and right of the fold, inside the spread's trim."""
    with pdfplumber.open(path) as pdf, pikepdf.open(path) as pike:
        out = []
        for page, raw in zip(pdf.pages, pike.pages):
            x0, y0, x1, y1 = (float(v) for v in raw.TrimBox)
            top, bottom, fold = page.height - y1, page.height - y0, (x0 + x1) / 2
            left = page.crop((x0, top, fold, bottom)).extract_text().strip()
            right = page.crop((fold, top, x1, bottom)).extract_text().strip()
            out.append((left, right))
        return out


def _placements(path) -> list[list[tuple[str, float, float]]]:
    """Per sheet side, each placed page: its form's name and the cm translation it is drawn at."""
    sides = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            placed, matrix = [], None
            for operands, op in pikepdf.parse_content_stream(page):
                if str(op) == "cm":
                    matrix = [float(v) for v in operands]
                elif str(op) == "Do" and str(operands[0]).startswith("/P"):
                    assert matrix is not None
                    placed.append((str(operands[0]), matrix[4], matrix[5]))
            sides.append(placed)
    return sides


def test_page_order_of_an_eight_page_booklet_and_blanks():
    order = [(s.left, s.right) for s in page_order(8, 8)]
    # 1-based: 8|1, 2|7 on the outer sheet; 6|3, 4|5 on the inner one
    assert order == [(7, 0), (1, 6), (5, 2), (3, 4)]
    # 6 pages in a booklet of 8: the last two are blank, beside pages 1 and 2
    assert [(s.left, s.right) for s in page_order(6, 8)][:2] == [(None, 0), (1, None)]


def test_page_order_of_sixteen_page_signatures_gathers_them():
    sides = page_order(20, 16)
    assert len(sides) == 2 * 8  # two signatures of four sheets
    assert [(s.signature, s.sheet, s.front) for s in sides[:3]] == [(1, 1, True), (1, 1, False), (1, 2, True)]
    second = [(s.left, s.right) for s in sides if s.signature == 2]
    # the second signature starts at page 17 (index 16); its pages past 20 are blanks
    assert second[0] == (None, 16) and second[1] == (17, None)
    assert (19, None) in second and all(i is None or 16 <= i < 20 for pair in second for i in pair)


def _expected(sides, texts):
    return [(texts[s.left] if s.left is not None else "", texts[s.right] if s.right is not None else "") for s in sides]


def test_booklet_puts_each_printed_page_where_it_folds_and_creeps(built):
    root, out, pages = built
    result = impose(root, out, layout="booklet", creep=2.0)
    assert result.path.name == "imposed-reader-imposed.pdf" and result.layout == "booklet"
    book = load_book(root)
    texts = _print_texts(out / "imposed-reader.pdf", (book.print.trim_width, book.print.trim_height))
    assert len(set(texts)) >= pages - 3  # the pages read differently (bar the blank versos)
    sheet_texts = _sheet_texts(result.path)
    assert sheet_texts == _expected(result.sides, texts)
    # the first sheet's front: the last page (padded to a multiple of 4) beside page 1
    padded = -(-pages // 4) * 4
    assert (result.sides[0].left, result.sides[0].right) == (padded - 1 if padded == pages else None, 0)

    # creep: 0 on the outermost sheet, growing evenly to 2 pt on the innermost, toward the fold
    sheets = len(result.sides) // 2
    fold = result.sheet_size[0] / 2
    for side, placed in zip(result.sides, _placements(result.path)):
        expected = 2.0 * (side.sheet - 1) / (sheets - 1)
        for name, tx, _ in placed:
            index = int(name[2:]) - 1
            if index == side.left:
                assert tx + book.print.trim_width - fold == pytest.approx(expected, abs=1e-3)
            else:
                assert index == side.right and fold - tx == pytest.approx(expected, abs=1e-3)
    assert print_pdf_problems(result.path, book, trim=(2 * book.print.trim_width, book.print.trim_height)) == []


def test_sixteen_page_signatures_and_no_creep(built):
    root, out, pages = built
    assert 16 < pages <= 32
    book = load_book(root)
    # signatures hold print.signature pages: 16 here
    (root / "book.yaml").write_text((root / "book.yaml").read_text().replace("year: 2025\n", "year: 2025\nprint: {signature: 16}\n"))
    try:
        result = impose(root, out, layout="signatures", creep=0.0)
    finally:
        (root / "book.yaml").write_text((root / "book.yaml").read_text().replace("print: {signature: 16}\n", ""))
    assert len(result.sides) == 2 * 8 and {s.signature for s in result.sides} == {1, 2}
    texts = _print_texts(out / "imposed-reader.pdf", (book.print.trim_width, book.print.trim_height))
    assert _sheet_texts(result.path) == _expected(result.sides, texts)
    fold = result.sheet_size[0] / 2
    for side, placed in zip(result.sides, _placements(result.path)):
        for name, tx, _ in placed:
            edge = tx + book.print.trim_width if int(name[2:]) - 1 == side.left else tx
            assert edge == pytest.approx(fold, abs=1e-3)  # no creep: every page's inner trim on the fold
    assert print_pdf_problems(result.path, book, trim=(2 * book.print.trim_width, book.print.trim_height)) == []
    with pikepdf.open(result.path) as pdf:
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
        assert all(float(p.MediaBox[2]) > float(p.MediaBox[3]) for p in pdf.pages)  # landscape sheets


def test_default_sheet_is_the_smallest_that_holds_two_pages(built):
    root, out, _ = built
    result = impose(root, out)
    # 6x9 in pages with 0.125 in bleed and marks need 12.75 x 9.75 in: tabloid (17 x 11 in), not letter or A4
    assert result.sheet_size == (1224.0, 792.0)
    assert result.layout == "booklet"


def test_without_a_print_pdf_impose_says_build_first(tmp_path):
    root = generated_book(tmp_path / "book", 1, 1)
    with pytest.raises(ManuscriptError) as caught:
        impose(root, tmp_path / "nothing")
    assert [d.code for d in caught.value.diagnostics] == ["E132"]
    assert "press build" in caught.value.diagnostics[0].hint


def test_a_sheet_too_small_is_refused_and_the_command_reports(built, capsys):
    root, out, _ = built
    assert main(["impose", str(root), "--out", str(out), "--sheet", "a4"]) == 1
    assert "E133" in capsys.readouterr().err
    assert main(["impose", str(root), "--out", str(out), "--sheet", "sra3", "--creep", "0.5mm"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith("imposed-reader-imposed.pdf")
    assert re.search(r"\d+ pages as a booklet on \d+ sheets of 17\.72 x 12\.60 in", captured.err)


def test_a_booklet_thicker_than_staples_hold_is_warned_about(built, monkeypatch):
    root, out, _ = built
    monkeypatch.setattr("pipeline.prepress.impose.BOOKLET_SHEETS", 2)  # instead of building 320 pages
    result = impose(root, out, layout="booklet")
    assert [d.code for d in result.diagnostics.warnings] == ["W134"]
    assert "signatures" in result.diagnostics.warnings[0].hint


def test_impose_builds_a_missing_or_stale_print_pdf_first_and_uses_a_current_one(tmp_path, capsys):
    from pipeline.build import print_pdf_is_current

    root = generated_book(tmp_path / "book", 1, 2)
    out = tmp_path / "dist"
    # no print PDF yet: built first, and said so
    assert main(["impose", str(root), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "building it first" in err and (out / "imposed-reader.pdf").is_file()
    assert print_pdf_is_current(root, out)
    built_once = (out / "imposed-reader.pdf").read_bytes()
    # nothing changed: the print PDF is imposed as it is, not built again
    assert main(["impose", str(root), "--out", str(out)]) == 0
    assert "building it first" not in capsys.readouterr().err
    # an edit to a document: the print PDF no longer shows the manuscript, so it is built again
    doc = root / "d1.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Paragraph 1.1:", "Paragraph 1.1 (revised):"), encoding="utf-8")
    assert not print_pdf_is_current(root, out)
    assert main(["impose", str(root), "--out", str(out), "--quiet"]) == 0
    assert "building it first" not in capsys.readouterr().err  # --quiet: only problems
    assert (out / "imposed-reader.pdf").read_bytes() != built_once
    assert any("(revised)" in left + right for left, right in _sheet_texts(out / "imposed-reader-imposed.pdf"))
    # a print PDF put there by hand (not the one the build recorded) is not trusted either
    (out / "imposed-reader.pdf").write_bytes(built_once)
    assert not print_pdf_is_current(root, out)


def test_an_output_folder_inside_the_manuscript_does_not_make_the_print_pdf_stale(tmp_path):
    from pipeline.build import print_pdf_is_current

    root = generated_book(tmp_path / "book", 1, 1)
    build(root, root / "dist", formats=("pdf",), jobs=1)
    assert print_pdf_is_current(root, root / "dist")
    (root / "dist" / "notes.txt").write_text("the build's folder is not the manuscript", encoding="utf-8")
    assert print_pdf_is_current(root, root / "dist")
    (root / "book.yaml").write_text((root / "book.yaml").read_text(encoding="utf-8") + "printing: Second printing\n", encoding="utf-8")
    assert not print_pdf_is_current(root, root / "dist")
