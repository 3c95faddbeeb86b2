"""A manuscript is not trusted: nothing in it may run a command, reach the network, read a file
outside its folder into an output, or take over the terminal that shows press's messages.

Each test builds a hostile manuscript and proves the attack fails; each failed on the code
before the defence it tests was written.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import Diagnostic, ManuscriptError
from pipeline.epub.css import epub_stylesheet
from pipeline.load import load_book
from pipeline.model import SourceLoc
from pipeline.proof.make import proof, revision
from pipeline.render import Renderer, sandbox
from pipeline.transforms import apply_transforms
from tests.epubcheck import epubcheck_messages

DOC = "---\nnumber: 1\ntitle: One\nsource: A source.\ncopyright: © Someone\n---\nText of the first document.\n"
BOOK = "title: T\nyear: 2025\ndocuments: [a.md]\n"


def load_problems(root) -> list[Diagnostic]:
    with pytest.raises(ManuscriptError) as caught:
        load_book(root)
    return list(caught.value.diagnostics)


# --- terminal escapes -------------------------------------------------------------------------

def test_control_characters_from_the_manuscript_are_shown_escaped(manuscript):
    # YAML's "\e" is ESC: a key that clears the screen and sets the title if echoed raw
    root = manuscript('title: T\n"evil\\e[2J\\e]0;owned\\akey": 1\ndocuments: [a.md]\n', {"a.md": DOC})
    [found] = load_problems(root)
    line = found.format()
    assert found.code == "E102" and "\x1b" in found.message
    assert "\x1b" not in line and "\x07" not in line and "\\x1b[2J" in line and "\\x07" in line


def test_a_title_with_a_terminal_command_is_escaped_and_newlines_press_adds_stay():
    found = Diagnostic("W121", SourceLoc("a.md", 2), "title 'One\x1b[31m\u202eeno' is shortened\nnext line")
    line = found.format()
    assert "\x1b" not in line and "\u202e" not in line and "\\x1b[31m" in line and "\\u202e" in line
    assert "\nnext line" in line


def test_manuscript_errors_travel_whole_from_worker_processes():
    error = ManuscriptError([Diagnostic("E119", SourceLoc("styles/templates/x.j2", 3), "cannot be rendered")])
    again = pickle.loads(pickle.dumps(error))
    assert again.diagnostics == error.diagnostics and str(again) == str(error)


# --- templates --------------------------------------------------------------------------------

POPEN = "{{{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}}}"


def render_problems(root) -> list[Diagnostic]:
    """What rendering the first document's EPUB file reports (load, transforms, then the render)."""
    with pytest.raises(ManuscriptError) as caught:
        book = apply_transforms(load_book(root))
        Renderer(book).chapter_xhtml(book.documents[0], [])
    return list(caught.value.diagnostics)


def placed(found: list[Diagnostic]) -> list[tuple[str, str, int]]:
    return [(d.code, Path(d.loc.file).name, d.loc.line) for d in found]


def test_a_book_template_cannot_run_a_command_in_press_check(manuscript, tmp_path, capsys):
    marker = tmp_path / "ran"
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/book.html.j2": "<html>\n" + POPEN.format(marker=marker)})
    # two jobs: the parts are rendered in worker processes, and the problem must come back from them
    code = main(["check", str(root), "--out", str(tmp_path / "none"), "--jobs", "2"])
    err = capsys.readouterr().err
    assert not marker.exists()
    assert code == 1, err  # the manuscript's problem, not a crash (3)
    assert "book.html.j2:2: error[E119]" in err


def test_a_template_cannot_run_a_command_in_an_epub_file(manuscript, tmp_path):
    marker = tmp_path / "ran"
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": "<p>\n\n" + POPEN.format(marker=marker)})
    assert placed(render_problems(root)) == [("E119", "chapter.xhtml.j2", 3)]
    assert not marker.exists()


@pytest.mark.parametrize("text, line", [
    ("<p>\n{% if %}\n</p>", 2),                       # a syntax error
    ("<p>\n\n{{ no_such_name }}</p>", 3),             # an undefined name
    ("<p>{{ book.title }}\n{{ book.__class__ }}</p>", 2),  # a private attribute
    ("<p>\n{{ range(10**9)|length }}</p>", 2),        # more numbers than the sandbox's range gives
    ("<p>\n{{ 'x' * 10**9 }}</p>", 2),                # a gigabyte of output in one operation
    ("<p>\n{{ 9 ** 999999999 }}</p>", 2),                # a number that takes minutes to compute
    ("{% include 'nothing.j2' %}", 1),                # a template that does not exist
])
def test_a_template_that_cannot_be_rendered_is_a_placed_error(manuscript, text, line):
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": text})
    started = time.monotonic()
    assert placed(render_problems(root)) == [("E119", "chapter.xhtml.j2", line)]
    assert time.monotonic() - started < 5


