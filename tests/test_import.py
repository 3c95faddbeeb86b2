"""press import: a translator's Word file becomes a document that builds, with nothing lost and nothing else changed."""

from __future__ import annotations

import json
import unicodedata

import pytest

from pipeline.cli import main
from pipeline.diagnostics import ManuscriptError
from pipeline.intake import import_word
from pipeline.intake.template import ADDED, TEMPLATE
from pipeline.load import load_book
from pipeline.model import Emphasis, Omission, Paragraph, walk_blocks, walk_inlines
from pipeline.transforms import apply_transforms
from tests.epubcheck import epubcheck_messages
from tests.word import translators_file

BOOK = """\
# The reader for HIST 2140 (the editor's comment stays)
title: Arms and Talks
language: en
documents:
  - documents/01-first.md   # the first one
editions:
  class: {title: Class, documents: [1]}
"""
FIRST = "---\nnumber: 1\ntitle: First\nsource: S.\n---\nText.\n"


@pytest.fixture
def reader(manuscript):
    return manuscript(BOOK, {"documents/01-first.md": FIRST})


def test_a_translators_word_file_imports_into_a_document_that_builds(reader, tmp_path, capsys):
    docx = translators_file(tmp_path / "gromyko-vance.docx")
    assert main(["import", str(docx), "--into", str(reader), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "Letterhead (1)" in err and "W115" in err and "GROMYKO as Gromyko" in err
    text = (reader / "book.yaml").read_text()
    assert text.startswith("# The reader for HIST 2140 (the editor's comment stays)\n")
    assert "  - documents/01-first.md   # the first one\n  - documents/02-record-of-conversation-gromyko-and-vance-23-march-1977.md\n" in text
    report = json.loads((tmp_path / "out" / "imports" / "02.json").read_text())
    assert report["numbered_paragraphs"] == 8 and report["speakers"] == ["Gromyko", "Vance"] and report["footnotes"] == 2

    book = apply_transforms(load_book(reader))
    doc = book.documents[1]
    assert (doc.number, doc.title.replace("\xa0", " "), doc.date.replace("\xa0", " "), doc.translator) == (2, "Record of Conversation: Gromyko and Vance, 23 March 1977",
                                                                  "23 March 1977", "Miriam Castellane")
    assert len(doc.headnote) == 2 and doc.speakers == ("Gromyko", "Vance")
    turns = [b.speaker for b in doc.body if isinstance(b, Paragraph) and b.speaker]
    assert turns == ["Gromyko", "Vance", "Gromyko", "Vance"]
    omissions = [n for b in walk_blocks(doc.body) if isinstance(b, Paragraph) for n in walk_inlines(b.inlines) if isinstance(n, Omission)]
    assert len(omissions) == 4  # [...], (...), [ … ] and <...>
    words = "".join(n.text for b in walk_blocks(doc.body) if isinstance(b, Paragraph) for n in walk_inlines(b.inlines) if hasattr(n, "text"))
    assert "Горбачёв" in words and unicodedata.normalize("NFC", "ἀρχὴ") in words
    assert any(isinstance(n, Emphasis) for b in doc.footnotes[0].blocks for n in b.inlines)
    assert sorted(p.name for p in (reader / "images").iterdir()) == [p.rsplit("/", 1)[1] for p in report["images"]]

    assert main(["build", str(reader), "--out", str(tmp_path / "out"), "--format", "epub", "-q"]) == 0
    assert epubcheck_messages(tmp_path / "out" / "arms-and-talks.epub") == []


def test_a_dry_run_changes_nothing(reader, tmp_path, capsys):
    before = {p: p.read_bytes() for p in reader.rglob("*") if p.is_file()}
    assert main(["import", str(translators_file(tmp_path / "t.docx")), "--into", str(reader), "--dry-run"]) == 0
    assert capsys.readouterr().out.startswith("---\nnumber: 2\n")
    assert {p: p.read_bytes() for p in reader.rglob("*") if p.is_file()} == before


def _bad_files(tmp_path):
    import docx

    ole = tmp_path / "old.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    text = tmp_path / "notes.docx"
    text.write_text("not a zip")
    corrupt = tmp_path / "corrupt.docx"
    corrupt.write_bytes(translators_file(tmp_path / "good.docx").read_bytes()[:3000])
    empty = tmp_path / "empty.docx"
    docx.Document().save(str(empty))
    untitled = tmp_path / "untitled.docx"
    d = docx.Document()
    d.add_paragraph("Just text.")
    d.save(str(untitled))
    return [(ole, "E150", "password"), (text, "E150", "not a Word"), (corrupt, "E150", ""), (empty, "E150", "no text"),
            (untitled, "E151", "no title")]


def test_bad_word_files_are_clear_errors_and_nothing_is_written(reader, tmp_path):
    before = {p: p.read_bytes() for p in reader.rglob("*") if p.is_file()}
    for path, code, words in _bad_files(tmp_path):
        with pytest.raises(ManuscriptError) as caught:
            import_word(path, reader)
        [d] = caught.value.diagnostics
        assert d.code == code and words in d.message and d.loc.file == str(path), (path.name, d.format())
    with pytest.raises(ManuscriptError) as caught:
        import_word(translators_file(tmp_path / "t.docx"), reader, number=1)
    assert caught.value.diagnostics[0].code == "E152" and "next free number is 2" in caught.value.diagnostics[0].hint
    assert {p: p.read_bytes() for p in reader.rglob("*") if p.is_file()} == before


def test_a_flow_list_of_documents_gets_the_new_one(manuscript, tmp_path):
    root = manuscript("title: T\ndocuments: [documents/01-first.md]  # in order\n", {"documents/01-first.md": FIRST})
    report, _ = import_word(translators_file(tmp_path / "t.docx"), root, number=7)
    assert (root / "book.yaml").read_text() == f"title: T\ndocuments: [documents/01-first.md, {report.document}]  # in order\n"
    assert [d.number for d in load_book(root).documents] == [1, 7]


def test_the_word_template_has_press_s_styles_and_imports_as_a_document(reader):
    import docx

    names = {s.name for s in docx.Document(str(TEMPLATE)).styles}
    assert set(ADDED) | {"Title", "Quote", "Heading 2"} <= names
    report, text = import_word(TEMPLATE, reader, dry_run=True)
    assert report.title.startswith("The document's title") and report.speakers == ["Kissinger"]
    assert "headnote: |" in text and "source: |" in text and "[…]" in text


def test_tracked_changes_comments_and_text_boxes_are_reported(reader, tmp_path):
    import zipfile

    source = translators_file(tmp_path / "t.docx")
    marked = tmp_path / "marked.docx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(marked, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                extra = (b'<w:p><w:ins w:id="1" w:author="T"><w:r><w:t>added</w:t></w:r></w:ins>'
                         b'<w:del w:id="2" w:author="T"><w:r><w:delText>gone</w:delText></w:r></w:del>'
                         b'<w:r><w:commentReference w:id="0"/></w:r></w:p>')
                data = data.replace(b"<w:sectPr", extra + b"<w:sectPr", 1)
            zout.writestr(item, data)
    report, _ = import_word(marked, reader, dry_run=True)
    assert report.dropped["tracked insertions left unaccepted (their text is kept)"] == 1
    assert report.dropped["tracked deletions left unaccepted (their text is left out)"] == 1
    assert report.dropped["comments (left out)"] == 1


def test_endnotes_become_notes_like_footnotes():
    from pipeline.intake.html import parse
    from pipeline.intake.markdown import draft_from

    html = ('<h1 class="title">T</h1><p>Text<sup><a href="#footnote-1" id="footnote-ref-1">[1]</a></sup> and'
            '<sup><a href="#endnote-1" id="endnote-ref-1">[2]</a></sup>.</p>'
            '<ol><li id="footnote-1"><p>Foot <a href="#footnote-ref-1">↑</a></p></li></ol>'
            '<ol><li id="endnote-1"><p>End <em>note</em> <a href="#endnote-ref-1">↑</a></p></li></ol>')
    draft = draft_from(parse(html))
    assert draft.body == ["Text[^1] and[^2]."] and draft.notes == {"1": "Foot", "2": "End *note*"}


def test_a_word_file_that_unpacks_to_too_much_is_refused_before_it_is_read(reader, tmp_path):
    import zipfile

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(translators_file(tmp_path / "t.docx")) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item))
        zout.writestr("word/media/huge.bin", b"\0" * (300 * 2**20))  # compresses to well under a megabyte
    assert bomb.stat().st_size < 2 * 2**20
    with pytest.raises(ManuscriptError) as caught:
        import_word(bomb, reader)
    assert caught.value.diagnostics[0].code == "E150" and "unpacks" in caught.value.diagnostics[0].message
