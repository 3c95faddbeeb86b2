"""The book laid out in parts: in parallel or not, from the cache or not, the same book comes out."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from pipeline.build import build
from pipeline.events import PartLaidOut
from pipeline.layout.plan import PartLayout
from tests.conftest import SAMPLE, output_bytes, write_manuscript


def _files(result):
    return output_bytes(result.outputs)


def _events():
    seen: list = []
    return seen, seen.append


def test_two_jobs_and_one_give_the_same_book(tmp_path):
    one = build(SAMPLE, tmp_path / "one", jobs=1, use_cache=False)
    two = build(SAMPLE, tmp_path / "two", jobs=2, use_cache=False)
    assert _files(one) == _files(two)  # same bytes: pages, labels, outline, destinations, links, metadata
    pdf = next(p for p in two.outputs if p.name.endswith(".pdf") and "screen" not in p.name)
    with pikepdf.open(pdf) as book:
        assert len(book.pages) == one.pages == two.pages
        assert len(pikepdf.NameTree(book.Root.Names.Dests)) > 100


def test_a_rebuild_after_an_edit_lays_out_only_that_document_and_equals_a_clean_build(tmp_path):
    root = tmp_path / "manuscript"
    shutil.copytree(SAMPLE, root)
    build(root, tmp_path / "dist", jobs=1)
    edited = root / "documents" / "03-kalogeropoulos-osipov-1980.md"
    text = edited.read_text()
    edited.write_text(text.replace("Kalogeropoulos:", "Kalogeropoulos: Let me add a sentence here.", 1))
    seen, progress = _events()
    incremental = build(root, tmp_path / "dist", jobs=1, progress=progress)
    laid_out = [e for e in seen if isinstance(e, PartLaidOut) and not e.cached]  # laid out now, not from the cache
    assert laid_out[0].number == 17  # the edited document
    assert all(e.number not in (12, 13) for e in laid_out)  # before it: untouched
    clean = build(root, tmp_path / "clean", jobs=2, use_cache=False)
    assert _files(incremental) == _files(clean)


def test_documents_citing_each_other_get_the_right_pages(tmp_path):
    filler = "\n\n".join(f"Paragraph {i}. " + "The delegations met again and the talks went on. " * 12 for i in range(14))
    book = "title: Cycle\ndocuments: [a.md, b.md]\n"
    a = f"---\nnumber: 1\ntitle: First\n---\nSee [§ 12](doc:2#12) in the second.\n\n{filler}\n"
    b = f"---\nnumber: 2\ntitle: Second\n---\nBack to [§ 9](doc:1#9) of the first.\n\n{filler}\n"
    root = write_manuscript(tmp_path / "cycle", book, {"a.md": a, "b.md": b})
    result = build(root, tmp_path / "out", formats=("pdf",), jobs=2)
    pdf = next(p for p in result.outputs if p.name == "cycle.pdf")
    with pikepdf.open(pdf) as book_pdf:
        labels = _labels(book_pdf)
        dests = pikepdf.NameTree(book_pdf.Root.Names.Dests)
        where = {name: labels[_page_index(book_pdf, dests[name][0])] for name in ("doc2-p12", "doc1-p9")}
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
    assert re.search(rf"§\s*12\s*\(p\.\s*{where['doc2-p12']}\)", text), where
    assert re.search(rf"§\s*9\s*\(p\.\s*{where['doc1-p9']}\)", text), where


def _labels(pdf):
    nums = list(pdf.Root.PageLabels.Nums)
    first = int(nums[-2])
    return [str(i - first + 1) if i >= first else "front" for i in range(len(pdf.pages))]


def _page_index(pdf, page_ref):
    return next(i for i, page in enumerate(pdf.pages) if page.obj.objgen == page_ref.objgen)


def test_the_bound_screen_pdf_has_one_consistent_structure_tree(sample_build):
    screen = next(p for p in sample_build.outputs if p.name.endswith("-screen.pdf"))
    with pikepdf.open(screen) as pdf:
        root = pdf.Root.StructTreeRoot
        assert len(root.K) == 1 and root.K[0].S == "/Document"
        nums = list(root.ParentTree.Nums)
        tree = {int(k): v for k, v in zip(nums[::2], nums[1::2])}
        assert len(tree) == len(nums) // 2 and int(root.ParentTreeNextKey) > max(tree)
        pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        seen_keys = set()
        for i, page in enumerate(pdf.pages):
            mcids = {int(operands[1].MCID) for operands, op in pikepdf.parse_content_stream(page)
                     if str(op) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]}
            if not mcids:
                continue
            key = int(page.obj.StructParents)
            assert key not in seen_keys
            seen_keys.add(key)
            elements = tree[key]
            for mcid in mcids:  # each marked run belongs to an element on this very page
                element = elements[mcid]
                assert pages[_page_of(element).objgen] == i
            for annotation in page.obj.get("/Annots", []):
                link = tree[int(annotation.StructParent)]
                assert any(  # the element holding the link (WeasyPrint tags it as a Span) points back at it
                    isinstance(k, pikepdf.Dictionary) and k.get("/Obj") is not None and k.Obj.objgen == annotation.objgen
                    for k in link.K)
        # every element reaches the one Document element through its parents
        for element in tree.values():
            for item in (element if isinstance(element, pikepdf.Array) else [element]):
                node = item
                for _ in range(50):
                    if node.get("/S") == "/Document":
                        break
                    node = node.P
                assert node.objgen == root.K[0].objgen


def _page_of(element):
    while "/Pg" not in element:
        element = element.P
    return element.Pg


def _glyphs(path, i: int) -> list:
    """Every glyph of page ``i`` in the main text block (the folio is drawn apart), as
    letter's code in lower case, x, y, flat: numbers, so approx can compare places within a tolerance."""
    with pdfplumber.open(path) as pdf:
        page = pdf.pages[i]
        return [n for c in page.chars if c["top"] < page.height - 27 - 61.2
                for n in (ord(c["text"].lower()[:1] or " "), c["x0"], c["top"])]


