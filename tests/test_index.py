"""The index: index.yaml read and checked, occurrences found on the model, locators collapsed, sorted."""

from __future__ import annotations

import textwrap

import pytest

from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.load import load_book
from pipeline.proof.preflight import model_findings
from pipeline.transforms import apply_transforms
from pipeline.transforms.editions import select_edition
from pipeline.transforms.index import collapse, runs
from tests.conftest import write_manuscript

BOOK = """
    title: T
    documents: [a.md, b.md, c.md, d.md, e.md, f.md]
    editions:
      one:
        title: One
        documents: [2]
"""

A = """
    ---
    number: 1
    title: Talks in Geneva
    speakers: [Gorbachev, Reagan]
    headnote: The headnote names nobody.
    ---
    Gorbachev: We begin.

    Reagan: Mr. Gorbachev’s proposal is welcome, and Geneva too.

    The Soviet Union and [the General Secretary]{.ix key="Gorbachev, Mikhail S."} agreed.

    Nothing here.

    Scowcroft wrote to Ébert.[^n]

    [^n]: A note naming Dobrynin.
"""

B = """
    ---
    number: 2
    title: A letter
    ---
    Горбачёв ответил.

    Письмо Горбачёва Рейгану.

    Arms control was discussed by Gorbachev. [Georgia]{.noix} is a state here.

    Eden and Ebert and Zhukov and Évian met in Georgia.
"""

C = """
    ---
    number: 3
    title: Third
    ---
    Gorbachev again, with Reagan on arms control.

    A [mark]{.ix key="Nobody, Known"} that names no entry.
"""

D = """
    ---
    number: 4
    title: Fourth
    ---
    Gorbachev once more.
"""

INDEX = """
    locators: both
    persons:
      Gorbachev, Mikhail S.:
        forms: [Gorbachev, Горбачёв, Горбачёва]
        sub:
          and Reagan:
            forms: [Reagan, Рейгану]
      Reagan, Ronald:
      Scowcroft, Brent:
      Dobrynin, Anatoly:
      Ébert, Jean:
      Ebert, Friedrich:
        forms: [Ebert]
      Eden, Anthony:
      Zhukov, Georgy:
      General Secretary:
        see: Gorbachev, Mikhail S.
    places:
      Geneva:
        see_also: [Soviet Union]
      Soviet Union:
      Georgia:
      Évian:
      Atlantis:
    subjects:
      arms control:
"""


@pytest.fixture
def book(tmp_path):
    root = write_manuscript(tmp_path / "book", BOOK, {"a.md": A, "b.md": B, "c.md": C, "d.md": D,
                                                      "e.md": "---\nnumber: 5\ntitle: E\n---\nNothing.\n",
                                                      "f.md": "---\nnumber: 6\ntitle: F\n---\nNothing again.\n"})
    (root / "index.yaml").write_text(textwrap.dedent(INDEX).lstrip(), encoding="utf-8")
    return apply_transforms(load_book(root))


def entry(book, heading):
    return next(e for e in book.index.entries if e.heading == heading)


def cited(e):
    return [(loc.document, loc.paragraph) for loc in e.locators]


