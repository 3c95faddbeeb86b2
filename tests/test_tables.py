"""GFM tables in every format: no paragraph number, a header that repeats in print, header cells in the EPUB."""

from __future__ import annotations

import zipfile

import pdfplumber

from pipeline.build import build
from pipeline.model import Paragraph, Table
from tests.epubcheck import epubcheck_messages

ROWS = "\n".join(f"| {1950 + i} | Vessel {i} | {100 + i * 7} |" for i in range(70))
DOC = f"""---
number: 4
title: Catch figures
source: "Source: Commission archive."
copyright: © Someone
---
The catch of the licensed vessels, by year.

| Year | Vessel | Tonnes |
|-----:|:-------|-------:|
{ROWS}

After the table, the talks went on.
"""


def test_a_table_is_a_table_in_the_model_and_carries_no_number(load):
    book = load("title: T\ndocuments: [a.md]\n", {"a.md": DOC})
    body = book.documents[0].body
    assert [type(b) for b in body] == [Paragraph, Table, Paragraph]
    table = body[1]
    assert [c.inlines[0].text for c in table.head[0]] == ["Year", "Vessel", "Tonnes"]
    assert all(c.header for c in table.head[0]) and not any(c.header for row in table.body for c in row)
    assert [c.align for c in table.head[0]] == ["right", "left", "right"] and len(table.body) == 70
    assert [b.number for b in body if isinstance(b, Paragraph)] == [1, 2]  # the table is not § 2
    assert table.anchor == "doc4-tab1"


def test_the_header_repeats_on_every_printed_page_and_the_epub_marks_header_cells(manuscript, tmp_path):
    root = manuscript("title: Tables\nyear: 2025\ndocuments: [a.md]\n", {"a.md": DOC})
    result = build(root, tmp_path / "out")
    pdf = next(p for p in result.outputs if p.name == "tables.pdf")
    with pdfplumber.open(pdf) as doc:
        pages = [page.extract_text() or "" for page in doc.pages]
    with_rows = [text for text in pages if "Vessel " in text]
    assert len(with_rows) >= 2 and all("Year Vessel Tonnes" in text for text in with_rows)
    assert "| Year |" not in "".join(pages)
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        chapter = z.read("EPUB/doc-4.xhtml").decode()
    assert chapter.count('<th scope="col"') == 3 and "<tbody>" in chapter and "| Year |" not in chapter
    assert epubcheck_messages(epub) == []
