"""When press itself fails: a crash log an editor can send, instead of a traceback on screen."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from importlib import metadata
from pathlib import Path

PACKAGES = ("press", "weasyprint", "ebooklib", "jinja2", "pyyaml", "markdown-it-py", "pypdfium2")


def crash_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "press"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except OSError:
        return Path(tempfile.gettempdir())


def write_crash_log(argv: list[str]) -> Path:
    """Write what happened (command, versions, traceback) and return where."""
    lines = [
        f"press crash report, {dt.datetime.now().isoformat(timespec='seconds')}",
        f"command: press {' '.join(argv)}",
        f"working folder: {os.getcwd()}",
        f"python: {sys.version.split()[0]} on {platform.platform()}",
    ]
    for name in PACKAGES:
        try:
            lines.append(f"{name}: {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            lines.append(f"{name}: not installed")
    lines += ["", traceback.format_exc()]
    text = "\n".join(lines)
    for value in sorted(_PRIVATE, key=len, reverse=True):  # longest first: a name holding an id
        text = text.replace(value, "[private]")
    path = crash_folder() / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}.log"
    path.write_text(text, encoding="utf-8")
    return path


#: Values a crash log must not hold (a roster's ids and names, a stamping secret): replaced by
#: ``[private]`` wherever the traceback or the messages would show them.
_PRIVATE: set[str] = set()


def keep_out(values) -> None:
    """Never write these values into a crash log."""
    _PRIVATE.update(v for v in values if v and len(v) >= 2)
