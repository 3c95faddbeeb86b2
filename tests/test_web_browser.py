"""The web edition in a real browser: Debian's Chromium driven by Playwright, with axe-core.

Opened from file:// and from ``press serve``: axe-core reports no violation on any kind of page at
1280×800 and 390×844 (and in the dark colour scheme); no request goes to another host; a Greek
and a Cyrillic word typed without accents are found and the result opens its paragraph; a
permalink brings its paragraph into view; numbers stand in the margin on a wide screen and at
the paragraph's start on a phone, and nothing overflows at 320 px; "Cite" gives the citation.

tests/run.sh installs Chromium, npm and axe-core. Without them these tests FAIL, so that a
machine cannot pass by lacking a browser, unless PRESS_NO_BROWSER=1 says so on purpose.
Screenshots go to $PRESS_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.web.serve import make_server
from tests.conftest import write_manuscript

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(os.environ.get("PRESS_AXE") or Path.home() / ".cache/press/axe/node_modules/axe-core/axe.min.js")
SLUG = "a-line-in-cold-water"
WIDTHS = [(1280, 800), (390, 844)]
#: One page of every kind; the document pages with a footnote, a figure, a table.
KINDS = ["index.html", "book-index.html", "imprint.html", "doc12.html", "doc13.html", "doc17.html#doc17-p3", "doc21.html",
         "search.html?q=Grigoriev", "404.html"]


@pytest.fixture(scope="module")
def playwright_browser():
    if os.environ.get("PRESS_NO_BROWSER") == "1":
        pytest.skip("PRESS_NO_BROWSER=1: this machine runs without a browser, on purpose")
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.is_file()]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: run bash tests/run.sh, which installs them")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(sample_build) -> Path:
    return next(p for p in sample_build.outputs if p.name == f"{SLUG}-web")


@pytest.fixture(scope="module")
def served(site):
    server = make_server(site, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["file", "http"])
def base(request, site):
    """The site's address, opened from the file system or from press serve."""
    return site.as_uri() + "/" if request.param == "file" else request.getfixturevalue("served")


@pytest.fixture(scope="module")
def accents_site(tmp_path_factory) -> Path:
    root = write_manuscript(tmp_path_factory.mktemp("accents") / "book", """
        title: Accents
        documents: [a.md]
    """, {"a.md": """
        ---
        number: 3
        title: Letters
        ---
        An opening paragraph.

        The minister spoke of [Горбачёв]{lang=ru} and of the [ἀρχὴ]{lang=grc} of the matter.
    """})
    result = build(root, tmp_path_factory.mktemp("out"), ("web",))
    return result.outputs[0]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("PRESS_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(browser, width=1280, height=800, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True, **options)
    return context, context.new_page()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_axe_finds_no_violation_on_any_kind_of_page(playwright_browser, site, width, height):
    found = {}
    for scheme in ("light", "dark"):
        context, page = _page(playwright_browser, width, height, color_scheme=scheme)
        for kind in KINDS if scheme == "light" else ["index.html", "book-index.html", "doc12.html#doc12-p5", "search.html?q=fish"]:
            page.goto(site.as_uri() + "/" + kind)
            page.wait_for_load_state("load")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            for v in result["violations"]:
                found[f"{scheme} {kind} {v['id']}"] = [n["target"] for n in v["nodes"]][:3]
        context.close()
    assert found == {}


def test_no_request_goes_to_another_host(playwright_browser, base, site):
    context, page = _page(playwright_browser)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    for path in sorted(site.glob("*.html")):
        page.goto(base + path.name)
        page.wait_for_load_state("load")
    page.goto(base + "search.html?q=cod")
    page.wait_for_selector("#search-results li")
    context.close()
    prefix = base if base.startswith("http") else "file://"
    outside = [u for u in requests if not u.startswith((prefix, "data:"))]
    assert requests and outside == []


def _search_and_follow(browser, base: str, query: str, width=1280, height=800) -> tuple[str, str, bool]:
    context, page = _page(browser, width, height)
    page.goto(base + "search.html")
    page.fill("#q", query)
    page.press("#q", "Enter")
    link = page.wait_for_selector("#search-results a", timeout=5000)
    status = page.inner_text("#search-status")
    link.click()
    page.wait_for_load_state("load")
    url = page.url
    anchor = url.split("#")[-1]
    in_view = page.evaluate("""id => { const r = document.getElementById(id).getBoundingClientRect();
                                      return r.top >= 0 && r.top < window.innerHeight; }""", anchor)
    context.close()
    return url, status, in_view


def test_search_finds_greek_typed_without_accents_and_opens_the_paragraph(playwright_browser, base):
    url, status, in_view = _search_and_follow(playwright_browser, base, "Καλογεροπουλος")  # printed Καλογερόπουλος
    assert re.search(r"/doc17\.html#doc17-p\d+$", url) and in_view
    assert re.fullmatch(r"Results: \d+", status)


def test_search_finds_cyrillic_and_ancient_greek_without_accents(playwright_browser, accents_site):
    base = accents_site.as_uri() + "/"
    for query in ("Горбачев", "αρχη", "ГОРБАЧЁВ"):
        url, status, in_view = _search_and_follow(playwright_browser, base, query)
        assert url.endswith("/doc3.html#doc3-p2") and status == "Results: 1" and in_view, query


def test_search_results_are_labelled_with_document_paragraph_and_page(playwright_browser, site):
    context, page = _page(playwright_browser)
    page.goto(site.as_uri() + "/search.html?q=negotiate")
    page.wait_for_selector("#search-results li")
    labels = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.textContent)")
    assert labels and all(re.fullmatch(r"Doc\. \d+(, (§|n\.) \d+)?( — p\.\u00a0\d+)?", label) for label in labels)
    assert any("§" in label and "p.\u00a0" in label for label in labels)
    assert page.get_attribute("#search-status", "aria-live") == "polite"
    context.close()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_a_permalink_brings_its_paragraph_into_view(playwright_browser, base, width, height):
    context, page = _page(playwright_browser, width, height)
    page.goto(base + "doc12.html#doc12-p19")
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    top = page.evaluate("document.getElementById('doc12-p19').getBoundingClientRect().top")
    assert 0 <= top < height / 2
    context.close()


