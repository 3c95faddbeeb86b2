"""The screen PDF derived from the tagged print parts is the screen PDF WeasyPrint would paint."""

from __future__ import annotations

import pdfplumber
import pikepdf
import pypdfium2
import pytest
from PIL import ImageChops, ImageStat

import pipeline.layout.parts
from pipeline.build import build
from pipeline.engine.derive import derive_screen, rgb_content
from pipeline.load import load_book
from tests.conftest import SAMPLE


def _screen(result):
    return next(p for p in result.outputs if p.name.endswith("-screen.pdf"))


def _print(result):
    return next(p for p in result.outputs if p.name.endswith(".pdf") and "-screen" not in p.name)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The sample's screen PDF as built (derived), and as built with every part's screen PDF painted."""
    derived = build(SAMPLE, tmp_path_factory.mktemp("derived"), formats=("pdf",))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.layout.parts, "derive_screen", lambda *args: False)
        painted = build(SAMPLE, tmp_path_factory.mktemp("painted"), formats=("pdf",), use_cache=False)
    assert _print(derived).read_bytes() == _print(painted).read_bytes(), "the print PDF must not change"
    # every document's and the index's screen PDF was derived (a painted one carries WeasyPrint's PDF/UA metadata)
    parts = sorted(_screen(derived).parent.glob(".press-cache/parts/*/screen.pdf"))
    derived_parts = 0
    for part in parts:
        with pikepdf.open(part) as pdf:
            derived_parts += "/Metadata" not in pdf.Root
    assert derived_parts == len(load_book(SAMPLE).documents) + 1 == len(parts) - 1  # the front matter painted
    return _screen(derived), _screen(painted)


def _tags(pdf: pikepdf.Pdf) -> list[str]:
    found: list[str] = []

    def walk(element) -> None:
        if isinstance(element, pikepdf.Array):
            for kid in element:
                walk(kid)
        elif isinstance(element, pikepdf.Dictionary) and "/S" in element:
            found.append(str(element.S))
            walk(element.get("/K", pikepdf.Array()))

    walk(pdf.Root.StructTreeRoot.K)
    return found


def _cmyk_anywhere(pdf: pikepdf.Pdf) -> list[str]:
    """Every colour space in the file that is CMYK, and every CMYK operator in a content stream."""
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
            if obj.get("/ColorSpace") == "/DeviceCMYK":
                found.append(f"image {obj.objgen}")
        if isinstance(obj, pikepdf.Array) and len(obj) == 2 and obj[0] == "/ICCBased" and int(obj[1].N) == 4:
            found.append(f"ICC {obj.objgen}")
    for number, page in enumerate(pdf.pages):
        ops = [(str(op), [str(o) for o in operands]) for operands, op in pikepdf.parse_content_stream(page)]
        if any(op in ("k", "K") or (op in ("cs", "CS") and operands != ["/DeviceRGB"]) for op, operands in ops):
            found.append(f"page {number}")
    return found


def test_the_derived_screen_pdf_reads_tags_and_links_as_the_painted_one(both):
    derived, painted = both
    with pikepdf.open(derived) as a, pikepdf.open(painted) as b:
        assert len(a.pages) == len(b.pages)
        assert _tags(a) == _tags(b) and len(_tags(a)) > 100
        for pa, pb in zip(a.pages, b.pages):
            assert [float(v) for v in pa.MediaBox] == [float(v) for v in pb.MediaBox] == [0, 0, 432, 648]
            assert [float(v) for v in pa.TrimBox] == [float(v) for v in pb.TrimBox]
            links_a = [[round(float(v), 2) for v in x.Rect] for x in pa.get("/Annots", [])]
            links_b = [[round(float(v), 2) for v in x.Rect] for x in pb.get("/Annots", [])]
            assert links_a == links_b
        assert sorted(pikepdf.NameTree(a.Root.Names.Dests).keys()) == sorted(pikepdf.NameTree(b.Root.Names.Dests).keys())
        assert "/OutputIntents" not in a.Root and a.Root.MarkInfo.Marked
        assert _cmyk_anywhere(a) == []
    with pdfplumber.open(derived) as a, pdfplumber.open(painted) as b:
        for pa, pb in zip(a.pages, b.pages):
            assert pa.extract_text() == pb.extract_text()


def test_the_derived_screen_pdf_looks_like_the_painted_one(both):
    derived, painted = both
    a, b = pypdfium2.PdfDocument(derived), pypdfium2.PdfDocument(painted)
    images = 0
    for number in range(len(a)):
        image_a = a[number].render(scale=1).to_pil().convert("RGB")
        image_b = b[number].render(scale=1).to_pil().convert("RGB")
        difference = ImageStat.Stat(ImageChops.difference(image_a, image_b)).mean
        assert max(difference) < 0.5, f"page {number + 1} differs: {difference}"
        images += any(o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE for o in a[number].get_objects())
    assert images, "the sample's images should be on some page"


def test_content_streams_turn_rgb_and_anything_else_cmyk_stops_the_rewrite():
    stream = b"q\n/DeviceCMYK cs\n0 0 0 1 scn\n/DeviceCMYK CS\n0 1 1 0 SCN\nBT\n[<0024>] TJ\nET\nQ\n"
    assert rgb_content(stream) == b"q\n0 0 0 rg\n1 0 0 RG\nBT\n[<0024>] TJ\nET\nQ\n"
    for unknown in (b"0 0 0 1 k\n", b"/DeviceCMYK cs\n/P0 scn\n", b"/device-cmyk cs\n1 scn\n"):
        with pytest.raises(Exception, match="CMYK"):
            rgb_content(unknown)


def _tagged_page(path, contents: bytes, resources) -> None:
    """A one-page print PDF as a part's would be (it has a structure tree), with the resources
    ``resources(pdf)`` makes."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(100, 100))
    pdf.pages[0].obj.Resources = resources(pdf)
    pdf.pages[0].obj.Contents = pdf.make_stream(contents)
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    pdf.save(path)


