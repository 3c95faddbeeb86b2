"""The benchmark's synthetic readers: deterministic, and valid manuscripts (the benchmark itself is not a test)."""

from __future__ import annotations

import sys

from pipeline.load import load_book
from pipeline.transforms import apply_transforms
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from generate import generate  # noqa: E402


def test_generator_is_deterministic_and_loads(tmp_path):
    first = generate(tmp_path / "a", 30)
    second = generate(tmp_path / "b", 30)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    book = apply_transforms(load_book(first))
    assert len(book.documents) == 3
    doc = book.documents[0]
    assert doc.headnote and doc.source and doc.footnotes and any(getattr(b, "speaker", None) for b in doc.body)


def test_a_generated_index_has_150_entries_found_in_the_text(tmp_path):
    root = generate(tmp_path / "ix", 60, index=True)
    plain = generate(tmp_path / "plain", 60)
    assert (root / "book.yaml").read_bytes() == (plain / "book.yaml").read_bytes()
    book = apply_transforms(load_book(root))
    entries = book.index.entries
    assert len([e for e in entries if not e.see]) == 150 and len([e for e in entries if e.see]) == 5
    assert {k.name for k in book.index.kinds} == {"persons", "places", "subjects"}
    found = [e for e in entries if e.locators]
    assert len(found) > 60  # the principals in many paragraphs, most others somewhere
    assert any(len(e.forms) >= 4 and any(not f.isascii() for f in e.forms) for e in entries)  # Cyrillic forms too
