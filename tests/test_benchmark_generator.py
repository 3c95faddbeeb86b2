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
