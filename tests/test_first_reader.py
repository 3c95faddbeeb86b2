"""What a lecturer writing a first reader from the README runs into: each a placed message or the text as meant."""

from __future__ import annotations

from pipeline.cli import main
from pipeline.model import Omission, Paragraph, Text

BOOK = "title: A Reader\nlanguage: en\ndocuments: [a.md]\n"


def _text(block) -> str:
    return "".join("[…]" if isinstance(n, Omission) else n.text for n in block.inlines if isinstance(n, (Text, Omission)))


def test_a_source_note_typed_in_brackets_is_not_bracketed_twice(load):
    book = load(BOOK, {"a.md": '---\nnumber: 1\ntitle: One\nsource: "[Source: Archive of the President, f. 3]"\n---\nText.\n'})
    assert _text(book.documents[0].source[0]) == "Source: Archive of the President, f. 3"


def test_a_source_note_that_only_begins_and_ends_with_brackets_keeps_them(load):
    book = load(BOOK, {"a.md": '---\nnumber: 1\ntitle: One\nsource: "[…] Archive, f. 3 […]"\n---\nText.\n'})
    assert _text(book.documents[0].source[0]) .replace("\xa0", " ") == "[…] Archive, f. 3 […]"


def test_a_headnote_of_several_paragraphs_without_a_bar_keeps_its_paragraphs(load):
    doc = ("---\nnumber: 1\ntitle: One\nheadnote: The first paragraph\n  runs on.\n\n  The second one.\n"
           "source: >\n  One note\n  in two lines.\n\n  And a second.\n---\nText.\n")
    book = load(BOOK, {"a.md": doc})
    headnote = book.documents[0].headnote
    assert [_text(p) for p in headnote] == ["The first paragraph runs on.", "The second one."]
    assert all(isinstance(p, Paragraph) for p in headnote)
    assert len(book.documents[0].source) == 2


def test_a_build_tells_of_a_misspelt_speaker(manuscript, tmp_path, capsys):
    root = manuscript(BOOK, {"a.md": "---\nnumber: 1\ntitle: One\nspeakers: [Kissinger]\nsource: S\ncopyright: C\n---\n"
                                     "Kissinger: Good morning.\n\nKisinger: Again.\n"})
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "--format", "epub", "-q"]) == 0
    err = capsys.readouterr().err
    assert "a.md:10:" in err and "W404" in err and "Kisinger" in err
    assert "press: 1 warning" in err
