"""Where the CMYK characterization profile for the print PDF's output intent comes from.

No free CMYK profile may be committed here: Debian's free ICC packages hold only RGB, grey and
Lab profiles, and Ghostscript's CMYK profile is AGPL. setup.sh installs Debian's
``libgs-common`` (Ghostscript's profiles); a book may name its own with ``print.profile``.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.model import Book

#: Installed by setup.sh (Debian package libgs-common).
SYSTEM_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)


def find_cmyk_profile(book: Book) -> Path | None:
    if book.print.profile is not None:
        return book.print.profile
    return next((p for p in SYSTEM_PROFILES if p.is_file()), None)
