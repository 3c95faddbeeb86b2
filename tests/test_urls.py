"""Web addresses: bare ones become links, and long ones break where the Chicago Manual allows."""

from __future__ import annotations

import zipfile

import pikepdf

from pipeline.build import build
from pipeline.model import Link, Text
from pipeline.proof.make import check
from pipeline.render.inline import url_breaks
from tests.epubcheck import epubcheck_messages

URL = ("https://archive.example.org/fond.2.opis.1.delo.5.records_of_conversation_between_the_delegations"
       "_on_the_fisheries_question?page=12&lang=ru&format=full")
DOC = f"""---
number: 3
title: Addresses
source: "Source: the finding aid at {URL}."
copyright: © Someone
---
The finding aid is at {URL}, with a mirror at www.example.net/mirror. An autolink: <{URL}>.
"""


def test_bare_addresses_become_links_without_their_closing_punctuation(load):
    book = load("title: U\ndocuments: [a.md]\n", {"a.md": DOC})
    links = [n for n in book.documents[0].body[0].inlines if isinstance(n, Link)]
    assert [link.href for link in links] == [URL, "https://www.example.net/mirror", URL]
    assert [link.children for link in links][:2] == [(Text(URL),), (Text("www.example.net/mirror"),)]


def test_address_breaks_are_where_chicago_allows():
    assert str(url_breaks("https://a.org/b-c?d=1")) == "https://<wbr/>a<wbr/>.org<wbr/>/b<wbr/>-c<wbr/>?d=<wbr/>1"


def test_a_long_address_stays_inside_the_text_block_and_links_in_every_format(manuscript, tmp_path):
    root = manuscript("title: Addresses\nyear: 2025\ndocuments: [a.md]\n", {"a.md": DOC})
    assert [d for d in check(root, out_dir=tmp_path / "none") if d.code == "W406"] == []
    result = build(root, tmp_path / "out")
    screen = next(p for p in result.outputs if p.name.endswith("-screen.pdf"))
    with pikepdf.open(screen) as pdf:
        uris = {str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", []) if "/A" in a and "/URI" in a.A}
    assert URL in uris and "https://www.example.net/mirror" in uris
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        chapter = z.read("EPUB/doc-3.xhtml").decode()
    assert f'href="{URL.replace("&", "&amp;")}"' in chapter and "<wbr/>" in chapter
    assert epubcheck_messages(epub) == []
