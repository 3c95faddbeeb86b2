"""``print:`` in book.yaml -> ``PrintSettings``: trim presets, lengths in any CSS unit, marks, standard."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from pipeline.diagnostics import Diagnostics
from pipeline.load.text import resolve, why_unreadable
from pipeline.load.yamlnodes import Value
from pipeline.model import Imposition, PrintSettings

_UNITS = {"pt": 1.0, "in": 72.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "pc": 12.0, "px": 0.75}

#: Trim sizes a press names, in points (width, height).
TRIM_PRESETS = {
    "6x9in": (432.0, 648.0),
    "a5": (148 * _UNITS["mm"], 210 * _UNITS["mm"]),
    "b5": (176 * _UNITS["mm"], 250 * _UNITS["mm"]),
    "royal": (156 * _UNITS["mm"], 234 * _UNITS["mm"]),
    "us-letter": (612.0, 792.0),
}
#: Sheets a copy shop or a printer has, in points (portrait: width, height).
SHEET_SIZES = {
    "a4": (210 * _UNITS["mm"], 297 * _UNITS["mm"]),
    "letter": (612.0, 792.0),
    "a3": (297 * _UNITS["mm"], 420 * _UNITS["mm"]),
    "tabloid": (792.0, 1224.0),
    "sra3": (320 * _UNITS["mm"], 450 * _UNITS["mm"]),
}
LAYOUTS = ("booklet", "signatures")
SPINE_DIRECTIONS = ("top-to-bottom", "bottom-to-top")
STANDARDS = ("pdf/x-4", "pdf/x-1a")
MARKS = ("crop", "cross")

_LENGTH = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm|pc|px)\s*")
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm|pc|px)?\s*[x×]\s*(\d+(?:\.\d+)?)\s*(pt|in|mm|cm|pc|px)\s*")


def parse_length(text: str) -> float | None:
    match = _LENGTH.fullmatch(text)
    return float(match[1]) * _UNITS[match[2]] if match else None


def parse_trim(text: str) -> tuple[float, float] | None:
    key = text.strip().lower()
    if key in TRIM_PRESETS:
        return TRIM_PRESETS[key]
    match = _SIZE.fullmatch(key)
    if not match:
        return None
    first_unit = match[2] or match[4]
    return float(match[1]) * _UNITS[first_unit], float(match[3]) * _UNITS[match[4]]


def parse_sheet(text: str) -> tuple[float, float] | None:
    """A sheet by name (``a3``, ``sra3``) or as a size (``320x450mm``), in points."""
    key = text.strip().lower()
    if key in SHEET_SIZES:
        return SHEET_SIZES[key]
    size = parse_trim(key) if key not in TRIM_PRESETS else None
    return size if size is not None and min(size) > 0 else None


def read_print_settings(values: dict[str, Value], root: Path, diags: Diagnostics) -> PrintSettings:
    """Check each ``print.*`` value; report what is not allowed and keep the defaults for it."""
    settings: dict = {}
    if "trim" in values:
        size = parse_trim(values["trim"].value)
        if size is None or min(size) <= 0:
            diags.add("E108", values["trim"].loc, f"'{values['trim'].value}' is not a trim size",
                      f"use one of {', '.join(TRIM_PRESETS)} or a size like 5.5x8.5in")
        else:
            settings["trim_width"], settings["trim_height"] = size
    if "bleed" in values:
        bleed = _length(values["bleed"], lambda v: v <= 36, "a bleed", "a length up to 0.5in, e.g. 0.125in or 3mm", diags)
        if bleed is not None:
            settings["bleed"] = bleed
    if "marks" in values:
        words = values["marks"].value.split()
        if words == ["none"]:
            settings["marks"] = ()
        elif words and all(w in MARKS for w in words):
            settings["marks"] = tuple(dict.fromkeys(words))
        else:
            diags.add("E108", values["marks"].loc, f"'{values['marks'].value}' is not a choice of marks",
                      "crop, cross, 'crop cross' or none")
    if "standard" in values:
        standard = values["standard"].value.strip().lower()
        if standard in STANDARDS:
            settings["standard"] = standard
        else:
            diags.add("E108", values["standard"].loc, f"'{values['standard'].value}' is not a print standard",
                      " or ".join(STANDARDS))
    if "profile" in values:
        given, loc = values["profile"].value, values["profile"].loc
        path = resolve(root / given)
        if path is None:
            diags.add("E105", loc, f"colour profile '{given}' cannot be reached: a symbolic link leads round in a loop")
        elif not path.is_relative_to(root.resolve()):
            diags.add("E116", loc, f"colour profile '{given}' is outside the manuscript folder")
        elif why_unreadable(path) not in (None, "does not exist"):
            diags.add("E105", loc, f"colour profile '{given}' {why_unreadable(path)}")
        elif path.is_file():
            problem = _not_cmyk(path)
            if problem:
                diags.add("E108", loc, f"colour profile '{given}' {problem}",
                          "the print PDF's output intent needs the printer's CMYK profile (e.g. FOGRA39, GRACoL)")
            else:
                settings["profile"] = path
        else:
            diags.add("E105", loc, f"colour profile '{given}' does not exist", f"looked for {path}")
    if "signature" in values:
        if values["signature"].value in (4, 8, 16, 32):
            settings["signature"] = values["signature"].value
        else:
            diags.add("E108", values["signature"].loc, "a signature holds 4, 8, 16 or 32 pages")
    _read_paper(values, settings, diags)
    if "imposition" in values:
        settings["imposition"] = _read_imposition(values["imposition"].value, diags)
    return PrintSettings(**settings)


def _read_paper(values: dict[str, Value], settings: dict, diags: Diagnostics) -> None:
    """``print.paper`` (ppi or caliper), ``print.cover_board`` and ``print.spine_direction``: what the cover's spine needs."""
    paper = values["paper"].value if "paper" in values else {}
    if "ppi" in paper and "caliper" in paper:
        diags.add("E108", paper["caliper"].loc, "print.paper takes ppi or caliper, not both",
                  "the printer quotes one of them; keep that one")
    elif "ppi" in paper:
        # Book papers run from about 200 (bulky) to 1000 (bible paper) pages per inch.
        if 100 <= paper["ppi"].value <= 2000:
            settings["ppi"] = float(paper["ppi"].value)
        else:
            diags.add("E108", paper["ppi"].loc, f"{paper['ppi'].value} pages per inch is not a paper",
                      "book papers run from about 200 to 1000 ppi; 444 is a common 50 lb uncoated stock")
    elif "caliper" in paper:
        # a leaf is thinner than a millimetre (2.835 pt) and thicker than nothing
        caliper = _length(paper["caliper"], lambda v: 0 < v < 72 / 25.4, "the thickness of a leaf",
                          "a length under 1mm, e.g. 0.0045in or 0.114mm", diags)
        if caliper is not None:
            settings["caliper"] = caliper
    if "cover_board" in values:
        board = _length(values["cover_board"], lambda v: v <= 18, "a cover's thickness",
                        "a length up to 0.25in, e.g. 0.01in or 0.3mm", diags)
        if board is not None:
            settings["cover_board"] = board
    if "spine_direction" in values:
        direction = values["spine_direction"].value.strip().lower()
        if direction in SPINE_DIRECTIONS:
            settings["spine_direction"] = direction
        else:
            diags.add("E108", values["spine_direction"].loc, f"'{values['spine_direction'].value}' is not a spine direction",
                      " or ".join(SPINE_DIRECTIONS))


