"""Images in print colour: RGB photographs into the output intent's CMYK, and back for the screen.

WeasyPrint converts no colour, and PDF/X allows no device RGB, so an RGB image would fail the
print PDF. The print build reads each image through ``print_image``: an RGB (or palette)
image that is in fact grey becomes greyscale, printed in black ink alone (what a facsimile of a
typed page should be); any other is converted with littleCMS (Pillow's ImageCms) from its own
embedded profile, or sRGB, into the book's CMYK profile, relative colorimetric with black-point
compensation, the usual prepress intent for photographs in a book. The result is a JPEG,
because that is the one raster format a PDF carries in CMYK. The screen PDF, written from the
same layout, gets the editor's file back, or an RGB rendering of a CMYK original.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import Image, ImageChops, ImageCms

from pipeline.colour import usable_icc

JPEG_QUALITY = 95


#: Pillow's modes for greys of more than 8 bits (a 16-bit PNG from a scanner opens as I;16).
DEEP_GREYS = ("I;16", "I;16B", "I;16L", "I;16N", "I")


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit grey scaled to 8 bits: converted directly, Pillow clips every value above 255 to white."""
    if image.mode in DEEP_GREYS:
        return image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """Transparent pixels over white paper; palettes and 16-bit greys become RGB."""
    image = _eight_bit(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")


def _is_grey(rgb: Image.Image) -> bool:
    r, g, b = rgb.split()
    return ImageChops.difference(r, g).getbbox() is None and ImageChops.difference(g, b).getbbox() is None


def _printable_as_is(image: Image.Image) -> bool:
    """Grey or CMYK already, and opaque: print takes it as it is."""
    return image.mode in ("L", "CMYK") and "transparency" not in image.info


def needs_cmyk(path: Path) -> bool:
    """Whether print converts this image into CMYK (it is neither grey nor CMYK already)."""
    with Image.open(path) as image:
        return not _printable_as_is(image) and not _is_grey(_flattened(image))


def print_image(data: bytes, profile: Path) -> bytes | None:
    """The image as printed: greyscale or CMYK bytes, or None when it is printable as it is."""
    with Image.open(BytesIO(data)) as image:
        if _printable_as_is(image):
            return None
        source_icc = usable_icc(image.info.get("icc_profile"))
        rgb = _flattened(image)
    out = BytesIO()
    if _is_grey(rgb):
        rgb.convert("L").save(out, format="PNG")
        return out.getvalue()
    source = ImageCms.ImageCmsProfile(BytesIO(source_icc)) if source_icc else ImageCms.createProfile("sRGB")
    cmyk = ImageCms.profileToProfile(
        rgb, source, str(profile), renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        outputMode="CMYK", flags=ImageCms.Flags.BLACKPOINTCOMPENSATION,
    )
    assert cmyk is not None  # None only when converting in place
    cmyk.save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()


def screen_image(data: bytes, profile: Path | None) -> bytes | None:
    """The image for the screen PDF: RGB from a CMYK original, 8-bit from a 16-bit grey, without a
    damaged colour profile (the engine would drop the image), or None when it is fine as it is."""
    with Image.open(BytesIO(data)) as image:
        icc = image.info.get("icc_profile")
        if image.mode in DEEP_GREYS or (icc and usable_icc(icc) is None):
            out = BytesIO()
            _eight_bit(image).save(out, format="PNG")  # saved without the profile
            return out.getvalue()
        if image.mode != "CMYK":
            return None
        if profile is not None:
            converted = ImageCms.profileToProfile(image, str(profile), ImageCms.createProfile("sRGB"), outputMode="RGB")
            assert converted is not None  # None only when converting in place
            rgb = converted
        else:
            rgb = image.convert("RGB")
    out = BytesIO()
    rgb.save(out, format="JPEG", quality=JPEG_QUALITY, subsampling=0)
    return out.getvalue()
