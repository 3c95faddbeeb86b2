"""Images in the text: checked and confined when loaded, separated into CMYK for print, described in the EPUB."""

from __future__ import annotations

import os
import re
import zipfile

import pdfplumber
import pikepdf
import pytest
from PIL import Image

from pipeline.build import build
from pipeline.bind.pdfx import print_pdf_problems
from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from pipeline.model import Figure
from pipeline.proof.make import check
from tests.epubcheck import epubcheck_messages

BOOK = "title: Pictures\nlanguage: en\ncopyright: © Test Press, 2026\ndocuments: [text/a.md]\n"


def doc(body: str) -> str:
    return f"---\nnumber: 4\ntitle: A\nsource: 'Source: here.'\n---\nFirst paragraph.\n\n{body}\n\nLast paragraph.\n"


def picture(path, size=(1500, 1000), mode="RGB", colour=(200, 40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, colour if mode != "L" else 128).save(path)
    return path


def problems(root):
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    return err.value.diagnostics


def test_an_image_alone_is_a_figure_with_description_and_caption(manuscript):
    root = manuscript(BOOK, {"text/a.md": doc('![A red card](img/red.png "The red card.")')})
    picture(root / "text" / "img" / "red.png")
    (figure,) = [b for b in load_book(root).documents[0].body if isinstance(b, Figure)]
    assert figure.alt == "A red card" and figure.inlines[0].text == "The red card."
    assert figure.pixels == (1500, 1000) and figure.mode == "RGB" and figure.loc.line == 8


@pytest.mark.parametrize(
    "src, setup, code, words",
    [
        ("img/missing.png", None, "E118", "does not exist"),
        ("img/broken.png", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40), "E118", "cannot be read"),
        ("img/text.png", lambda p: p.write_text("not a picture"), "E118", "cannot be read"),
        ("img/truncated.jpg", lambda p: p.write_bytes(_jpeg()[:400]), "E118", "cannot be read"),
        ("img/wrong.jpg", lambda p: picture(p.with_suffix(".png")).rename(p), "E118", "holds a PNG"),
        ("img/anim.gif", lambda p: Image.new("RGB", (10, 10)).save(p), "E118", "not a PNG or JPEG"),
        ("img/folder.png", lambda p: p.mkdir(), "E118", "not a file"),
        ("../../outside.png", None, "E116", "outside the manuscript"),
        ("/etc/passwd", None, "E116", "outside the manuscript"),
        ("/dev/urandom", None, "E116", "outside the manuscript"),
        ("img/urandom.png", lambda p: os.symlink("/dev/urandom", p), "E116", "outside the manuscript"),
        ("http://127.0.0.1:9/x.png", None, "E116", "not a file of the manuscript"),
    ],
)
def test_bad_images_are_placed_errors(manuscript, src, setup, code, words):
    root = manuscript(BOOK, {"text/a.md": doc(f"![Something]({src})")})
    if setup:
        (root / "text" / "img").mkdir(parents=True, exist_ok=True)
        setup(root / "text" / src)
    (d,) = problems(root)
    assert d.code == code and words in d.message, d.format()
    assert d.loc.file.endswith("a.md") and d.loc.line == 8


def _jpeg() -> bytes:
    from io import BytesIO

    out = BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


def test_a_file_url_is_not_an_image_at_all(manuscript):
    # markdown-it refuses file: links, so the text stays as it was typed and nothing is read
    root = manuscript(BOOK, {"text/a.md": doc("![Something](file:///etc/passwd)")})
    body = load_book(root).documents[0].body
    assert not any(isinstance(b, Figure) for b in body) and "file:///etc/passwd" in body[1].inlines[0].text


def test_undescribed_and_inline_images_are_warned_about(manuscript, tmp_path):
    root = manuscript(BOOK, {"text/a.md": doc("![](img/red.png)\n\nText with ![a map](img/red.png) inside it.")})
    picture(root / "text" / "img" / "red.png")
    result = build(root, tmp_path / "out", formats=("epub",))
    assert [(d.code, d.loc.line) for d in result.diagnostics.items if d.code in ("W115", "W110")] == [("W115", 8), ("W110", 10)]


@pytest.fixture(scope="module")
def coloured(tmp_path_factory):
    """A book with an RGB photograph, a grey drawing kept in RGB, and a small image."""
    from tests.conftest import write_manuscript

    root = write_manuscript(tmp_path_factory.mktemp("pictures") / "book", BOOK, {"text/a.md": doc(
        '![A red card](img/red.png "Red.")\n\nBetween.\n\n![A grey card](img/grey.png)\n\nMore.\n\n![A thumbnail](img/small.png)'
    )})
    picture(root / "text" / "img" / "red.png")
    picture(root / "text" / "img" / "grey.png", colour=(90, 90, 90))
    picture(root / "text" / "img" / "small.png", size=(300, 200))
    result = build(root, tmp_path_factory.mktemp("out"))
    return root, {p.name: p for p in result.outputs}


