"""The press command: exit codes, one clear line per problem, nothing written on failure."""

from __future__ import annotations

import subprocess
import sys

from pipeline.cli import main
from tests.conftest import outputs

BOOK = "title: Tiny\ndocuments: [a.md]\n"
DOC = "---\nnumber: 1\ntitle: A\n---\nOne paragraph.\n"


def test_build_writes_both_formats(manuscript, tmp_path, capsys):
    root = manuscript(BOOK, {"a.md": DOC})
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out), "--quiet"]) == 0
    assert sorted(p.name for p in outputs(out)) == ["tiny-screen.pdf", "tiny-web", "tiny.epub", "tiny.pdf"]


def test_format_option_selects_outputs(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC})
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out), "--format", "epub", "-q"]) == 0
    assert [p.name for p in outputs(out)] == ["tiny.epub"]


def test_manuscript_error_exits_1_with_one_line_and_writes_nothing(manuscript, tmp_path):
    root = manuscript(BOOK + "colour: red\n", {"a.md": DOC})
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "build", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    problems = [line for line in proc.stderr.splitlines() if ": error[" in line]
    assert len(problems) == 1
    assert problems[0].startswith(f"{root / 'book.yaml'}:3:1: error[E102]: unknown key 'colour'")
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not any(outputs(out))


def test_failed_build_keeps_previous_outputs(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC})
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out), "-q"]) == 0
    before = _contents(out)
    (root / "a.md").write_text("---\nnumber: 1\n")  # unclosed front matter
    assert main(["build", str(root), "--out", str(out), "-q"]) == 1
    assert _contents(out) == before


def _contents(out):
    """Every output file's bytes, the web edition's folder file by file."""
    return {str(p.relative_to(out)): p.read_bytes() for top in outputs(out) for p in [top, *(top.rglob("*") if top.is_dir() else [])] if p.is_file()}


def test_usage_errors_exit_2(capsys):
    assert main(["build", "--format", "docx"]) == 2
    assert "unknown format" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2
    assert main([]) == 2


def test_missing_glyph_is_an_error_naming_character_document_and_paragraph(manuscript, tmp_path, capsys):
    root = manuscript(BOOK, {"a.md": DOC + "\nA snowman \u2603 here.\n"})
    assert main(["build", str(root), "--out", str(tmp_path / "o"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "U+2603 SNOWMAN" in err and "Document No. 1, § 2" in err and "a.md:7:" in err