def test_a_template_that_runs_too_long_is_stopped(manuscript, monkeypatch):
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.5)
    loops = "<p>\n{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}</p>"
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": loops})
    started = time.monotonic()
    found = render_problems(root)
    assert placed(found) == [("E119", "chapter.xhtml.j2", 2)] and "longer than" in found[0].message
    assert time.monotonic() - started < 5
    # a macro that calls itself twice over: 2**40 calls without a loop
    macro = "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}\n{{ m(40) }}"
    root.joinpath("styles/templates/chapter.xhtml.j2").write_text(macro)
    started = time.monotonic()
    assert [d.code for d in render_problems(root)] == ["E119"]
    assert time.monotonic() - started < 5


def test_a_template_that_writes_too_much_is_stopped(manuscript):
    text = "<p>\n{% for a in range(100000) %}{{ 'x' * 100 }}{% endfor %}</p>"
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": text})
    found = render_problems(root)
    assert [d.code for d in found] == ["E119"] and "more than" in found[0].message


@pytest.mark.parametrize("name", ["../../../../../../etc/passwd", "/etc/passwd", "./../book.yaml"])
def test_a_template_cannot_include_a_file_outside_its_folder(manuscript, name):
    text = "<p>\n{% include '" + name + "' %}</p>"
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": text})
    assert placed(render_problems(root)) == [("E116", "chapter.xhtml.j2", 2)]


def test_a_template_linked_to_a_file_outside_the_manuscript_is_refused(manuscript, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": "<p>{% include 'leak.j2' %}</p>"})
    (root / "styles/templates/leak.j2").symlink_to(secret)
    found = render_problems(root)
    assert ("E116", "leak.j2", 1) in placed(found) and "the secret" not in str(found)


def test_a_template_that_is_a_fifo_is_refused_without_waiting(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC})
    fifo = root / "styles/templates/chapter.xhtml.j2"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    _unblock_later(fifo)
    started = time.monotonic()
    assert placed(render_problems(root)) == [("E120", "chapter.xhtml.j2", 1)]
    assert time.monotonic() - started < 3


def _unblock_later(fifo: Path, after: float = 4.0) -> None:
    """Open ``fifo`` for writing after a while, so that code which waits on it ends (and fails
    its test) instead of hanging the suite."""
    def unblock():
        time.sleep(after)
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # nobody was waiting
            pass
    threading.Thread(target=unblock, daemon=True).start()


# --- the book's styles ------------------------------------------------------------------------

def test_a_book_css_linked_outside_the_manuscript_is_refused_and_nothing_is_written(manuscript, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("/* the secret */")
    root = manuscript(BOOK, {"a.md": DOC})
    (root / "styles").mkdir()
    (root / "styles/book.css").symlink_to(secret)
    with pytest.raises(ManuscriptError) as caught:
        build(root, tmp_path / "out", formats=("epub",))
    assert placed(list(caught.value.diagnostics)) == [("E116", "book.css", 1)]
    assert "the secret" not in str(caught.value)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.epub"))


def test_a_styles_folder_linked_outside_the_manuscript_is_refused(manuscript, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "templates").mkdir(parents=True)
    (elsewhere / "book.css").write_text("p { color: red }")
    root = manuscript(BOOK, {"a.md": DOC})
    (root / "styles").symlink_to(elsewhere, target_is_directory=True)
    assert [d.code for d in load_problems(root)] == ["E116"]


def test_a_templates_folder_linked_outside_is_refused(manuscript, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "chapter.xhtml.j2").write_text("<p>outside</p>")
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": "p { color: red }"})
    (root / "styles/templates").symlink_to(elsewhere, target_is_directory=True)
    assert placed(load_problems(root)) == [("E116", "templates", 0)]


def test_a_book_css_that_is_a_fifo_or_a_folder_is_refused_without_waiting(manuscript):
    root = manuscript(BOOK, {"a.md": DOC})
    (root / "styles").mkdir()
    os.mkfifo(root / "styles/book.css")
    _unblock_later(root / "styles/book.css")
    started = time.monotonic()
    # the fifo would hang whatever reads it: the EPUB, or WeasyPrint
    assert placed(render_problems(root)) == [("E120", "book.css", 1)]
    assert time.monotonic() - started < 3
    (root / "styles/book.css").unlink()
    (root / "styles/book.css").mkdir()
    assert placed(load_problems(root)) == [("E120", "book.css", 1)]


def test_a_huge_template_is_refused(manuscript):
    root = manuscript(BOOK, {"a.md": DOC, "styles/templates/chapter.xhtml.j2": "<p>" + "x" * 300_000 + "</p>"})
    found = load_problems(root)
    assert placed(found) == [("E119", "chapter.xhtml.j2", 1)] and "KB" in found[0].message


# --- git in the manuscript --------------------------------------------------------------------

def _git(root: Path, *args: str) -> str:
    """git run by the test itself, before the repository is made hostile."""
    env = {"PATH": os.environ["PATH"], "HOME": str(root.parent), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org", "GIT_COMMITTER_NAME": "E",
           "GIT_COMMITTER_EMAIL": "e@example.org"}
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def hostile_repository(manuscript, tmp_path) -> tuple[Path, str, Path]:
    """A manuscript in git whose own config runs a command on ``git status`` (the fsmonitor hook and
    a clean filter on every file), with an uncommitted edit; its root, HEAD's commit and the marker
    the command would touch."""
    if shutil.which("git") is None:
        pytest.skip("git is needed to make the repository")
    marker = tmp_path / "ran"
    root = manuscript(BOOK, {"a.md": DOC})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "first")
    commit = _git(root, "rev-parse", "HEAD")
    with open(root / ".git/config", "a") as config:
        config.write(f"[core]\n\tfsmonitor = touch {marker}\n[filter \"evil\"]\n\tclean = touch {marker}; cat\n")
    (root / ".gitattributes").write_text("* filter=evil\n")
    (root / "a.md").write_text(DOC + "\nAn edit.\n")
    return root, commit, marker


