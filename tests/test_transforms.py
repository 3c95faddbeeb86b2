"""Transforms on inline manuscripts: speaker turns, omissions, footnotes, paragraph numbers."""

from __future__ import annotations

from pipeline.model import BlockQuote, FootnoteRef, ListBlock, Omission, Text

BOOK = """
    title: T
    documents: [d.md]
"""

DOC = """
    ---
    number: 37
    title: A conversation
    speakers: [Kissinger, Deng, Deng Xiaoping]
    headnote: |
      Head one.[^a]

      Head two.
    source: "Source: Somewhere."
    ---
    Kissinger: We meet [...] again.

    Deng Xiaoping: Indeed [ … ] not an omission, but [\u2026] is.

    Kissinger said nothing: this is not a turn.

    > Kissinger: quoted, not a turn.

    - a list item

    ## A heading

    The last paragraph.[^b] And again.[^a]

    [^a]: Note A.

    [^b]: Note B.
"""


def test_speaker_turns(load):
    doc = load(BOOK, {"d.md": DOC}).documents[0]
    body = doc.body
    assert body[0].speaker == "Kissinger" and body[0].inlines[0] == Text("We meet\u00a0")
    assert body[1].speaker == "Deng Xiaoping"  # the longest listed name wins
    assert body[2].speaker is None
    assert isinstance(body[3], BlockQuote) and body[3].blocks[0].speaker is None


def test_omissions_become_one_node_bound_to_the_word_before(load):
    doc = load(BOOK, {"d.md": DOC}).documents[0]
    first = doc.body[0].inlines
    assert first == (Text("We meet\u00a0"), Omission(), Text(" again."))
    second = doc.body[1].inlines
    assert sum(isinstance(n, Omission) for n in second) == 1
    assert any(isinstance(n, Text) and "[ … ]" in n.text for n in second)


def test_numbering_runs_headnote_body_source(load):
    doc = load(BOOK, {"d.md": DOC}).documents[0]
    assert [p.number for p in doc.headnote] == [1, 2]
    numbered = [b for b in doc.body if getattr(b, "number", None)]
    assert [p.number for p in numbered] == [3, 4, 5, 6]
    assert doc.source[0].number == 7 and doc.source[0].anchor == "doc37-p7"
    # block quotes, lists and headings carry no number
    assert isinstance(doc.body[3], BlockQuote) and doc.body[3].blocks[0].number is None
    assert isinstance(doc.body[4], ListBlock)
    assert doc.body[5].anchor == "doc37-h1"
    assert [p.anchor for p in doc.headnote] == ["doc37-p1", "doc37-p2"]


def test_numbering_policy_from_book_yaml(load):
    book = BOOK + "    numbering: {headnote: false, source: false}\n"
    doc = load(book, {"d.md": DOC}).documents[0]
    assert [p.number for p in doc.headnote] == [None, None]
    assert doc.body[0].number == 1 and doc.source[0].number is None


def test_numbers_restart_in_each_document(load):
    book = "title: T\ndocuments: [a.md, b.md]\n"
    docs = {"a.md": "---\nnumber: 1\ntitle: A\n---\nOne.\n\nTwo.\n", "b.md": "---\nnumber: 2\ntitle: B\n---\nOne.\n"}
    book_model = load(book, docs)
    assert [[p.anchor for p in d.body] for d in book_model.documents] == [["doc1-p1", "doc1-p2"], ["doc2-p1"]]


def test_footnotes_numbered_by_first_reference_across_parts(load):
    doc = load(BOOK, {"d.md": DOC}).documents[0]
    assert [(n.label, n.number) for n in doc.footnotes] == [("a", 1), ("b", 2)]
    refs = [n for n in doc.body[6].inlines if isinstance(n, FootnoteRef)]
    assert [(r.label, r.number) for r in refs] == [("b", 2), ("a", 1)]


def test_an_en_dash_in_the_title_separates_words_in_the_file_name():
    from pipeline.model import slugify

    assert slugify("Fisheries Talks, 1958–1961") == "fisheries-talks-1958-1961"
    assert slugify("A Line in Cold Water") == "a-line-in-cold-water"
