"""The load stage on small inline manuscripts: the model it builds and the errors it reports."""

from __future__ import annotations

import pytest

from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book
from pipeline.model import BlockQuote, Heading, ListBlock, Paragraph

BOOK = """
    title: A Test Reader
    editors: [Ann Editor, Ben Editor]
    language: en
    copyright: © Test Press, 2025
    isbn:
      print: 978-1-0000-0000-9
    documents:
      - docs/one.md
"""

ONE = """
    ---
    number: 7
    title: "Record of Conversation: A and B"
    translator: T. Translator
    speakers: [Alpha, Beta Gamma]
    headnote: |
      First headnote paragraph.

      Second headnote paragraph.
    source: "Source: Archive, Fond 1."
    ---
    Alpha: Good morning.

    Beta Gamma: And to you.

    ## A heading

    > A quotation.

    - an item
"""


def codes(exc: ManuscriptError) -> list[str]:
    return [d.code for d in exc.diagnostics]


def test_book_metadata_and_document_fields(manuscript):
    book = load_book(manuscript(BOOK, {"docs/one.md": ONE}))
    assert book.title == "A Test Reader"
    assert book.editors == ("Ann Editor", "Ben Editor")
    assert book.isbn.print == "978-1-0000-0000-9" and book.isbn.epub is None
    doc = book.documents[0]
    assert (doc.number, doc.title, doc.translator) == (7, "Record of Conversation: A and B", "T. Translator")
    assert doc.speakers == ("Alpha", "Beta Gamma")
    assert [type(b) for b in doc.body] == [Paragraph, Paragraph, Heading, BlockQuote, ListBlock]
    assert len(doc.headnote) == 2 and len(doc.source) == 1


def test_every_block_knows_its_file_and_line(manuscript):
    book = load_book(manuscript(BOOK, {"docs/one.md": ONE}))
    doc = book.documents[0]
    assert doc.loc.file.endswith("docs/one.md") and doc.loc.line == 2  # the `number:` line
    assert [b.loc.line for b in doc.headnote] == [7, 9]
    assert doc.source[0].loc.line == 10
    assert [b.loc.line for b in doc.body] == [12, 14, 16, 18, 20]


def test_a_single_editor_may_be_written_as_text(manuscript):
    book = load_book(manuscript(BOOK.replace("[Ann Editor, Ben Editor]", "Ann Editor"), {"docs/one.md": ONE}))
    assert book.editors == ("Ann Editor",)


def test_unknown_key_names_the_key_and_its_line(manuscript):
    root = manuscript(BOOK + "    colour: blue\n", {"docs/one.md": ONE})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E102" and "colour" in d.message and d.loc.line == 9
    assert d.format().startswith(f"{d.loc.file}:9:1: error[E102]: unknown key 'colour'")


def test_unknown_front_matter_key_points_into_the_document(manuscript):
    root = manuscript(BOOK, {"docs/one.md": ONE.replace("translator:", "translater:")})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E102" and "translater" in d.message
    assert d.loc.file.endswith("one.md") and d.loc.line == 4


def test_mistyped_value_is_reported(manuscript):
    root = manuscript(BOOK, {"docs/one.md": ONE.replace("number: 7", "number: seven")})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    assert codes(err.value) == ["E103"]
    assert "whole number" in err.value.diagnostics[0].message


def test_malformed_yaml_gives_its_line(manuscript):
    root = manuscript(BOOK.replace("title: A Test Reader", "title: [unclosed"), {"docs/one.md": ONE})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E101" and d.loc.file.endswith("book.yaml") and d.loc.line >= 1


def test_malformed_front_matter_gives_the_line_in_the_document(manuscript):
    root = manuscript(BOOK, {"docs/one.md": ONE.replace("speakers: [Alpha, Beta Gamma]", "speakers: [Alpha: x: y")})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E101" and d.loc.file.endswith("one.md") and d.loc.line in (5, 6)


def test_missing_document_is_reported_at_its_list_entry(manuscript):
    root = manuscript(BOOK + "      - docs/missing.md\n", {"docs/one.md": ONE})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E105" and "docs/missing.md" in d.message and d.loc.line == 9


def test_unclosed_front_matter(manuscript):
    text = "---\nnumber: 1\ntitle: Never closed\n\nBody text.\n"
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript(BOOK, {"docs/one.md": text}))
    assert codes(err.value) == ["E106"] and "never closed" in err.value.diagnostics[0].message


def test_document_without_front_matter(manuscript):
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript(BOOK, {"docs/one.md": "Just text.\n"}))
    assert codes(err.value) == ["E106"]


def test_duplicate_document_numbers(manuscript):
    book = BOOK + "      - docs/two.md\n"
    root = manuscript(book, {"docs/one.md": ONE, "docs/two.md": "---\nnumber: 7\ntitle: Again\n---\nText.\n"})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    (d,) = err.value.diagnostics
    assert d.code == "E107" and d.loc.file.endswith("two.md") and "one.md" in d.message


def test_all_problems_are_reported_together(manuscript):
    book = BOOK + "    colour: blue\n    year: soon\n"
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript(book, {"docs/one.md": ONE}))
    assert sorted(codes(err.value)) == ["E102", "E103"]


def test_missing_title_and_documents(manuscript):
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript("subtitle: x\n", {}))
    assert sorted(d.message for d in err.value.diagnostics) == [
        "required key 'documents' is missing",
        "required key 'title' is missing",
    ]


def test_no_book_yaml(tmp_path):
    with pytest.raises(ManuscriptError) as err:
        load_book(tmp_path)
    assert codes(err.value) == ["E100"]


def test_footnote_without_a_note_is_a_warning(manuscript):
    from pipeline.diagnostics import Diagnostics

    diags = Diagnostics()
    load_book(manuscript(BOOK, {"docs/one.md": ONE + "\nA claim.[^9]\n"}), diags)
    assert [d.code for d in diags.items] == ["W111"]


def test_language_must_be_a_language_tag(manuscript):
    with pytest.raises(ManuscriptError) as err:
        load_book(manuscript(BOOK.replace("language: en", "language: English (UK)"), {"docs/one.md": ONE}))
    (d,) = err.value.diagnostics
    assert d.code == "E108" and d.loc.line == 3


def test_titles_get_typographic_quotes_and_dashes(manuscript):
    doc = ONE.replace('title: "Record of Conversation: A and B"', "title: \"Memo, 'Options' -- 1978...\"")
    book = load_book(manuscript(BOOK, {"docs/one.md": doc}))
    assert book.documents[0].title == "Memo, ‘Options’ – 1978…"
