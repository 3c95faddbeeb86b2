"""The bundled sample's EPUB: EPUBCheck, ids shared with the PDF, credits, determinism."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pipeline.build import build
from pipeline.model import Paragraph
from tests.conftest import SAMPLE
from tests.epubcheck import epubcheck_messages

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="session")
def epub_path(sample_build) -> Path:
    return next(p for p in sample_build.outputs if p.suffix == ".epub")


@pytest.fixture(scope="session")
def chapters(epub_path, sample_book):
    with zipfile.ZipFile(epub_path) as z:
        return {d.number: etree.fromstring(z.read(f"EPUB/doc-{d.number}.xhtml")) for d in sample_book.documents}


def test_epubcheck_reports_nothing(epub_path):
    assert epubcheck_messages(epub_path) == []


def test_mimetype_first_and_stored(epub_path):
    with zipfile.ZipFile(epub_path) as z:
        first = z.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_every_paragraph_id_is_in_the_epub_and_the_pdf(chapters, sample_build, sample_book):
    pdf = next(p for p in sample_build.outputs if p.suffix == ".pdf")
    with pikepdf.open(pdf) as doc:
        dests = set(pikepdf.NameTree(doc.Root.Names.Dests).keys())
    for doc in sample_book.documents:
        tree = chapters[doc.number]
        epub_ids = [p.get("id") for p in tree.iter(f"{XHTML}p") if re.fullmatch(rf"doc{doc.number}-p\d+", p.get("id") or "")]
        n = len(epub_ids)
        assert epub_ids == [f"doc{doc.number}-p{i}" for i in range(1, n + 1)]
        model_ids = [b.anchor for b in doc.headnote + doc.body + doc.source if isinstance(b, Paragraph) and b.number]
        assert epub_ids == model_ids
        assert set(epub_ids) <= dests


def test_numbers_are_visible_and_spoken_sensibly(chapters, sample_book):
    doc = sample_book.documents[0]
    p = next(p for p in chapters[doc.number].iter(f"{XHTML}p") if p.get("id") == f"doc{doc.number}-p3")
    text = "".join(p.itertext())
    assert text.startswith("Paragraph 3. ")
    visible = p.find(f"{XHTML}span[@class='pnum']")
    assert "".join(t for t in visible.xpath("text()")) == "3"


def test_speakers_omissions_source_and_copyright(chapters, sample_book):
    for doc in sample_book.documents:
        tree = chapters[doc.number]
        text = " ".join("".join(e.itertext()) for e in tree.iter(f"{XHTML}p"))
        assert (doc.copyright or sample_book.copyright) in text
        assert "[Source:" in text
        speakers = {s.text for s in tree.iter(f"{XHTML}span") if s.get("class") == "speaker"}
        assert speakers <= set(doc.speakers)
        if doc.speakers:
            assert speakers
    omissions = sum(
        1 for tree in chapters.values() for s in tree.iter(f"{XHTML}span") if s.get("class") == "omission"
    )
    assert omissions >= 5


def test_metadata_names_editors_and_translators_with_roles(epub_path, sample_book):
    with zipfile.ZipFile(epub_path) as z:
        opf = z.read("EPUB/content.opf").decode()
    assert f"urn:isbn:{sample_book.isbn.epub.replace('-', '')}" in opf
    for editor in sample_book.editors:
        assert f">{editor}</dc:creator>" in opf
    for translator in sample_book.translators:
        assert f">{translator}</dc:contributor>" in opf
    assert opf.count(">trl</meta>") == len(sample_book.translators)
    assert opf.count(">edt</meta>") == len(sample_book.editors)
    assert f"<dc:rights>{sample_book.copyright}</dc:rights>" in opf


def test_two_builds_give_the_same_epub(tmp_path, epub_path):
    again = build(SAMPLE, tmp_path, formats=("epub",))
    assert again.outputs[0].read_bytes() == epub_path.read_bytes()


def test_package_declares_language_and_accessibility(epub_path, sample_book):
    with zipfile.ZipFile(epub_path) as z:
        opf = etree.fromstring(z.read("EPUB/content.opf"))
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == sample_book.language
    props = {}
    for meta in opf.iter("{http://www.idpf.org/2007/opf}meta"):
        if meta.get("property", "").startswith("schema:"):
            props.setdefault(meta.get("property"), []).append(meta.text)
    assert props["schema:accessMode"] == ["textual", "visual"]  # the sample has a sketch map
    assert props["schema:accessModeSufficient"] == ["textual"]  # described, so text alone suffices
    assert "alternativeText" in props["schema:accessibilityFeature"]
    assert props["schema:accessibilityHazard"] == ["none"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(props["schema:accessibilityFeature"])
    assert props["schema:accessibilitySummary"]


def test_headings_descend_one_level_at_a_time(chapters):
    for tree in chapters.values():
        levels = [int(e.tag[-1]) for e in tree.iter() if isinstance(e.tag, str) and re.fullmatch(rf"{XHTML}h\d", e.tag)]
        assert levels[0] == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels
