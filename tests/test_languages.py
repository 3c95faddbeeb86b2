"""A document printed in its original language, and passages in another language: marked in every format."""

from __future__ import annotations

import re
import zipfile

from pipeline.build import build
from tests.epubcheck import epubcheck_messages

BOOK = "title: A Reader\nlanguage: en\ndocuments: [a.md, b.md]\n"
FRENCH = ('---\nnumber: 1\ntitle: "Lettre de l\'ambassadeur"\nlanguage: fr\noriginal_language: fr\n'
          'headnote: The editor writes "in English" here.\nsource: Archives, carton 3.\ncopyright: © Test\n---\n'
          'Il a dit "bonjour" à [Горбачёв]{lang=ru} et à [Mme Dupont]{#x .y lang=de}.\n')
ENGLISH = ("---\nnumber: 2\ntitle: A Memorandum\ntranslator: A. Translator\noriginal_language: ru\nsource: S.\n"
           "copyright: © Test\n---\nHe said [«да»]{lang=ru} and left.\n")


def test_a_document_in_its_original_language_and_a_foreign_passage(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": FRENCH, "b.md": ENGLISH})
    result = build(root, tmp_path / "out")
    warnings = [(d.code, d.loc.line) for d in result.diagnostics.warnings if d.code not in ("W408",)]
    assert warnings == [("W118", 10)]  # the id and class are dropped, and said so; no W403 for the French letter
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        french = z.read("EPUB/doc-1.xhtml").decode()
        english = z.read("EPUB/doc-2.xhtml").decode()
    assert re.search(r'<h1 [^>]*lang="fr" xml:lang="fr"[^>]*>Lettre', french)
    assert re.search(r'<section class="text"[^>]*lang="fr" xml:lang="fr"', french)
    assert '«\u00a0bonjour\u00a0»' in french or "«bonjour»" in french  # French quotation marks in the text
    assert "“in English”" in french  # the editor's headnote keeps the book's
    assert '<span lang="ru" xml:lang="ru">Горбачёв</span>' in french and 'id="x"' not in french and 'class="y"' not in french
    assert '<span lang="ru" xml:lang="ru">«да»</span>' in english and 'lang="fr"' not in english
    assert epubcheck_messages(epub) == []


def test_a_language_tag_that_is_not_one_is_refused_at_its_line(manuscript):
    import pytest

    from pipeline.diagnostics import ManuscriptError
    from pipeline.load import load_book

    root = manuscript(BOOK, {"a.md": FRENCH.replace("language: fr", "language: french!"),
                             "b.md": ENGLISH.replace("{lang=ru}", "{lang=r_u}")})
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    assert sorted((d.code, d.loc.file.rsplit("/", 1)[-1], d.loc.line) for d in caught.value.diagnostics) == [
        ("E108", "a.md", 4), ("E108", "b.md", 9)]
