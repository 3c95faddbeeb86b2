"""The web edition, read as files: every page there, every link resolving, the same paragraphs,
numbers, ids and printed pages as the EPUB, manuscript text escaped, nothing from another host,
a Content-Security-Policy and no inline script, the same bytes on a rebuild, search that folds
accents, the folder replaced only when complete. (tests/test_web_browser.py opens it in Chromium.)"""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.error
import urllib.request
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from lxml import etree
from lxml import html as lxml_html

from pipeline.build import build
from pipeline.diagnostics import ManuscriptError
from pipeline.web.search import fold, words
from pipeline.web.serve import make_server
from tests.conftest import SAMPLE, write_manuscript

XHTML = "{http://www.w3.org/1999/xhtml}"
SLUG = "a-line-in-cold-water"


@pytest.fixture(scope="session")
def site(sample_build) -> Path:
    return next(p for p in sample_build.outputs if p.name == f"{SLUG}-web")


@pytest.fixture(scope="session")
def epub(sample_build) -> Path:
    return next(p for p in sample_build.outputs if p.suffix == ".epub")


def _pages(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}


class _Links(HTMLParser):
    """Every id, and every address in href/src/content-ish attributes, of one page."""

    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.attributes: list[tuple[str, str]] = []
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for name, value in attrs:
            self.attributes.append((tag, name))
            if name in ("href", "src") and value is not None:
                self.links.append((tag, name, value))
        if tag == "script":
            self.scripts.append(a)


