"""press catalogue: a term's books, editions and rosters, built on one machine or in shards.

A tiny reader (two documents, one edition stamped for a roster) and a broken one make a
catalogue quick to build; shards run as separate processes, as they would on separate machines.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from pipeline.catalogue import RUN_FIELDS, build_catalogue, deal, parse_shard
from pipeline.catalogue.file import Item, read_catalogue
from pipeline.cli import main, make_parser
from pipeline.diagnostics import Diagnostics, ManuscriptError
from tests.conftest import REPO

SECRET = "a catalogue's stamping secret, long enough"
CATALOGUE = """\
books:
  tiny:
    manuscript: books/tiny
    editions: [one]
    rosters:
      section-a:
        edition: one
        file: rosters/a.csv
  broken:
    manuscript: books/broken
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def term(tmp_path) -> Path:
    root = tmp_path / "term"
    _write(root, {
        "catalogue.yaml": CATALOGUE,
        "books/tiny/book.yaml": """\
            title: A Tiny Reader
            year: 2025
            documents: [documents/01.md, documents/02.md]
            editions:
              one:
                title: One Document
                course: TEST 101, Spring 2026
                documents: [1]
            """,
        "books/tiny/documents/01.md": "---\nnumber: 1\ntitle: First\nsource: \"Source: here.\"\ncopyright: © X, 2020\n---\nThe first text.\n",
        "books/tiny/documents/02.md": "---\nnumber: 2\ntitle: Second\nsource: \"Source: there.\"\ncopyright: © X, 2020\n---\nThe second.\n",
        "books/broken/book.yaml": "title: Broken\ndocuments: [documents/01.md]\n",
        "books/broken/documents/01.md": "---\nnumber: 1\ntitle: Broken\ntranslater: X\n---\nText.\n",
        "rosters/a.csv": "id,name\nq-88123,Ottoline Pemberton-Wilde\nq-88124,Bartholomew Quayle\n",
        "secret": SECRET,
    })
    return root


def _press(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=env, capture_output=True, text=True, timeout=900)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and ".press-cache" not in p.parts and not p.name.startswith("manifest")
            and p.name != ".press-lock"}  # the output folder's lock file, which every build leaves


def _without_run_fields(manifest: dict) -> list[dict]:
    return [{k: v for k, v in e.items() if k not in RUN_FIELDS} for e in manifest["outputs"]]


def test_three_shards_merged_give_the_outputs_and_manifest_of_one_run(term):
    whole = _press(term, "catalogue", "build", "catalogue.yaml", "--out", "all", "--secret-file", "secret", "-q")
    assert whole.returncode == 1 and "broken" in whole.stderr  # the broken book fails, the others are built
    manifest = json.loads((term / "all" / "manifest.json").read_text())
    assert manifest["summary"] == {"built": 12, "skipped": 0, "failed": 1}
    shards = [subprocess.Popen([sys.executable, "-m", "pipeline", "catalogue", "build", "catalogue.yaml", "--out", f"shard{i}",
                                "--shard", f"{i}/3", "--balance-from", "all/manifest.json", "--secret-file", "secret", "-q"],
                               cwd=term, env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) for i in range(3)]
    assert sorted(p.wait(timeout=900) for p in shards) == [0, 0, 1]
    merged = _press(term, "catalogue", "merge", *(f"shard{i}/manifest.shard-{i}-of-3.json" for i in range(3)), "--out", "merged")
    assert merged.returncode == 1, merged.stderr  # it says that a book failed
    joined: dict[str, bytes] = {}
    for i in range(3):
        share = _files(term / f"shard{i}")
        assert not set(share) & set(joined), "an output built by two shards"
        joined.update(share)
    assert joined == _files(term / "all")
    assert _without_run_fields(json.loads((term / "merged" / "manifest.json").read_text())) == _without_run_fields(manifest)
    entry = next(e for e in manifest["outputs"] if e["format"] == "pdf-copy")
    assert set(entry) >= {"book", "edition", "format", "bytes", "sha256", "pages", "seconds", "status", "problems"}
    assert entry["sha256"] == __import__("hashlib").sha256((term / "all" / entry["path"]).read_bytes()).hexdigest()


def test_a_second_run_skips_what_is_unchanged_and_an_edit_builds_its_book_again(term):
    first = build_catalogue(term / "catalogue.yaml", term / "out", secret_file=term / "secret")
    assert first.summary == {"built": 12, "skipped": 0, "failed": 1}
    again = build_catalogue(term / "catalogue.yaml", term / "out", secret_file=term / "secret")
    assert again.summary == {"built": 0, "skipped": 12, "failed": 1}
    page = term / "books/tiny/documents/02.md"
    page.write_text(page.read_text().replace("The second.", "The second, edited."))
    edited = build_catalogue(term / "catalogue.yaml", term / "out", secret_file=term / "secret")
    assert edited.summary == {"built": 12, "skipped": 0, "failed": 1}  # both items read the whole manuscript


def test_no_roster_value_in_the_manifest(term):
    build_catalogue(term / "catalogue.yaml", term / "out", secret_file=term / "secret")
    text = (term / "out" / "manifest.json").read_text()
    for value in ("q-88123", "q-88124", "Ottoline", "Bartholomew", SECRET):
        assert value not in text


