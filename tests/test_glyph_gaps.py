"""Every text that is printed is checked against the book's fonts, book.yaml's fields included."""

from __future__ import annotations

import pytest

from pipeline.build import build
from pipeline.diagnostics import ManuscriptError

BOOK = """\
title: Glyphs
year: 2025
licence: "Licensed under the snowman ☃ licence"
printing: "First printed ☄ 2025"
isbn:
  print: "978-0-00-000000-2"
editions:
  spring:
    title: Spring
    course: "HIST ♜ 2140"
    documents: [1]
documents: [a.md]
"""
DOC = "---\nnumber: 1\ntitle: One\n---\nText.\n"


def test_book_yaml_fields_with_a_glyph_the_fonts_lack_are_errors_at_their_line(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC})
    with pytest.raises(ManuscriptError) as caught:
        build(root, tmp_path / "out", formats=("epub",))
    found = {d.message.split(" in ")[1].split(" is ")[0]: d.loc.line for d in caught.value.diagnostics if d.code == "E200"}
    # (an ISBN holds only digits and hyphens: the loader refuses anything else, E130)
    assert found == {"book.yaml licence": 3, "book.yaml printing": 4, "book.yaml editions.spring.course": 8}
