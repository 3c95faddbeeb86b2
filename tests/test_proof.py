"""Proofing: preflight findings on manuscripts made to fail, drift between proofs, diff of PDFs."""

from __future__ import annotations

import json

import pytest

from pipeline.cli import main
from pipeline.proof.diff import diff_pdfs
from pipeline.proof.make import check, proof
from pipeline.build import build

BOOK = """
    title: Proof Test
    language: en
    documents: [a.md, b.md]
"""

A = """
    ---
    number: 1
    title: A conversation
    translator: T. Translator
    speakers: [Kissinger, Zhou]
    source: "Source: Archive."
    ---
    Kissinger: We begin.

    Kisinger: A misspelt speaker opens this turn.

    Zhou: Omissions typed the old way (...) and ... here.

    Zhou: A reference too long for any line: Ref:012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789.

    Zhou: A footnote without its note.[^9] A snowman ☃ too. See [§ 40](doc:1#40).

    [^8]: A note nobody references.
"""

B = """
    ---
    number: 2
    title: A memorandum
    ---
    The memorandum has no translator, no source note and no copyright line.
"""


def codes_by_document(findings):
    return sorted((f.code, f.document) for f in findings)


@pytest.fixture
def failing(manuscript):
    return manuscript(BOOK, {"a.md": A, "b.md": B})


def test_preflight_finds_each_problem_where_it_is(failing):
    findings = check(failing)
    found = codes_by_document(findings)
    for expected in [
        ("E200", 1),  # the snowman is not in the book's fonts
        ("W111", 1),  # [^9] has no note
        ("W112", 1),  # [^8] is never referenced
        ("W113", 1),  # § 40 does not exist
        ("W401", 2),  # no source note
        ("W402", 1),
        ("W402", 2),  # no copyright anywhere
        ("W403", 2),  # translated book, no translator
        ("W404", 1),  # Kisinger is not a speaker
        ("W405", 1),
        ("W405", 1),  # (...) and a bare ...
        ("W406", 1),  # the long word overflows
        ("W408", None),  # pages do not fill a signature
    ]:
        assert expected in found, expected
    speaker = next(f for f in findings if f.code == "W404")
    assert speaker.paragraph == "doc1-p2" and "Kisinger" in speaker.message
    overflow = next(f for f in findings if f.code == "W406")
    assert overflow.paragraph == "doc1-p4" and overflow.page == "1" and overflow.box is not None
    signature = next(f for f in findings if f.code == "W408")
    assert "blank" in signature.hint


def test_check_exits_1_on_errors_and_strict_on_warnings(failing, manuscript, tmp_path, capsys):
    assert main(["check", str(failing), "-q"]) == 1
    assert "E200" in capsys.readouterr().err
    clean = manuscript(BOOK.replace("[a.md, b.md]", "[b.md]"), {"b.md": B})
    assert main(["check", str(clean), "-q"]) == 0
    assert main(["check", str(clean), "--strict", "-q"]) == 1


def test_proof_writes_pdf_sheet_preflight_and_pages(failing, tmp_path):
    result = proof(failing, tmp_path)
    folder = tmp_path / "proof"
    assert (folder / "proof-test-proof.pdf").is_file()
    assert (folder / "index.html").is_file() and len(list((folder / "pages").glob("*.png"))) == result.pages
    data = json.loads((folder / "preflight.json").read_text())
    assert {f["code"] for f in data["findings"]} >= {"E200", "W404", "W406"}
    assert all({"code", "severity", "document", "paragraph", "page", "message", "hint"} <= set(f) for f in data["findings"])
    pages = json.loads((folder / "pages.json").read_text())["pages"]
    assert pages["doc1-p1"] == "1" and "doc2-p1" in pages
    sheet = (folder / "index.html").read_text()
    assert 'class="mark"' in sheet and "W406" in sheet
    assert result.drift is None and not (folder / "drift.json").exists()


def test_second_proof_reports_paragraphs_that_moved(manuscript, tmp_path):
    long_par = "A paragraph that takes room on the page. " * 40
    docs = {"a.md": A.replace("Kisinger:", "Kissinger:"), "b.md": B}
    root = manuscript(BOOK, docs)
    proof(root, tmp_path)
    # the editor adds material early in document 1: everything after it moves
    text = (root / "a.md").read_text().replace("Kissinger: We begin.", "Kissinger: We begin.\n\n" + "\n\n".join([long_par] * 4))
    (root / "a.md").write_text(text)
    result = proof(root, tmp_path)
    drift = json.loads((tmp_path / "proof" / "drift.json").read_text())["moved"]
    assert result.drift == drift and drift
    moved = {d["id"]: (d["old"], d["new"]) for d in drift}
    assert moved["doc2-p1"][0] != moved["doc2-p1"][1]
    assert "doc1-p1" not in moved  # the first paragraph did not move
    assert "Citations that moved since the last proof" in (tmp_path / "proof" / "index.html").read_text()


