"""The inks of a painted PDF: what in it a PDF/X print PDF may not hold (RGB colour, text not in
black ink or a tint of it, RGB images and gradients).

The print book's parts and folio layer are checked here as each is painted, in the process that
painted it, and the findings are kept beside the file (``check_colours``): the binder reads them
(``checked_colours``) instead of reading every content stream of the bound book again, so a
rebuild checks only what it painted. ``bind/pdfx.py`` checks a whole PDF the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pikepdf

_RGB_OPERATORS = {"rg", "RG"}
_TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}
_READ_OPERATORS = " ".join(sorted(_RGB_OPERATORS | _TEXT_OPERATORS | {"cs", "sc", "scn", "k", "g", "Do", "sh"}))
#: Components of the colour spaces a gradient may be given in.
_COMPONENTS = {"/DeviceGray": 1, "/DeviceRGB": 3, "/DeviceCMYK": 4}


def _is_rgb_space(space) -> bool:
    if space is None:
        return False
    if isinstance(space, pikepdf.Name):
        return space in ("/DeviceRGB", "/CalRGB")
    if isinstance(space, pikepdf.Array) and len(space) and space[0] == "/ICCBased":
        return int(space[1].get("/N", 0)) == 3
    return False


def _components(space) -> int | None:
    if isinstance(space, pikepdf.Name):
        return _COMPONENTS.get(str(space))
    if isinstance(space, pikepdf.Array) and len(space) > 1 and space[0] == "/ICCBased":
        return int(space[1].get("/N", 0))
    return None


def _functions(function) -> list:
    """A shading's function and, for a stitching function, the ones it joins."""
    if isinstance(function, pikepdf.Array):
        return [f for item in function for f in _functions(item)]
    if not isinstance(function, pikepdf.Dictionary):
        return []
    return [function, *(f for item in function.get("/Functions", ()) for f in _functions(item))]


def gradient_problem(shading) -> str | None:
    """What keeps a gradient (a shading) out of a PDF/X file: RGB colour, or RGB values given in
    a CMYK space, as WeasyPrint 70 writes a gradient between rgb() colours in a print PDF."""
    if not isinstance(shading, pikepdf.Dictionary):
        return None
    space = shading.get("/ColorSpace")
    components = _components(space)
    if components == 3 or _is_rgb_space(space):
        return "a gradient in RGB"
    if components is not None and not isinstance(shading.get("/Function"), pikepdf.Array):
        for function in _functions(shading.get("/Function")):
            if any(key in function and len(function[key]) != components for key in ("/C0", "/C1")):
                return f"a gradient whose colours have {len(function.get('/C0', ()))} components in {space} (RGB)"
    return None


def walk_colours(stream_owner, resources, where: str, out: list[str], seen: set) -> None:
    """Walk one content stream (a page or a form XObject), and the forms and images it uses."""
    key = stream_owner.objgen
    if key in seen:
        return
    seen.add(key)
    spaces = resources.get("/ColorSpace", {}) if resources is not None else {}
    fill_space: Any = "/DeviceGray"
    fill: list[float] = [0.0]
    # Only the operators read here come back from the parser: a page of text is mostly others
    # (positioning, glyph runs' spacing), and making Python objects of them took two thirds of
    # the check's time.
    for operands, operator in pikepdf.parse_content_stream(stream_owner, _READ_OPERATORS):
        op = str(operator)
        if op in _RGB_OPERATORS:
            out.append(f"{where}: RGB colour ({op})")
        elif op == "cs":
            name = operands[0]
            fill_space = name if name in ("/DeviceCMYK", "/DeviceGray", "/DeviceRGB") else spaces.get(name)
            if _is_rgb_space(fill_space if not isinstance(fill_space, str) else pikepdf.Name(fill_space)):
                out.append(f"{where}: RGB colour space {name}")
        elif op in ("sc", "scn"):
            fill = [float(v) for v in operands if not isinstance(v, pikepdf.Name)]
            names = [v for v in operands if isinstance(v, pikepdf.Name)]
            if names and resources is not None:  # a pattern: a gradient, or a tile drawn like a form
                pattern = resources.get("/Pattern", {}).get(names[-1])
                if isinstance(pattern, pikepdf.Stream) and int(pattern.get("/PatternType", 0)) == 1:
                    walk_colours(pattern, pattern.get("/Resources", resources), where, out, seen)
                elif isinstance(pattern, pikepdf.Dictionary):
                    problem = gradient_problem(pattern.get("/Shading"))
                    if problem:
                        out.append(f"{where}: {problem}")
        elif op == "sh" and resources is not None:
            problem = gradient_problem(resources.get("/Shading", {}).get(operands[0]))
            if problem:
                out.append(f"{where}: {problem}")
        elif op == "k":
            fill_space, fill = "/DeviceCMYK", [float(v) for v in operands]
        elif op == "g":
            fill_space, fill = "/DeviceGray", [float(v) for v in operands]
        elif op in _TEXT_OPERATORS:
            if str(fill_space) != "/DeviceCMYK" or len(fill) != 4 or any(fill[:3]):
                out.append(f"{where}: text not in CMYK black or a tint of K ({fill_space} {fill})")
        elif op == "Do" and resources is not None:
            xobject = resources.get("/XObject", {}).get(operands[0])
            if xobject is None:
                continue
            if xobject.get("/Subtype") == "/Form":
                walk_colours(xobject, xobject.get("/Resources", resources), where, out, seen)
            elif xobject.get("/Subtype") == "/Image" and _is_rgb_space(xobject.get("/ColorSpace")):
                out.append(f"{where}: RGB image {operands[0]}")


def colour_problems(path: Path) -> list[tuple[int, str]]:
    """The colour problems of a PDF to be bound into the print book (a part, a folio layer run),
    page by page: (the page's index in the file, what is wrong)."""
    problems: list[tuple[int, str]] = []
    with pikepdf.open(path) as pdf:
        seen: set = set()
        for number, page in enumerate(pdf.pages):
            found: list[str] = []
            walk_colours(page.obj, page.Resources, "", found, seen)
            problems += [(number, problem[2:]) for problem in found]  # each begins with ": "
    return problems


def check_colours(path: Path) -> None:
    """Check a PDF to be bound into the print book when it is written (where it is painted, in
    parallel, and once: it is cached with it) and keep the findings beside it, for
    ``checked_colours``."""
    _checked(path).write_text(json.dumps(colour_problems(path)), encoding="utf-8")


def checked_colours(path: Path, pages: int) -> list[tuple[int, str]]:
    """The colour problems of ``path`` (of ``pages`` pages) as found when it was written, or found
    now when none were kept or what was kept is damaged."""
    try:
        found = [(int(page), str(problem)) for page, problem in json.loads(_checked(path).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return colour_problems(path)
    if any(not 0 <= page < pages for page, _ in found):
        return colour_problems(path)
    return found


def _checked(path: Path) -> Path:
    return path.with_name(path.name + ".colours.json")
