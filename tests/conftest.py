"""Shared fixtures: small inline manuscripts, and one build of the bundled sample per session."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.load import load_book
from pipeline.transforms import apply_transforms

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "manuscript"


def write_manuscript(root: Path, book_yaml: str, documents: dict[str, str]) -> Path:
    """Write book.yaml and document files (dedented) under ``root``; return ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "book.yaml").write_text(textwrap.dedent(book_yaml).lstrip(), encoding="utf-8")
    for name, text in documents.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def outputs(folder: Path):
    """What a build left in ``folder`` for the reader: its files, without press's hidden cache."""
    return [p for p in folder.iterdir() if not p.name.startswith(".")]


def output_bytes(paths) -> dict[str, bytes]:
    """The bytes of built outputs by name; a folder (the web edition) file by file."""
    out = {}
    for path in paths:
        for p in [path, *(sorted(path.rglob("*")) if path.is_dir() else [])]:
            if p.is_file():
                out[str(p.relative_to(path.parent))] = p.read_bytes()
    return out


@pytest.fixture
def manuscript(tmp_path):
    """A factory for inline manuscripts: ``manuscript(book_yaml, {name: text})``."""

    def make(book_yaml: str, documents: dict[str, str]) -> Path:
        return write_manuscript(tmp_path / "book", book_yaml, documents)

    return make


@pytest.fixture
def load(manuscript):
    """Write an inline manuscript, load it and apply the transforms."""

    def run(book_yaml: str, documents: dict[str, str]):
        return apply_transforms(load_book(manuscript(book_yaml, documents)))

    return run


@pytest.fixture(scope="session")
def sample_book():
    return apply_transforms(load_book(SAMPLE))


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The bundled sample, built once for the whole session."""
    out = tmp_path_factory.mktemp("dist")
    result = build(SAMPLE, out)
    return result