def test_a_cmyk_gradient_is_not_derived_and_nothing_is_written(tmp_path):
    shading = pikepdf.Dictionary(ShadingType=2, ColorSpace=pikepdf.Name.DeviceCMYK, Coords=[0, 0, 100, 0],
                                 Function=pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], N=1,
                                                             C0=[0, 0, 0, 0], C1=[0, 1, 1, 0]))
    _tagged_page(tmp_path / "print.pdf", b"/sh0 sh\n", lambda pdf: pikepdf.Dictionary(Shading=pikepdf.Dictionary(sh0=shading)))
    assert derive_screen(tmp_path / "print.pdf", tmp_path / "screen.pdf", lambda *args: None) is False
    assert not (tmp_path / "screen.pdf").exists()


def test_a_cmyk_image_without_its_original_is_not_derived(tmp_path):
    def image(pdf):
        cmyk = pdf.make_stream(bytes(4), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=1, Height=1,
                               ColorSpace=pikepdf.Name.DeviceCMYK, BitsPerComponent=8)
        return pikepdf.Dictionary(XObject=pikepdf.Dictionary(iunknown0=cmyk))

    _tagged_page(tmp_path / "print.pdf", b"q 100 0 0 100 0 0 cm /iunknown0 Do Q\n", image)
    assert derive_screen(tmp_path / "print.pdf", tmp_path / "screen.pdf", lambda *args: None) is False
    assert not (tmp_path / "screen.pdf").exists()


def test_the_print_pdf_keeps_no_keys_into_a_structure_tree_it_does_not_have(sample_build):
    """The parts are painted tagged for their screen PDFs; the print book is bound untagged."""
    with pikepdf.open(_print(sample_build)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert not [n for n, page in enumerate(pdf.pages) if "/StructParents" in page.obj or "/Tabs" in page.obj]
        assert not [a for page in pdf.pages for a in page.obj.get("/Annots", []) if "/StructParent" in a]
        assert any(page.obj.get("/Annots") for page in pdf.pages)
