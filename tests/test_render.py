"""The HTML both outputs are made from: ids, classes, escaping, footnotes per target."""

from __future__ import annotations

import re

import jinja2
import pytest

from pipeline.render import Renderer

BOOK = """
    title: Fish & <Chips>
    copyright: © Book Holder, 2025
    documents: [d.md, e.md]
"""
DOC = """
    ---
    number: 5
    title: A <b>title</b>
    speakers: [Gromyko]
    translator: A. Translator
    source: "Source: Archive."
    ---
    Gromyko: Words [...] and <script>alert(1)</script> here.[^1]

    [^1]: A note.
"""
OTHER = """
    ---
    number: 6
    title: Other
    copyright: © Other Holder, 2019
    ---
    Text.
"""


@pytest.fixture
def book(load):
    return load(BOOK, {"d.md": DOC, "e.md": OTHER})


def test_print_html_marks_up_turns_omissions_and_numbers(book):
    html = Renderer(book).print_html()
    assert '<p id="doc5-p1" class="body turn numbered" data-key="doc5-b1">' in html
    assert '<span class="speaker">Gromyko</span>:' in html
    assert html.count('class="omission"') == 1
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "A &lt;b&gt;title&lt;/b&gt;" in html and "Fish &amp; &lt;Chips&gt;" in html
    assert '<span class="footnote" id="doc5-fn1" data-n="1">A note.</span>' in html


def test_copyright_lines_document_own_else_book(book):
    html = Renderer(book).print_html()
    lines = re.findall(r'<p class="copyright">(.*?)</p>', html)
    assert lines == ["© Book Holder, 2025", "© Other Holder, 2019"]


def test_source_note_is_numbered_and_bracketed(book):
    html = Renderer(book).print_html()
    assert re.search(r'<p id="doc5-p2" class="source numbered" data-key="doc5-b2">.*\[Source: Archive\.\]</p>', html)


def test_epub_chapter_uses_the_same_ids_and_links_notes(book):
    xhtml = Renderer(book).chapter_xhtml(book.documents[0], ["css/book.css"])
    assert 'id="doc5-p1"' in xhtml and 'id="doc5-p2"' in xhtml
    assert 'href="#doc5-fn1"' in xhtml and 'id="doc5-fnref1"' in xhtml
    assert '<aside id="doc5-fn1" class="footnote" epub:type="footnote" role="doc-footnote">' in xhtml
    assert 'lang="en" xml:lang="en"' in xhtml


def test_imprint_credits_translators_and_document_copyrights(book):
    html = Renderer(book).print_html()
    assert "Translation by A. Translator: Document 5" in html
    assert "Document No. 6: © Other Holder, 2019" in html


def test_templates_fail_loudly_on_undefined_names(book):
    renderer = Renderer(book)
    template = renderer.env.from_string("{{ book.no_such_field }}")
    with pytest.raises(jinja2.UndefinedError):
        template.render(book=book)


def test_block_keys_are_print_only(book):
    renderer = Renderer(book)
    assert 'data-key="doc5-b1"' in renderer.print_html()
    assert "data-key" not in renderer.chapter_xhtml(book.documents[0], [])


def test_a_range_of_numbers_is_kept_on_one_line_and_the_rest_escaped():
    """A cover's subtitle set large must not leave "1981" alone on its last line."""
    from pipeline.render.html import unbroken_ranges

    out = str(unbroken_ranges("Talks <in camera>, 1978–1981, pp. 212-14"))
    assert '<span class="unbroken">1978–1981</span>' in out and '<span class="unbroken">212-14</span>' in out
    assert "&lt;in camera&gt;" in out and "<in" not in out
