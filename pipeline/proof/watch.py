"""``press watch``: rebuild the proof whenever a manuscript or style file is saved.

Polls file times (no extra dependency, works on every file system). A broken save prints its
errors and keeps the last good proof; the next save tries again. Documents unchanged since the
last proof come from the cache, so a save costs the layout of the document it changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from pipeline.diagnostics import ManuscriptError
from pipeline.layout.cache import CACHE_FOLDER
from pipeline.styles import STYLES

WATCHED = {".yaml", ".yml", ".md", ".txt", ".css", ".js", ".j2", ".html", ".png", ".jpg", ".jpeg", ".ttf", ".otf"}


def snapshot(folders: list[Path]) -> dict[Path, float]:
    out = {}
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and path.suffix.lower() in WATCHED and not {"proof", CACHE_FOLDER} & set(path.parts):
                out[path] = path.stat().st_mtime
    return out


def watch(book_dir: Path, rebuild: Callable[[], object], say: Callable[[str], None], interval: float = 0.5,
          rounds: int | None = None) -> None:
    """Rebuild once, then on every change; ``rounds`` bounds the loop (for tests)."""
    folders = [Path(book_dir), STYLES]

    def attempt(reason: str) -> None:
        started = time.monotonic()
        try:
            rebuild()
        except ManuscriptError as exc:
            for d in exc.diagnostics:
                say(d.format())
            say("proof not rebuilt; the last good proof is kept")
            return
        say(f"{reason}: proof rebuilt in {time.monotonic() - started:.1f} s")

    before = snapshot(folders)
    attempt("start")
    done = 0
    while rounds is None or done < rounds:
        time.sleep(interval)
        done += 1
        now = snapshot(folders)
        if now != before:
            changed = sorted({p for p in now.keys() | before.keys() if now.get(p) != before.get(p)})
            before = now
            attempt("changed: " + ", ".join(str(p.name) for p in changed[:5]))
