"""``press watch``: rebuild the proof whenever a manuscript or style file is saved.

Polls file times (no extra dependency, works on every file system). A broken save prints its
errors and keeps the last good proof; the next save tries again. Documents unchanged since the
last proof come from the cache, so a save costs the layout of the document it changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

from pipeline.crash import write_crash_log
from pipeline.diagnostics import ManuscriptError
from pipeline.layout.cache import CACHE_FOLDER
from pipeline.styles import STYLES

WATCHED = {".yaml", ".yml", ".md", ".txt", ".css", ".js", ".j2", ".html", ".png", ".jpg", ".jpeg", ".ttf", ".otf"}


def snapshot(folders: list[Path]) -> dict[Path, float]:
    """The modification time of every watched file under ``folders``.

    A proof or a cache written inside a watched folder is not a change; those folders are
    recognised by their names inside the watched folder only, so a manuscript kept under a
    folder named ``proof`` is watched all the same.
    """
    out = {}
    for folder in folders:
        for path in folder.rglob("*"):
            try:
                if (path.suffix.lower() in WATCHED and path.is_file()
                        and not {"proof", CACHE_FOLDER} & set(path.relative_to(folder).parts)):
                    out[path] = path.stat().st_mtime
            except OSError:  # removed between the listing and the look (an editor's swap file)
                continue
    return out


def watch(book_dir: Path, rebuild: Callable[[], object], say: Callable[[str], None], interval: float = 0.2,
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
        except Exception as exc:  # press's own failure on this save: say so, keep watching for the next
            log = write_crash_log(["watch", str(book_dir)])
            say(f"press: an internal error stopped this rebuild ({type(exc).__name__}: {exc}); details are in {log}")
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