def test_forms_in_several_scripts_speakers_possessives_and_marks_find_a_person(book):
    # doc 1: § 2 the turn (headnote is § 1), § 3 the possessive, § 4 the manual mark;
    # doc 2: the Russian forms, inflected; then arms control; docs 3 and 4
    assert cited(entry(book, "Gorbachev, Mikhail S.")) == [(1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (3, 1), (4, 1)]
    assert cited(entry(book, "Reagan, Ronald")) == [(1, 3), (3, 1)]  # the turn of § 3 and the mention in doc 3
    assert [cited(s) for s in entry(book, "Gorbachev, Mikhail S.").subentries] == [[(1, 3), (2, 2), (3, 1)]]


def test_a_footnote_cites_the_paragraph_that_refers_to_it_and_noix_keeps_words_out(book):
    assert cited(entry(book, "Dobrynin, Anatoly")) == [(1, 6)]
    assert cited(entry(book, "Georgia")) == [(2, 4)]  # not § 3, marked {.noix}
    assert cited(entry(book, "Soviet Union")) == [(1, 4)]
    assert cited(entry(book, "arms control")) == [(2, 3), (3, 1)]  # a lower-case form finds a capital too
    assert entry(book, "Ebert, Friedrich").locators != entry(book, "Ébert, Jean").locators


def test_entries_sort_by_unicode_collation_with_accents_beside_their_letters(book):
    persons = [e.heading for e in book.index.kinds[0].entries]
    assert persons == ["Dobrynin, Anatoly", "Ebert, Friedrich", "Ébert, Jean", "Eden, Anthony", "General Secretary",
                       "Gorbachev, Mikhail S.", "Reagan, Ronald", "Scowcroft, Brent", "Zhukov, Georgy"]
    assert [e.heading for e in book.index.kinds[1].entries] == ["Atlantis", "Évian", "Geneva", "Georgia", "Soviet Union"]


def test_the_headings_collator_weighs_as_pyucas_full_table():
    """``sort_keys`` reads only the UCA table's rows that can weigh the headings: the keys are
    pyuca's own, for accents, capitals, contractions (Catalan's l·l), other scripts, ideographs
    (weighed without a row) and characters that decompose (NFD)."""
    import pyuca

    from pipeline.transforms.index import sort_keys

    headings = ["Gorbachev, Mikhail S.", "Горбачёв, Михаил", "Ébert, Jean", "Ebert, Friedrich", "Łódź",
                "col·lecció", "Ångström", "北京", "ﬁnance", "Ǆemal", "Zürich", "zurich", "Æthelred", "", "1979"]
    full = pyuca.Collator()
    keys = sort_keys(headings)
    assert keys == {h: (full.sort_key(h), h) for h in headings}
    assert sorted(headings, key=keys.__getitem__) == sorted(headings, key=lambda h: (full.sort_key(h), h))


def test_an_edition_index_cites_only_its_documents(book):
    edition = select_edition(book, book.editions[0])
    assert {loc.document for e in edition.index.entries for loc in e.locators} == {2}
    headings = {e.heading for e in edition.index.entries}
    assert "Scowcroft, Brent" not in headings and "Gorbachev, Mikhail S." in headings
    assert "General Secretary" in headings  # its target is cited in the edition
    assert "Geneva" not in headings


def test_preflight_reports_unfound_entries_common_forms_and_unknown_marks(book):
    found = {(d.code, d.message.split("'")[1]) for d in model_findings(book) if d.code.startswith("W17")}
    assert ("W170", "Atlantis") in found
    assert ("W171", "Gorbachev") in found  # in four documents of six
    assert ("W171", "Reagan") not in found  # in two: a third, not more
    assert ("W172", "Nobody, Known") in found
    assert not any(code == "W170" and heading == "General Secretary" for code, heading in found)


def test_chicago_ranges():
    assert [collapse(a, b) for a, b in [(3, 5), (212, 214), (101, 108), (321, 328), (498, 532), (1087, 1089),
                                        (1496, 1504), (11564, 11615), (100, 104), (96, 117)]] == [
        "3–5", "212–14", "101–8", "321–28", "498–532", "1087–89", "1496–1504", "11564–615", "100–104", "96–117"]
    assert runs([9, 3, 4, 5, 4]) == [(3, 5), (9, 9)]


def errors_of(tmp_path, index_yaml: str, book_yaml: str = "title: T\ndocuments: [a.md]\n"):
    root = write_manuscript(tmp_path / "bad", book_yaml, {"a.md": "---\nnumber: 1\ntitle: A\n---\nText.\n"})
    (root / "index.yaml").write_text(textwrap.dedent(index_yaml).lstrip(), encoding="utf-8")
    diags = Diagnostics()
    with pytest.raises(ManuscriptError):
        load_book(root, diags)
    return [(d.code, d.loc.file.rsplit("/", 1)[-1], d.loc.line) for d in diags.items]


def test_bad_index_yaml_is_reported_at_file_and_line(tmp_path):
    found = errors_of(tmp_path, """
        persons:
          Smith, John:
            form: [Smith]
          Smith, John:
          Jones:
            see: Nobody
        places:
          A:
            see: B
          B:
            see: C
          C:
            see: A
        ships:
          X:
        locators: sometimes
    """)
    assert ("E102", "index.yaml", 3) in found  # unknown key 'form'
    assert ("E170", "index.yaml", 4) in found  # the heading twice
    assert ("E171", "index.yaml", 5) in found  # see: no such entry
    assert any(code == "E172" for code, _, _ in found)  # A -> B -> C -> A
    assert ("E102", "index.yaml", 14) in found  # 'ships' is no kind of this index
    assert ("E108", "index.yaml", 16) in found


def test_kinds_are_configurable_and_the_index_file_may_be_named(tmp_path):
    root = write_manuscript(tmp_path / "own", "title: T\nindex: back/ships.yaml\ndocuments: [a.md]\n",
                            {"a.md": "---\nnumber: 1\ntitle: A\n---\nThe *Aurora* sailed.\n"})
    (root / "back").mkdir()
    (root / "back" / "ships.yaml").write_text("kinds:\n  ships: Ships\nships:\n  Aurora:\n", encoding="utf-8")
    book = apply_transforms(load_book(root))
    assert [(k.name, k.heading) for k in book.index.kinds] == [("ships", "Ships")]
    assert cited(book.index.entries[0]) == [(1, 1)]


def test_an_index_file_outside_the_manuscript_is_refused(tmp_path):
    (tmp_path / "outside.yaml").write_text("persons:\n  X:\n", encoding="utf-8")
    found = errors_of(tmp_path, "persons:\n", "title: T\nindex: ../outside.yaml\ndocuments: [a.md]\n")
    assert [code for code, _, _ in found] == ["E116"]


def test_the_epub_index_follows_epub_indexes_links_to_paragraphs_and_validates(book, tmp_path):
    import re
    import zipfile

    from pipeline.epub import write_epub
    from tests.epubcheck import epubcheck_messages

    target = tmp_path / "book.epub"
    write_epub(book, target)
    with zipfile.ZipFile(target) as z:
        index = z.read("EPUB/index.xhtml").decode()
        nav = z.read("EPUB/nav.xhtml").decode()
        chapters = {name[5:]: z.read(name).decode() for name in z.namelist() if re.fullmatch(r"EPUB/doc-\d+\.xhtml", name)}
        opf = z.read("EPUB/content.opf").decode()
    assert 'epub:type="index"' in index and 'role="doc-index"' in index
    # every locator is a paragraph id of the document it names
    hrefs = re.findall(r'epub:type="index-locator" href="([^"#]+)#([^"]+)"', index)
    assert ("doc-1.xhtml", "doc1-p4") in hrefs  # the manual mark
    assert all(f'id="{anchor}"' in chapters[file] for file, anchor in hrefs)
    assert 'epub:type="index-locator-range"' in index  # 1 § 2–4
    assert re.search(r'General Secretary</span>, <em>see</em> <a epub:type="index-xref-preferred" href="#(ix-\d+)">', index)
    assert '<em>see also</em> <a epub:type="index-xref-related"' in index
    assert 'href="index.xhtml#index">Index</a>' in nav and 'epub:type="index" href="index.xhtml#index"' in nav
    assert opf.index('idref="doc4"') < opf.index('idref="index"')  # in the spine after the documents
    assert epubcheck_messages(target) == []


def test_a_book_without_an_index_has_no_index_document(tmp_path):
    from pipeline.epub import write_epub

    root = write_manuscript(tmp_path / "plain", "title: T\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: A\n---\nText.\n"})
    book = apply_transforms(load_book(root))
    assert book.index is None
    write_epub(book, tmp_path / "plain.epub")
    import zipfile

    with zipfile.ZipFile(tmp_path / "plain.epub") as z:
        assert "EPUB/index.xhtml" not in z.namelist() and "Index" not in z.read("EPUB/nav.xhtml").decode()


