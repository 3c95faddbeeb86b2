"""book.yaml and front matter as anyone might write them: each bad input a placed message, at once."""

from __future__ import annotations

import pytest

from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from pipeline.load.yamlnodes import MAX_TEXT_CHARS

DOC = "---\nnumber: 1\ntitle: One\n---\nText.\n"
LAUGHS = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['x'] * 9)}]\n" for i in range(9))


def problems(manuscript, book_yaml: str, documents: dict[str, str] | None = None) -> list:
    root = manuscript(book_yaml, documents if documents is not None else {"a.md": DOC})
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    return caught.value.diagnostics


def codes(found) -> list[tuple[str, int]]:
    return [(d.code, d.loc.line) for d in found]


def test_an_alias_bomb_as_a_mapping_key_is_refused_without_expanding_it(manuscript):
    found = problems(manuscript, f"title: T\ndocuments: [a.md]\n{LAUGHS}? *l8\n: 1\n")
    assert [d.code for d in found] == ["E115"] and "aliases" in found[0].message


def test_a_huge_book_yaml_and_a_huge_field_are_refused_with_the_limit(manuscript):
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n" + "".join(f"k{i}: v\n" for i in range(120_000)))
    assert [d.code for d in found] == ["E115"] and "1,000,000" in found[0].message
    found = problems(manuscript, "title: T\nprinting: " + "word " * 30_000 + "\ndocuments: [a.md]\n")
    assert codes(found) == [("E115", 2)] and f"{MAX_TEXT_CHARS:,}" in found[0].message


@pytest.mark.parametrize("value", ["0x10", "0b11", "1:20", "0o17", "1_0e3"])
def test_yaml_1_1_integers_are_not_document_numbers(manuscript, value):
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n", {"a.md": f"---\nnumber: {value}\ntitle: One\n---\nText.\n"})
    assert ("E103", 2) in codes(found)


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_document_number_is_one_or_more(manuscript, value):
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n", {"a.md": f"---\nnumber: {value}\ntitle: One\n---\nText.\n"})
    assert codes(found) == [("E108", 2)]


@pytest.mark.parametrize("value", ["-44", "12345678901234567890", "99"])
def test_a_year_is_a_year(manuscript, value):
    found = problems(manuscript, f"title: T\nyear: {value}\ndocuments: [a.md]\n")
    assert [d.code for d in found] in (["E108"], ["E103"]) and found[0].loc.line == 2


def test_book_yaml_errors_and_document_errors_are_listed_together_without_invented_ones(manuscript):
    book = "title: T\nlanguage: English\nunknown_key: 1\neditions:\n  spring:\n    title: S\n    documents: [1]\ndocuments: [a.md]\n"
    found = problems(manuscript, book, {"a.md": "---\nnumber: 1\ntitle: [not, text]\n---\nText.\n"})
    assert sorted(d.code for d in found) == ["E102", "E103", "E108"]  # no E111 for the unreadable document


def test_a_missing_document_suggests_the_nearest_file(manuscript):
    found = problems(manuscript, "title: T\ndocuments: [documents/01-frist.md]\n", {"documents/01-first.md": DOC})
    assert found[0].code == "E105" and "documents/01-first.md" in found[0].hint


def test_edition_documents_must_be_numbers_listed_and_names_must_not_be_outputs(manuscript):
    found = problems(manuscript, "title: T\neditions:\n  spring:\n    title: S\n    documents: []\n"
                                 "  screen:\n    title: X\n    documents: [1]\n  fall:\n    title: F\n"
                                 "    documents: [a.md]\ndocuments: [a.md]\n")
    assert sorted(codes(found)) == [("E103", 11), ("E108", 6), ("E111", 5)]
    assert "numbers" in next(d for d in found if d.code == "E103").hint


def test_an_empty_speaker_name_is_an_error_at_its_line(manuscript):
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n",
                     {"a.md": "---\nnumber: 1\ntitle: One\nspeakers: [Kissinger, \"\"]\n---\n: a colon.\n"})
    assert codes(found) == [("E108", 4)]


