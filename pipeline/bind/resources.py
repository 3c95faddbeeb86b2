"""One copy of each shared resource in a bound book: font programs and colour profiles.

Each part of a book embeds its own subset of every face it uses and its own copy of the CMYK
profile. WeasyPrint's subsets (HarfBuzz or fontTools) keep every glyph at its id in the font, so one
program cut from the font in ``styles/fonts`` with the union of the parts' glyphs serves them
all; each part keeps its own widths and Unicode map, which stay right for its glyphs.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont

from pipeline.styles import font_files


def one_copy_of_each_font(book: pikepdf.Pdf) -> None:
    """One font program per face for the whole book, holding every glyph any part used.

    Each part embeds its own subset of a face, with the glyphs at their ids in the whole font
    (HarfBuzz keeps them), so the union of the glyphs the parts' width arrays list, cut from
    the font in ``styles/fonts``, serves them all; each part keeps its own widths and Unicode
    map, which stay right for its glyphs.
    """
    faces: dict[str, tuple[set[int], list[pikepdf.Dictionary]]] = {}
    for font in _cid_fonts(book):
        descriptor = font.FontDescriptor
        if "/FontFile2" not in descriptor:
            continue
        glyphs, descriptors = faces.setdefault(_face(descriptor.FontFile2), (set(), []))
        glyphs.update(_glyphs(font.get("/W", pikepdf.Array())))
        descriptors.append(descriptor)
    files = _font_files()
    for name, (glyphs, descriptors) in sorted(faces.items()):
        if name not in files or len(descriptors) < 2:
            continue  # not one of press's fonts, or already one copy
        program = pikepdf.Stream(book, _subset(files[name], frozenset(glyphs)))
        program.Length1 = len(program.read_bytes())
        for descriptor in descriptors:
            descriptor.FontFile2 = program


def _cid_fonts(book: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The CID fonts the pages (and the forms drawn on them) use, each once."""
    found: dict[tuple[int, int], pikepdf.Dictionary] = {}
    holders = [page.obj for page in book.pages]
    holders += [x for page in book.pages for x in page.obj.Resources.get("/XObject", {}).values()]
    for holder in holders:
        for font in holder.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary()).values():
            for cid in font.get("/DescendantFonts", []):
                if cid.get("/Subtype") == "/CIDFontType2" and "/FontDescriptor" in cid:
                    found.setdefault(cid.objgen, cid)
    return list(found.values())


def _face(program: pikepdf.Stream) -> str:
    """The PostScript name inside an embedded font program (WeasyPrint names fonts by family)."""
    with TTFont(io.BytesIO(program.read_bytes()), lazy=True) as font:
        return font["name"].getDebugName(6) or ""


def one_copy_of_each_profile(book: pikepdf.Pdf) -> None:
    """Every part brings its copy of the CMYK profile for its colour space: keep the first."""
    first: dict[bytes, pikepdf.Object] = {}
    for intent in book.Root.get("/OutputIntents", []):  # the output intent's copy comes first
        if "/DestOutputProfile" in intent:
            profile = intent.DestOutputProfile
            intent.DestOutputProfile = first.setdefault(profile.read_raw_bytes(), profile)
    forms = (xobject for page in book.pages for xobject in page.obj.Resources.get("/XObject", {}).values())
    for holder in [page.obj for page in book.pages] + list(forms):
        spaces = holder.get("/Resources", pikepdf.Dictionary()).get("/ColorSpace", pikepdf.Dictionary())
        for name, space in spaces.items():
            if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == "/ICCBased":
                profile = space[1]
                spaces[name] = pikepdf.Array([pikepdf.Name.ICCBased, first.setdefault(profile.read_raw_bytes(), profile)])


def _glyphs(widths: pikepdf.Array) -> set[int]:
    """The glyph ids a /W array gives widths for: ``c [w1 w2 …]`` and ``c_first c_last w``."""
    out: set[int] = set()
    items = list(widths)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], pikepdf.Array):
            out.update(range(first, first + len(items[i + 1])))
            i += 2
        else:
            out.update(range(first, int(items[i + 1]) + 1))
            i += 3
    return out


@lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    """press's fonts by PostScript name."""
    out = {}
    for path in font_files():
        with TTFont(path, lazy=True) as font:
            out[font["name"].getDebugName(6)] = path
    return out


#: Tables a PDF's embedded font does not use: the shaping was done by the layout (OpenType and
#: Graphite tables).
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "Silf", "Sill", "Silt", "Glat", "Gloc", "Feat")


@lru_cache(maxsize=8)  # the print and the screen PDF of a build use the same glyphs
def _subset(path: Path, glyphs: frozenset[int]) -> bytes:
    """The font at ``path`` cut to ``glyphs`` (and .notdef), every glyph keeping its id."""
    font = TTFont(path, recalcTimestamp=False)
    # Dropped before subsetting, not only by it: the subsetter reads the layout tables through
    # (about three quarters of its time) before it drops them. The bytes are the same.
    for tag in DROPPED_TABLES:
        if tag in font:
            del font[tag]
    options = subset.Options(retain_gids=True, notdef_outline=True, hinting=False, desubroutinize=True,
                             glyph_names=False, layout_features=[], name_IDs=["*"], drop_tables=list(DROPPED_TABLES))
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
