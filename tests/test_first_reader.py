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


def _profile(space: bytes) -> bytes:
    """A 128-byte ICC header for ``space`` (what press reads of a profile)."""
    header = bytearray(128)
    header[16:20], header[36:40] = space, b"acsp"
    return bytes(header)


def test_an_rgb_or_grey_print_profile_is_refused_at_its_line(manuscript):
    import pytest

    from pipeline.diagnostics import ManuscriptError
    from pipeline.load import load_book

    for space, word in ((b"RGB ", "RGB"), (b"GRAY", "GRAY")):
        root = manuscript("title: T\nprint:\n  trim: 6x9in\n  profile: p.icc\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: One\n---\nText.\n"})
        (root / "p.icc").write_bytes(_profile(space))
        with pytest.raises(ManuscriptError) as caught:
            load_book(root)
        [d] = caught.value.diagnostics
        assert (d.code, d.loc.line) == ("E108", 4) and f"for {word}, not CMYK" in d.message
    (root / "p.icc").write_bytes(_profile(b"CMYK"))
    assert load_book(root).print.profile == (root / "p.icc").resolve()


def test_an_edition_carries_its_own_isbn_or_none(manuscript, tmp_path):
    from pipeline.build import build
    from tests.epubcheck import epubcheck_messages

    root = manuscript("title: Reader\nisbn: {print: 978-0-00-000001-9, epub: 978-0-00-000002-6}\n"
                      "editions:\n  a: {title: Class A, documents: [1]}\n  b: {title: Class B, documents: [1], isbn: {epub: 978-0-00-000003-3}}\n"
                      "documents: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: One\n---\nText.\n"})
    import zipfile

    for edition, expect, absent in (("a", None, "978-0-00-00000"), ("b", "978-0-00-000003-3", "978-0-00-000002-6")):
        result = build(root, tmp_path / edition, formats=("epub",), edition=edition)
        epub = next(p for p in result.outputs if p.suffix == ".epub")
        with zipfile.ZipFile(epub) as z:
            text = "".join(z.read(n).decode() for n in z.namelist() if n.endswith((".xhtml", ".opf")))
        if expect:
            assert expect in text and "urn:isbn:9780000000033" in text
        assert absent not in text.replace(expect or "§", "")
        assert epubcheck_messages(epub) == []


def test_a_fifo_as_print_profile_is_refused_without_waiting_on_it(manuscript):
    import os

    import pytest

    from pipeline.diagnostics import ManuscriptError
    from pipeline.load import load_book

    root = manuscript("title: T\nprint:\n  profile: p.icc\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: One\n---\nText.\n"})
    os.mkfifo(root / "p.icc")
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)  # would block for ever reading the FIFO
    [d] = caught.value.diagnostics
    assert (d.code, d.loc.line) == ("E105", 3) and "not a file" in d.message