@pytest.mark.parametrize("body, line, words", [
    ("> " * 25 + "deep quoted text\n", 7, "block quotations and lists nested more than 8"),
    ("".join("  " * i + f"- level {i}\n" for i in range(12)), 15, "block quotations and lists nested more than 8"),
    ("*" * 5000 + "x" + "*" * 5000 + "\n", 7, "emphasis and links nested more than 20"),
    ("_" * 50 + "x" + "_" * 50 + "\n", 7, "emphasis and links nested more than 20"),
])
def test_text_nested_too_deep_is_reported_at_its_line_not_dropped_or_crashed(manuscript, body, line, words):
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n",
                     {"a.md": "---\nnumber: 1\ntitle: One\n---\nBefore.\n\n" + body + "\nAfter.\n"})
    assert codes(found) == [("E115", line)] and words in found[0].message


def test_nesting_a_reader_uses_is_set_as_written(manuscript):
    body = "> " * 3 + "quoted\n\n" + "".join("  " * i + f"- level {i}\n" for i in range(4))
    book = load_book(manuscript("title: T\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: One\n---\n" + body}))
    from pipeline.model import Text, walk_blocks

    words = [n.text for b in walk_blocks(book.documents[0].body) for n in getattr(b, "inlines", ()) if isinstance(n, Text)]
    assert words == ["quoted", "level 0", "level 1", "level 2", "level 3"]


def test_a_link_to_a_file_outside_the_manuscript_is_refused_and_a_path_inside_is_unlinked(manuscript, tmp_path):
    from pipeline.build import build
    from pipeline.model import Link, Text

    doc = "---\nnumber: 1\ntitle: One\n---\nSee [the secret](../../secret.pdf).\n\nAnd [the other](b.md) or [the web](https://example.org/a).\n"
    found = problems(manuscript, "title: T\ndocuments: [a.md]\n", {"a.md": doc})
    assert codes(found) == [("E116", 5)] and "../../secret.pdf" in found[0].message
    root = manuscript("title: T\ndocuments: [a.md]\n", {"a.md": doc.replace("../../secret.pdf", "notes/secret.pdf")})
    book = load_book(root)
    inlines = [n for p in book.documents[0].body for n in p.inlines]
    assert [n.href for n in inlines if isinstance(n, Link)] == ["https://example.org/a"]
    assert "the secret" in "".join(n.text for n in inlines if isinstance(n, Text))
    result = build(root, tmp_path / "out", formats=("pdf",))
    assert [d.code for d in result.diagnostics.warnings if d.code == "W116"] == ["W116", "W116"]
    import pikepdf

    for pdf in result.outputs:
        with pikepdf.open(pdf) as opened:
            uris = [str(a.A.URI) for page in opened.pages for a in page.get("/Annots", []) if "/A" in a and "/URI" in a.A]
        assert uris == ["https://example.org/a"], pdf.name


def test_symbolic_link_loops_are_placed_errors_not_crashes(manuscript):
    root = manuscript("title: T\ncover: c.png\ndocuments: [documents/loop.md, documents/a.md]\n",
                      {"documents/a.md": "---\nnumber: 1\ntitle: One\n---\nText.\n\n![An image](x.png)\n"})
    for a, b in (("documents/loop.md", "documents/loop2"), ("documents/x.png", "documents/y.png"), ("c.png", "c2.png")):
        (root / a).symlink_to(root / b)
        (root / b).symlink_to(root / a)
    found = problems(manuscript, (root / "book.yaml").read_text())
    assert sorted(codes(found)) == [("E105", 3), ("E118", 2), ("E118", 7)]
    assert all("loop" in d.message for d in found)


def test_an_unreadable_documents_folder_is_a_placed_error(manuscript, monkeypatch):
    import errno
    from pathlib import Path

    root = manuscript("title: T\ndocuments: [documents/a.md]\n", {"documents/a.md": DOC})
    stat = Path.stat

    def denied(self, *args, **kwargs):
        if self.parent.name == "documents":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", denied)
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    assert codes(caught.value.diagnostics) == [("E105", 2)] and "Permission denied" in caught.value.diagnostics[0].message