def test_numbers_in_the_margin_on_a_wide_screen_at_the_start_on_a_phone(playwright_browser, site, shots):
    boxes = {}
    for width, height in WIDTHS:
        context, page = _page(playwright_browser, width, height)
        page.goto(site.as_uri() + "/doc12.html")
        page.wait_for_load_state("load")
        boxes[width] = page.evaluate("""() => {
            const p = document.getElementById('doc12-p5'), n = p.querySelector('a.pnum').getBoundingClientRect();
            const m = document.querySelector('.text .page-mark').getBoundingClientRect();
            const q = p.getBoundingClientRect(), t = document.querySelector('.text p.numbered').getBoundingClientRect();
            return {numberRight: n.right, numberLeft: n.left, left: q.left, markLeft: m.left, textRight: t.right};
        }""")
        page.screenshot(path=str(shots / f"document-{width}.png"))
        page.goto(site.as_uri() + "/index.html")
        page.screenshot(path=str(shots / f"home-{width}.png"))
        context.close()
    wide, phone = boxes[1280], boxes[390]
    assert wide["numberRight"] <= wide["left"] and wide["markLeft"] >= wide["textRight"]
    assert phone["numberLeft"] >= phone["left"]
    assert all((shots / f"{k}-{w}.png").stat().st_size > 10_000 for k in ("home", "document") for w in (1280, 390))


def test_nothing_overflows_at_320_px(playwright_browser, site):
    context, page = _page(playwright_browser, 320, 640)
    wide = []
    for path in sorted(site.glob("*.html")):
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        if page.evaluate("document.documentElement.scrollWidth") > 320:
            wide.append(path.name)
    context.close()
    assert wide == []


def test_cite_gives_editors_title_publisher_year_place_page_and_permalink(playwright_browser, site):
    context, page = _page(playwright_browser)
    page.goto(site.as_uri() + "/doc12.html#doc12-p5")
    page.wait_for_load_state("load")
    page.click("#doc12-p5 button.cite")
    box = page.wait_for_selector("#doc12-p5 + .citation-box")
    text = box.inner_text()
    page_label = page.get_attribute("#doc12-p5", "data-page")
    assert ("Ingrid Marstal and Thomas Aldgate, eds., A Line in Cold Water: Documents on the Korvan Sea Boundary "
            f"Negotiations, 1978–1981, Saltmarsh Academic Press, 2025, Doc. 12, § 5, p.\u00a0{page_label}. ") in text
    assert text.endswith("/doc12.html#doc12-p5") and box.get_attribute("role") == "status"
    context.close()


def test_without_javascript_the_number_is_the_permalink_and_no_button_shows(playwright_browser, site):
    context, page = _page(playwright_browser, java_script_enabled=False)
    page.goto(site.as_uri() + "/doc12.html")
    assert not page.is_visible("#doc12-p5 button.cite")
    page.click("#doc12-p5 a.pnum")
    assert page.url.endswith("/doc12.html#doc12-p5")
    context.close()


def test_the_page_decodes_the_index_as_press_wrote_it(playwright_browser, site):
    """The same units as the index read in Python, for a word in nearly every paragraph (its
    units stored as a bitmap) and for a rarer one (stored as gaps)."""
    from tests.test_web import _index, _lookup

    index = _index(site)
    context, page = _page(playwright_browser)
    for query in ("the", "negotiate", "Solvinge"):
        expected = _lookup(index, query)
        page.goto(site.as_uri() + "/search.html?q=" + query)
        page.wait_for_selector("#search-results li")
        hrefs = page.eval_on_selector_all("#search-results a", "links => links.map(a => a.getAttribute('href'))")
        assert hrefs == expected[:100] and page.inner_text("#search-status") == f"Results: {len(expected)}", query
    assert index["stems"]["the"].startswith("~")
    context.close()


@pytest.mark.parametrize("width,height", WIDTHS)
def test_axe_finds_no_violation_on_the_proof_sheet_with_its_corrections(playwright_browser, tmp_path_factory, width, height):
    """The proof sheet is read in a browser too, by editors who may use a screen reader: with a
    corrections section (marked pages, outlines, the list of marks) it must pass axe as the site does."""
    from pipeline.proof.corrections import write_corrections
    from pipeline.proof.make import proof
    from tests.conftest import write_manuscript
    from tests.test_corrections import BOOK, MEMO, _marked

    tmp = tmp_path_factory.mktemp("sheet")
    root = write_manuscript(tmp / "book", BOOK, {"documents/03-memo.md": MEMO})
    proof(root, tmp / "out")
    marked = _marked(next((tmp / "out" / "proof").glob("*-proof.pdf")), tmp / "marked.pdf")
    found, _, _ = write_corrections(marked, root, tmp / "out")
    sheet = tmp / "out" / "proof" / "index.html"
    assert found and 'class="corrections"' in sheet.read_text(encoding="utf-8")
    context, page = _page(playwright_browser, width, height)
    page.goto(sheet.as_uri())
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    assert {v["id"]: [n["target"] for n in v["nodes"]][:3] for v in result["violations"]} == {}
