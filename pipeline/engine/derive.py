"""A part's screen PDF derived from its tagged print PDF, without painting the pages again.

The screen PDF differs from the print one in three things only, none of them in the layout:
no bleed (each page's boxes are its trim), RGB colour (WeasyPrint writes every device-CMYK
colour as ``/DeviceCMYK cs  c m y k scn``, which becomes ``r g b rg``), and the editor's RGB
images instead of their CMYK separations. Painting the laid-out pages a second time cost as
much as painting them once; rewriting the print PDF's content streams costs a tenth of it.

The print PDF must be painted tagged (``paint.write_pdf(..., tagged=True)``) so that the screen
PDF has its structure tree; the print binder drops the tags' page keys again. Anything the
rewrite does not understand (a gradient or an image in CMYK that it has no original for, a
CMYK colour written any other way) makes ``derive_screen`` return False, and the caller paints
the screen PDF with WeasyPrint as before: the result is never a screen PDF with CMYK left in it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pikepdf
import pydyf

from pipeline.engine.screen import cmyk_to_rgb

# WeasyPrint's set_color for a device-CMYK colour: the space, then its four components.
_CMYK_COLOUR = re.compile(
    rb"/DeviceCMYK (cs|CS)\n([-+.0-9eE]+) ([-+.0-9eE]+) ([-+.0-9eE]+) ([-+.0-9eE]+) (scn|SCN)\n")
# What is left of CMYK in a content stream once its colours are rewritten: nothing, or the rewrite
# met something it does not know (a name, looked for as bytes, or the k/K operators).
_CMYK_NAMES = (b"/DeviceCMYK", b"/device-cmyk")
_CMYK_OPERATOR = re.compile(rb"\s[kK](?:\s|\Z)")

#: An image XObject of the screen PDF, made for the XObject's name in the print PDF (WeasyPrint's
#: ``i<image id><interpolate>``) at the print image's size; None when the name is not an image of
#: the manuscript's (the rewrite then gives up).
ScreenImage = Callable[[str, int, int], "pydyf.Stream | None"]


class _Underivable(Exception):
    """The print PDF holds something the rewrite cannot turn into screen colours."""


def _rgb_operator(match: re.Match) -> bytes:
    c, m, y, k = (float(v) for v in match.group(2, 3, 4, 5))
    r, g, b = cmyk_to_rgb(c, m, y, k)
    operator = b"RG" if match.group(1) == b"CS" else b"rg"
    return b"%s %s %s %s\n" % (_number(r), _number(g), _number(b), operator)


def _number(value: float) -> bytes:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return (text if text not in ("", "-0") else "0").encode()


def rgb_content(data: bytes) -> bytes:
    """A content stream with its device-CMYK colours in RGB; raises when any CMYK is left."""
    data = _CMYK_COLOUR.sub(_rgb_operator, data)
    if any(name in data for name in _CMYK_NAMES) or _CMYK_OPERATOR.search(data):
        raise _Underivable("a CMYK colour the rewrite does not know")
    return data


def _is_cmyk(space: pikepdf.Object) -> bool:
    if isinstance(space, pikepdf.Name):
        return space == pikepdf.Name.DeviceCMYK
    if isinstance(space, pikepdf.Array) and len(space) > 1:
        if space[0] == pikepdf.Name.ICCBased:
            return int(space[1].get("/N", 0)) == 4
        return any(_is_cmyk(part) for part in space[1:] if isinstance(part, (pikepdf.Name, pikepdf.Array)))
    return False


class _Rewrite:
    """One print PDF being turned into screen colours, each shared object rewritten once."""

    def __init__(self, pdf: pikepdf.Pdf, screen_image: ScreenImage) -> None:
        self.pdf, self.screen_image = pdf, screen_image
        self.done: set[tuple[int, int]] = set()
        self.images: dict[tuple[int, int], pikepdf.Object] = {}

    def page(self, page: pikepdf.Page) -> None:
        trim = page.obj.get("/TrimBox", page.obj.MediaBox)
        page.obj.MediaBox = trim
        page.obj.BleedBox = trim
        contents = page.obj.Contents
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            stream.write(rgb_content(stream.read_bytes()))
        self.resources(page.obj.get("/Resources"))

    def resources(self, resources: pikepdf.Object | None) -> None:
        if resources is None or self._seen(resources):
            return
        spaces = resources.get("/ColorSpace")
        if spaces is not None:
            for name in [n for n, space in spaces.items() if _is_cmyk(space)]:
                del spaces[name]
        for shading in (resources.get("/Shading") or {}).values():
            if _is_cmyk(shading.get("/ColorSpace", pikepdf.Name.DeviceGray)):
                raise _Underivable("a CMYK gradient")
        for pattern in (resources.get("/Pattern") or {}).values():
            self.pattern(pattern)
        for gstate in (resources.get("/ExtGState") or {}).values():
            mask = gstate.get("/SMask")
            if isinstance(mask, pikepdf.Dictionary) and "/G" in mask:
                self.form(mask.G)
        xobjects = resources.get("/XObject") or {}
        for name in list(xobjects.keys()):
            xobject = xobjects[name]
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                self.form(xobject)
            elif xobject.get("/Subtype") == pikepdf.Name.Image:
                xobjects[name] = self.image(str(name)[1:], xobject)

    def pattern(self, pattern: pikepdf.Object) -> None:
        if self._seen(pattern):
            return
        if int(pattern.get("/PatternType", 0)) == 1:  # tiling: a content stream of its own
            pattern.write(rgb_content(pattern.read_bytes()))
            self.resources(pattern.get("/Resources"))
        elif _is_cmyk(pattern.get("/Shading", pikepdf.Dictionary()).get("/ColorSpace", pikepdf.Name.DeviceGray)):
            raise _Underivable("a CMYK gradient")

    def form(self, form: pikepdf.Object) -> None:
        if self._seen(form):
            return
        group = form.get("/Group")
        if group is not None and _is_cmyk(group.get("/CS", pikepdf.Name.DeviceGray)):
            del group.CS  # a transparency group blends in the page's space, RGB now
        form.write(rgb_content(form.read_bytes()))
        self.resources(form.get("/Resources"))

    def image(self, name: str, print_image: pikepdf.Object) -> pikepdf.Object:
        key = print_image.objgen
        if key not in self.images:
            made = self.screen_image(name, int(print_image.Width), int(print_image.Height))
            if made is None:
                if _is_cmyk(print_image.get("/ColorSpace", pikepdf.Name.DeviceGray)):
                    raise _Underivable(f"a CMYK image without its original ({name})")
                self.images[key] = print_image
            else:
                self.images[key] = self.pdf.make_indirect(_pikepdf_object(self.pdf, made))
        return self.images[key]

    def _seen(self, obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return False
        if obj.objgen in self.done:
            return True
        self.done.add(obj.objgen)
        return False


def _pikepdf_object(pdf: pikepdf.Pdf, value):
    """A pydyf value (as WeasyPrint makes an image XObject) as a pikepdf one."""
    if isinstance(value, pydyf.Stream):
        extra = pikepdf.Dictionary({f"/{k}": _pikepdf_object(pdf, v) for k, v in value.extra.items()})
        # The stream's own bytes, as its filter has them (pydyf's ``data`` is the whole object).
        data = b"\n".join(item.data if isinstance(item, pydyf.Object) else bytes(item) for item in value.stream)
        if value.compress:
            raise TypeError("a pydyf stream to be compressed on writing")
        stream = pikepdf.Stream(pdf, data)
        for key, item in extra.items():
            stream[key] = pdf.make_indirect(item) if isinstance(item, pikepdf.Stream) else item
        return stream
    if isinstance(value, pydyf.Dictionary):
        return pikepdf.Dictionary({f"/{k}": _pikepdf_object(pdf, v) for k, v in value.items()})
    if isinstance(value, (pydyf.Array, list, tuple)):
        return pikepdf.Array([_pikepdf_object(pdf, v) for v in value])
    if isinstance(value, str):
        if value.startswith("/"):
            return pikepdf.Name(value)
        if value in ("true", "false"):
            return value == "true"
    if isinstance(value, (bool, int, float)):
        return value
    raise TypeError(f"no PDF value for {value!r}")


def derive_screen(print_pdf: Path, screen_pdf: Path, screen_image: ScreenImage) -> bool:
    """Write ``screen_pdf`` from the tagged ``print_pdf`` of the same part; False (and nothing
    written) when the print PDF holds CMYK the rewrite cannot convert."""
    with pikepdf.open(print_pdf) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            raise ValueError(f"{print_pdf} is not tagged: paint it with tagged=True")
        rewrite = _Rewrite(pdf, screen_image)
        try:
            for page in pdf.pages:
                rewrite.page(page)
        except _Underivable:
            return False
        # A part's catalog is not the book's (the binder takes the front matter's): drop the
        # print's output intent and PDF/X metadata, which no longer say what the file is.
        for key in ("/OutputIntents", "/Metadata"):
            if key in pdf.Root:
                del pdf.Root[key]
        pdf.save(screen_pdf, deterministic_id=True, compress_streams=False)
    return True
