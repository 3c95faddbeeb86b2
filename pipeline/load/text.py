"""Reading a manuscript file as text, the way word processors and editors save them."""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.model import SourceLoc


def read_text(path: Path, file: str, diags: Diagnostics) -> str | None:
    """UTF-8 (a byte-order mark is accepted and dropped), with CRLF and CR line ends made LF.

    Anything else is reported with the byte where decoding failed and the line it is on.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.add("E100", SourceLoc(file), f"cannot read the file: {exc.strerror or exc}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.add(
            "E113",
            SourceLoc(file, line),
            f"the file is not UTF-8: byte {exc.start} (0x{data[exc.start]:02x}) cannot be read",
            "save it as UTF-8 (in most editors: Save As, encoding UTF-8)",
        )
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def resolve(path: Path) -> Path | None:
    """``path`` with every symbolic link followed, or None when the links lead round in a loop."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop, later ones OSError
        return None


def why_unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be read as a manuscript file, in an editor's words, or None when it can.

    Only a regular file is read: a FIFO would block press, a device would never end.
    """
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return "does not exist"
        if exc.errno == errno.ELOOP:
            return "cannot be reached: a symbolic link leads round in a loop"
        return f"cannot be reached: {exc.strerror or exc}"
    if not stat.S_ISREG(info.st_mode):
        return "is not a file" + (" (it is a folder)" if stat.S_ISDIR(info.st_mode) else "")
    return None
