"""A date is never broken between its day and its month, in the book's language."""

from __future__ import annotations

from pipeline.transforms.dates import tie

NBSP = "\u00a0"


def test_day_and_month_are_tied_in_the_books_language_and_in_english():
    assert tie("le 5 décembre 1958", "fr") == f"le 5{NBSP}décembre 1958"
    assert tie("am 5. Dezember 1958", "de") == f"am 5.{NBSP}Dezember 1958"
    assert tie("22 июня 1980", "ru") == f"22{NBSP}июня 1980"
    assert tie("on October 9, 1978 and 9 Oct. 1978", "fr") == f"on October{NBSP}9, 1978 and 9{NBSP}Oct. 1978"
    assert tie("12 pages and 3 delegations", "en") == "12 pages and 3 delegations"


def test_titles_and_text_of_a_document_are_tied(load):
    book = load("title: T\nlanguage: fr\ndocuments: [a.md]\n",
                {"a.md": "---\nnumber: 1\ntitle: Entretien du 5 décembre 1958\ndate: 5 décembre 1958\n---\nLe 6 décembre, ils se revoient.\n"})
    doc = book.documents[0]
    assert doc.title.endswith(f"5{NBSP}décembre 1958") and doc.date == f"5{NBSP}décembre 1958"
    assert f"6{NBSP}décembre" in doc.body[0].inlines[0].text
