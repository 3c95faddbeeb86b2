"""The EPUB carries the printed reader's pages: a marker where each page begins, and a page-list."""

from __future__ import annotations

import re
import zipfile

import pdfplumber
import pikepdf
import pytest
from lxml import etree

from pipeline.model import Omission, PageBreak, Text
from pipeline.transforms.pagebreaks import insert_at_word

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


@pytest.fixture(scope="session")
def epub(sample_build):
    path = next(p for p in sample_build.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.fixture(scope="session")
def printed_pages(sample_build):
    """Label -> first words of the page's main text, for every page that has any."""
    path = next(p for p in sample_build.outputs if p.name.endswith(".pdf") and "-screen" not in p.name)
    out = {}
    with pikepdf.open(path) as pdf:
        labels = [pikepdf.Page(p).label for p in pdf.pages]
    with pdfplumber.open(path) as pdf:
        for label, page in zip(labels, pdf.pages):
            # the text block: below the running head, above the folio, body-size type
            words = [
                w for w in page.extract_words(extra_attrs=["size"])
                if w["size"] > 8.2 and 27 + 54 - 2 < w["top"] < page.height - 27 - 61.2
            ]
            if words:
                words.sort(key=lambda w: (round(w["top"]), w["x0"]))
                out[label] = [w["text"] for w in words[:3]]
    return out


def _text_after(element) -> str:
    """The text that follows ``element`` in reading order, screen-reader-only words skipped."""
    parts, started = [], False
    for node in element.getroottree().getroot().iter():
        if node is element:
            started = True
            parts.append(node.tail or "")
            continue
        if started:
            if "sr-only" in (node.get("class") or ""):
                parts.append(node.tail or "")
                continue
            parts.append((node.text or "") + (node.tail or ""))
        if started and len("".join(parts)) > 120:
            break
    return " ".join("".join(parts).split())


@pytest.fixture(scope="session")
def index_pages(sample_build) -> list[str]:
    """The labels of the print index's pages."""
    path = next(p for p in sample_build.outputs if p.name.endswith(".pdf") and "-screen" not in p.name)
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        first = next(pdf.pages.index(pikepdf.Page(item.destination[0])) for item in outline.root if str(item.title) == "Index")
        return [pikepdf.Page(p).label for p in pdf.pages[first:]]


def test_page_list_names_every_printed_page_with_text(epub, printed_pages, index_pages):
    nav = etree.fromstring(epub["EPUB/nav.xhtml"])
    page_list = next(n for n in nav.iter(f"{XHTML}nav") if n.get(f"{EPUB_NS}type") == "page-list")
    labels = [a.text for a in page_list.iter(f"{XHTML}a")]
    body_pages = [label for label in printed_pages if label.isdigit()]
    assert labels == body_pages  # the print index's pages too
    assert len(labels) >= 20
    # the index's pages are in the EPUB's index document, the rest in the documents
    hrefs = {a.text: a.get("href") for a in page_list.iter(f"{XHTML}a")}
    in_index = [label for label in labels if hrefs[label].startswith("index.xhtml#")]
    assert in_index == [label for label in index_pages if label in printed_pages] and len(in_index) >= 2
    assert all(hrefs[label] == f"index.xhtml#page-{label}" for label in in_index)


def test_each_marker_stands_before_the_first_words_of_its_page(epub, printed_pages):
    markers = {}
    for name, data in epub.items():
        if re.fullmatch(r"EPUB/(doc-\d+|index)\.xhtml", name):
            for span in etree.fromstring(data).iter(f"{XHTML}span"):
                if span.get("role") == "doc-pagebreak":
                    assert span.get(f"{EPUB_NS}type") == "pagebreak"
                    assert span.get("id") == f"page-{span.get('aria-label')}"
                    markers[span.get("aria-label")] = span
    checked = 0
    for label, words in printed_pages.items():
        if not label.isdigit():
            continue
        following = _text_after(markers[label]).lower()
        first = words[0].lower().rstrip(".,;:")
        if markers[label].getparent().get("id", "").startswith(("ix-", "index")):
            # an index page is marked where its first entry (or heading) begins: two columns of
            # print read line by line across both, and print's locators carry pages the EPUB's do
            # not, so only the first word is compared
            assert following.split()[0].rstrip(".,;:") == first, (label, words, following[:60])
            checked += 1
            continue
        # a page that begins inside a hyphenated word is marked before that word
        following_first = following.split()[0] if following.split() else ""
        assert following_first.rstrip(".,;:").endswith(first), (label, words, following[:60])
        # and the next words agree too
        assert following.split()[1:3] == [w.lower() for w in words[1:3]], (label, words, following[:60])
        checked += 1
    assert checked >= 20


def test_opf_names_the_page_source_and_features(epub, sample_book):
    opf = epub["EPUB/content.opf"].decode()
    assert f'<meta property="pageBreakSource">urn:isbn:{sample_book.isbn.print.replace("-", "")}</meta>' in opf
    assert ">pageBreakMarkers<" in opf and ">pageNavigation<" in opf


def test_insert_at_word_counts_words_across_nodes():
    inlines = (Text("One two\u00a0"), Omission(), Text(" three\u00a0four"))
    out = insert_at_word(inlines, 2, PageBreak("7"))
    assert out == (Text("One two\u00a0"), PageBreak("7"), Omission(), Text(" three\u00a0four"))
    out = insert_at_word(inlines, 3, PageBreak("7"))
    assert out == (Text("One two\u00a0"), Omission(), Text(" "), PageBreak("7"), Text("three\u00a0four"))
    out = insert_at_word(inlines, 4, PageBreak("7"))
    assert out[-2:] == (PageBreak("7"), Text("four"))
