"""A newcomer's first steps: press --version, press new, and a manuscript from it that builds as it is."""

from __future__ import annotations

import re

from pipeline.cli import main
from pipeline.load.schema import BOOK_FIELDS
from pipeline.skeleton import SKELETON
from tests.epubcheck import epubcheck_messages


def test_press_says_its_version(capsys):
    assert main(["--version"]) == 0
    assert re.fullmatch(r"press \d+\.\d+\.\d+\n", capsys.readouterr().out)


def test_a_new_manuscript_builds_as_it_is_with_every_format_valid(tmp_path, capsys):
    assert main(["new", str(tmp_path / "reader")]) == 0
    assert main(["build", str(tmp_path / "reader"), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert main(["build", str(tmp_path / "reader"), "--out", str(tmp_path / "out"), "--edition", "all", "-q"]) == 0
    err = capsys.readouterr().err
    assert "error" not in err and "W40" not in err.replace("W408", "")  # nothing for the editor to fix but the page count
    epubs = sorted((tmp_path / "out").glob("*.epub"))
    assert [p.name for p in epubs] == ["a-reader-of-documents-first-class.epub", "a-reader-of-documents.epub"]
    assert epubcheck_messages(epubs[1]) == []


def test_the_new_book_yaml_names_every_key():
    text = (SKELETON / "book.yaml").read_text(encoding="utf-8")
    for field in BOOK_FIELDS:
        assert re.search(rf"^#? ?{field.name}:", text, re.M), field.name
        for sub in field.fields if field.name != "labels" else ():  # the README lists the labels' keys
            assert re.search(rf"^#? *{sub.name}:|[{{ ]{sub.name}:", text, re.M), f"{field.name}.{sub.name}"


def test_press_new_never_overwrites(tmp_path, capsys):
    (tmp_path / "reader").mkdir()
    (tmp_path / "reader" / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path / "reader")]) == 1
    assert "E117" in capsys.readouterr().err and (tmp_path / "reader" / "notes.txt").read_text() == "mine"
    assert not (tmp_path / "reader" / "book.yaml").exists()