def _image_spaces(path):
    with pikepdf.open(path) as pdf:
        return sorted(str(obj.ColorSpace) for obj in pdf.objects
                      if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image" and "/SMask" not in str(obj.get("/Type", "")))


def test_print_separates_rgb_into_cmyk_and_grey_into_black(coloured):
    root, out = coloured
    assert _image_spaces(out["pictures.pdf"]) == ["/DeviceCMYK", "/DeviceCMYK", "/DeviceGray"]
    assert print_pdf_problems(out["pictures.pdf"], load_book(root)) == []
    # The separated photograph still reads as red on the page: cyan low, magenta and yellow high.
    with pikepdf.open(out["pictures.pdf"]) as pdf:
        cmyk = next(obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/ColorSpace") == "/DeviceCMYK")
        pixel = pikepdf.PdfImage(cmyk).as_pil_image().getpixel((10, 10))
    c, m, y, k = pixel
    assert c < 40 and m > 150 and y > 150, pixel


def test_screen_pdf_has_the_editors_rgb_images(coloured):
    _, out = coloured
    spaces = _image_spaces(out["pictures-screen.pdf"])
    assert "/DeviceCMYK" not in spaces and spaces.count("/DeviceRGB") == 3
    with pdfplumber.open(out["pictures.pdf"]) as a, pdfplumber.open(out["pictures-screen.pdf"]) as b:
        sizes = [[(round(i["width"]), round(i["height"])) for i in p.images] for p in a.pages]
        assert sizes == [[(round(i["width"]), round(i["height"])) for i in p.images] for p in b.pages]


def test_preflight_reports_low_resolution_and_rgb(coloured):
    root, _ = coloured
    findings = check(root)
    low = [f for f in findings if f.code == "W409"]
    assert len(low) == 1 and "small" not in low[0].message and low[0].paragraph == "doc4-fig3"
    assert low[0].page and low[0].line == 16 and low[0].box
    assert "96 dpi" in low[0].message  # 300 pixels set at their natural 96 px to the inch
    rgb = [f for f in findings if f.code == "W410"]
    assert [f.line for f in rgb] == [8, 16]  # the grey card is printed in black alone, without a warning


def test_epub_carries_the_images_with_their_descriptions(coloured):
    _, out = coloured
    epub = out["pictures.epub"]
    assert epubcheck_messages(epub) == []
    with zipfile.ZipFile(epub) as z:
        names = z.namelist()
        chapter = z.read("EPUB/doc-4.xhtml").decode()
        opf = z.read("EPUB/content.opf").decode()
    assert len([n for n in names if n.startswith("EPUB/images/") and "cover" not in n]) == 3
    assert 'alt="A red card"' in chapter and "<figcaption>Red.</figcaption>" in chapter and 'id="doc4-fig1"' in chapter
    assert '<meta property="schema:accessibilityFeature">alternativeText</meta>' in opf
    assert '<meta property="schema:accessMode">visual</meta>' in opf


def test_a_page_that_begins_with_an_image_has_its_marker_before_it(manuscript, tmp_path):
    # a document's opening and two images 3 in tall do not fit one 6 x 9 in page: the second begins the next
    root = manuscript(BOOK, {"text/a.md": doc("![A tall card](img/tall.png)\n\n![The same card](img/tall.png)")})
    picture(root / "text" / "img" / "tall.png", size=(1200, 1500))
    out = {p.name: p for p in build(root, tmp_path / "out", formats=("epub",)).outputs}
    with zipfile.ZipFile(out["pictures.epub"]) as z:
        chapter = z.read("EPUB/doc-4.xhtml").decode()
        nav = z.read("EPUB/nav.xhtml").decode()
    assert re.search(r'<figure id="doc4-fig2" class="figure"><span id="page-(\d+)" role="doc-pagebreak"', chapter)
    page = re.search(r'<figure id="doc4-fig2" class="figure"><span id="page-(\d+)"', chapter)[1]
    assert f'href="doc-4.xhtml#page-{page}">{page}</a>' in nav


def test_a_16_bit_grey_and_an_image_with_a_damaged_profile_print_and_show(manuscript, tmp_path):
    """Scanners write 16-bit greys, phones sometimes a truncated profile: both are placed in both PDFs."""
    import pypdfium2

    root = manuscript(BOOK, {"text/a.md": doc("![A grey ramp](ramp.png)\n\n![A red block](red.png)")})
    ramp = Image.new("I;16", (1200, 400))
    ramp.putdata([(x * 65535) // 1199 for _ in range(400) for x in range(1200)])
    ramp.save(root / "text" / "ramp.png")
    Image.new("RGB", (1200, 400), (200, 30, 30)).save(root / "text" / "red.png", icc_profile=b"\0\0\2\0not a profile" + bytes(400))
    result = build(root, tmp_path / "out", formats=("pdf",))
    assert [(d.code, d.loc.line) for d in result.diagnostics.items if d.code in ("W117", "W201")] == [("W117", 10)]
    for pdf in result.outputs:
        document = pypdfium2.PdfDocument(pdf)
        page = next(p for p in document if "First paragraph" in p.get_textpage().get_text_range())
        image = page.render(scale=1).to_pil().convert("RGB")
        grey = [image.getpixel((x, y)) for y in range(image.height) for x in range(0, image.width, 4)
                if len(set(image.getpixel((x, y)))) == 1 and image.getpixel((x, y))[0] < 250]
        raw = image.tobytes()  # RGB, three bytes a pixel (Image.getdata is deprecated)
        red = [i for i in range(0, len(raw), 3) if raw[i] > 150 and raw[i + 1] < 80 and raw[i + 2] < 80]
        assert min(g[0] for g in grey) < 30 and len({g[0] // 32 for g in grey}) >= 6, f"{pdf.name}: no ramp from black to white"
        assert len(red) > 20_000, f"{pdf.name}: the red block is missing"
