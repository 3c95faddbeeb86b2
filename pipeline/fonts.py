"""The book faces cut down to the characters an output uses: for the EPUB (TrueType) and the web
edition (WOFF2).

Whole, press's four faces are 3.4 MB, most of an EPUB and far more than a web page should
fetch. Each is subset with fontTools to the characters the output's own text holds, keeping
every OpenType layout feature (small capitals, ligatures, the glyphs they reach) and dropping
the Graphite tables, which no reading system or browser uses. The result depends on the text
alone, so the same manuscript gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.ttLib import TTFont

from pipeline.files import atomic_write
from pipeline.hashing import file_hash

_GRAPHITE = ["Silf", "Sill", "Silt", "Glat", "Gloc", "Feat"]


def subset_font(path: Path, characters: set[str], flavor: str | None = None, kept: Path | None = None) -> bytes:
    """The font at ``path`` with the glyphs for ``characters`` (and what its features reach);
    ``flavor`` ``"woff2"`` compresses it for the web (Brotli, through fontTools).

    With ``kept`` (a folder of the build's cache), the subset is kept there and read back when the
    same face is cut to the same characters again, as a rebuild after an edit mostly does: fontTools
    reads every layout table of the face to subset it, half a second for press's four faces.
    """
    if kept is None:
        return _subset(path, characters, flavor)
    stem = f"{path.stem}-{flavor or 'ttf'}-"
    key = hashlib.sha256("\0".join([file_hash(path), fontTools.version, *sorted(characters)]).encode()).hexdigest()[:32]
    earlier = [p for p in kept.iterdir() if p.name.startswith(stem)] if kept.is_dir() else []
    for found in earlier:
        if found.stem == stem + key:
            data = found.read_bytes()
            if hashlib.sha256(data).hexdigest()[:16] == found.suffix[1:]:  # whole, as it was written
                return data
    data = _subset(path, characters, flavor)
    kept.mkdir(parents=True, exist_ok=True)
    for older in earlier:  # one subset kept per face and flavour: the last one made
        older.unlink(missing_ok=True)
    atomic_write(kept / f"{stem}{key}.{hashlib.sha256(data).hexdigest()[:16]}", lambda tmp: tmp.write_bytes(data))
    return data


def _subset(path: Path, characters: set[str], flavor: str | None) -> bytes:
    options = subset.Options(layout_features=["*"], name_IDs=["*"], name_languages=["*"], notdef_outline=True,
                              glyph_names=False, hinting=True, drop_tables=[*subset.Options().drop_tables, *_GRAPHITE])
    font = TTFont(str(path), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in characters} | {0x20, 0xA0})
    subsetter.subset(font)
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
