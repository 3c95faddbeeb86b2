"""press cleans up after itself and turns what can go wrong around a build into messages.

Temporary files, signals and killed parents, absurd --jobs, a damaged cache, two builds into
one folder, long titles, unreadable PDFs, a full disk, and press watch. Builds that must be
stopped or killed run as ``python -m pipeline`` subprocesses, on a generated book whose
documents take seconds each to lay out.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest

from benchmarks.generate import generate
from pipeline import forked
from pipeline.build import build
from pipeline.cli import main
from pipeline.events import PartLaidOut
from pipeline.layout.book import workers
from pipeline.layout.cache import CACHE_FOLDER
from pipeline.proof.watch import watch
from tests.conftest import REPO, outputs, write_manuscript

BOOK = "title: Tiny\ndocuments: [a.md, b.md]\n"
DOC_A = "---\nnumber: 1\ntitle: A\n---\nOne paragraph.\n"
DOC_B = "---\nnumber: 2\ntitle: B\n---\nAnother paragraph, citing [§ 1](doc:1#1).\n"


# ---------------------------------------------------------------- helpers


def _env(tmpdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(TMPDIR=str(tmpdir), PYTHONPATH=str(REPO), **extra)
    return env


def _press(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kwargs)


def _stats() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, state) of every process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            out[int(entry.name)] = (int(fields[1]), fields[0])
    return out


def _descendants(pid: int) -> set[int]:
    stats, found, frontier = _stats(), set(), {pid}
    while frontier:
        frontier = {child for child, (parent, _) in stats.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    stats = _stats()
    return {p for p in pids if p in stats and stats[p][1] not in "ZX"}


def _wait_for_workers(proc: subprocess.Popen, count: int = 2, timeout: float = 120) -> set[int]:
    """The child processes of ``proc`` once ``count`` of them (the layout's workers) have been laying
    out for a second; short-lived children of start-up (library probes) do not count."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        children = _descendants(proc.pid)
        if len(children) >= count:
            time.sleep(1.0)
            lasting = _descendants(proc.pid) & children
            if len(lasting) >= count:
                return lasting
        time.sleep(0.05)
    raise AssertionError("the build started no workers")


def _gone(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _alive(pids)


def _contents(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes, those of the web edition's folder included, by path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for top in outputs(folder)
            for p in ([top] if top.is_file() else sorted(top.rglob("*"))) if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a build may have left in ``folder`` and below."""
    return sorted(str(p) for p in folder.rglob("*") if p.name.endswith((".partial", ".tmp")))


@pytest.fixture(scope="module")
def long_book(tmp_path_factory) -> Path:
    """Two documents of about three hundred pages: each takes many seconds to lay out."""
    return generate(tmp_path_factory.mktemp("long") / "book", 600, pages_per_document=300)


@pytest.fixture
def tiny(manuscript) -> Path:
    return manuscript(BOOK, {"a.md": DOC_A, "b.md": DOC_B})


# ---------------------------------------------------------------- 1. temporary files


def test_build_and_failed_build_leave_the_temporary_folder_as_found(tmp_path, tiny):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = _press(["build", str(tiny), "--out", str(tmp_path / "out"), "--jobs", "2", "-q"], _env(scratch))
    assert done.wait(300) == 0, done.communicate()
    assert os.listdir(scratch) == []  # no weasyprint-* font copies, from the workers or this process

    (tiny / "b.md").write_text("---\nnumber: 2\n")  # unclosed front matter
    failed = _press(["build", str(tiny), "--out", str(tmp_path / "out"), "-q"], _env(scratch))
    assert failed.wait(300) == 1
    assert os.listdir(scratch) == []


def test_in_process_builds_leave_no_temporary_files(tmp_path, tiny, monkeypatch):
    """A build called as a function cleans up as the command does, and a second one in the same
    process (press watch, --edition all) works although the first one's font copies are gone."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)
    for _ in range(2):
        build(tiny, tmp_path / "out", jobs=1, use_cache=False)
        assert os.listdir(scratch) == []


# ---------------------------------------------------------------- 2. signals


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_mid_layout_stops_the_workers_and_cleans_up(tmp_path, long_book, signum):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    proc = _press(["build", str(long_book), "--out", str(out), "--jobs", "2"], _env(scratch))
    children = _wait_for_workers(proc)
    os.kill(proc.pid, signum)  # to press alone, not its process group: press must stop the rest
    try:
        code = proc.wait(30)
    finally:
        if _alive({proc.pid}):
            os.killpg(proc.pid, signal.SIGKILL)
    left = _gone(children, 5)
    for pid in left:  # do not leave them running after a failure either
        os.kill(pid, signal.SIGKILL)
    assert code == 128 + signum, proc.communicate()
    assert "interrupted" in proc.communicate()[1]
    assert left == set(), "workers outlived press"
    assert os.listdir(scratch) == []
    assert _leftovers(out) == []


def test_killing_press_kills_its_workers(tmp_path, long_book):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = _press(["build", str(long_book), "--out", str(tmp_path / "out"), "--jobs", "2"], _env(scratch))
    children = _wait_for_workers(proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    left = _gone(children, 1)  # the kernel kills them with press; a worker left alone would go on for seconds
    for pid in left:  # do not leave them running after a failure either
        os.kill(pid, signal.SIGKILL)
    assert left == set(), "workers outlived a killed press"


# ---------------------------------------------------------------- 3. --jobs


@pytest.mark.parametrize("value", ["0", "-2", "12345678901234567890", "9" * 5000, "\u00b2"])
def test_absurd_jobs_are_a_message(value, tiny, tmp_path, capsys):
    assert main(["build", str(tiny), "--out", str(tmp_path / "out"), "--jobs", value, "-q"]) == 1
    err = capsys.readouterr().err
    assert "error[E125]" in err and value[:20] in err and "Traceback" not in err


def test_jobs_above_the_cores_are_capped_and_said_once(tiny, tmp_path, capsys, monkeypatch):
    asked = []
    monkeypatch.setattr("pipeline.cli.build", lambda *args, **kwargs: asked.append(kwargs["jobs"]) or _Result())
    assert main(["build", str(tiny), "--out", str(tmp_path / "out"), "--jobs", "1000", "-q"]) == 0
    cores = os.cpu_count() or 1
    assert asked and asked[0] <= cores
    notes = [line for line in capsys.readouterr().err.splitlines() if "--jobs 1000" in line]
    assert len(notes) == 1 and f"using {asked[0]}" in notes[0]
    assert workers(10**6) <= cores  # the layout's own bound, for callers of build()


def test_jobs_are_capped_by_available_memory(monkeypatch):
    monkeypatch.setattr(forked, "available_memory", lambda: 2 * 400 * 2**20 + 1)  # two workers' worth
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert workers(64) == 2 and workers(None) == 2
    monkeypatch.setattr(forked, "available_memory", lambda: 0)
    assert workers(64) == 1


class _Result:
    outputs: list = []
    notes: list = []

    class diagnostics:  # noqa: N801 - stands in for Diagnostics
        warnings: list = []


# ---------------------------------------------------------------- 4. the cache


def _cached(events) -> list[bool]:
    return [e.cached for e in events if isinstance(e, PartLaidOut)]


def _entries(out: Path) -> list[Path]:
    return sorted((out / CACHE_FOLDER / "parts").iterdir())


DAMAGE = {
    "truncated json": lambda e: (e / "layout.json").write_text((e / "layout.json").read_text()[:40]),
    "empty json": lambda e: (e / "layout.json").write_text(""),
    "json of another type": lambda e: (e / "layout.json").write_text("[1, 2, 3]"),
    "json of another shape": lambda e: (e / "layout.json").write_text(
        json.dumps({**json.loads((e / "layout.json").read_text()), "pages": "many", "starts": [{"x": 1}]})),
    "a page number out of range": lambda e: (e / "layout.json").write_text(
        json.dumps({**json.loads((e / "layout.json").read_text()), "blanks": [999]})),
    "garbage pdf": lambda e: (e / "print.pdf").write_bytes(b"not a pdf at all" * 100),
    "empty pdf": lambda e: (e / "print.pdf").write_bytes(b""),
    "truncated pdf": lambda e: (e / "print.pdf").write_bytes((e / "print.pdf").read_bytes()[:2000]),
    "missing pdf": lambda e: (e / "screen.pdf").unlink(),
    # the colour check kept beside a part's print PDF (engine/inks.py): found again, never trusted
    "colour findings cut short": lambda e: (e / "print.pdf.colours.json").write_text("[[0, "),
    "colour findings of another shape": lambda e: (e / "print.pdf.colours.json").write_text('{"page": 1}'),
    "colour findings on a page the part has not": lambda e: (e / "print.pdf.colours.json").write_text(
        '[[999, "RGB colour (rg)"]]'),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_entry_is_laid_out_again(damage, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    build(tiny, out, jobs=1)
    clean = _contents(out)
    for entry in _entries(out):
        DAMAGE[damage](entry)
    events: list = []
    assert main(["build", str(tiny), "--out", str(out), "-q"]) == 0, capsys.readouterr().err
    assert _contents(out) == clean
    build(tiny, out, jobs=1, progress=events.append)  # rewritten: the next build takes it
    assert _cached(events) == [True, True, True]


@pytest.mark.parametrize("damage", ["plan", "pdf", "missing"])
def test_a_damaged_folio_layer_is_laid_out_again(damage, tiny, tmp_path, capsys):
    out = tmp_path / "out"
    build(tiny, out, jobs=1)
    clean = _contents(out)
    (layer,) = (out / CACHE_FOLDER).glob("folios-*")
    if damage == "plan":
        (layer / "plan.json").write_text('{"plan": "x"')
    elif damage == "pdf":
        (layer / "print.pdf").write_bytes(b"%PDF-1.7\n")
    else:
        (layer / "screen.pdf").unlink()
    assert main(["build", str(tiny), "--out", str(out), "-q"]) == 0, capsys.readouterr().err
    assert _contents(out) == clean


def test_no_cache_repairs_the_cache(tiny, tmp_path):
    out = tmp_path / "out"
    build(tiny, out, jobs=1)
    for entry in _entries(out):
        (entry / "print.pdf").write_bytes(b"")
    build(tiny, out, jobs=1, use_cache=False)
    events: list = []
    build(tiny, out, jobs=1, progress=events.append)
    assert _cached(events) == [True, True, True]


def test_the_cache_key_does_not_depend_on_how_the_path_is_typed(tiny, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(tiny.resolve(), out, jobs=1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    events: list = []
    build(Path(os.path.relpath(tiny, elsewhere)), Path(os.path.relpath(out, elsewhere)), jobs=1,
          progress=events.append)
    assert _cached(events) == [True, True, True]


# ---------------------------------------------------------------- 5. concurrent builds


def test_two_builds_into_one_folder_both_succeed(tiny, tmp_path):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    out = tmp_path / "out"
    both = [_press([command, str(tiny), "--out", str(out), "--jobs", "1"], _env(scratch)) for command in ("build", "build")]
    both.append(_press(["proof", str(tiny), "--out", str(out), "--jobs", "1"], _env(scratch)))
    results = [(p.wait(300), p.communicate()) for p in both]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert _leftovers(out) == []
    assert sorted(p.name for p in outputs(out)) == ["proof", "tiny-screen.pdf", "tiny-web", "tiny.epub", "tiny.pdf"]
    assert os.listdir(scratch) == []


def test_a_build_waits_for_the_lock_then_gives_up_with_e124(tiny, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("PRESS_LOCK_TIMEOUT", "1")
    with open(out / ".press-lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        started = time.monotonic()
        code = main(["build", str(tiny), "--out", str(out)])
        waited = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 1 and "error[E124]" in err, err
    assert err.count(f"waiting for another press building into {out}") == 1
    assert waited >= 1
    assert outputs(out) == []


# ---------------------------------------------------------------- 6. crashes that are messages


def test_a_very_long_title_makes_a_short_file_name(manuscript, tmp_path, capsys):
    title = " ".join(["Conversations on the disputed waters of the northern sea"] * 12)
    root = manuscript(f"title: {title}\ndocuments: [a.md]\n", {"a.md": DOC_A})
    out = tmp_path / "out"
    assert main(["build", str(root), "--out", str(out), "-q"]) == 0, capsys.readouterr().err
    names = sorted(p.name for p in outputs(out) if p.name != "proof")  # proof/: the round of the PDFs just made
    assert len(names) == 4  # print, screen, EPUB and the web edition's folder
    stem = names[0].split(".")[0].removesuffix("-screen").removesuffix("-web")
    assert len(stem) <= 80 and title.lower().replace(" ", "-").startswith(stem) and not stem.endswith("-")


def test_diff_of_a_file_that_is_not_a_pdf_is_e126(tmp_path, sample_build, capsys):
    text = tmp_path / "notes.pdf"
    text.write_text("these are notes, not a PDF\n")
    pdf = next(p for p in sample_build.outputs if p.name.endswith(".pdf"))
    assert main(["diff", str(text), str(pdf), "--out", str(tmp_path / "diff")]) == 1
    err = capsys.readouterr().err
    assert f"{text}: error[E126]" in err and "Traceback" not in err


def test_diff_of_a_password_protected_pdf_is_e126(tmp_path, sample_build, capsys):
    pdf = next(p for p in sample_build.outputs if p.name.endswith(".pdf"))
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(pdf) as doc:
        doc.save(locked, encryption=pikepdf.Encryption(owner="owner", user="secret", R=6))
    assert main(["diff", str(pdf), str(locked), "--out", str(tmp_path / "diff")]) == 1
    err = capsys.readouterr().err
    assert f"{locked}: error[E126]" in err


def _no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["epub", "binder"])
def test_a_full_disk_is_e117_and_leaves_no_temporary_file(where, tiny, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    if where == "epub":  # in this process, half-way through the file
        def write_epub(book, path, *diags, **options):
            path.write_bytes(b"PK half an EPUB")
            _no_space()
        monkeypatch.setattr("pipeline.build.write_epub", write_epub)
    else:  # in the binding process, whose error comes back through the pipe
        monkeypatch.setattr("pipeline.bind.bind_screen", _no_space)
    assert main(["build", str(tiny), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err
    assert "error[E117]" in err and "No space left" in err, err
    assert _leftovers(out) == [] and outputs(out) == []


# ---------------------------------------------------------------- 7. watch


def test_watch_goes_on_after_an_internal_error(tiny, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # where the crash log goes
    said: list[str] = []
    calls = []

    def rebuild():
        calls.append(1)
        if len(calls) == 1:  # fails on a save; the editor saves again meanwhile
            stamp = time.time() + 10
            os.utime(tiny / "a.md", (stamp, stamp))
            raise RuntimeError("engine fell over")

    watch(tiny, rebuild, said.append, interval=0, rounds=2)
    assert len(calls) == 2
    assert any("engine fell over" in line for line in said)
    assert said[-1].startswith("changed: a.md")


def test_watch_sees_saves_in_a_manuscript_under_a_folder_named_proof(tmp_path):
    inside = write_manuscript(tmp_path / "proof" / "book", BOOK, {"a.md": DOC_A, "b.md": DOC_B})
    calls = []

    def rebuild():
        calls.append(1)
        if len(calls) == 1:  # a save while the first proof is made
            stamp = time.time() + 10
            os.utime(inside / "a.md", (stamp, stamp))

    watch(inside, rebuild, lambda _: None, interval=0, rounds=2)
    assert len(calls) == 2


def _reports_then(report, outcome: str):
    report({"pages": 12})
    if outcome == "fail":
        raise ValueError("painting failed")
    return "painted"


def _fails_before_reporting(report):
    raise ValueError("layout failed")


def test_a_forked_step_reports_before_it_ends_and_its_failure_still_comes_back():
    """The index's process reports its layout, then paints: the build goes on with the report, and
    a failure after it (or before it) is not lost."""
    done = forked.Forked(_reports_then, "ok", reports=True)
    assert done.report() == {"pages": 12} and done.result() == "painted" and done.report() == {"pages": 12}
    failed = forked.Forked(_reports_then, "fail", reports=True)
    assert failed.report() == {"pages": 12}
    with pytest.raises(ValueError, match="painting failed"):
        failed.result()
    early = forked.Forked(_fails_before_reporting, reports=True)
    with pytest.raises(ValueError, match="layout failed"):
        early.report()


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _collected_in_child(marker: int) -> tuple[int, int, bool]:
    """In the child: how many objects are frozen, and whether the collector still frees a cycle the
    child made itself (the frozen ones are what the child inherited)."""
    import gc
    import weakref

    inherited = gc.get_freeze_count()
    made = _Cycle()
    alive = weakref.ref(made)
    del made
    gc.collect()
    return inherited, marker, alive() is None


def test_a_forked_child_leaves_what_it_inherits_to_its_parent_and_collects_its_own_garbage():
    """Every forked child freezes what it inherits (``forked.child_setup``): the collector does not
    walk the parent's objects in each full collection, nor write into their pages; what the child
    makes is collected as before. The parent's own collector is untouched."""
    import gc

    before = gc.get_freeze_count()
    inherited, marker, freed = forked.Forked(_collected_in_child, 7).result()
    assert marker == 7 and freed
    assert inherited > 1000  # this test process's own objects, at the least
    assert gc.get_freeze_count() == before
