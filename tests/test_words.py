"""The words press adds come from the book language's catalogue: every format, every language."""

from __future__ import annotations

import re
import shutil
import zipfile

import pdfplumber
import pytest

from pipeline.build import build
from pipeline.words import KEYS, MESSAGES, Words, catalogue, catalogue_language, placeholders
from tests.conftest import SAMPLE
from tests.epubcheck import epubcheck_messages

LANGUAGES = ("en", "fr", "de", "es", "it", "ru")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_has_every_word_with_the_same_slots(language):
    words = catalogue(language)
    assert set(words) == set(KEYS)
    for key in KEYS:
        assert placeholders(words[key]) == placeholders(catalogue("en")[key]), (language, key)


def test_the_catalogues_are_the_six_languages():
    assert sorted(p.stem for p in MESSAGES.glob("*.yaml")) == sorted(LANGUAGES)


def test_a_regional_tag_falls_back_to_its_language_and_an_unknown_one_to_english():
    assert catalogue_language("fr-CA") == "fr" and catalogue_language("sw") is None
    assert Words("fr-CA")("translated_by", name="X") == "Traduction de X"
    assert Words("sw")("translated_by", name="X") == "Translated by X"
    assert Words("de")("document", number=37) == "Dokument Nr. 37"


def test_lists_are_joined_as_the_language_joins_them():
    assert Words("fr").names(["A", "B", "C"]) == "A, B et C"
    assert Words("ru").document_list([3, 5]) == "документы 3 и 5"
    assert Words("en").names(["A", "B"]) == "A and B"


def test_values_are_put_in_by_substitution_not_by_format():
    words = Words("en", {"translated_by": "{name.__class__} by {name}"})
    assert words("translated_by", name="X") == "{name.__class__} by X"
    assert str(words.markup("translated_by", name="<b>")) == "{name.__class__} by &lt;b&gt;"


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    root = tmp_path_factory.mktemp("fr") / "book"
    shutil.copytree(SAMPLE, root)
    yaml = (root / "book.yaml").read_text(encoding="utf-8")
    (root / "book.yaml").write_text(re.sub(r"(?m)^language: .*$", "language: fr", yaml), encoding="utf-8")
    assert "language: fr" in (root / "book.yaml").read_text(encoding="utf-8")
    return build(root, tmp_path_factory.mktemp("out"))


def test_the_sample_in_french_has_french_apparatus_in_the_pdf(french):
    pdf = next(p for p in french.outputs if p.name.endswith(".pdf") and "screen" not in p.name)
    with pdfplumber.open(pdf) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages[:12])
    assert "Traduction de Miriam Castellane" in text
    assert "Tous droits réservés." in text and "Composé en Gentium Book Plus" in text
    assert "Translated by" not in text and "All rights reserved" not in text


def test_the_sample_in_french_has_french_apparatus_in_the_epub(french):
    epub = next(p for p in french.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
        chapter = z.read("EPUB/doc-12.xhtml").decode()
        opf = z.read("EPUB/content.opf").decode()
    assert "<h1 id=\"toc-title\">Table des matières</h1>" in nav and "Document n° 12 : " in nav
    assert 'lang="fr"' in chapter and "Traduction de Miriam Castellane" in chapter
    assert "Paragraphe" in chapter and "(coupure)" in chapter
    assert "Le texte de chaque document" in opf
    assert epubcheck_messages(epub) == []


def test_a_language_without_catalogue_is_set_in_english_with_a_warning(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(SAMPLE, root)
    yaml = (root / "book.yaml").read_text(encoding="utf-8")
    (root / "book.yaml").write_text(re.sub(r"(?m)^language: .*$", "language: sw", yaml), encoding="utf-8")
    result = build(root, tmp_path / "out", formats=("epub",))
    assert [d.code for d in result.diagnostics.warnings if d.code.startswith("W1")] == ["W120"]
    with zipfile.ZipFile(result.outputs[0]) as z:
        assert "Translated by" in z.read("EPUB/doc-12.xhtml").decode()


def test_labels_in_book_yaml_override_press_s_words_in_every_format(manuscript, tmp_path):
    import zipfile

    from pipeline.build import build

    root = manuscript("title: Sources\nlanguage: fr\nlabels:\n  document: \"Texte {number}\"\n  contents: Sommaire des textes\n"
                      "documents: [a.md]\n", {"a.md": "---\nnumber: 7\ntitle: Une lettre\n---\nTexte.\n"})
    result = build(root, tmp_path / "out")
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "Texte 7" in xhtml and "Sommaire des textes" in xhtml and "Document n" not in xhtml
    import pypdfium2

    text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(next(p for p in result.outputs if p.name.endswith("-screen.pdf"))))
    text = "".join(text.upper().split())  # small capitals are letter-spaced
    assert "TEXTE7" in text and "SOMMAIREDESTEXTES" in text and "DOCUMENTN" not in text


def test_a_label_with_a_value_press_does_not_fill_is_refused_at_its_line(manuscript):
    import pytest

    from pipeline.diagnostics import ManuscriptError
    from pipeline.load import load_book

    root = manuscript("title: T\nlabels:\n  contents: \"Contents {number}\"\n  nonsense: x\ndocuments: [a.md]\n",
                      {"a.md": "---\nnumber: 7\ntitle: One\n---\nText.\n"})
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    assert sorted((d.code, d.loc.line) for d in caught.value.diagnostics) == [("E102", 4), ("E108", 3)]
