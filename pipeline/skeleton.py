"""``press new DIR``: a small manuscript to start from, which builds as it is.

The files are press's own (``styles/skeleton/``): a book.yaml naming every key, most of them
commented out with what they do, and one document showing a headnote, speaker turns, an
omission, a heading, a letter's line breaks, a footnote and a source note.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.model import SourceLoc
from pipeline.styles import STYLES

SKELETON = STYLES / "skeleton"


def new_manuscript(folder: Path) -> list[Path]:
    """Copy the skeleton into ``folder`` (new or empty); return the files written.

    Nothing is overwritten: a folder that holds anything already is a placed problem (E117).
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        diags = Diagnostics()
        diags.add("E117", SourceLoc(str(folder)), "a new manuscript goes into a new or empty folder; this one is not",
                  "name another folder: press new my-reader")
        raise ManuscriptError(diags.errors)
    written = []
    for source in sorted(p for p in SKELETON.rglob("*") if p.is_file()):
        target = folder / source.relative_to(SKELETON)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    return written