def test_the_print_index_cites_the_pages_where_the_paragraphs_begin(book, tmp_path):
    import re

    import pdfplumber
    import pikepdf

    from pipeline.build import build

    result = build(book.root, tmp_path / "out", formats=("pdf",), jobs=2)
    pdf_path = next(p for p in result.outputs if p.name == "t.pdf")
    with pikepdf.open(pdf_path) as pdf:
        nums = list(pdf.Root.PageLabels.Nums)
        first = int(nums[-2])
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages = {a: str(next(i for i, p in enumerate(pdf.pages) if p.obj.objgen == tree[a][0].objgen) - first + 1)
                 for a in tree.keys()}
        with pdf.open_outline() as outline:
            assert [item.title for item in outline.root][-1] == "Index"
    with pdfplumber.open(pdf_path) as plumb:
        columns = []  # the index's two columns, left then right, page by page
        for page in plumb.pages[int(pages["index"]) + first - 1:]:
            x0, top, x1, bottom = page.bbox
            middle = (x0 + x1) / 2
            for box in ((x0, top, middle, bottom), (middle, top, x1, bottom)):
                columns.append(page.crop(box).extract_text() or "")
        text = " ".join(" ".join(columns).split())
        contents = " ".join((plumb.pages[first - 1 - 1].extract_text() or "").split())
    assert re.search(r"Index \.* ?" + pages["index"], contents.replace(" .", ".")) or f"Index{pages['index']}" in contents.replace(" ", "").replace(".", "")
    # Gorbachev: 1 § 2–4 (p), 2 § 1–3 (p), 3 § 1 (p), 4 § 1 (p): each document's paragraphs begin on one page here
    expected = "; ".join(f"{d} § {ps} ({pages[f'doc{d}-p{n}']})" for d, ps, n in [(1, "2–4", 2), (2, "1–3", 1), (3, "1", 1), (4, "1", 1)])
    assert {pages[f"doc1-p{n}"] for n in (2, 3, 4)} == {pages["doc1-p2"]}
    assert f"Gorbachev, Mikhail S., {expected}" in text.replace("\u00a0", " ")
    assert "GeneralSecretary,seeGorbachev,MikhailS." in text.replace(" ", "")


