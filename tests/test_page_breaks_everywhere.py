"""A printed page may begin in any kind of block; the EPUB marks it there, and its page-list
never points at a marker that is not in the text (EPUBCheck RSC-012, Ace's epub-pagelist-broken)."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib

import pytest

from pipeline.build import build
from pipeline.load import load_book
from pipeline.model import BlockQuote, Figure, Heading, ListBlock, Paragraph, Table
from pipeline.transforms import apply_transforms
from tests.conftest import write_manuscript
from tests.epubcheck import epubcheck_messages

WORDS = "the delegation proposed a provisional line across the disputed waters and asked whether the ministry"


def _sentence(n: int) -> str:
    words = (WORDS.split() * (n // 12 + 1))[:n]
    return " ".join(words).capitalize() + "."


def _png(path, width=600, height=900) -> None:
    """A grey PNG, tall enough that it starts a page of its own."""
    row = b"\x00" + b"\x80" * width
    data = zlib.compress(row * height)
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))  # noqa: E731
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _manuscript(root):
    """One document per kind of block, each block longer than a page, so that a page must begin in it."""
    intro = _sentence(20)
    kinds = {
        "tight": "\n".join(f"- {_sentence(14)}" for _ in range(60)),  # one paragraph per item, no <p>
        "loose": "\n\n".join(f"1. {_sentence(30)}\n\n   {_sentence(20)}" for _ in range(16)),
        "nested": "- " + _sentence(6) + "\n" + "\n".join(f"  - {_sentence(16)}\n    - {_sentence(20)}" for _ in range(30)),
        "quote": "\n>\n".join(f"> {_sentence(40)}" for _ in range(20)),
        "figures": "\n\n".join(f'![A grey field.](grey.png "A grey field, number {i}.")' for i in range(6)),
        "headings": "\n\n".join(f"## {_sentence(6)}\n\n{_sentence(50)}" for _ in range(16)),
        "note": f"{intro}[^1]\n\n[^1]: " + " ".join(_sentence(30) for _ in range(14)),
        "table": "| Year | Record |\n|---:|:---|\n" + "\n".join(f"| {1950 + i} | {_sentence(12)} |" for i in range(70)),
    }
    documents = {}
    for number, (name, body) in enumerate(kinds.items(), start=1):
        documents[f"{name}.md"] = f'---\nnumber: {number}\ntitle: A {name} document\n---\n{intro}\n\n{body}\n'
    source = "\\n\\n".join(_sentence(40) for _ in range(16))
    documents["source.md"] = f'---\nnumber: {len(kinds) + 1}\ntitle: A long source note\nsource: "{source}"\n---\n{intro}\n'
    book = f"title: Page breaks\nyear: 2025\ndocuments: [{', '.join(documents)}]\n"
    root = write_manuscript(root, book, documents)
    _png(root / "grey.png")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The manuscript built, and where its printed pages begin (read from the same layout, cached)."""
    from pipeline.diagnostics import Diagnostics
    from pipeline.engine.profile import find_cmyk_profile
    from pipeline.layout.book import lay_out_book
    from pipeline.layout.cache import PartCache
    from pipeline.layout.context import LayoutJob
    from pipeline.render import Renderer

    root = _manuscript(tmp_path_factory.mktemp("pb") / "book")
    out = tmp_path_factory.mktemp("out")
    result = build(root, out, formats=("pdf", "epub"))
    book = apply_transforms(load_book(root))
    job = LayoutJob(book, Renderer(book), find_cmyk_profile(book), PartCache.in_output(out), screen=True, jobs=1)
    laid = lay_out_book(job, Diagnostics())
    return root, next(p for p in result.outputs if p.suffix == ".epub"), laid.page_starts, laid.labels


def _kinds(root) -> dict[str, str]:
    """Block key -> the kind of block it stands in."""
    book = apply_transforms(load_book(root))
    out: dict[str, str] = {}

    def walk(blocks, inside: str | None, depth: int = 0) -> None:
        for b in blocks:
            if isinstance(b, BlockQuote):
                walk(b.blocks, "block quotation", depth)
            elif isinstance(b, ListBlock):
                for item in b.items:
                    kind = "nested list item" if depth else "list item" if len(item.blocks) == 1 else "loose list item"
                    walk(item.blocks, kind, depth + 1)
            elif isinstance(b, Table):
                out.update((cell.key, "table cell") for cell in b.cells if cell.key)
            elif isinstance(b, (Paragraph, Heading, Figure)) and b.key:
                kind = {Heading: "heading", Figure: "figure"}.get(type(b), inside or "paragraph")
                out[b.key] = "source note" if isinstance(b, Paragraph) and b.role == "source" else kind

    for doc in book.documents:
        walk(doc.text_blocks, None)
    return out


def test_every_page_list_entry_has_its_marker_and_epubcheck_agrees(built):
    root, epub, starts, labels = built
    with zipfile.ZipFile(epub) as z:
        nav = z.read("EPUB/nav.xhtml").decode()
        chapters = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("EPUB/doc-"))
    page_list = nav[nav.index('epub:type="page-list"'):]
    targets = re.findall(r'href="doc-\d+\.xhtml#(page-[^"]+)"', page_list)
    markers = set(re.findall(r'id="(page-[^"]+)"', chapters))
    # every printed page that begins in the text is listed, and marked where it begins
    assert sorted(targets) == sorted(f"page-{labels[start.index]}" for start in starts)
    assert [t for t in targets if t not in markers] == []
    assert epubcheck_messages(epub) == []


def test_pages_begin_in_every_kind_of_block(built):
    """The manuscript does what it is made for: pages begin inside lists, quotations, notes…"""
    root, epub, starts, labels = built
    kinds = _kinds(root)
    begun = {kinds.get(start.key, "opening") for start in starts}
    assert {"list item", "nested list item", "loose list item", "block quotation", "figure", "source note",
            "table cell"} <= begun
