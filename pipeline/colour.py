"""Colour facts both the loader and the engine need: whether an image's embedded ICC profile is usable."""

from __future__ import annotations

from io import BytesIO

from PIL import ImageCms


def usable_icc(icc: bytes | None) -> bytes | None:
    """An embedded ICC profile littleCMS can use, or None (absent, or damaged: sRGB is assumed).

    A phone or a scanner's software sometimes writes a truncated profile; the layout engine
    then drops the image without a word, so press checks it once and does without it.
    """
    if not icc:
        return None
    try:
        ImageCms.ImageCmsProfile(BytesIO(icc))
    except (OSError, ValueError, TypeError):
        return None
    return icc
