"""press build --format cover: its width, spine, barcode, PDF/X read-back, and what it warns about."""

from __future__ import annotations

import io

import pdfplumber
import pikepdf
import pypdfium2
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageStat

from pipeline.bind.pdfx import print_pdf_problems
from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from pipeline.load.isbn import isbn13, isbn_problem
from pipeline.prepress.cover import spine_width
from tests.conftest import write_manuscript

ISBN = "978-1-0000-0000-9"
def _document(paragraphs: int) -> dict[str, str]:
    return {"d1.md": "---\nnumber: 1\ntitle: A Letter\nsource: Archive.\ncopyright: Public domain.\n---\n"
                     + "\n\n".join(f"Paragraph {n} of the letter, long enough to fill a line or two of the page."
                                   for n in range(paragraphs)) + "\n"}


DOCUMENT = _document(30)


def cover_book(root, extra: str = "", isbn: str = ISBN, back: str = "Letters from the *harbour master's* office, with an introduction.",
               paragraphs: int = 30):
    return write_manuscript(root, (
        "title: The Harbour Papers\nsubtitle: Letters from a Port, 1890–1910\neditors: [Ada Lindqvist]\n"
        f"publisher: Northsea Press\nyear: 2025\nisbn: {{print: \"{isbn}\"}}\nback_cover: |\n  {back}\n{extra}\n"
        "documents: [d1.md]\n"), _document(paragraphs))


def _build_cover(root):
    out = root.parent / "dist"
    result = build(root, out, formats=("cover",), jobs=1)
    cover = next(p for p in result.outputs if p.name.endswith("-cover.pdf"))
    return result, cover


def test_spine_arithmetic(tmp_path):
    book = load_book(cover_book(tmp_path / "book"))
    spine = spine_width(book, 512)
    assert spine.width == pytest.approx(512 / 444 * 72) and spine.assumed
    assert spine.describe().startswith("spine 1.15 in") and "512 pages on 444 ppi paper" in spine.describe()


def test_isbn_check_digits():
    assert isbn13("978-1-0000-0000-9") == "9781000000009"
    assert isbn13("978-1-0000-0000-8") is None
    assert isbn13("0-306-40615-2") == "9780306406157"  # an ISBN-10 becomes its ISBN-13
    assert isbn13("0-306-40615-3") is None
    assert isbn13("0-8044-2957-X") == "9780804429573"  # X is ten, the last digit of an ISBN-10
    assert isbn_problem("978-1-0000-0000-8") == "its check digit is wrong"
    assert isbn_problem("977-1-0000-0000-9") == "an ISBN-13 begins with 978 or 979"
    assert isbn_problem("978-1-0000-0000") == "it has 12 digits, an ISBN 13 (or 10)"
    assert isbn_problem("978–1–0000–0000–9").startswith("it holds '–'")  # en dashes
    assert isbn_problem("97X-1-0000-0000-9") == "X stands only as the last digit of an ISBN-10"


def test_a_wrong_isbn_stops_every_build_and_check_at_load_with_its_line(tmp_path, capsys):
    root = write_manuscript(tmp_path / "book", (
        "title: The Harbour Papers\nisbn:\n  print: 978-1-0000-0000-9\n  epub: 978-1-0000-0001-7\n"
        "editions:\n  spring:\n    title: Spring\n    documents: [1]\n    isbn: {print: 0-306-40615-3}\n"
        "documents: [d1.md]\n"), DOCUMENT)
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    found = sorted((d.loc.line, d.message) for d in caught.value.diagnostics if d.code == "E130")
    assert [line for line, _ in found] == [4, 9]
    assert "isbn.epub '978-1-0000-0001-7' is not an ISBN: its check digit is wrong" in found[0][1]
    assert "isbn.print '0-306-40615-3'" in found[1][1]
    # an EPUB-only build stops too, before anything is laid out, and so does press check
    with pytest.raises(ManuscriptError):
        build(root, tmp_path / "dist", formats=("epub",), jobs=1)
    assert not (tmp_path / "dist").exists()
    assert main(["check", str(root)]) == 1
    assert "book.yaml:4:" in capsys.readouterr().err