def test_diff_reports_exactly_the_changed_pages(manuscript, tmp_path):
    filler = "\n\n".join(f"Paragraph {i} of the memorandum, long enough to fill some of a page with words. " * 6 for i in range(12))
    b = B + "\n" + filler + "\n"
    root = manuscript(BOOK, {"a.md": A.replace("☃", "x"), "b.md": b})
    first = build(root, tmp_path / "one", formats=("pdf",)).outputs[0]
    (root / "b.md").write_text((root / "b.md").read_text().replace("Paragraph 11 of", "Paragraph 99 of"))
    second = build(root, tmp_path / "two", formats=("pdf",)).outputs[0]
    changes = diff_pdfs(first, second, tmp_path / "diff")
    import pikepdf

    with pikepdf.open(second) as pdf:
        from tests.test_sample_pdf import dest_pages

        page_of_change = dest_pages(pdf)["doc2-p12"] + 1
    assert [c.number for c in changes] == [page_of_change]
    assert (tmp_path / "diff" / f"page-{page_of_change:04d}.png").is_file()
    assert main(["diff", str(first), str(first), "--out", str(tmp_path / "same")]) == 0
    assert json.loads((tmp_path / "same" / "diff.json").read_text())["pages"] == []


def test_watch_survives_a_broken_save(manuscript):
    import threading
    import time

    from pipeline.load import load_book
    from pipeline.proof.watch import watch

    root = manuscript(BOOK, {"a.md": A, "b.md": B})
    said: list[str] = []
    thread = threading.Thread(target=watch, args=(root, lambda: load_book(root), said.append), kwargs={"interval": 0.05, "rounds": 60})
    thread.start()
    time.sleep(0.6)
    good = (root / "b.md").read_text()
    (root / "b.md").write_text("---\nnumber: 2\n")  # a save in the middle of an edit
    time.sleep(0.6)
    (root / "b.md").write_text(good + "\nOne more paragraph.\n")
    thread.join()
    assert said[0].startswith("start: proof rebuilt")
    broken = next(i for i, line in enumerate(said) if "the last good proof is kept" in line)
    assert any("E106" in line for line in said[:broken])
    assert any(line.startswith("changed: b.md: proof rebuilt") for line in said[broken:])


def test_the_signature_finding_names_book_yaml_and_the_last_page(failing, tmp_path):
    findings = check(failing, out_dir=tmp_path / "none")
    signature = next(f for f in findings if f.code == "W408")
    assert signature.file.endswith("book.yaml") and signature.line == 1
    assert signature.page.isdigit()  # the last page, where the printer's blanks go: an arabic folio


def test_a_correction_lays_out_and_renders_again_only_its_document(manuscript, tmp_path):
    """The editor's loop: after a one-word correction, the proof lays out only the corrected
    document (the front matter and the folio layer come from the cache, though the proof's
    revision changed) and renders only its pages for the sheet; every page still carries the
    slug line with the new revision, and the sheet's images are the trimmed pages."""
    import pypdfium2

    from pipeline.events import PartLaidOut

    def filler(n):
        return "\n\n".join(f"Paragraph {i} of document {n}, long enough to take some room on its page. " * 5 for i in range(8))

    docs = {name: f"---\nnumber: {n}\ntitle: Document {n}\n---\n{filler(n)}\n" for n, name in enumerate(["a.md", "b.md", "c.md"], 1)}
    root = manuscript(BOOK.replace("[a.md, b.md]", "[a.md, b.md, c.md]"), docs)
    first = proof(root, tmp_path)
    folder = tmp_path / "proof"
    images = {p.name: p.stat().st_mtime_ns for p in (folder / "pages").glob("*.png")}
    layers = sorted(p.name for p in (tmp_path / ".press-cache").glob("folios-*"))
    assert len(layers) == 1
    assert first.rendered == first.pages == len(images)

    (root / "b.md").write_text((root / "b.md").read_text().replace("Paragraph 3 of", "Paragraph 8 of"))
    events = []
    second = proof(root, tmp_path, events.append)
    laid = {e.number: e.cached for e in events if isinstance(e, PartLaidOut)}
    assert laid == {None: True, 1: True, 2: False, 3: True}
    pdf = pypdfium2.PdfDocument(str(folder / "proof-test-proof.pdf"))
    try:
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
        trim = pdf[0].get_trimbox()
    finally:
        pdf.close()
    revision = json.loads((folder / "pages.json").read_text())["revision"]
    assert all(f"revision {revision}" in text for text in texts)
    doc2 = [i for i, text in enumerate(texts) if "of document 2" in text]
    assert any("Paragraph 8 of" in texts[i] for i in doc2)
    assert doc2 and second.rendered == len(doc2) < second.pages
    now = {p.name: p.stat().st_mtime_ns for p in (folder / "pages").glob("*.png")}
    assert len(now) == second.pages
    kept = set(now) & set(images)
    assert len(kept) == second.pages - len(doc2) and all(now[name] == images[name] for name in kept)
    import PIL.Image

    with PIL.Image.open(next(iter((folder / "pages").glob("*.png")))) as image:
        assert image.size == (round(trim[2] - trim[0]), round(trim[3] - trim[1]))  # 72 dpi, the trim alone
    assert sorted(p.name for p in (tmp_path / ".press-cache").glob("folios-*")) == layers
