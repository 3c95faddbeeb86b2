"""A manuscript is not trusted: nothing in it may run a command, reach the network, read a file
outside its folder into an output, or take over the terminal that shows press's messages.

Each test builds a hostile manuscript and proves the attack fails; each failed on the code
before the defence it tests was written.
"""

from __future__ import annotations

import pickle

import pytest

from pipeline.diagnostics import Diagnostic, ManuscriptError
from pipeline.load import load_book
from pipeline.model import SourceLoc

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
