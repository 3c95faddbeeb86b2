"""The README is the manuscript format's contract: it must name every key and every code."""

from __future__ import annotations

from pipeline.diagnostics import CODES
from pipeline.load.schema import BOOK_FIELDS, FRONT_MATTER_FIELDS, INDEX_ENTRY_FIELDS, INDEX_FIELDS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_key():
    for field in BOOK_FIELDS + FRONT_MATTER_FIELDS:
        assert f"| `{field.name}` |" in README, field.name
        for sub in field.fields:
            assert f"| `{field.name}.{sub.name}` |" in README, f"{field.name}.{sub.name}"


def test_readme_documents_every_key_of_index_yaml():
    for field in INDEX_FIELDS + INDEX_ENTRY_FIELDS:
        assert f"| `{field.name}` |" in README, field.name
        for sub in field.fields:
            assert f"| `{field.name}.{sub.name}` |" in README, f"{field.name}.{sub.name}"


def test_readme_lists_every_diagnostic_code():
    for code, (severity, meaning) in CODES.items():
        assert f"| {code} | {severity} | {meaning} |" in README, code