def _renders_like_one_long_layout(manuscript, bound, tmp_path):
    """Page by page, ``bound`` renders as WeasyPrint's layout of the whole book in one go."""
    import numpy as np
    import pypdfium2

    from pipeline.diagnostics import Diagnostics
    from pipeline.engine.boxes import anchor_pages
    from pipeline.engine.compose import PRINT, lay_out
    from pipeline.engine.paint import write_pdf
    from pipeline.engine.profile import find_cmyk_profile
    from pipeline.load import load_book
    from pipeline.render import Renderer
    from pipeline.transforms import apply_transforms

    book = apply_transforms(load_book(manuscript))
    renderer = Renderer(book)
    with pikepdf.open(bound) as pdf:  # the index cites the pages the bound book has
        labels = _labels(pdf)
        tree = pikepdf.NameTree(pdf.Root.Names.Dests)
        pages = {anchor: labels[_page_index(pdf, tree[anchor][0])] for anchor in tree.keys()}
        index_page = _page_index(pdf, tree["index"][0]) if "index" in tree else len(pdf.pages)
    whole = lay_out(book, renderer, renderer.print_html(index_pages=pages), PRINT, Diagnostics(), find_cmyk_profile(book))
    write_pdf(book, whole, tmp_path / "whole.pdf", PRINT, first_body=anchor_pages(whole)[book.documents[0].anchor])
    whole_pdf = tmp_path / "whole.pdf"
    one, two = pypdfium2.PdfDocument(whole_pdf), pypdfium2.PdfDocument(bound)
    assert len(one) == len(two)
    for i in range(len(one)):
        a = np.asarray(one[i].render(scale=60 / 72).to_pil().convert("L"), dtype=int)
        b = np.asarray(two[i].render(scale=60 / 72).to_pil().convert("L"), dtype=int)
        if i >= index_page:
            # Not pixels: the index's glyphs stand up to 0.08 pt from where the one long layout puts
            # them, for two reasons, and at 60 dpi so small a shift moves a glyph's origin across a
            # pixel boundary (the antialiasing changes by up to 51 grey levels).
            # - Its locators are set piece by piece, each number a run of its own as an <a> would be
            #   (the tags need it, and the screen PDF is derived from this one), and each piece's
            #   measured width adds up to 0.008 pt along the line to where the next one starts; the
            #   long layout paints each line as one run.
            # - The first line of an entry (the one with the hanging indent) comes out up to 0.025 pt
            #   further right in the long layout than in the index laid out alone; where in
            #   WeasyPrint's inline layout that comes from is not known (nothing in press's HTML or
            #   CSS differs between the two).
            # So each glyph is compared by place, within 0.1 pt, and by letter; case is ignored
            # because each PDF's text map reads a small capital back as the letter it first drew it
            # for ("I" in a running head).
            assert _glyphs(whole_pdf, i) == pytest.approx(_glyphs(bound, i), abs=0.1), f"page {i + 1} differs"
            continue
        assert a.shape == b.shape and np.abs(a - b).max() <= 8, f"page {i + 1} differs"
    with pikepdf.open(tmp_path / "whole.pdf") as x, pikepdf.open(bound) as y:
        assert list(x.Root.PageLabels.Nums) == list(y.Root.PageLabels.Nums)


