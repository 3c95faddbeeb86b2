"""The book's own styles (``styles/book.css``, ``styles/templates/``), checked as it is loaded.

They come from the manuscript, so they are confined as its documents and images are: a file
that is a link leading outside the manuscript (``book.css`` → ``/etc/passwd``, which the EPUB
would carry), that is not a regular file (a FIFO would hang the build), that is too large or not
UTF-8 is reported at the file, and the build stops before anything reads it.
"""

from __future__ import annotations

import bisect
import os
import re
from pathlib import Path
from typing import Callable

from pipeline.diagnostics import Diagnostics
from pipeline.model import SourceLoc
from pipeline.styles import MAX_STYLESHEET_BYTES, MAX_TEMPLATE_BYTES, StyleFileRefused, read_style_file

#: A templates folder holds a dozen files; more is not a templates folder.
MAX_TEMPLATE_FILES = 500


def check_styles(root: Path, diags: Diagnostics, display_path: Callable[[Path], str]) -> None:
    """Report every file of ``root/styles`` that press would read and may not (E116, E120, E115, E119, E113),
    and in book.css what the layout engine would fail on (E121)."""
    def display(path: Path) -> str:  # a link is named as the manuscript names it, not by its target
        return str(Path(display_path(path.parent)) / path.name)

    folder = root / "styles"
    if not os.path.lexists(folder):
        return
    if not _inside(folder, root):
        diags.add("E116", SourceLoc(display(folder)), "the styles folder leads outside the manuscript folder",
                  "keep the book's styles inside it")
        return
    wanted: list[tuple[Path, int, str]] = []
    if os.path.lexists(folder / "book.css"):
        wanted.append((folder / "book.css", MAX_STYLESHEET_BYTES, "E115"))
    templates = folder / "templates"
    if os.path.lexists(templates):
        if not _inside(templates, root):
            diags.add("E116", SourceLoc(display(templates)), "the templates folder leads outside the manuscript folder",
                      "keep the book's templates inside it")
            return
        if templates.is_dir():
            wanted.extend((path, MAX_TEMPLATE_BYTES, "E119") for path in _files(templates))
    for path, limit, too_large in wanted:
        try:
            text = read_style_file(path, root, limit, too_large).decode("utf-8")
            if path.name == "book.css" and path.parent == folder:
                for line in cmyk_gradient_lines(text):
                    diags.add("E121", SourceLoc(display(path), line),
                              "a gradient in device-cmyk() colours, which the layout engine cannot draw",
                              "use a flat device-cmyk() colour instead")
        except StyleFileRefused as refused:
            diags.add(refused.code, SourceLoc(display(path), 1), refused.message,
                      "copy the file itself into the manuscript" if refused.code == "E116" else None)
        except UnicodeDecodeError as error:
            diags.add("E113", SourceLoc(display(path), 1), f"'{path.name}' is not UTF-8 text ({error.reason} at byte {error.start})",
                      "save it as UTF-8")


_COMMENT = re.compile(r"/\*.*?(\*/|\Z)", re.S)
_GRADIENT = re.compile(r"gradient\s*\(", re.I)
_PARENTHESIS = re.compile(r"[()]")
_DEVICE_CMYK = re.compile(r"device-cmyk", re.I)


def cmyk_gradient_lines(css: str) -> list[int]:
    """The lines of ``css`` where a gradient with a device-CMYK colour begins, each once. WeasyPrint 70 draws
    every gradient in sRGB and stops with an error at a device-CMYK stop, which would end the
    build as press's own failure instead of the stylesheet's.

    One pass over the text, whatever it holds (a stylesheet is the manuscript's, up to 1 MB): each
    parenthesis is matched with a stack, and a gradient's span is searched in the positions of
    ``device-cmyk`` found once."""
    css = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), css)  # comments out, lines kept
    closing: dict[int, int] = {}  # where each "(" is closed (the end of the text when it is not)
    opened: list[int] = []
    for match in _PARENTHESIS.finditer(css):
        if match.group() == "(":
            opened.append(match.start())
        elif opened:
            closing[opened.pop()] = match.start()
    cmyk = [m.start() for m in _DEVICE_CMYK.finditer(css)]
    newlines = [m.start() for m in re.finditer("\n", css)]
    lines: set[int] = set()  # each line once, however many gradients it holds
    for match in _GRADIENT.finditer(css):
        start = match.end() - 1  # the gradient's "("
        end = closing.get(start, len(css))
        first = bisect.bisect_left(cmyk, start)
        if first < len(cmyk) and cmyk[first] < end:
            lines.add(bisect.bisect_left(newlines, match.start()) + 1)
    return sorted(lines)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def _files(folder: Path) -> list[Path]:
    """Everything in ``folder`` and its subfolders that is not a folder (links are not followed into
    folders: a linked folder is itself reported), in a stable order and no more than a sane number."""
    out: list[Path] = []
    for here, folders, names in os.walk(folder):
        folders.sort()
        base = Path(here)
        out.extend(base / name for name in sorted(names))
        # a link to a folder is listed by os.walk as a folder and not entered: report it as a file
        out.extend(base / name for name in folders if (base / name).is_symlink())
        if len(out) > MAX_TEMPLATE_FILES:
            break
    return out[:MAX_TEMPLATE_FILES]
