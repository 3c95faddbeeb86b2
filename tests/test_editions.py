"""Class editions: a selection of documents with the whole reader's numbers, and the EPUB cover."""

from __future__ import annotations

import re
import struct
import zipfile

import pytest

from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from tests.conftest import SAMPLE, outputs
from tests.epubcheck import epubcheck_messages


@pytest.fixture(scope="session")
def edition_build(tmp_path_factory):
    return build(SAMPLE, tmp_path_factory.mktemp("edition"), edition="science")


def _ids(epub_path, number):
    with zipfile.ZipFile(epub_path) as z:
        text = z.read(f"EPUB/doc-{number}.xhtml").decode()
    return re.findall(rf'id="(doc{number}-p\d+)"', text)


def test_edition_holds_exactly_its_documents_with_the_reader_numbers(edition_build, sample_build, sample_book):
    epub = next(p for p in edition_build.outputs if p.suffix == ".epub")
    assert epub.name == "a-line-in-cold-water-science.epub"
    edition = next(e for e in sample_book.editions if e.name == "science")
    with zipfile.ZipFile(epub) as z:
        chapters = sorted(n for n in z.namelist() if re.fullmatch(r"EPUB/doc-\d+\.xhtml", n))
        imprint = z.read("EPUB/front.xhtml").decode()
    assert chapters == sorted(f"EPUB/doc-{n}.xhtml" for n in edition.documents)
    master = next(p for p in sample_build.outputs if p.suffix == ".epub")
    for number in edition.documents:
        assert _ids(epub, number) == _ids(master, number)  # same paragraph ids and numbers
    assert edition.title in imprint and "class edition" in imprint and "A Line in Cold Water" in imprint


def test_edition_epub_passes_epubcheck(edition_build):
    epub = next(p for p in edition_build.outputs if p.suffix == ".epub")
    assert epubcheck_messages(epub) == []


def test_edition_pdf_is_its_own_book(edition_build, sample_book):
    import pikepdf

    pdf_path = next(p for p in edition_build.outputs if p.name == "a-line-in-cold-water-science.pdf")
    with pikepdf.open(pdf_path) as pdf:
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        dests = set(pikepdf.NameTree(pdf.Root.Names.Dests).keys())
    # the edition's index follows its documents
    assert titles[1:] == [f"Document No. {d.number}: {d.title}" for d in sample_book.documents if d.number in (17, 21)] + ["Index"]
    assert "doc17-p1" in dests and not any(d.startswith("doc12") for d in dests)


def test_edition_web_index_page_cites_only_its_documents(edition_build, sample_build):
    site = next(p for p in edition_build.outputs if p.name.endswith("-web"))
    page = (site / "book-index.html").read_text(encoding="utf-8")
    cited = set(re.findall(r'href="doc(\d+)\.html#doc\d+-p\d+"', page))
    assert cited == {"17", "21"}
    # entries found only in the other documents are left out (the whole reader's page has more)
    master = next(p for p in sample_build.outputs if p.name.endswith("-web"))
    whole = (master / "book-index.html").read_text(encoding="utf-8")
    assert page.count('class="index-term"') < whole.count('class="index-term"')
    assert "doc12.html" in whole and "doc12.html" not in page


def test_edition_all_builds_every_edition(tmp_path, capsys):
    assert main(["build", str(SAMPLE), "--out", str(tmp_path), "--edition", "all", "--format", "epub", "-q"]) == 0
    assert sorted(p.name for p in outputs(tmp_path)) == [
        "a-line-in-cold-water-law-of-the-sea.epub",
        "a-line-in-cold-water-science.epub",
    ]


def test_unknown_edition_is_a_manuscript_error(tmp_path, capsys):
    assert main(["build", str(SAMPLE), "--out", str(tmp_path), "--edition", "chemistry", "-q"]) == 1
    err = capsys.readouterr().err
    assert "no edition named 'chemistry'" in err and "law-of-the-sea, science" in err


BOOK = """
    title: Tiny
    documents: [a.md, b.md]
    editions:
      one:
        title: One only
        documents: [1, 7, 1]
      Bad Name:
        title: x
        documents: [1]
"""
DOCS = {"a.md": "---\nnumber: 1\ntitle: A\n---\nText.\n", "b.md": "---\nnumber: 2\ntitle: B\n---\nText.\n"}


def test_bad_editions_are_reported_with_their_lines(manuscript):
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript(BOOK, DOCS))
    found = sorted((d.code, d.loc.line) for d in err.value.diagnostics)
    assert found == [("E108", 7), ("E111", 6), ("E111", 6)]


def test_generated_cover_and_a_given_one(manuscript, tmp_path, sample_build):
    epub = next(p for p in sample_build.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        opf = z.read("EPUB/content.opf").decode()
        png = z.read("EPUB/images/cover.png")
    assert re.search(r'<item href="images/cover.png" id="cover-image" media-type="image/png" properties="cover-image"/>', opf)
    assert struct.unpack(">II", png[16:24]) == (1600, 2400)

    png_given = png  # any PNG will do: use the generated one as the book's own
    root = manuscript("title: Tiny\ncover: art/front.png\ndocuments: [a.md]\n", {"a.md": DOCS["a.md"]})
    (root / "art").mkdir()
    (root / "art" / "front.png").write_bytes(png_given[:-1] + b"\x82")  # a different file
    out = build(root, tmp_path / "o", formats=("epub",)).outputs[0]
    with zipfile.ZipFile(out) as z:
        assert z.read("EPUB/images/cover.png") == (root / "art" / "front.png").read_bytes()