def test_the_bound_book_looks_like_one_long_layout(sample_build, tmp_path):
    bound = next(p for p in sample_build.outputs if p.name.endswith(".pdf") and "screen" not in p.name)
    _renders_like_one_long_layout(SAMPLE, bound, tmp_path)


def test_a_folio_layer_in_several_runs_gives_the_same_book(tmp_path, monkeypatch):
    """A long book's folio layer is laid out in runs side by side; folios and blanks stay right."""
    import sys

    from pipeline.layout import folios

    sys.path.insert(0, str(SAMPLE.parent / "benchmarks"))
    from generate import generate

    monkeypatch.setattr(folios, "RUN_PAGES", 20)  # two runs for a reader of eight documents
    book = generate(tmp_path / "book", 80)
    result = build(book, tmp_path / "out", formats=("pdf",), jobs=2)
    assert len(list((tmp_path / "out" / ".press-cache").glob("folios-*/print.pdf"))) == 2  # two runs
    bound = next(p for p in result.outputs if p.name == "synthetic-reader.pdf")
    _renders_like_one_long_layout(book, bound, tmp_path)


def test_the_binder_holds_one_part_open_at_a_time_and_the_book_is_whole(tmp_path, monkeypatch):
    """The binder opens a part when it reaches the part's first page and closes it once all the
    part brings is in the book (what keeps a thousand-page screen binder small); the book it
    binds still has every part's pages, text, anchors, outline entries and elements."""
    import os

    opened: list[pikepdf.Pdf] = []
    real_open, real_close = pikepdf.open, pikepdf.Pdf.close
    counts = tmp_path / "counts"
    counts.mkdir()

    def watched_open(path, *args, **kwargs):
        pdf = real_open(path, *args, **kwargs)
        if "parts" in Path(path).parts:  # a part's PDF in the cache (the front matter's among them)
            opened.append(pdf)
            # the binders are forked: each writes down the most it held open, in a file of its own
            record = counts / str(os.getpid())
            most = max(len(opened), int(record.read_text()) if record.exists() else 0)
            record.write_text(str(most))
        return pdf

    def watched_close(pdf):
        if pdf in opened:
            opened.remove(pdf)
        real_close(pdf)

    monkeypatch.setattr(pikepdf, "open", watched_open)
    monkeypatch.setattr(pikepdf.Pdf, "close", watched_close)
    text = "\n\n".join(f"Paragraph {i}. " + "The delegations met again and the talks went on. " * 10 for i in range(8))
    docs = {f"d{n}.md": f"---\nnumber: {n}\ntitle: Document {n}\n---\nSee [§ 2](doc:{4 - n}#2).\n\n{text}\n"
            for n in (1, 2, 3)}
    root = write_manuscript(tmp_path / "three", "title: Three\ndocuments: [d1.md, d2.md, d3.md]\n", docs)
    result = build(root, tmp_path / "out", formats=("pdf",), jobs=1)
    # the print and the screen binder: each held the front matter and one part, never more (the
    # layout, deriving each part's screen PDF from its print PDF, holds one at a time)
    held = sorted(int(f.read_text()) for f in counts.iterdir())
    assert held[-2:] == [2, 2] and max(held) == 2, held
    screen = next(p for p in result.outputs if p.name.endswith("-screen.pdf"))
    with pikepdf.open(screen) as pdf:
        assert {"doc1-p2", "doc2-p2", "doc3-p2"} <= set(pikepdf.NameTree(pdf.Root.Names.Dests).keys())
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert all(any(f"Document {n}" in title for title in titles) for n in (1, 2, 3)), titles
        document = pdf.Root.StructTreeRoot.K[0]
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        parents = {int(k) for k in list(pdf.Root.StructTreeRoot.ParentTree.Nums)[::2]}
        assert all(int(page.obj.StructParents) in parents for page in pdf.pages if "/StructParents" in page.obj)
    with pdfplumber.open(screen) as doc:
        text_of_book = " ".join(page.extract_text() or "" for page in doc.pages)
    assert all(f"Document {n}" in text_of_book for n in (1, 2, 3))
    assert text_of_book.count("The delegations met again") >= 3 * 8