def test_each_printed_locator_is_a_tagged_link_on_its_own_number(book, tmp_path):
    """The print index's numbers are linked after layout (engine/links.py): every link must sit
    on its number, lead to the paragraph that number cites, and be tagged in the screen PDF as
    a Link holding both its annotation and its text."""
    import re

    import pikepdf
    import pypdfium2

    from pipeline.build import build

    result = build(book.root, tmp_path / "out", formats=("pdf",), jobs=1)
    for path in (p for p in result.outputs if p.suffix == ".pdf"):
        with pikepdf.open(path) as pdf:
            tree = pikepdf.NameTree(pdf.Root.Names.Dests)
            page_of = {page.objgen: i for i, page in enumerate(pdf.pages)}
            first = int(list(pdf.Root.PageLabels.Nums)[-2])  # page 1 of the arabic folios
            start = page_of[tree["index"][0].objgen]
            tagged = "/StructTreeRoot" in pdf.Root
            parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree) if tagged else None
            drawn = pypdfium2.PdfDocument(path)
            links = 0
            for number in range(start, len(pdf.pages)):
                text = drawn[number].get_textpage()
                for annot in pdf.pages[number].get("/Annots", []):
                    target = str(annot.get("/Dest", ""))
                    found = re.fullmatch(r"doc(\d+)-p(\d+)", target)
                    if annot.Subtype != "/Link" or not found:
                        continue
                    links += 1
                    x0, y0, x1, y1 = (float(v) for v in annot.Rect)
                    under = text.get_text_bounded(x0 + 0.3, y0 + 1, x1 - 0.3, y1 - 1).strip()
                    cited_page = str(page_of[tree[target][0].objgen] - first + 1)
                    # a paragraph's number, or the page it begins on (the end of a range shortened)
                    assert under == found[2] or (under and cited_page.endswith(under)), (path.name, target, under)
                    if tagged:
                        link = parents[int(annot.StructParent)]
                        assert link.S == "/Link"
                        kids = list(link.K)
                        assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") is not None
                                   and k.Obj.objgen == annot.objgen for k in kids)
                        assert any(isinstance(k, int) for k in kids), "the link's text is not in its Link"
            assert links >= 20, path.name


def test_the_longest_form_is_found_whole_words_only():
    """The forms are one regular expression grouped by first word: a longer form before the one it
    begins with, a longer word before its prefix, whole words only, any run of spaces."""
    from pipeline.model import BookIndex, IndexEntry, IndexKind, SourceLoc
    from pipeline.transforms.index import _Finder

    loc = SourceLoc("index.yaml", 1)
    forms = {"York": ("York",), "New York": ("New York",), "New York City": ("New York City",),
             "Yorkshire": ("Yorkshire",), "Москва": ("Москва", "Москвы")}
    index = BookIndex(loc, (IndexKind("places", None, tuple(IndexEntry(h, loc, f) for h, f in forms.items())),))
    finder = _Finder(index)
    found = [owner for owner, _ in finder.find("New York City, New\u00a0York, York's Yorkshire, Yorkist, "
                                               "newyork, Москвы и Москва, Москвой")]
    assert found == ["New York City", "New York", "York", "Yorkshire", "Москва", "Москва"]


