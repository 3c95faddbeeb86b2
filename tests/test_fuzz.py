"""Fuzzing the loader and the text parser: any input gives a model or diagnostics, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.load import load_book
from pipeline.load.markdown import MarkdownReader, make_parser
from pipeline.model import Book
from pipeline.transforms import apply_transforms

# Text made of the characters manuscripts are made of, and the ones that break parsers.
pieces = st.sampled_from(
    ["---", "\n", "\n\n", ": ", "- ", "> ", "## ", "[^1]", "[^1]: note", "[...]", "[…]", "*", "**", "`", "\t",
     "Kissinger:", "number: 3", "title: x", "speakers: [Kissinger]", "headnote: |", "  text", "'", '"', "{", "}",
     "[", "]", "(", ")", "<b>", "&amp;", "\u00a0", "\ufeff", "\r\n", "Иванов", "λόγος", "☃", "doc:1#2", "[§ 2](doc:1#2)",
     "!!python/object:os.system", "&x", "*x", "? ", "|", ">", "%", "@", "1", "-1", "999999999999"]
)
texts = st.lists(st.one_of(pieces, st.text(max_size=12)), max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book_yaml=texts, document=texts)
def test_loader_gives_a_model_or_diagnostics(book_yaml, document):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "book.yaml").write_text("title: Fuzz\ndocuments: [a.md]\n" + book_yaml, encoding="utf-8")
        (root / "a.md").write_text(document, encoding="utf-8")
        try:
            book = apply_transforms(load_book(root, Diagnostics()))
        except ManuscriptError as exc:
            assert exc.diagnostics and all(d.message for d in exc.diagnostics)
        else:
            assert isinstance(book, Book)


@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_markdown_reader_never_raises(text):
    blocks, notes = MarkdownReader(make_parser("en"), "x.md", 1, "body", Diagnostics()).read(text)
    assert all(b.loc.line >= 1 for b in blocks)


@settings(max_examples=150, deadline=None)
@given(front=texts, body=texts)
def test_documents_with_generated_front_matter(front, body):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "book.yaml").write_text("title: Fuzz\ndocuments: [a.md]\n", encoding="utf-8")
        (root / "a.md").write_text(f"---\nnumber: 1\ntitle: T\n{front}\n---\n{body}", encoding="utf-8")
        try:
            apply_transforms(load_book(root, Diagnostics()))
        except ManuscriptError as exc:
            assert exc.diagnostics
