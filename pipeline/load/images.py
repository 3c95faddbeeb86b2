"""Images named in the manuscript (figures in the text, the cover): found, confined, opened once.

An image path comes from a contributor's text, so it is checked before anything reads it: a
file inside the manuscript folder (after following links, so no ``../`` or symlink escapes),
a regular file (never a device such as ``/dev/urandom``), of a sane size, and a PNG or JPEG
that Pillow opens and decodes to the end (a truncated or mislabelled file is caught here, not
in the layout engine, which would silently leave a hole).
"""

from __future__ import annotations

import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image

from pipeline.colour import usable_icc
from pipeline.diagnostics import Diagnostics
from pipeline.load.text import resolve
from pipeline.model import SourceLoc

SUFFIXES = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
MAX_BYTES = 64 * 1024 * 1024
#: Far beyond any page at 1,200 dpi; more is a decompression bomb, not a photograph.
MAX_PIXELS = 80_000_000


@dataclass(frozen=True)
class ImageFile:
    """A checked image: where it is, its size in pixels and Pillow's colour mode."""

    path: Path
    pixels: tuple[int, int]
    mode: str


def check_image(src: str, base: Path, root: Path, loc: SourceLoc, diags: Diagnostics, what: str = "image") -> ImageFile | None:
    """Resolve ``src`` against ``base`` and check it; report the problem and return None if it fails."""
    if not src.strip():
        diags.add("E118", loc, f"an {what} without a file name", "write ![description](images/file.png)")
        return None
    if urlparse(src).scheme:
        diags.add("E116", loc, f"{what} '{src}' is not a file of the manuscript",
                  "press reads no network or system resources: copy the image into the manuscript folder")
        return None
    path = resolve(base / unquote(src))
    if path is None:
        diags.add("E118", loc, f"{what} '{src}' cannot be reached: a symbolic link leads round in a loop")
        return None
    if not path.is_relative_to(root.resolve()):
        diags.add("E116", loc, f"{what} '{src}' is outside the manuscript folder", "copy it into the manuscript folder")
        return None
    try:
        info = path.stat()
    except FileNotFoundError:
        diags.add("E118", loc, f"{what} '{src}' does not exist", f"looked for {path}")
        return None
    except OSError as exc:
        diags.add("E118", loc, f"{what} '{src}' cannot be reached: {exc.strerror or exc}")
        return None
    if not stat.S_ISREG(info.st_mode):
        diags.add("E118", loc, f"{what} '{src}' is not a file")
        return None
    if path.suffix.lower() not in SUFFIXES:
        diags.add("E118", loc, f"{what} '{src}' is not a PNG or JPEG file", "save it as PNG (drawings, facsimiles) or JPEG (photographs)")
        return None
    if info.st_size > MAX_BYTES:
        diags.add("E118", loc, f"{what} '{src}' is {info.st_size / 2**20:.0f} MB, more than press reads ({MAX_BYTES // 2**20} MB)",
                  "scale it to 300 dpi at the size it is printed")
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                kind, size, mode = image.format, image.size, image.mode
                icc = image.info.get("icc_profile")
                if size[0] * size[1] > MAX_PIXELS:
                    raise ValueError(f"{size[0]} × {size[1]} pixels is more than press reads")
                image.load()  # decodes every byte: a truncated file fails here
    except Exception as error:  # Pillow raises many types for broken files; all mean the same here
        diags.add("E118", loc, f"{what} '{src}' cannot be read as an image: {error}",
                  "open it in an image editor and save it again as PNG or JPEG")
        return None
    if kind != SUFFIXES[path.suffix.lower()]:
        diags.add("E118", loc, f"{what} '{src}' is named {path.suffix} but holds a {kind} image", "give it the right file ending")
        return None
    if icc and usable_icc(icc) is None:
        diags.add("W117", loc, f"{what} '{src}' carries a colour profile that cannot be read: its colours are taken as sRGB",
                  "open it in an image editor and save it again, with its colour profile or without one")
    return ImageFile(path, size, mode)
