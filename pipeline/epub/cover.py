"""The EPUB's cover: the book's own image (``cover:``), or one set from its title page.

A generated cover is a plain typographic one: title, subtitle (or course line), editors and
publisher in the book's face on a dark ground, drawn with Pillow (already installed for
WeasyPrint). PNG output has no timestamp, so the same book gives the same image.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.model import Book
from pipeline.styles import FONTS
from pipeline.words import Words

WIDTH, HEIGHT = 1600, 2400
MARGIN = 170
GROUND = (28, 46, 64)
INK = (244, 239, 226)
RULE = (190, 160, 100)


def _font(face: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / f"GentiumBookPlus-{face}.ttf"), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + ([line] if line else [])


def _block(draw, text: str, font, top: int, leading: float) -> int:
    """Centre ``text`` in lines from ``top``; return where the block ends."""
    size = font.size
    for line in _wrap(draw, text, font, WIDTH - 2 * MARGIN):
        draw.text((WIDTH / 2, top), line, font=font, fill=INK, anchor="ma")
        top += int(size * leading)
    return top


def cover_image(book: Book, words: Words) -> tuple[bytes, str]:
    """The cover as (bytes, media type)."""
    if book.cover is not None:
        media = "image/png" if book.cover.suffix.lower() == ".png" else "image/jpeg"
        return Path(book.cover).read_bytes(), media
    image = Image.new("RGB", (WIDTH, HEIGHT), GROUND)
    draw = ImageDraw.Draw(image)
    top = _block(draw, book.title, _font("Regular", 128), 520, 1.2)
    draw.line([(WIDTH / 2 - 160, top + 50), (WIDTH / 2 + 160, top + 50)], fill=RULE, width=4)
    top += 140
    second = book.edition.course if book.edition and book.edition.course else book.subtitle
    if second:
        top = _block(draw, second, _font("Italic", 64), top, 1.35)
    if book.editors:
        _block(draw, words("edited_by", names=words.names(book.editors)), _font("Regular", 60), HEIGHT - 620, 1.35)
    if book.publisher:
        _block(draw, book.publisher.upper(), _font("Regular", 44), HEIGHT - 300, 1.3)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), "image/png"