@pytest.mark.parametrize("change, code, line", [
    (("editions: [one]", "editons: [one]"), "E102", 4),
    (("manuscript: books/broken", "manuscript: books/gone"), "E165", 10),
    (("editions: [one]", "editions: [one, two]"), "E165", 4),
    (("file: rosters/a.csv", "file: rosters/b.csv"), "E165", 8),
    (("manuscript: books/broken", "manuscript: ../elsewhere"), "E116", 10),
])
def test_a_catalogue_problem_is_placed_and_nothing_is_built(term, capsys, change, code, line):
    (term / "catalogue.yaml").write_text(CATALOGUE.replace(*change))
    assert main(["catalogue", "build", str(term / "catalogue.yaml"), "--out", str(term / "out"),
                 "--secret-file", str(term / "secret")]) == 1
    err = capsys.readouterr().err
    assert re.search(rf"catalogue\.yaml:{line}:\d+: error\[{code}\]", err), err
    assert not (term / "out").exists()


def test_the_deal_is_the_same_everywhere_and_balances_pages():
    items = [Item(f"b{i}", Path("."), None, ()) for i in range(6)]
    weights = {"b0:": 500, "b1:": 100, "b2:": 100, "b3:": 100, "b4:": 100, "b5:": 100}
    assert deal(items, 2, weights) == [0, 1, 1, 1, 1, 1]
    assert deal(items, 3, {}) == [0, 1, 2, 0, 1, 2]
    assert parse_shard("2/3") == (2, 3)
    for bad in ("3/3", "-1/3", "a/b", "1"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def test_the_catalogue_reads_every_item_in_order(term):
    diags = Diagnostics()
    items = read_catalogue(term / "catalogue.yaml", diags)
    assert not diags.items
    assert [(i.book, i.edition, [r.name for r in i.rosters]) for i in items] == [
        ("tiny", None, []), ("tiny", "one", ["section-a"]), ("broken", None, [])]


def _press_command(command: str, values: dict[str, str]) -> list[str]:
    """A press command line of a deploy example, its variables given values, as press's argv."""
    command = command.replace("${{ matrix.shard }}", values.get("matrix.shard", "0"))
    for name, value in values.items():
        command = command.replace(f'"${name}"', value).replace(f"${name}", value)
    words = shlex.split(command)
    start = next(i for i, w in enumerate(words) if w == "press" or w.endswith("/press"))
    return words[start + 1:]


def _press_lines(script: str) -> list[str]:
    return [line.strip() for line in script.splitlines() if re.search(r"(^|/)press catalogue ", line.strip())]


def test_the_kubernetes_example_is_an_indexed_job_running_the_documented_command():
    jobs = list(yaml.safe_load_all((REPO / "deploy/kubernetes/catalogue-job.yaml").read_text()))
    build, merge = jobs
    assert build["kind"] == merge["kind"] == "Job" and build["apiVersion"] == "batch/v1"
    spec = build["spec"]
    assert spec["completionMode"] == "Indexed" and spec["completions"] == spec["parallelism"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert int(env["SHARDS"]) == spec["completions"]
    assert any(e["name"] == "PRESS_STAMP_SECRET" and "secretKeyRef" in e["valueFrom"] for e in container["env"])
    (line,) = _press_lines(container["args"][0])
    argv = _press_command(line, {"JOB_COMPLETION_INDEX": "2", "SHARDS": env["SHARDS"], "balance": ""})
    args = make_parser().parse_args(argv)
    assert (args.command, args.catalogue_command, args.shard) == ("catalogue", "build", (2, 3))
    assert "--shard \"$JOB_COMPLETION_INDEX/$SHARDS\"" in line
    (merge_line,) = _press_lines(merge["spec"]["template"]["spec"]["containers"][0]["args"][0])
    assert make_parser().parse_args(_press_command(merge_line, {"SHARDS": "3"})).catalogue_command == "merge"


def test_the_github_example_is_a_matrix_of_shards_and_a_merge():
    workflow = yaml.safe_load((REPO / "deploy/github/catalogue.yml").read_text())
    shards = workflow["jobs"]["build"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(int(workflow["env"]["SHARDS"])))
    assert workflow["jobs"]["build"]["strategy"]["fail-fast"] is False
    steps = workflow["jobs"]["build"]["steps"]
    (line,) = [l for s in steps for l in _press_lines(s.get("run", ""))]
    for shard in shards:
        args = make_parser().parse_args(_press_command(line, {"matrix.shard": str(shard), "SHARDS": "3", "balance": ""}))
        assert args.shard == (shard, len(shards)) and args.catalogue_command == "build"
    assert any("PRESS_STAMP_SECRET" in s.get("env", {}) for s in steps)
    assert workflow["jobs"]["merge"]["needs"] == "build"
    (merge_line,) = [l for s in workflow["jobs"]["merge"]["steps"] for l in _press_lines(s.get("run", ""))]
    assert make_parser().parse_args(_press_command(merge_line, {})).catalogue_command == "merge"


def test_the_readme_documents_the_commands_the_examples_run():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "press catalogue build CATALOGUE.yaml [--out DIR] [--jobs N] [--shard I/N] [--balance-from MANIFEST]" in readme
    assert "press catalogue merge" in readme and "deploy/kubernetes/catalogue-job.yaml" in readme
    assert "deploy/github/catalogue.yml" in readme
    with pytest.raises(ManuscriptError):
        build_catalogue(REPO / "no-such-catalogue.yaml", REPO / "dist-none")