def _fake_part(book, renderer, task, profile, folder, screen, report=None):
    """A stand-in for laying a part out: two pages; the first document's paragraphs from § 9 on move
    to its second page once it cites a page other than the first guess ("1")."""
    cited = dict(task.pages)
    anchors: dict[str, int] = {}
    if task.number is not None:
        moved = task.number == 1 and any(label != "1" for label in cited.values())
        anchors = {f"doc{task.number}": 0, **{f"doc{task.number}-p{k}": int(moved and k >= 9) for k in range(1, 15)}}
    layout = PartLayout(task, 2, (), anchors, [], folder)
    if report is not None:
        report(layout)
    folder.mkdir(parents=True, exist_ok=True)
    for path in (layout.print_pdf, layout.screen_pdf):
        pdf = pikepdf.new()
        for _ in range(2):
            pdf.add_blank_page()
        pdf.save(path)
    return layout


def test_an_index_laid_out_again_after_a_correction_is_reported_and_put_in_the_cache(tmp_path, monkeypatch):
    """With several jobs the index is laid out in a process of its own that reports its pages before
    painting; when a correction round moves pages it cites, it is laid out again that way, and the
    scheduler ends with every part, the index included, laid out on the pages as they came out."""
    from pipeline.layout import scheduler
    from pipeline.layout.cache import PartCache
    from pipeline.layout.context import LayoutJob
    from pipeline.load import load_book
    from pipeline.render import Renderer
    from pipeline.transforms import apply_transforms

    filler = "\n\n".join(f"Paragraph {i}. The delegations met again and the talks went on." for i in range(14))
    a = f"---\nnumber: 1\ntitle: First\n---\nSee [§ 12](doc:2#12) in the second.\n\n{filler}\n"
    b = f"---\nnumber: 2\ntitle: Second\n---\nBack to [§ 9](doc:1#9) of the first.\n\n{filler}\n"
    root = write_manuscript(tmp_path / "cycle", "title: Cycle\ndocuments: [a.md, b.md]\n", {"a.md": a, "b.md": b})
    (root / "index.yaml").write_text("subjects:\n  talks:\n", encoding="utf-8")
    book = apply_transforms(load_book(root))
    monkeypatch.setattr(scheduler, "lay_out_part", _fake_part)
    seen, progress = _events()
    job = LayoutJob(book, Renderer(book), None, PartCache.in_output(tmp_path / "out"), screen=True, jobs=2, progress=progress)
    parts_scheduler = scheduler.PartScheduler(job, {})
    parts = parts_scheduler.run()
    parts_scheduler.finish_painting()
    index = len(parts) - 1
    assert parts[index].task.back
    index_events = [e for e in seen if isinstance(e, PartLaidOut) and e.back]
    assert len(index_events) == 2 and not any(e.cached for e in index_events)  # laid out again, and reported at once
    pages = scheduler.Pagination(book, dict(enumerate(parts)))
    assert all(parts_scheduler._task(i, pages) == part.task for i, part in enumerate(parts))
    assert dict(parts[index].task.pages)["doc1-p9"] == "2"  # the page § 9 moved to
    assert (parts[index].folder / "layout.json").is_file()  # in the cache once its PDFs were written


