"""press corrections: a proof-reader's marks, made as Acrobat, Preview and pdf.js make them, each at its manuscript line."""

from __future__ import annotations

import json

import pikepdf
import pypdfium2
import pytest
from pikepdf import Array, Dictionary, Name, String

from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import ManuscriptError
from pipeline.proof.corrections import read_corrections
from pipeline.proof.make import proof

BOOK = "title: Marks\nlanguage: en\ncopyright: © Test\ndocuments: [documents/03-memo.md]\n"
MEMO = """\
---
number: 3
title: A Memo
speakers: [Ames, Bode]
source: "Source: Archive, box 1."
---
Ames: The the master is to be brought before a court.

Bode: We regard the boarding as "disproportionate" -- and say so.

A third paragraph with a misspelt wrod in it.
"""


def _boxes(page: pypdfium2.PdfPage, words: str) -> list[tuple[float, float, float, float]]:
    """The boxes of each character of the first occurrence of ``words`` on the page."""
    textpage = page.get_textpage()
    searcher = textpage.search(words, match_case=True)
    found = searcher.get_next()
    assert found, words
    start, count = found
    return [textpage.get_charbox(i) for i in range(start, start + count)]


def _quad(boxes, order="acrobat") -> list[float]:
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    if order == "acrobat":  # top-left, top-right, bottom-left, bottom-right (pdf.js too)
        return [left, top, right, top, left, bottom, right, bottom]
    return [left, bottom, right, bottom, right, top, left, top]  # Preview: counter-clockwise from bottom-left


def _mark(pdf, page, subtype, quad=None, rect=None, contents=None, **extra):
    xs, ys = (quad[0::2], quad[1::2]) if quad else ((rect[0], rect[2]), (rect[1], rect[3]))
    annot = Dictionary(Type=Name.Annot, Subtype=Name("/" + subtype), Rect=Array([min(xs), min(ys), max(xs), max(ys)]), **extra)
    if quad:
        annot.QuadPoints = Array(quad)
    if contents:
        annot.Contents = String(contents)
    annot = pdf.make_indirect(annot)
    if "/Annots" not in page.obj:
        page.obj.Annots = Array()
    page.obj.Annots.append(annot)
    return annot


@pytest.fixture(scope="module")
def proofed(tmp_path_factory):
    from tests.conftest import write_manuscript

    tmp = tmp_path_factory.mktemp("marks")
    root = write_manuscript(tmp / "book", BOOK, {"documents/03-memo.md": MEMO})
    build(root, tmp / "out", ("pdf",))  # the print and screen PDFs, marked like the proof in the tests below
    proof(root, tmp / "out")
    return root, tmp / "out", next((tmp / "out" / "proof").glob("*-proof.pdf"))


def _marked(proof_pdf, target):
    document = pypdfium2.PdfDocument(str(proof_pdf))
    index = next(i for i in range(len(document)) if "misspelt" in document[i].get_textpage().get_text_range())
    page = document[index]
    the_the, boarding = _boxes(page, "The the"), _boxes(page, "boarding")
    dispro, wrod, court = _boxes(page, "disproportionate"), _boxes(page, "wrod"), _boxes(page, "court")
    third, said = _boxes(page, "third paragraph"), _boxes(page, "say so")
    with pikepdf.open(proof_pdf) as pdf:
        p = pdf.pages[index]
        _mark(pdf, p, "StrikeOut", _quad(the_the), contents="delete repeated word")
        _mark(pdf, p, "Highlight", _quad(boarding, "preview"), contents="check the term")
        _mark(pdf, p, "Underline", _quad(dispro))
        _mark(pdf, p, "Squiggly", _quad(wrod, "preview"))
        c = court[0]
        note = _mark(pdf, p, "Text", rect=[c[0], c[3] - 20, c[0] + 20, c[3]], contents="a court, or the court?")
        _mark(pdf, p, "Popup", rect=[300, 300, 400, 400], Parent=note)
        s = said[0]
        _mark(pdf, p, "Caret", rect=[s[0] - 3, s[1], s[0] + 3, s[3]], contents="we ")
        _mark(pdf, p, "FreeText", rect=[2, 2, 40, 20], contents="margin note")
        xs = [b[0] for b in third] + [b[2] for b in third]
        ys = [b[1] for b in third] + [b[3] for b in third]
        _mark(pdf, p, "Ink", rect=[min(xs), min(ys), max(xs), max(ys)],
              InkList=Array([Array([min(xs), min(ys), max(xs), min(ys), max(xs), max(ys), min(xs), max(ys)])]))
        pdf.save(target)
    return target