def test_a_form_of_thousands_of_words_is_no_deeper_an_expression():
    """A form is one field of index.yaml (up to 10,000 characters): thousands of words must neither
    nest the regular expression that deep nor stop the build (it did, with a RecursionError)."""
    from pipeline.model import BookIndex, IndexEntry, IndexKind, SourceLoc
    from pipeline.transforms.index import _Finder

    loc = SourceLoc("index.yaml", 1)
    long_form = " ".join(["ab"] * 3000)
    index = BookIndex(loc, (IndexKind("subjects", None, (IndexEntry("long", loc, (long_form, "ab")),)),))
    finder = _Finder(index)
    assert [owner for owner, form in finder.find(f"{long_form}, then ab ab") if form == long_form] == ["long"]


def test_each_locator_is_one_link_and_the_pages_beside_paragraphs_are_plain(book):
    """In ``both`` a locator's link is its paragraph's number; the pages after the numbers are for
    the printed book, plain text, except the page of text without a number (before the document's
    first numbered paragraph, or in a book that does not number them), which is its link. With
    ``pages`` alone each page is the link, to the first cited paragraph on it; in the EPUB's
    ``paragraphs`` the document's number links text without a number."""
    import re
    from dataclasses import replace

    from pipeline.model import Locator
    from pipeline.render.indexpage import IndexRenderer
    from pipeline.words import Words

    pages = {"doc7": "40", "doc7-p2": "41", "doc7-p3": "41", "doc7-p9": "43", "doc8-p1": "101", "doc8-p4": "108"}
    locators = (Locator(7, None, "doc7"), Locator(7, 2, "doc7-p2"), Locator(7, 3, "doc7-p3"), Locator(7, 9, "doc7-p9"),
                Locator(8, 1, "doc8-p1"), Locator(8, 4, "doc8-p4"))

    def render(mode, page_of=pages.get):
        index = replace(book.index, locators=mode)
        renderer = IndexRenderer(replace(book, index=index), Words("en"), lambda a: f"#{a}", page_of)
        markup = str(renderer.locators(locators))
        return markup, re.findall(r'<a href="#([^"]+)">([^<]+)</a>', markup)

    markup, links = render("both")
    assert re.sub(r"<[^>]+>", "", markup) == "7\u00a0§\u00a02–3, 9 (40–41, 43); 8\u00a0§\u00a01, 4 (101, 108)"
    assert links == [("doc7-p2", "2"), ("doc7-p3", "3"), ("doc7-p9", "9"), ("doc7", "40"), ("doc8-p1", "1"), ("doc8-p4", "4")]
    markup, links = render("pages")
    assert re.sub(r"<[^>]+>", "", markup) == "40–41, 43, 101, 108"
    assert links == [("doc7", "40"), ("doc7-p2", "41"), ("doc7-p9", "43"), ("doc8-p1", "101"), ("doc8-p4", "108")]
    markup, links = render("paragraphs", None)  # the EPUB's and the web edition's: no pages
    assert re.sub(r"<[^>]+>", "", markup) == "7\u00a0§\u00a02–3, 9; 8\u00a0§\u00a01, 4"
    assert links[0] == ("doc7", "7") and len(links) == 6
    # a book that does not number its paragraphs: each occurrence's page is its link
    unnumbered = (Locator(7, None, "doc7"), Locator(7, None, "doc7-p9"), Locator(8, None, "doc8-p4"))
    renderer = IndexRenderer(replace(book, index=replace(book.index, locators="both")), Words("en"), lambda a: f"#{a}", pages.get)
    markup = str(renderer.locators(unnumbered))
    assert re.sub(r"<[^>]+>", "", markup) == "7 (40, 43); 8 (108)"
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', markup) == [("doc7", "40"), ("doc7-p9", "43"), ("doc8-p4", "108")]