def test_the_documents_folio_runs_are_laid_out_while_the_index_is(tmp_path, monkeypatch):
    """The folio layer's runs of the documents start once every part but the index is laid out;
    the index's run, last, once it is; each run is laid out once, and the book is as one layout."""
    import sys

    from pipeline.layout import folios

    sys.path.insert(0, str(SAMPLE.parent / "benchmarks"))
    from generate import generate

    monkeypatch.setattr(folios, "RUN_PAGES", 20)  # two runs of documents for a reader of eight
    order: list = []
    real_launch = folios.FolioLayerRuns._launch

    def launch(self, run, parts, yielding=False):
        order.append(("run", run.segment.first, yielding))
        real_launch(self, run, parts, yielding)

    monkeypatch.setattr(folios.FolioLayerRuns, "_launch", launch)

    def progress(event):
        if isinstance(event, PartLaidOut) and event.back:
            order.append(("index laid out",))

    book = generate(tmp_path / "book", 80, index=True)
    result = build(book, tmp_path / "out", formats=("pdf",), jobs=2, progress=progress)
    index = order.index(("index laid out",))
    assert [o[1] for o in order[:index]] == [1, 5] and all(o[2] for o in order[:index])  # yielding to the index
    assert [o[1:] for o in order[index + 1:]] == [(9, False)]  # the index's own run
    assert len(list((tmp_path / "out" / ".press-cache").glob("folios-*/print.pdf"))) == 3
    bound = next(p for p in result.outputs if p.name == "synthetic-reader.pdf")
    _renders_like_one_long_layout(book, bound, tmp_path)


def test_a_folio_run_started_on_pages_a_correction_changes_is_laid_out_again(tmp_path, monkeypatch):
    """A run started before a round of corrections changed a page count is stopped, and the layer
    is laid out for the pages as they came out."""
    from pipeline.diagnostics import Diagnostics
    from pipeline.layout import folios, scheduler
    from pipeline.layout.cache import PartCache
    from pipeline.layout.context import LayoutJob
    from pipeline.load import load_book
    from pipeline.render import Renderer
    from pipeline.transforms import apply_transforms

    def growing(book, renderer, task, profile, folder, screen, report=None):
        layout = _fake_part(book, renderer, task, profile, folder, screen, report)
        if task.number == 1 and any(label != "1" for label in dict(task.pages).values()):
            pdf = pikepdf.open(layout.print_pdf, allow_overwriting_input=True)
            pdf.add_blank_page()
            pdf.save(layout.print_pdf)
            return PartLayout(task, 3, (), layout.anchors, [], folder)  # the corrected first document grows
        return layout

    filler = "\n\n".join(f"Paragraph {i}. The delegations met again and the talks went on." for i in range(14))
    a = f"---\nnumber: 1\ntitle: First\n---\nSee [§ 12](doc:2#12) in the second.\n\n{filler}\n"
    b = f"---\nnumber: 2\ntitle: Second\n---\nBack to [§ 9](doc:1#9) of the first.\n\n{filler}\n"
    root = write_manuscript(tmp_path / "cycle", "title: Cycle\ndocuments: [a.md, b.md]\n", {"a.md": a, "b.md": b})
    book = apply_transforms(load_book(root))
    monkeypatch.setattr(scheduler, "lay_out_part", growing)
    job = LayoutJob(book, Renderer(book), None, PartCache.in_output(tmp_path / "out"), screen=False, jobs=2,
                    progress=lambda event: None)
    runs = folios.FolioLayerRuns(job, Diagnostics())
    started: list = []
    parts = scheduler.PartScheduler(job, {}).run(before_index=lambda laid: (runs.start(laid), started.extend(runs.running)))
    assert parts[1].pages == 3 and len(started) == 1  # the run was started on the first document's two pages
    layer = runs.finish(parts)
    assert not started[0].exists()  # stopped, and its half-made entry removed
    assert [p.part for p in layer.plan].count(1) == 3 and [p.part for p in layer.plan].count(2) == 2
    with pikepdf.open(layer.print_pdfs[0]) as pdf:
        assert len(pdf.pages) == len(layer.plan)