def _expected(memo):
    return [
        f'{memo}:7:7: correction[C07] p. 1, doc3-p1: replace "The the" — "delete repeated word"',
        f'{memo}:9:21: correction[C02] p. 1, doc3-p2: highlight "boarding" — "check the term"',
        f'{memo}:9:34: correction[C03] p. 1, doc3-p2: underline "disproportionate"',
        f'{memo}:11:35: correction[C04] p. 1, doc3-p3: squiggle "wrod"',
        f'{memo}:7:48: correction[C05] p. 1, doc3-p1: note "court" — "a court, or the court?"',
        f'{memo}:9:59: correction[C06] p. 1, doc3-p2: insert "say" — "we"',
    ]


def test_each_kind_of_mark_is_followed_to_its_manuscript_line(proofed, tmp_path, capsys):
    root, out, proof_pdf = proofed
    marked = _marked(proof_pdf, tmp_path / "marked.pdf")
    assert main(["corrections", str(marked), str(root), "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    memo = str(root / "documents/03-memo.md")
    for line in _expected(memo):
        assert line in lines, "\n".join(lines)
    assert any("correction[C08]" in x and "(on no text: the nearest paragraph)" in x for x in lines)
    assert any(x.startswith(f"{memo}:11:3: correction[C09]") and '"third paragraph' in x for x in lines), lines
    data = json.loads((out / "proof" / "corrections.json").read_text())
    assert len(data["corrections"]) == 8 and not any(c["changed_since"] for c in data["corrections"])
    # one sheet: the proof's spreads and preflight, and the corrections section with each mark outlined and placed
    sheet = (out / "proof" / "index.html").read_text()
    section = sheet[sheet.index("<!-- corrections -->"):sheet.index("<!-- /corrections -->")]
    assert section.count('class="cmark"') == 8 and "<code>documents/03-memo.md:11:35</code>" in section
    assert '<h2>Preflight</h2>' in sheet and 'class="spread"' in sheet
    assert 'src="marked/marked-0007.png"' in section and (out / "proof" / "marked" / "marked-0007.png").is_file()
    assert not (out / "proof" / "corrections.html").exists()
    # marking the same copy again replaces the section; a new proof of the same round keeps it
    assert main(["corrections", str(marked), str(root), "--out", str(out)]) == 0
    assert (out / "proof" / "index.html").read_text().count('class="cmark"') == 8
    proof(root, out)
    again = (out / "proof" / "index.html").read_text()
    assert again.count('class="cmark"') == 8 and again.count("<!-- corrections -->") == 1


def test_marks_on_an_older_round_keep_their_place_and_say_the_text_changed(proofed, tmp_path):
    root, out, proof_pdf = proofed
    marked = _marked(proof_pdf, tmp_path / "marked.pdf")
    memo = root / "documents/03-memo.md"
    original = memo.read_text()
    try:
        memo.write_text(original.replace("Ames: The the master", "Ames: The master"))
        found, _ = read_corrections(marked, out, root)
        strike = next(c for c in found if c.code == "C07")
        assert (strike.line, strike.column, strike.changed_since) == (7, 7, True)
        assert not next(c for c in found if c.code == "C04").changed_since
    finally:
        memo.write_text(original)


def test_a_pdf_that_is_not_a_proof_of_this_book_is_refused(proofed, tmp_path):
    root, out, _ = proofed
    other = tmp_path / "other.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(other)
    for bad in (other, tmp_path / "missing.pdf"):
        with pytest.raises(ManuscriptError) as caught:
            read_corrections(bad, out, root)
        assert caught.value.diagnostics[0].code == "E153"


@pytest.mark.parametrize("name", ["marks.pdf", "marks-screen.pdf"])
def test_a_marked_print_or_screen_pdf_is_read_against_the_build_it_came_from(proofed, tmp_path, name):
    """The print PDF's pages carry bleed and crop marks around the trim, the screen PDF's are the trim:
    both are matched to the build's round by their own document id and read through their trim boxes."""
    root, out, proof_pdf = proofed
    with pikepdf.open(out / name) as built, pikepdf.open(proof_pdf) as proofed_pdf:
        assert bytes(built.trailer.ID[0]) != bytes(proofed_pdf.trailer.ID[0])  # each file its own id
        media = [float(v) for v in built.pages[0].MediaBox]
        assert (media[0] < 0) == (name == "marks.pdf")  # bleed and marks outside the trim on the print only
    found, round_ = read_corrections(_marked(out / name, tmp_path / name), out, root)
    assert round_.kind == ("print" if name == "marks.pdf" else "screen")
    if name == "marks.pdf":  # a build alone, no proof: the corrections are a sheet of their own
        alone = tmp_path / "alone"
        build(root, alone, ("pdf",))
        assert main(["corrections", str(tmp_path / name), str(root), "--out", str(alone)]) == 0
        sheet = (alone / "proof" / "index.html").read_text()
        assert sheet.count('class="cmark"') == 8 and "print PDF of revision" in sheet and "No proof was made" in sheet
    memo = str(root / "documents/03-memo.md")
    assert [c.format() for c in found][:6] == _expected(memo)
    assert found[-1].file == memo and (found[-1].line, found[-1].column, found[-1].code) == (11, 3, "C09")


def test_a_copy_whose_text_was_lost_is_read_from_the_rounds_recorded_words(proofed, tmp_path):
    """A viewer that flattens the page keeps the marks and the id but not the text: the round's words serve."""
    root, out, proof_pdf = proofed
    marked = _marked(proof_pdf, tmp_path / "marked.pdf")
    with pikepdf.open(marked) as pdf:
        for page in pdf.pages:
            page.obj.Contents = pdf.make_stream(b"")
        pdf.save(tmp_path / "flat.pdf")
    found, _ = read_corrections(tmp_path / "flat.pdf", out, root)
    memo = str(root / "documents/03-memo.md")
    assert [c.format() for c in found][:6] == _expected(memo)
    store = out / "proof" / "rounds"
    rounds = [p for p in store.iterdir() if (p / "round.json").is_file()]
    assert len(rounds) == 1 and {p.name for p in rounds[0].iterdir()} == {"round.json", "pages.json", "text.json"}
    pages = json.loads((rounds[0] / "pages.json").read_text())
    assert pages["pages"]["doc3-p3"] == "1" and pages["labels"][:2] == ["i", "ii"]
    # the words' places, page by page, kept once by what the page is made of, compact
    words = [p.read_text() for p in (store / "words").glob("*.json")]
    assert len(words) == len(pages["labels"])
    assert all("\n" not in w and ", " not in w for w in words) and any('"wrod"' in w for w in words)
    assert not any("PROOF" in w for w in words)  # the proof's mark and slug line are not the book's text
    texts = {p.read_text() for p in (store / "texts").glob("*.txt")}
    assert (root / "documents/03-memo.md").read_text() in texts


def test_rounds_are_kept_within_bounds_and_share_what_did_not_change(tmp_path, monkeypatch):
    """A proof at every save is a round each time: the oldest go, and a document's text or a page's
    words are stored once for every round that has them."""
    from pipeline.proof import rounds as kept
    from tests.conftest import write_manuscript

    monkeypatch.setattr(kept, "KEEP", 2)
    root, out = write_manuscript(tmp_path / "book", BOOK, {"documents/03-memo.md": MEMO}), tmp_path / "out"
    proof(root, out)
    memo = root / "documents/03-memo.md"
    for n in range(4):  # four more rounds, each a one-word change in the memorandum
        memo.write_text(memo.read_text().replace("boarding" if n % 2 == 0 else "embarking", "embarking" if n % 2 == 0 else "boarding"))
        proof(root, out)
    store = out / "proof" / "rounds"
    rounds = [p for p in store.iterdir() if (p / "round.json").is_file()]
    assert len(rounds) == 2  # five made, the three oldest pruned
    used = {json.loads((r / "round.json").read_text())["sources"]["documents/03-memo.md"] for r in rounds}
    assert {p.stem for p in (store / "texts").glob("*.txt")} >= used
    assert len(list((store / "texts").glob("*.txt"))) <= 2 + len(json.loads((rounds[0] / "round.json").read_text())["sources"])
    # the newest proof is still read back
    newest = out / "proof" / next(p.name for p in (out / "proof").glob("*-proof.pdf"))
    found, _ = read_corrections(_marked(newest, out / "m.pdf"), out, root)
    assert found and found[0].file == str(memo)


def test_a_proof_of_an_older_round_is_read_against_that_round(tmp_path):
    """Two rounds of one book: each proof has its own id, and marks on the first map to the first's text."""
    from tests.conftest import write_manuscript

    root = write_manuscript(tmp_path / "book", BOOK, {"documents/03-memo.md": MEMO})
    proof(root, tmp_path / "out")
    first = _marked(next((tmp_path / "out" / "proof").glob("*-proof.pdf")), tmp_path / "first.pdf")
    memo = root / "documents/03-memo.md"
    memo.write_text(MEMO.replace("---\nAmes: The the master", "---\nA new first paragraph.\n\nAmes: The master"))
    proof(root, tmp_path / "out")
    assert len(list((tmp_path / "out" / "proof" / "rounds").glob("*/round.json"))) == 2
    found, round_ = read_corrections(first, tmp_path / "out", root)
    strike = next(c for c in found if c.code == "C07")
    assert (strike.words, strike.line, strike.column, strike.changed_since) == ("The the", 7, 7, True)
