"""A stamped EPUB copy: the built EPUB with the ex-libris line on its front-matter page and the
copy id in its package metadata.

Nothing is laid out or packed again: every entry but the two that change (and a face the
ex-libris line needs more glyphs of) is copied into the copy's zip as the built file holds it,
compressed bytes and all, so a copy costs a file copy. The zip is written here (a few
structures of the ZIP format, no ZIP64: an EPUB is far from 4 GB), with the built file's entry
order (``mimetype`` first, stored) and times, so the same copy always has the same bytes.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fontTools.ttLib import TTFont
from markupsafe import escape

from pipeline.epub.fonts import subset_font
from pipeline.epub.package import FRONT_FILE
from pipeline.styles import font_files

COPY_IDENTIFIER_PREFIX = "press-copy:"
_OPF = re.compile(r"\.opf$")


@dataclass(frozen=True)
class _Entry:
    info: zipfile.ZipInfo
    raw: bytes  # as stored in the built file (compressed, unless stored)


class StampedEpub:
    """The built EPUB read once; ``write`` makes a copy with its own ex-libris line and id."""

    def __init__(self, path: Path, lines: set[str]):
        """``lines``: every character the copies' ex-libris lines hold (so that each face that lacks one
        is subset again once for all the copies, not once a copy)."""
        self.entries: list[_Entry] = []
        with open(path, "rb") as handle, zipfile.ZipFile(handle) as archive:
            for info in archive.infolist():
                self.entries.append(_Entry(info, _raw(handle, info)))
            self.opf = next(i.filename for i in archive.infolist() if _OPF.search(i.filename))
            self.front = next((i.filename for i in archive.infolist() if i.filename.endswith("/" + FRONT_FILE)), None)
            self.texts = {name: archive.read(name).decode("utf-8") for name in (self.opf, self.front) if name}
            self.fonts = self._fonts(archive, lines)

    @staticmethod
    def _fonts(archive: zipfile.ZipFile, characters: set[str]) -> dict[str, bytes]:
        """The upright face of the built EPUB (the ex-libris line's: a plain paragraph of the imprint)
        subset again with the characters of the stamps, when it lacks one of them."""
        needed = {c for c in characters if not c.isspace()}
        faces = {path.name: path for path in font_files() if path.stem.endswith("-Regular")}
        out = {}
        for name in archive.namelist():
            face = faces.get(name.rsplit("/", 1)[-1])
            if face is None:
                continue
            has = {chr(c) for c in TTFont(io.BytesIO(archive.read(name)), lazy=True).getBestCmap()}
            if needed - has:
                out[name] = subset_font(face, has | needed)
        return out

    def write(self, out: BinaryIO, copy: str, ex_libris: str) -> None:
        """The copy: the built EPUB with ``ex_libris`` on its front-matter page and ``copy`` in its metadata."""
        changed: dict[str, bytes] = {name: data for name, data in self.fonts.items()}
        changed[self.opf] = _with_identifier(self.texts[self.opf], copy).encode("utf-8")
        if self.front:
            changed[self.front] = _with_ex_libris(self.texts[self.front], ex_libris).encode("utf-8")
        writer = _ZipWriter(out)
        for entry in self.entries:
            if entry.info.filename in changed:
                writer.add_data(entry.info, changed[entry.info.filename])
            else:
                writer.add_raw(entry.info, entry.raw)
        writer.close()


def _with_identifier(opf: str, copy: str) -> str:
    """The package document with the copy id as a second identifier (the publication's stays the unique one)."""
    element = f'<dc:identifier id="press-copy">{COPY_IDENTIFIER_PREFIX}{escape(copy)}</dc:identifier>\n  '
    end = opf.find("</metadata>")
    return opf[:end] + element + opf[end:] if end >= 0 else opf


def _with_ex_libris(xhtml: str, line: str) -> str:
    """The front-matter page with the ex-libris line at the end of its imprint (or of its body)."""
    paragraph = f'<p class="ex-libris">{escape(line)}</p>\n'
    body_end = xhtml.rfind("</body>")
    if body_end < 0:
        return xhtml
    section_end = xhtml.rfind("</section>", 0, body_end)
    imprint = xhtml.find('id="imprint"')
    at = section_end if 0 <= imprint < section_end else body_end
    return xhtml[:at] + paragraph + xhtml[at:]


def read_copy_marks(path: Path) -> list[str]:
    """What an EPUB says of its copy: the copy ids in its package metadata and on its front-matter page."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if _OPF.search(name) or name.endswith("/" + FRONT_FILE):
                text = archive.read(name).decode("utf-8", "replace")
                found += re.findall(re.escape(COPY_IDENTIFIER_PREFIX) + r"([0-9A-Z]{4}-[0-9A-Z]{4})", text)
                found += re.findall(r'class="ex-libris">[^<]*?\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b', text)
    return list(dict.fromkeys(found))


def _raw(handle: BinaryIO, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes as the zip stores them, read past its local header."""
    handle.seek(info.header_offset)
    header = handle.read(30)
    if header[:4] != b"PK\x03\x04":
        raise ValueError(f"the EPUB's entry {info.filename} has no local header")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    return handle.read(info.compress_size)


class _ZipWriter:
    """Local headers, data and a central directory: the ZIP format as an EPUB needs it."""

    def __init__(self, out: BinaryIO):
        self.out = out
        self.offset = 0
        self.central: list[bytes] = []

    def add_data(self, like: zipfile.ZipInfo, data: bytes) -> None:
        """``data`` under ``like``'s name, time and compression."""
        if like.compress_type == zipfile.ZIP_STORED:
            raw = data
        else:
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            raw = packer.compress(data) + packer.flush()
        self._add(like, raw, zlib.crc32(data), len(data))

    def add_raw(self, info: zipfile.ZipInfo, raw: bytes) -> None:
        self._add(info, raw, info.CRC, info.file_size)

    def _add(self, info: zipfile.ZipInfo, raw: bytes, crc: int, size: int) -> None:
        name = info.filename.encode("utf-8")
        flags = 0x800 if not info.filename.isascii() else 0
        year, month, day, hour, minute, second = info.date_time
        time = (hour << 11) | (minute << 5) | (second // 2)
        date = ((year - 1980) << 9) | (month << 5) | day
        method = info.compress_type
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, time, date, crc, len(raw), size, len(name), 0)
        self.central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x0314, 20, flags, method, time, date, crc,
                                        len(raw), size, len(name), 0, 0, 0, 0, info.external_attr, self.offset) + name)
        self.out.write(local + name + raw)
        self.offset += len(local) + len(name) + len(raw)

    def close(self) -> None:
        directory = b"".join(self.central)
        self.out.write(directory)
        self.out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(self.central), len(self.central),
                                   len(directory), self.offset, 0))