def _parse(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    return parser


def test_the_site_has_every_page_and_its_own_copies_of_the_downloads(site, sample_build, sample_book):
    names = {p.name for p in site.iterdir()}
    expected = {"index.html", "book-index.html", "imprint.html", "search.html", "404.html", "search-index.js", "assets",
                "downloads", "images"}
    assert expected | {f"doc{d.number}.html" for d in sample_book.documents} == names
    for built in sample_build.outputs:
        if built.is_file():
            assert (site / "downloads" / built.name).read_bytes() == built.read_bytes()
    faces = sorted((site / "assets" / "fonts").glob("*.woff2"))
    assert len(faces) == 4
    for face in faces:  # WOFF2, and subset: a few dozen kB, not the 800 kB of a whole face
        font = TTFont(str(face))
        assert font.flavor == "woff2" and face.stat().st_size < 80_000
        cmap = font.getBestCmap()
        assert ord("Г") in cmap and ord("ό") in cmap and ord("Ж") not in cmap  # the site's letters only


def _index_entries(tree) -> list[tuple[str, list[str]]]:
    """Each entry of an index page (the web's or the EPUB's): its heading and its locators' targets."""
    out = []
    for li in tree.iter():
        if not isinstance(li.tag, str) or etree.QName(li).localname != "li" or not (li.get("id") or "").startswith("ix-"):
            continue
        term = next(e for e in li if (e.get("class") or "") == "index-term")
        locators = next((e for e in li if (e.get("class") or "") == "index-locators"), None)
        targets = [a.get("href") for a in locators.iter() if etree.QName(a).localname == "a"] if locators is not None else []
        out.append(("".join(term.itertext()), targets))
    return out


def test_the_index_page_has_the_epubs_entries_each_locator_a_paragraph_of_a_document_page(site, epub):
    page = (site / "book-index.html").read_text(encoding="utf-8")
    web = _index_entries(lxml_html.fromstring(page))
    with zipfile.ZipFile(epub) as z:
        book = _index_entries(etree.fromstring(z.read("EPUB/index.xhtml")))
    # the same entries in the same order, citing the same paragraphs: doc-12.xhtml#x there, doc12.html#x here
    assert [h for h, _ in web] == [h for h, _ in book] and len(web) >= 20
    assert [[t.replace(".xhtml", ".html").replace("doc-", "doc") for t in ts] for _, ts in book] == [ts for _, ts in web]
    targets = [t for _, ts in web for t in ts]
    assert len(targets) > 100
    ids = {}
    for target in targets:
        name, _, fragment = target.partition("#")
        assert re.fullmatch(r"doc(\d+)\.html", name) and re.fullmatch(rf"{name[:-5]}-p\d+", fragment), target  # paragraphs only
        ids.setdefault(name, _parse((site / name).read_text(encoding="utf-8")).ids)
        assert fragment in ids[name], target
    # no printed pages cited: a locator's text is a paragraph number, never "p." or a page range
    tree = lxml_html.fromstring(page)
    assert "(" not in " ".join(" ".join(e.itertext()) for e in tree.find_class("index-locators"))
    assert [h.text for h in tree.find_class("index-kind")] == ["Persons", "Places", "Subjects"]


def test_every_page_links_to_the_index_page(site):
    for name, text in _pages(site).items():
        links = [v for tag, attr, v in _parse(text).links if tag == "a"]
        assert any(v.endswith("book-index.html") for v in links), name
    home = lxml_html.fromstring((site / "index.html").read_text(encoding="utf-8"))
    assert [a.get("href") for a in home.get_element_by_id("contents").iter("a")][-1] == "book-index.html"


def test_a_book_without_an_index_has_no_index_page(tmp_path):
    root = write_manuscript(tmp_path / "book", "title: T\ndocuments: [a.md]\n",
                            {"a.md": "---\nnumber: 1\ntitle: A\n---\nGeneva was cold.\n"})
    site = build(root, tmp_path / "out", ("web",)).outputs[0]
    assert not (site / "book-index.html").exists()
    assert "book-index" not in (site / "index.html").read_text(encoding="utf-8")


def test_every_internal_link_resolves(site):
    pages = _pages(site)
    ids = {name: _parse(text).ids for name, text in pages.items()}
    checked = 0
    for name, text in pages.items():
        for tag, attr, value in _parse(text).links:
            if re.match(r"[a-z]+:", value):  # a link the manuscript made to the web: not the site's
                assert tag == "a" and value.startswith(("http://", "https://", "mailto:")), (name, value)
                continue
            path, _, fragment = value.partition("#")
            path = path.split("?")[0]
            target = site / path if path else site / name
            assert target.is_file(), (name, value)
            if fragment:
                assert fragment in ids[str(target.relative_to(site))], (name, value)
            checked += 1
    assert checked > 100


def test_nothing_is_loaded_from_another_host(site):
    for name, text in _pages(site).items():
        for tag, attr, value in _parse(text).links:
            if tag != "a":
                assert not re.match(r"[a-z]+:|//", value), (name, tag, value)
    for path in [*site.rglob("*.css"), *site.rglob("*.js")]:
        text = path.read_text(encoding="utf-8")
        if path.name == "search-index.js":  # the book's own words, as data: never loaded as addresses
            continue
        assert not re.search(r"url\((?!['\"]?fonts/)|https?://|//[a-z]", text), path.name


def test_a_content_security_policy_and_no_inline_script_style_or_handler(site):
    for name, text in _pages(site).items():
        head = text.split("</head>")[0]
        assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;self&#39;;', head), name
        parsed = _parse(text)
        for script in parsed.scripts:  # every script a file of the site, or JSON-LD data
            assert "src" in script or script.get("type") == "application/ld+json", (name, script)
        handlers = [(tag, attr) for tag, attr in parsed.attributes if attr.startswith("on") or attr == "style"]
        assert handlers == [], name
        assert "<style" not in text, name


def _drop(element) -> None:
    """Remove an element and its text, keeping the text after it."""
    parent, previous = element.getparent(), element.getprevious()
    if element.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _paragraphs_epub(root) -> list[tuple[str, str, str]]:
    out = []
    for p in root.iter(f"{XHTML}p"):
        if re.fullmatch(r"doc\d+-p\d+", p.get("id") or ""):
            for hidden in list(p.iterfind(f".//{XHTML}span[@class='sr-only']")):
                _drop(hidden)
            number = "".join(p.find(f"{XHTML}span[@class='pnum']").itertext())
            out.append((p.get("id"), number, " ".join("".join(p.itertext()).split())))
    return out


def _paragraphs_web(tree) -> list[tuple[str, str, str]]:
    out = []
    for p in tree.iter("p"):
        if re.fullmatch(r"doc\d+-p\d+", p.get("id") or ""):
            for drop in p.xpath(".//span[@class='sr-only'] | .//span[@class='page-mark'] | .//button"):
                drop.drop_tree()
            number = p.find("a[@class='pnum']").text_content()
            out.append((p.get("id"), number, " ".join(p.text_content().split())))
    return out


def test_numbers_ids_and_text_agree_with_the_epub(site, epub, sample_book):
    with zipfile.ZipFile(epub) as z:
        chapters = {d.number: etree.fromstring(z.read(f"EPUB/doc-{d.number}.xhtml")) for d in sample_book.documents}
    for doc in sample_book.documents:
        tree = lxml_html.fromstring((site / f"doc{doc.number}.html").read_bytes())
        epub_paragraphs = _paragraphs_epub(chapters[doc.number])
        web_paragraphs = _paragraphs_web(tree)
        assert web_paragraphs == epub_paragraphs and len(web_paragraphs) > 5
        for anchor, number, _ in web_paragraphs:  # each number the permalink of its own paragraph
            assert anchor == f"doc{doc.number}-p{number}"
            assert tree.xpath(f"//p[@id='{anchor}']/a[@class='pnum']")[0].get("href") == "#" + anchor
        # the printed pages: the EPUB's page-break markers, shown in the margin as "p. N"
        epub_pages = [s.get("id") for s in chapters[doc.number].iter(f"{XHTML}span") if s.get("role") == "doc-pagebreak"]
        fresh = lxml_html.fromstring((site / f"doc{doc.number}.html").read_bytes())
        web_marks = fresh.xpath("//span[@class='page-mark']")
        assert [m.get("id") for m in web_marks] == epub_pages and epub_pages
        assert all(m.text_content() == "p.\u00a0" + m.get("id")[5:] for m in web_marks)


def test_each_paragraph_carries_the_printed_page_it_begins_on(site):
    tree = lxml_html.fromstring((site / "doc12.html").read_bytes())
    page = None
    for element in tree.iter():
        if element.get("class") == "page-mark":
            page = element.get("id")[5:]
        elif element.tag == "p" and re.fullmatch(r"doc12-p\d+", element.get("id") or ""):
            first_mark = element.find("span[@class='page-mark']")
            starts_here = first_mark is not None and (element.text or "").strip() == "" and element.index(first_mark) == 0
            expected = first_mark.get("id")[5:] if starts_here else page
            assert element.get("data-page") == expected, element.get("id")


def test_document_page_carries_what_the_pdf_does(site):
    text = (site / "doc12.html").read_text(encoding="utf-8")
    tree = lxml_html.fromstring(text)
    assert tree.xpath("//p[@class='doc-label']")[0].text_content() == "Document No. 12"
    assert tree.xpath("//h1")[0].get("id") == "doc12-title" and len(tree.xpath("//h1")) == 1
    assert tree.xpath("//p[@class='doc-translator']")[0].text_content() == "Translated by Miriam Castellane"
    assert tree.xpath("//section[@class='headnote']//p")
    assert tree.xpath("//span[@class='speaker']")[0].text_content() == "Grigoriev"
    assert tree.xpath("//span[@class='omission']")
    assert tree.xpath("//p[contains(@class, 'source') and contains(@class, 'numbered')]")
    assert tree.xpath("//p[@class='copyright']")
    # footnotes linked both ways
    ref = tree.xpath("//a[@class='noteref']")[0]
    note = tree.get_element_by_id(ref.get("href")[1:])
    assert note.xpath(".//a[@class='backlink']")[0].get("href") == "#" + ref.get("id")
    assert tree.xpath("//a[@rel='next']")[0].get("href") == "doc13.html"
    assert [a.get("href") for a in tree.xpath("//section[@class='downloads']//a")] == [
        f"downloads/{SLUG}.pdf", f"downloads/{SLUG}-screen.pdf", f"downloads/{SLUG}.epub"]
    # what Zotero and Google Scholar read, and JSON-LD
    assert '<meta name="citation_title" content="Record of Conversation' in text
    assert '<meta name="citation_firstpage" content="1">' in text
    ld = json.loads(tree.xpath("//script[@type='application/ld+json']")[0].text)
    assert ld["@type"] == "Chapter" and ld["isPartOf"]["name"] == "A Line in Cold Water"
    assert tree.xpath("//html")[0].get("lang") == "en"


def test_figures_have_alt_text_and_captions(site):
    for page in site.glob("doc*.html"):
        tree = lxml_html.fromstring(page.read_bytes())
        for figure in tree.xpath("//figure"):
            img = figure.find("img")
            assert img.get("alt") and (site / img.get("src")).is_file()
    assert any(lxml_html.fromstring(p.read_bytes()).xpath("//figure/figcaption") for p in site.glob("doc*.html"))


def test_home_page_has_title_page_editors_and_contents(site, sample_book):
    tree = lxml_html.fromstring((site / "index.html").read_bytes())
    assert tree.xpath("//h1")[0].text_content() == "A Line in Cold Water"
    assert "Ingrid Marstal and Thomas Aldgate" in tree.xpath("//p[@class='book-editors']")[0].text_content()
    entries = tree.xpath("//section[@id='contents']//li")
    assert [e.xpath(".//span[@class='toc-label']")[0].text_content() for e in entries[:-1]] == [
        f"Document No. {d.number}" for d in sample_book.documents]
    assert entries[-1].text_content() == "Index"  # then the index's page
    assert entries[0].xpath(".//span[@class='toc-date']")[0].text_content() == "9\u00a0October 1978"


def test_search_folds_accents_and_case_as_the_page_does():
    assert fold("Горбачёв") == fold("Горбачев") == "горбачев"
    assert fold("ἀρχὴ") == "αρχη"
    assert words("Vestmark's «ἀρχὴ» — Ё-mail 1978") == ["vestmark", "s", "αρχη", "е", "mail", "1978"]


def _postings(index: dict, stem: str) -> set[int]:
    """A stem's units, decoded as search.js decodes them (gaps in base 36, or a bitmap)."""
    text = index["stems"].get(stem)
    if text is None:
        return set()
    if text.startswith("~"):
        bits = base64.urlsafe_b64decode(text[1:] + "=" * (-len(text[1:]) % 4))
        return {i * 8 + b for i, byte in enumerate(bits) for b in range(8) if byte >> b & 1}
    at, out = -1, set()
    for gap in text.split(","):
        at += int(gap, 36)
        out.add(at)
    return out


def _lookup(index: dict, query: str) -> list[str]:
    """What search.js does, in Python: fold, map each word to its stem, keep the units with all."""
    found = None
    for word in words(query):
        units = _postings(index, index["forms"].get(word, word)) | _postings(index, word)
        found = units if found is None else found & units
    return [index["units"][i][0].split("-")[0] + ".html#" + index["units"][i][0] for i in sorted(found or [])]


def _index(site: Path) -> dict:
    text = (site / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("window.pressSearch = ") and text.endswith(";\n")
    return json.loads(text[len("window.pressSearch = "):-2])


def test_the_index_finds_stems_and_words_without_accents(site):
    index = _index(site)
    assert "doc17.html#doc17-p2" in _lookup(index, "Καλογεροπουλος")  # printed Καλογερόπουλος
    assert "doc12.html#doc12-p2" in _lookup(index, "григорьев")
    negotiate = set(_lookup(index, "negotiate"))
    assert negotiate and negotiate == set(_lookup(index, "negotiation")) | negotiate  # one stem
    page = next(u[1] for u in index["units"] if u[0] == "doc12-p5")
    assert page == "2" and index["words"]["search_result_label"] == "{place} — {page}"


def test_postings_are_gaps_or_a_bitmap_whichever_is_shorter():
    from pipeline.web.search import encode_postings

    assert encode_postings([0, 1, 40, 1000], 2000) == "1,1,13,qo"  # gaps 1, 1, 39, 960
    dense = list(range(0, 3000, 2))
    text = encode_postings(dense, 3000)
    assert text.startswith("~") and _postings({"stems": {"x": text}}, "x") == set(dense)


HOSTILE = {
    "book.yaml": """
        title: "Evil <script>alert(1)</script> & \\"quotes\\""
        editors: ["A <b>bold</b> editor"]
        language: en
        web:
          base_url: https://example.org/reader/
        documents: [a.md]
    """,
    "a.md": """
        ---
        number: 1
        title: "</script><script>alert(2)</script>"
        speakers: ["<i>X</i>"]
        headnote: "Headnote with <img src=x onerror=alert(3)>."
        ---
        <i>X</i>: A turn with <script>alert(4)</script> and ἀρχὴ and [Горбачёв]{lang=ru}.

        A paragraph with [a link](javascript:alert(5)) and "quotes" & ampersands.
    """,
}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from tests.conftest import write_manuscript

    root = write_manuscript(tmp_path_factory.mktemp("hostile") / "book", HOSTILE["book.yaml"], {"a.md": HOSTILE["a.md"]})
    out = tmp_path_factory.mktemp("out")
    result = build(root, out, ("web",))
    return next(p for p in result.outputs if p.name.endswith("-web"))


def test_manuscript_text_is_escaped_everywhere(hostile_site):
    for name, text in _pages(hostile_site).items():
        assert "<script>alert" not in text and "<img src=x" not in text and "<b>bold" not in text, name
        assert "href=\"javascript:" not in text, name
        parsed = _parse(text)
        assert [a for t, a in parsed.attributes if a.startswith("on")] == [], name
        for script in re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S):
            json.loads(script)  # whole: no text of the book closed the element early
    doc = (hostile_site / "doc1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in doc
    assert '<span lang="ru">Горбачёв</span>' in doc  # a passage in another language says so


def test_base_url_gives_canonical_links_and_a_sitemap(hostile_site):
    doc = (hostile_site / "doc1.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/reader/doc1.html">' in doc
    assert 'data-cite-url="https://example.org/reader/doc1.html"' in doc
    sitemap = etree.fromstring((hostile_site / "sitemap.xml").read_bytes())
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://example.org/reader/doc1.html" in locs and not any(loc.endswith("404.html") for loc in locs)
    # a 404 served for any address reaches the site's files from its root
    assert 'href="/reader/assets/web.css"' in (hostile_site / "404.html").read_text(encoding="utf-8")


def test_search_finds_greek_and_cyrillic_typed_without_accents(hostile_site):
    index = _index(hostile_site)
    assert _lookup(index, "αρχη") == ["doc1.html#doc1-p2"]
    assert _lookup(index, "Горбачев") == ["doc1.html#doc1-p2"]


@pytest.mark.parametrize("url", ["ftp://example.org/", "https://example.org/reader", "https://ex ample.org/",
                                 "https://example.org/\"onload=\"x/"])
def test_a_base_url_that_is_not_a_site_address_is_refused(manuscript, url):
    from pipeline.load import load_book

    root = manuscript(f"title: T\nweb:\n  base_url: '{url}'\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: A\n---\nText.\n"})
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    assert [d.code for d in caught.value.diagnostics] == ["E140"]


def test_hidden_page_numbers_and_an_edition(tmp_path):
    result = build(SAMPLE, tmp_path, ("web",), edition="science")
    site = tmp_path / f"{SLUG}-science-web"
    assert result.outputs == [site]
    assert sorted(p.name for p in site.glob("doc*.html")) == ["doc17.html", "doc21.html"]
    assert "doc17-p2" in (site / "doc17.html").read_text(encoding="utf-8")  # the whole reader's numbering
    assert not (site / "downloads").exists()  # none built in this run


def test_a_rebuild_gives_the_same_bytes_and_a_failed_one_keeps_the_site(hostile_site, tmp_path):
    from tests.conftest import write_manuscript

    book = write_manuscript(tmp_path / "book", HOSTILE["book.yaml"], {"a.md": HOSTILE["a.md"]})
    out = tmp_path / "out"
    build(book, out, ("web",))
    site = out / f"{hostile_site.name}"
    first = {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert first == {str(p.relative_to(hostile_site)): p.read_bytes() for p in hostile_site.rglob("*") if p.is_file()}
    (book / "a.md").write_text("---\nnumber: 1\n", encoding="utf-8")  # front matter never closed
    with pytest.raises(ManuscriptError):
        build(book, out, ("web",))
    assert {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()} == first
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".press")) == [site.name]


def test_press_serve_serves_the_site_and_its_404_page(site):
    server = make_server(site, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(base + "doc12.html") as response:
            assert response.status == 200 and "default-src 'none'" in response.headers["Content-Security-Policy"]
        with urllib.request.urlopen(base + "search-index.js") as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "no/such/page")
        assert missing.value.code == 404 and b"Page not found" in missing.value.read()
    finally:
        server.shutdown()
        server.server_close()


def test_page_numbers_can_be_hidden_and_citations_keep_the_page(manuscript, tmp_path):
    root = manuscript("title: Tiny\nweb:\n  page_numbers: false\ndocuments: [a.md]\n",
                      {"a.md": "---\nnumber: 4\ntitle: A\n---\nOne paragraph.\n\nAnother.\n"})
    build(root, tmp_path / "out", ("web",))
    text = (tmp_path / "out" / "tiny-web" / "doc4.html").read_text(encoding="utf-8")
    assert "page-mark" not in text and 'id="doc4-p2" class="body numbered" data-page="1"' in text


def test_press_serve_without_a_site_says_how_to_make_one(tmp_path, capsys):
    from pipeline.cli import main

    assert main(["serve", str(tmp_path / "nothing")]) == 2
    assert "press build --format web" in capsys.readouterr().err
    assert main(["watch", "--web", "--help"]) == 0


def test_press_watch_web_rebuilds_the_site_with_the_proof(manuscript, tmp_path, monkeypatch):
    import pipeline.cli as cli

    root = manuscript("title: Tiny\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: A\n---\nOne paragraph.\n"})
    monkeypatch.setattr(cli, "watch", lambda book_dir, rebuild, say: rebuild())  # one round, no polling
    assert cli.main(["watch", str(root), "--out", str(tmp_path / "out"), "--web"]) == 0
    assert (tmp_path / "out" / "tiny-web" / "doc1.html").is_file() and (tmp_path / "out" / "proof").is_dir()