@pytest.mark.parametrize("paper, spine", [
    ("print: {paper: {ppi: 200}, cover_board: 0.5mm}", lambda pages: pages / 200 * 72 + 0.5 * 72 / 25.4),
    ("print: {paper: {caliper: 0.1mm}, bleed: 3mm}", lambda pages: -(-pages // 2) * 0.1 * 72 / 25.4),
])
def test_cover_width_is_back_spine_front_and_bleed_and_it_is_pdfx(tmp_path, paper, spine):
    root = cover_book(tmp_path / "book", paper)
    result, cover = _build_cover(root)
    book = load_book(root)
    tw, bleed = book.print.trim_width, book.print.bleed
    width = 2 * tw + spine(result.pages)
    with pikepdf.open(cover) as pdf:
        (page,) = pdf.pages
        x0, y0, x1, y1 = (float(v) for v in page.BleedBox)
        assert x1 - x0 == pytest.approx(tw + spine(result.pages) + tw + 2 * bleed, abs=0.01)
        assert y1 - y0 == pytest.approx(book.print.trim_height + 2 * bleed, abs=0.01)
    assert print_pdf_problems(cover, book, trim=(width, book.print.trim_height)) == []
    assert any(f"for {result.pages} pages" in note for note in result.notes)
    assert not [d.code for d in result.diagnostics.warnings if d.code in ("W130", "W133")]


def test_barcode_decodes_to_the_isbn_and_the_front_carries_the_title(tmp_path):
    # a short book: the cover's own board makes the spine wide enough for its text
    root = cover_book(tmp_path / "book", "print: {paper: {caliper: 0.9mm}, cover_board: 0.25in}")
    result, cover = _build_cover(root)
    assert "W131" not in [d.code for d in result.diagnostics.warnings]
    pdf = pypdfium2.PdfDocument(str(cover))
    image = pdf[0].render(scale=4).to_pil()
    pdf.close()
    found = zxingcpp.read_barcodes(image)
    assert [(b.format, b.text) for b in found] == [(zxingcpp.BarcodeFormat.EAN13, "9781000000009")]
    with pdfplumber.open(cover) as plumb:
        page = plumb.pages[0]
        text = page.extract_text()
        # the spine stands between the two folds: title, editor and publisher, turned
        # (pdfplumber gives x in the PDF's own space here: the trim starts at 0, the spine at 432)
        width = float(page.mediabox[2]) - 27
        spine = [c for c in page.chars if 432 < c["x0"] < width - 432]
    assert "The Harbour Papers" in text and "Edited by Ada Lindqvist" in text and "harbour master’s" in text
    assert "ISBN 978-1-0000-0000-9" in text
    spine_text = "".join(c["text"] for c in spine)
    assert "TheHarbourPapers" in spine_text.replace(" ", "") and all(not c["upright"] for c in spine)


def test_a_wrong_check_digit_is_an_error_at_its_line(tmp_path):
    root = cover_book(tmp_path / "book", isbn="978-1-0000-0000-8")
    with pytest.raises(ManuscriptError) as caught:
        build(root, tmp_path / "dist", formats=("cover",), jobs=1)
    (problem,) = [d for d in caught.value.diagnostics if d.code == "E130"]
    assert problem.loc.file.endswith("book.yaml") and problem.loc.line == 6
    assert not (tmp_path / "dist" / "the-harbour-papers-cover.pdf").exists()


def test_without_paper_444_ppi_is_assumed_and_a_thin_spine_has_no_text(tmp_path):
    root = cover_book(tmp_path / "book")
    result, cover = _build_cover(root)
    codes = [d.code for d in result.diagnostics.warnings]
    assert "W130" in codes and "W131" in codes  # a few pages on 444 ppi: far under 0.25 in
    assert "444 ppi" in next(d.message for d in result.diagnostics.warnings if d.code == "W130")
    with pdfplumber.open(cover) as plumb:
        page = plumb.pages[0]
        width = float(page.mediabox[2]) - 27
        assert page.chars and not [c for c in page.chars if 430 < c["x0"] < width - 430 and not c["upright"]]


def test_text_near_the_trim_and_a_low_resolution_image_are_warned_about(tmp_path):
    # a back text too long for its panel runs down to the trim
    long_back = "\n\n  ".join(f"Paragraph {n}: " + "the harbour ledgers of the port, " * 12 for n in range(12))
    root = cover_book(tmp_path / "book", "print: {paper: {ppi: 100}}\ncover: front.png", back=long_back)
    image = io.BytesIO()
    Image.new("RGB", (600, 900), (120, 40, 40)).save(image, format="PNG")
    (root / "front.png").write_bytes(image.getvalue())
    result, cover = _build_cover(root)
    codes = [d.code for d in result.diagnostics.warnings]
    assert "W132" in codes and "W133" in codes
    assert "back text is longer" in next(d.message for d in result.diagnostics.warnings if d.code == "W133")
    w132 = next(d for d in result.diagnostics.warnings if d.code == "W132")
    assert w132.loc.line > 0 and "dpi" in w132.message
    book = load_book(root)
    assert print_pdf_problems(cover, book, trim=(2 * 432 + result.pages / 100 * 72, 648)) == []  # the image separated to CMYK


def test_spine_direction_bottom_to_top_turns_the_spine_the_other_way(tmp_path):
    root = cover_book(tmp_path / "book", "print: {paper: {caliper: 0.9mm}, cover_board: 0.25in, spine_direction: bottom-to-top}")
    _, cover = _build_cover(root)
    with pdfplumber.open(cover) as plumb:
        page = plumb.pages[0]
        width = float(page.mediabox[2]) - 27
        title = [c for c in page.chars if 432 < c["x0"] < width - 432][:3]
    # read from the foot of the spine up: each letter stands above the one before it
    assert [c["text"] for c in title] == ["T", "h", "e"] and title[0]["top"] > title[1]["top"] > title[2]["top"]


def test_quiet_leaves_out_the_spine_report_but_not_the_warnings(tmp_path, capsys):
    root = cover_book(tmp_path / "book")
    assert main(["build", str(root), "--out", str(tmp_path / "loud"), "--format", "cover", "--jobs", "1"]) == 0
    loud = capsys.readouterr().err
    assert "press: spine " in loud and "for " in loud and "warning[W130]" in loud
    assert main(["build", str(root), "--out", str(tmp_path / "quiet"), "--format", "cover", "--jobs", "1", "--quiet"]) == 0
    quiet = capsys.readouterr().err
    # the report of the spine's width is gone; the warning that names the assumed paper stays
    assert "press: spine " not in quiet and "warning[W130]" in quiet


@pytest.mark.parametrize("caliper, paragraphs", [(0.7, 30), (0.9, 250)])
def test_spine_text_keeps_an_eighth_of_an_inch_from_each_fold(tmp_path, caliper, paragraphs):
    # the thinnest spine that takes text (a few pages: just over 0.35 in) and an ordinary one (about 0.65 in)
    root = cover_book(tmp_path / "book", f"print: {{paper: {{caliper: {caliper}mm}}, cover_board: 0.25in}}", paragraphs=paragraphs)
    result, cover = _build_cover(root)
    codes = [d.code for d in result.diagnostics.warnings]
    assert "W131" not in codes and "W133" not in codes
    spine = -(-result.pages // 2) * caliper * 72 / 25.4 + 18
    assert 25.2 < spine < 30 if paragraphs == 30 else spine > 40  # the line at its full 13 pt
    pdf = pypdfium2.PdfDocument(str(cover))
    try:
        text = pdf[0].get_textpage()
        boxes = [text.get_charbox(i) for i in range(text.count_chars()) if text.get_text_range(i, 1).strip()]
    finally:
        pdf.close()
    on_spine = [(left, right) for left, _, right, _ in boxes if 432 - 1 < left and right < 432 + spine + 1]
    assert len(on_spine) > 20  # title, editor, publisher
    assert min(left for left, _ in on_spine) >= 432 + 9 and max(right for _, right in on_spine) <= 432 + spine - 9


def test_the_clearance_check_reads_the_letters_against_the_folds(tmp_path):
    from pipeline.diagnostics import Diagnostics
    from pipeline.prepress.cover import _check_text_clearance

    root = cover_book(tmp_path / "book", "print: {paper: {caliper: 0.9mm}, cover_board: 0.25in}")
    result, cover = _build_cover(root)
    book = load_book(root)
    spine = -(-result.pages // 2) * 0.9 * 72 / 25.4 + 18
    geometry = {"trim_width": 432.0, "height": 648.0, "spine": spine, "width": 864 + spine}
    clear = Diagnostics()
    _check_text_clearance(book, cover, geometry, clear)
    assert not clear.warnings
    # the same letters measured against folds moved 0.06 in towards the spine's middle: too close
    narrowed = {**geometry, "trim_width": 436.5, "spine": spine - 9}
    close = Diagnostics()
    _check_text_clearance(book, cover, narrowed, close)
    assert [d.code for d in close.warnings] == ["W133"] and "0.125 in" in close.warnings[0].message


def test_the_epub_cover_and_the_web_home_page_show_the_printed_front(tmp_path):
    import zipfile

    root = cover_book(tmp_path / "book", "print: {paper: {ppi: 400}}")
    out = tmp_path / "dist"
    result = build(root, out, formats=("epub", "web", "cover"), jobs=1)
    with zipfile.ZipFile(out / "the-harbour-papers.epub") as z:
        front = z.read("EPUB/images/cover.png")
        nav = z.read("EPUB/nav.xhtml").decode()
    site = out / "the-harbour-papers-web"
    assert (site / "images" / "cover.png").read_bytes() == front  # one image for both
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<img class="cover" src="images/cover.png" width="1600" height="2400" alt="Cover of The Harbour Papers' in home
    assert 'epub:type="cover" href="cover.xhtml"' in nav
    epub_front = Image.open(io.BytesIO(front)).convert("RGB")
    assert epub_front.size == (1600, 2400)
    # the printed cover's front panel, drawn at the same scale and cut at its trim, looks the same
    cover = next(p for p in result.outputs if p.name.endswith("-cover.pdf"))
    pdf = pypdfium2.PdfDocument(str(cover))
    try:
        page = pdf[0]
        scale = 2400 / 648
        printed = page.render(scale=scale).to_pil().convert("RGB")
        x0, y0, x1, y1 = page.get_mediabox()
    finally:
        pdf.close()
    media_bleed = ((y1 - y0) - 648) / 2  # bleed and room for marks, the same on every side
    left, top = round((x1 - x0 - media_bleed - 432) * scale), round(media_bleed * scale)
    panel = printed.crop((left, top, left + 1600, top + 2400))
    small = [im.resize((60, 90), Image.Resampling.BOX) for im in (panel, epub_front)]
    diff = sum(ImageStat.Stat(ImageChops.difference(*small)).mean) / 3
    assert diff < 6  # the same ground, title, rule and editors in the same places
    assert zxingcpp.read_barcodes(epub_front) == []  # the front, not the back


def test_a_book_with_its_own_cover_image_shows_it_in_the_epub_and_on_the_home_page(tmp_path):
    import zipfile

    root = cover_book(tmp_path / "book", "cover: front.png")
    image = io.BytesIO()
    Image.new("RGB", (800, 1200), (120, 40, 40)).save(image, format="PNG")
    (root / "front.png").write_bytes(image.getvalue())
    build(root, tmp_path / "dist", formats=("epub", "web"), jobs=1)
    with zipfile.ZipFile(tmp_path / "dist" / "the-harbour-papers.epub") as z:
        assert z.read("EPUB/images/cover.png") == image.getvalue()
    assert (tmp_path / "dist" / "the-harbour-papers-web" / "images" / "cover.png").read_bytes() == image.getvalue()
