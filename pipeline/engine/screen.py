"""The screen PDF from the print layout, without laying the book out a second time.

The screen PDF has the print's pages (so page citations agree) but no bleed and RGB colour.
Both live in the laid-out pages, not in their layout: the bleed is each page's ``bleed`` and
the colours are the boxes' computed styles. So once the print PDF is written, the bleed is
set to nothing and every device-CMYK colour becomes its RGB equivalent, and the same pages
are written again. It restyles laid-out boxes found through ``boxes``; tests compare the result.
"""

from __future__ import annotations

from functools import lru_cache
from hashlib import md5
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from PIL import Image
from tinycss2.color5 import parse_color
from weasyprint.images import RasterImage

from pipeline.engine import boxes
from pipeline.engine.links import cut_links
from pipeline.engine.separation import screen_image

# Properties whose computed value may be a colour.
COLOUR_PROPERTIES = (
    "color", "background_color", "border_top_color", "border_right_color", "border_bottom_color",
    "border_left_color", "outline_color", "text_decoration_color", "column_rule_color",
)


def _rgb(colour):
    """device-cmyk(c m y k) -> the naive sRGB equivalent; any other colour unchanged."""
    if getattr(colour, "space", None) != "device-cmyk":
        return colour
    return _rgb_of(tuple(v or 0.0 for v in colour.coordinates), colour.alpha)


def cmyk_to_rgb(c: float, m: float, y: float, k: float) -> tuple[float, float, float]:
    """The naive sRGB equivalent of a device-CMYK colour (what a screen shows for it)."""
    return (1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)


@lru_cache(maxsize=256)  # a book uses a handful of colours, met tens of thousands of times
def _rgb_of(cmyk: tuple[float, ...], alpha: float):
    r, g, b = cmyk_to_rgb(*cmyk)
    return parse_color(f"rgb({r * 100:.3f}% {g * 100:.3f}% {b * 100:.3f}% / {alpha})")


def _screen_raster(src: str, profile: Path | None) -> RasterImage:
    """The image of ``src`` (a checked file of the manuscript) in screen colours."""
    data = Path(unquote(urlparse(src).path)).read_bytes()
    data = screen_image(data, profile) or data
    # A fresh id and cache: the print's separated image must not be reused from WeasyPrint's cache.
    return RasterImage(Image.open(BytesIO(data)), md5(b"screen:" + src.encode()).hexdigest(), data,
                       cache={}, orientation="from-image")


def make_screen(document: weasyprint.Document, profile: Path | None = None) -> None:
    """Turn a laid-out print document into the screen one, in place: no bleed, RGB colours, and
    text set with links after layout cut into its links' pieces, for the tags (``links``)."""
    cut_links(document)
    restyled = set()
    images: dict[str, RasterImage] = {}
    for page in document.pages:
        page.bleed = {side: 0 for side in page.bleed}
        for box in boxes.descendants(boxes.page_box(page)):
            if isinstance(getattr(box, "replacement", None), RasterImage) and box.element_tag == "img":
                src = box.element.get("src")
                if src not in images:
                    images[src] = _screen_raster(src, profile)
                box.replacement = images[src]
            style = box.style
            if id(style) in restyled:
                continue
            restyled.add(id(style))
            for name in COLOUR_PROPERTIES:
                key = name.replace("_", "-") if name.replace("_", "-") in style else name
                try:
                    value = style[key]
                except KeyError:
                    continue
                converted = _rgb(value)
                if converted is not value:
                    style[key] = converted
    # Nothing is drawn in device CMYK any more. (A new dict: the parsed stylesheets share theirs.)
    document.color_profiles = {k: v for k, v in document.color_profiles.items() if k != "device-cmyk"}


def screen_images(document: weasyprint.Document, profile: Path | None):
    """For ``derive.derive_screen``: the screen image XObject for a print image XObject's name, or
    None when the name is no image of ``document``'s. The pages are searched for their images
    only when the print PDF has one (most documents have none)."""
    sources: dict[str, str] = {}
    searched: list[bool] = []

    def find() -> None:
        searched.append(True)
        for page in document.pages:
            for box in boxes.descendants(boxes.page_box(page)):
                replacement = getattr(box, "replacement", None)
                if isinstance(replacement, RasterImage) and box.element_tag == "img":
                    sources[f"i{replacement.id}"] = box.element.get("src")

    def screen_image(name: str, width: int, height: int):
        if not searched:
            find()
        src = sources.get(name[:-1])  # WeasyPrint's name: "i", the image's id, then 0 or 1 (interpolate)
        if src is None:
            return None
        image = _screen_raster(src, profile)
        ratio = 1 if width == image.width else width / image.width
        return image.get_x_object(name.endswith("1"), ratio)

    return screen_image
