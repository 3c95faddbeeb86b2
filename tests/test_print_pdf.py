"""The print PDF as a print shop receives it, and the screen PDF beside it."""

from __future__ import annotations

import hashlib
import re

import pdfplumber
import pikepdf
import pytest

from pipeline.build import build
from pipeline.diagnostics import ManuscriptError
from tests.conftest import SAMPLE, output_bytes, outputs as listed


def outputs(result):
    return {p.name: p for p in result.outputs}


@pytest.fixture(scope="session")
def print_pdf(sample_build):
    return next(p for p in sample_build.outputs if p.name.endswith(".pdf") and "-screen" not in p.name)


@pytest.fixture(scope="session")
def screen_pdf(sample_build):
    return next(p for p in sample_build.outputs if p.name.endswith("-screen.pdf"))


def test_pdfx4_output_intent_and_version_key(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and int(intent.DestOutputProfile.N) == 4
        assert b"CMYK" in intent.DestOutputProfile.read_bytes()[:24]
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        assert str(pdf.docinfo.CreationDate).startswith("D:2025")  # the book's year, not today


def test_text_is_cmyk_black_and_nothing_is_rgb(print_pdf):
    with pikepdf.open(print_pdf) as pdf:
        ops = set()
        for page in pdf.pages:
            stack = [page]
            while stack:
                owner = stack.pop()
                for operands, op in pikepdf.parse_content_stream(owner):
                    ops.add(str(op))
                    if str(op) == "scn" and len(operands) == 4:
                        c, m, y, k = (float(v) for v in operands)
                        assert c == m == y == 0 or (c, m, y, k) == (1, 1, 1, 1)  # K tints, or registration marks
                for _, xobject in (owner.Resources if hasattr(owner, "Resources") else owner.get("/Resources", {})).get("/XObject", {}).items():
                    if xobject.get("/Subtype") == "/Form":
                        stack.append(xobject)
    assert not ops & {"rg", "RG"}


def test_page_labels_follow_the_folios(print_pdf, sample_book):
    with pikepdf.open(print_pdf) as pdf:
        labels = [pikepdf.Page(p).label for p in pdf.pages]
    assert labels[:6] == ["i", "ii", "iii", "iv", "v", "vi"]
    assert labels[6:9] == ["1", "2", "3"]


def test_crop_marks_stand_outside_the_bleed(print_pdf):
    with pdfplumber.open(print_pdf) as pdf:
        page = pdf.pages[10]
        marks = [l for l in page.lines if l["stroking_color"] == (1, 1, 1, 1)]  # registration colour
        height = page.height
    assert len(marks) == 8
    for line in marks:
        # back to PDF user space, where the TrimBox is [0 0 432 648] and the BleedBox 9 pt larger
        x0, x1, y0, y1 = line["x0"], line["x1"], height - line["bottom"], height - line["top"]
        assert x1 <= -9 or x0 >= 441 or y1 <= -9 or y0 >= 657, line
        on_trim_line = x0 == x1 and x0 in (0, 432) or y0 == y1 and y0 in (0, 648)
        assert on_trim_line, line


def test_screen_pdf_is_tagged_rgb_trimmed(screen_pdf, sample_book):
    with pikepdf.open(screen_pdf) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == sample_book.language
        assert "/OutputIntents" not in pdf.Root
        page = pdf.pages[0]
        assert [float(v) for v in page.MediaBox] == [0, 0, 432, 648]
        with pdf.open_outline() as outline:
            assert len(list(outline.root)) == len(sample_book.documents) + 1 + (sample_book.index is not None)  # contents, index
        links = [a for p in pdf.pages for a in p.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert links, "the contents and cross-references should be links"


def test_cross_references_link_and_show_the_page(print_pdf):
    with pdfplumber.open(print_pdf) as pdf:
        text = " ".join(p.extract_text() or "" for p in pdf.pages)
        labels = {}
        for page in pdf.pages:
            words = page.extract_words()
            for w in words:
                if re.fullmatch(r"§", w["text"]):
                    labels[page.page_number] = True
    # The sample's memorandum cites Document No. 12 and § 14 of it; § 14 opens on its page 4.
    assert re.search(r"Document No\. 12 \(p\. 1\)", text)
    assert re.search(r"§ 14 \(p\. 4\)", text)


def test_two_builds_are_byte_identical(tmp_path, sample_build):
    again = build(SAMPLE, tmp_path)
    first = {name: hashlib.sha256(data).hexdigest() for name, data in output_bytes(sample_build.outputs).items()}
    second = {name: hashlib.sha256(data).hexdigest() for name, data in output_bytes(again.outputs).items()}
    assert first == second


BOOK = "title: Tiny\nyear: 2024\ndocuments: [a.md]\n"
DOC = "---\nnumber: 1\ntitle: A\n---\nOne paragraph.\n\nAnother.\n"


def test_trim_preset_and_no_marks(manuscript, tmp_path):
    root = manuscript(BOOK + "print: {trim: a5, bleed: 3mm, marks: none}\n", {"a.md": DOC})
    pdf_path = outputs(build(root, tmp_path))["tiny.pdf"]
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[0]
        trim = [float(v) for v in page.TrimBox]
        assert (round(trim[2] - trim[0], 1), round(trim[3] - trim[1], 1)) == (419.5, 595.3)
        assert [float(v) for v in page.BleedBox] == pytest.approx([float(v) for v in page.MediaBox], abs=0.01)


def test_pdfx1a_standard(manuscript, tmp_path):
    root = manuscript(BOOK + "print: {standard: pdf/x-1a}\n", {"a.md": DOC})
    pdf_path = outputs(build(root, tmp_path))["tiny.pdf"]
    with pikepdf.open(pdf_path) as pdf:
        assert b"PDF/X-1" in pdf.Root.Metadata.read_bytes()


def test_rgb_colour_fails_the_print_build_and_writes_nothing(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": "p { color: rgb(200, 0, 0); }\n"})
    with pytest.raises(ManuscriptError) as err:
        build(root, tmp_path / "out")
    assert {d.code for d in err.value.diagnostics} == {"E300"}
    assert "RGB" in err.value.diagnostics[0].message or "not in CMYK" in err.value.diagnostics[0].message
    assert not any(listed(tmp_path / "out"))


def test_a_colour_problem_names_the_book_page_it_is_on(manuscript, tmp_path):
    """Parts and the folio layer are checked for colour as they are painted; the finding names the
    page of the bound book, the one a print shop's preflight would name."""
    text = "\n\n".join(f"Paragraph {i} of the second. " + "The talks went on into the night. " * 12 for i in range(9))
    docs = {"a.md": DOC, "b.md": f"---\nnumber: 2\ntitle: B\n---\n{text}\n"}
    book = BOOK.replace("documents: [a.md]", "documents: [a.md, b.md]")
    plain = outputs(build(manuscript(book, docs), tmp_path / "plain", formats=("pdf",)))["tiny.pdf"]
    with pdfplumber.open(plain) as pdf:
        page = next(n for n, p in enumerate(pdf.pages, 1) if "Paragraph 5 of the second" in (p.extract_text() or ""))
    assert page > 3
    with pytest.raises(ManuscriptError) as err:
        build(manuscript(book, {**docs, "styles/book.css": "#doc2-p6 { color: rgb(200, 0, 0); }\n"}), tmp_path / "red")
    messages = [d.message for d in err.value.diagnostics]
    assert messages and all(m.startswith(f"print PDF is not PDF/X: page {page}: ") for m in messages), messages


def test_a_gradient_between_rgb_colours_is_not_pdfx(manuscript, tmp_path):
    """WeasyPrint 70 writes an rgb() gradient in a print PDF as a shading in DeviceCMYK with three
    values a colour: no print shop's RIP can print it. It is drawn in a tiling pattern, through a
    form, which the check follows."""
    css = ".body { background-image: linear-gradient(rgb(240 240 240), rgb(200 220 255)); }\n"
    with pytest.raises(ManuscriptError) as err:
        build(manuscript(BOOK, {"a.md": DOC, "styles/book.css": css}), tmp_path / "out")
    messages = {d.message for d in err.value.diagnostics if d.code == "E300"}
    assert messages and all("a gradient whose colours have 3 components in /DeviceCMYK" in m for m in messages), messages


def test_bad_print_settings_are_reported(manuscript):
    from pipeline.load import load_book

    root = manuscript(BOOK + "print: {trim: huge, bleed: 2in, marks: stars, standard: pdf/x-3}\n", {"a.md": DOC})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    assert [d.code for d in err.value.diagnostics] == ["E108"] * 4
    assert all(d.loc.line == 4 for d in err.value.diagnostics)


def test_screen_pdf_has_the_print_pages_in_rgb(print_pdf, screen_pdf):
    with pdfplumber.open(print_pdf) as a, pdfplumber.open(screen_pdf) as b:
        assert len(a.pages) == len(b.pages)
        for pa, pb in zip(a.pages[6:12], b.pages[6:12]):
            assert pa.extract_text() == pb.extract_text()
    with pikepdf.open(screen_pdf) as pdf:
        ops = {str(op) for page in pdf.pages[6:9] for _, op in pikepdf.parse_content_stream(page)}
        assert "rg" in ops and "k" not in ops
        assert not any("/DeviceCMYK" in str(page.Resources.get("/ColorSpace", {})) for page in pdf.pages[6:9])


def test_a_gradient_in_cmyk_or_grey_passes_and_one_in_rgb_does_not():
    from pipeline.engine.inks import gradient_problem

    def shading(space, c0, c1):
        return pikepdf.Dictionary(ShadingType=2, ColorSpace=space, Coords=[0, 0, 1, 0],
                                  Function=pikepdf.Dictionary(FunctionType=3, Domain=[0, 1], Bounds=[], Encode=[0, 1],
                                                              Functions=[pikepdf.Dictionary(FunctionType=2, Domain=[0, 1],
                                                                                            N=1, C0=c0, C1=c1)]))

    assert gradient_problem(shading(pikepdf.Name.DeviceCMYK, [0, 0, 0, 0.1], [0, 0.5, 0, 0])) is None
    assert gradient_problem(shading(pikepdf.Name.DeviceGray, [0.1], [0.9])) is None
    assert gradient_problem(shading(pikepdf.Name.DeviceRGB, [0.9, 0.9, 0.9], [1, 1, 1])) == "a gradient in RGB"
    assert "3 components" in gradient_problem(shading(pikepdf.Name.DeviceCMYK, [0.9, 0.9, 0.9], [1, 1, 1]))