def test_a_proof_runs_no_command_from_the_manuscripts_git_config(manuscript, tmp_path):
    root, commit, marker = hostile_repository(manuscript, tmp_path)
    result = proof(root, tmp_path / "out", jobs=1)
    assert not marker.exists()
    stamp = json.loads((result.folder / "preflight.json").read_text())["revision"]
    assert stamp.startswith(commit[:10] + "+")


def test_the_revision_shows_edits_and_follows_packed_refs(manuscript, tmp_path):
    root, commit, marker = hostile_repository(manuscript, tmp_path)
    first = revision(root)
    (root / "a.md").write_text(DOC + "\nAnother edit.\n")
    assert revision(root) != first and revision(root).startswith(commit[:10])
    # refs packed (as git gc leaves them), written by hand: git itself is not run on this repository
    (root / ".git/packed-refs").write_text(f"# pack-refs with: peeled fully-peeled sorted\n{commit} refs/heads/main\n")
    (root / ".git/refs/heads/main").unlink()
    assert revision(root).startswith(commit[:10]) and not marker.exists()


def test_a_git_folder_outside_the_manuscript_is_not_read(manuscript, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is needed to make the repository")
    elsewhere = tmp_path / "elsewhere"  # another repository of the machine, whose history is not the book's
    elsewhere.mkdir()
    _git(elsewhere, "init", "-q")
    _git(elsewhere, "commit", "-q", "--allow-empty", "-m", "theirs")
    root = manuscript(BOOK, {"a.md": DOC})
    (root / ".git").write_text(f"gitdir: {elsewhere / '.git'}\n")
    assert revision(root).startswith("sha256:")
    (root / ".git").unlink()
    (root / ".git").symlink_to(elsewhere / ".git", target_is_directory=True)
    assert revision(root).startswith("sha256:")
    (root / ".git").unlink()
    shutil.copytree(elsewhere / ".git", root / ".git", symlinks=True)
    (root / ".git/HEAD").unlink()
    (root / ".git/HEAD").symlink_to(elsewhere / ".git/HEAD")
    assert revision(root).startswith("sha256:")
    (root / ".git/HEAD").unlink()
    (root / ".git/HEAD").write_text("ref: refs/heads/../../../../elsewhere/.git/HEAD\n")
    assert revision(root).startswith("sha256:")


# --- the book's CSS in the EPUB ---------------------------------------------------------------

class _Listener:
    """A local port that counts every connection made to it (and answers none)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                conn, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self.running = False
        self.thread.join()
        self.server.close()


def test_the_books_css_reaches_neither_the_network_nor_the_machine_in_any_format(manuscript, tmp_path):
    listener = _Listener()
    css = (f"@import url(http://127.0.0.1:{listener.port}/x.css);\n"
           "body { background: url(file:///etc/passwd); font-style: normal }\n"
           f"@font-face {{ font-family: Remote; src: url(http://127.0.0.1:{listener.port}/f.ttf) }}\n"
           "p { margin: 0 }\n")
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": css})
    try:
        result = build(root, tmp_path / "out")
    finally:
        listener.close()
    assert listener.connections == 0
    epub = next(p for p in result.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        carried = z.read("EPUB/css/custom.css").decode()
    assert "@import" not in carried and "url(" not in carried and "margin: 0;" in carried
    assert epubcheck_messages(epub) == []
    left_out = [(d.code, Path(d.loc.file).name, d.loc.line) for d in result.diagnostics.items if d.code == "W122"]
    assert left_out == [("W122", "book.css", 1), ("W122", "book.css", 2), ("W122", "book.css", 3)]


def test_every_way_css_names_a_url_is_left_out_of_the_epub_and_nothing_else():
    css = ('@import "y.css" screen;\n'
           '@media print { p { background-image: image-set("a.png" 1x); color: blue } }\n'
           "div { background: \\75 rl(file:///etc/passwd) }\n"
           'p::after { content: "url(not-a-url)" }\n')
    carried, left_out = epub_stylesheet(css)
    assert [item.line for item in left_out] == [1, 2, 3]
    assert "y.css" not in carried and "a.png" not in carried and "passwd" not in carried
    assert "color: blue" in carried and 'content: "url(not-a-url)"' in carried
    assert epub_stylesheet("p { margin: 0 }\n") == ("p { margin: 0 }\n", [])
