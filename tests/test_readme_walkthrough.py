"""The README's first reader, copied as a newcomer would copy it, builds on the first try."""

from __future__ import annotations

import re

from pipeline.cli import main
from tests.conftest import REPO
from tests.epubcheck import epubcheck_messages


def test_the_walkthrough_s_reader_builds_with_its_edition_and_no_warning_to_fix(tmp_path, capsys):
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Your first reader", 1)[1].split("\n## ", 1)[0]
    book_yaml = re.search(r"```yaml\n(.*?)```", section, re.S)[1]
    document = re.search(r"```markdown\n(.*?)```", section, re.S)[1]
    root = tmp_path / "my-reader"
    (root / "documents").mkdir(parents=True)
    (root / "book.yaml").write_text(book_yaml, encoding="utf-8")
    (root / "documents" / "01-vienna.md").write_text(document, encoding="utf-8")
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert main(["build", str(root), "--out", str(tmp_path / "out"), "--edition", "all", "-q"]) == 0
    assert main(["check", str(root), "--out", str(tmp_path / "out"), "-q"]) == 0
    err = capsys.readouterr().err
    assert "error[" not in err
    assert not re.findall(r"warning\[(?!W408)", err), err  # only the page count, which the layout decides
    epubs = sorted((tmp_path / "out").glob("*.epub"))
    assert len(epubs) == 2 and all(epubcheck_messages(e) == [] for e in epubs)