def _read_imposition(values: dict[str, Value], diags: Diagnostics) -> Imposition:
    """``print.imposition``: the defaults of ``press impose``."""
    found: dict = {}
    if "layout" in values:
        layout = values["layout"].value.strip().lower()
        if layout in LAYOUTS:
            found["layout"] = layout
        else:
            diags.add("E108", values["layout"].loc, f"'{values['layout'].value}' is not an imposition", " or ".join(LAYOUTS))
    if "sheet" in values:
        sheet = parse_sheet(values["sheet"].value)
        if sheet is None:
            diags.add("E108", values["sheet"].loc, f"'{values['sheet'].value}' is not a sheet",
                      f"one of {', '.join(SHEET_SIZES)} or a size like 320x450mm")
        else:
            found["sheet"] = sheet
    if "creep" in values:
        creep = parse_creep(values["creep"].value)
        if creep is None:
            diags.add("E108", values["creep"].loc, f"'{values['creep'].value}' is not a creep",
                      "a length up to 0.25in, e.g. 0.5mm or 0 for none")
        else:
            found["creep"] = creep
    return Imposition(**found)


def _length(value: Value, allowed: Callable[[float], bool], what: str, hint: str, diags: Diagnostics) -> float | None:
    """A length key of ``print:`` in points, or None with an E108 at its line when it is none or out of bounds."""
    length = parse_length(value.value)
    if length is None or not allowed(length):
        diags.add("E108", value.loc, f"'{value.value}' is not {what}", hint)
        return None
    return length


def parse_creep(text: str) -> float | None:
    """A creep in points: a length up to a quarter inch (more would eat the gutter), or 0."""
    if text.strip() == "0":
        return 0.0
    creep = parse_length(text)
    return creep if creep is not None and creep <= 18 else None


def _not_cmyk(path: Path) -> str | None:
    """Why an ICC profile cannot be a print output intent, or None when it is a CMYK one.

    The header says it all: the signature 'acsp' at byte 36 and the data colour space at 16.
    """
    try:
        with path.open("rb") as f:
            header = f.read(128)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if len(header) < 128 or header[36:40] != b"acsp":
        return "is not an ICC colour profile"
    space = header[16:20].decode("latin-1").strip()
    if space != "CMYK":
        return f"is a profile for {space or 'an unknown colour space'}, not CMYK"
    return None
