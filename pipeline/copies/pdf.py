"""A stamped PDF copy: the built screen PDF, byte for byte, and an incremental update drawing the stamp.

An incremental update (ISO 32000-1, 7.5.6) appends objects to a PDF and a cross-reference
section for them, leaving every byte before it as it was. So the copy's pages, text, structure
tree, named destinations, links, outline and page labels are those of the built file by
construction, and a copy costs a file copy and a few kilobytes: writing a 500-page tagged PDF
again through QPDF takes more than a second a copy, this a few milliseconds.

What the update holds:

- every page again, with two content streams around its own (``q`` before, ``Q`` and the stamp
  after) and the stamp's form XObject among its resources: the foot line on every page, the
  ex-libris line on the imprint page too. The stamp is drawn inside ``/Artifact`` marked
  content (pagination: footer; watermark for the ex-libris), outside the structure tree, so the
  copy stays PDF/UA and a screen reader does not read it as the document's text;
- the two forms, each the page of the stamp layer (``engine/stamps.py``) that holds the line,
  with the layer's subset font: the stamp's font is embedded;
- the document information dictionary and the XMP metadata again, carrying the copy id
  (``/PressCopy``, ``xmpMM:InstanceID``), and the copy's document id in the trailer.

The page objects, streams and object numbers of the update are the same for every copy of a
book; only the forms, the metadata and the document id differ. The built file's own trailer
gets the copy's document id too (in place, the same length), so cutting the update off the
copy does not leave an anonymous file.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Callable

import pikepdf

from pipeline.copies.ids import format_copy_id

#: The stamp's marked content: a pagination artifact, so that the copy stays PDF/UA.
FOOT_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
EX_LIBRIS_ARTIFACT = b"/Artifact <</Type /Pagination /Subtype /Watermark>> BDC"
FOOT_FORM, EX_LIBRIS_FORM = pikepdf.Name("/PressStamp"), pikepdf.Name("/PressExLibris")
#: The key of the document information dictionary that holds the copy id.
COPY_KEY = "/PressCopy"
XMP_INSTANCE_PREFIX = "press-copy:"

Ref = Callable[[tuple[int, int]], bytes]


def serialize(value: object, ref: Ref) -> bytes:
    """A direct PDF object as PDF syntax; indirect ones as references numbered by ``ref``.

    pikepdf would unparse a whole dictionary, but with its own file's object numbers; the
    stamp layer's objects are given numbers after the built file's, so references are written
    here, one by one.
    """
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return ref(value.objgen)
    if isinstance(value, pikepdf.Dictionary):
        return b"<<" + b"".join(bytes(pikepdf.Name(k).unparse()) + b" " + serialize(v, ref) + b"\n"
                                for k, v in sorted(value.items())) + b">>"
    if isinstance(value, pikepdf.Array):
        return b"[" + b" ".join(serialize(v, ref) for v in value) + b"]"
    if isinstance(value, (pikepdf.Name, pikepdf.String)):
        return bytes(value.unparse())
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").encode()
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".").encode()
    if value is None:
        return b"null"
    if isinstance(value, pikepdf.Object):  # a direct scalar pikepdf did not convert
        return bytes(value.unparse())
    raise TypeError(f"cannot write {type(value).__name__} as a PDF object")


def _stream(entries: dict[str, bytes], data: bytes) -> bytes:
    """A stream object's body: its dictionary (entries serialized already) and its bytes."""
    entries = {**entries, "/Length": str(len(data)).encode()}
    head = b"<<" + b"".join(k.encode() + b" " + v + b"\n" for k, v in sorted(entries.items())) + b">>"
    return head + b"\nstream\n" + data + b"\nendstream"


def _flate(data: bytes) -> tuple[dict[str, bytes], bytes]:
    return {"/Filter": b"/FlateDecode"}, zlib.compress(data, 9)


@dataclass(frozen=True)
class CopyStamp:
    """One copy's part of the update: the stamp layer's PDF, the index of the copy's foot page in
    it (its ex-libris page follows), its copy id and its document id."""

    layer: pikepdf.Pdf
    index: int
    copy: str
    document_id: bytes


class StampedPdf:
    """The built screen PDF read once, and what every copy's update shares; ``write`` makes a copy."""

    def __init__(self, path: Path, imprint: int):
        self.data = path.read_bytes()
        with pikepdf.open(path) as pdf:
            self.size = int(pdf.trailer.Size)
            self.root = pdf.Root.objgen
            self.startxref = _startxref(self.data)
            self.id_spans = _id_spans(self.data, self.startxref, [bytes(i) for i in pdf.trailer.get("/ID", [])])
            info = pdf.trailer.get("/Info")
            self.info = (info.objgen, {k: serialize(v, _same) for k, v in info.items() if k != COPY_KEY}) \
                if info is not None and info.is_indirect else None
            meta = pdf.Root.get("/Metadata")
            self.metadata = (meta.objgen, meta.read_bytes()) if meta is not None and meta.is_indirect else None
            self.pages = len(pdf.pages)
            self.fixed, self.fixed_objects = self._pages(pdf, imprint)
        #: Where the copy's own objects begin: the forms first, then what they use.
        self.first_own = self.size + self.fixed_objects

    def _pages(self, pdf: pikepdf.Pdf, imprint: int) -> tuple[list[tuple[tuple[int, int], bytes]], int]:
        """Every page again (the same for every copy), and the streams drawn around each page's own."""
        streams: dict[bytes, int] = {}
        foot_form = self.size  # numbers: the two forms, then the wrapping streams
        ex_libris_form = self.size + 1

        def stream_number(data: bytes) -> int:
            if data not in streams:
                streams[data] = self.size + 2 + len(streams)
            return streams[data]

        objects: list[tuple[tuple[int, int], bytes]] = []
        before = stream_number(b"q\n")
        for index, page in enumerate(pdf.pages):
            x0, y0 = (float(v) for v in list(page.mediabox)[:2])
            place = b"" if (x0, y0) == (0.0, 0.0) else f"1 0 0 1 {x0:.4f} {y0:.4f} cm ".encode()
            after = b"\nQ\n" + FOOT_ARTIFACT + b" q " + place + bytes(FOOT_FORM.unparse()) + b" Do Q EMC\n"
            if index == imprint:
                after += EX_LIBRIS_ARTIFACT + b" q " + place + bytes(EX_LIBRIS_FORM.unparse()) + b" Do Q EMC\n"
            entries = {k: serialize(v, _same) for k, v in page.obj.items() if k not in ("/Contents", "/Resources")}
            contents = page.obj.get("/Contents")
            own = [] if contents is None else list(contents) if isinstance(contents, pikepdf.Array) else [contents]
            refs = [_ref(before)] + [serialize(c, _same) for c in own] + [_ref(stream_number(after))]
            entries["/Contents"] = b"[" + b" ".join(refs) + b"]"
            resources = _inherited(page.obj, "/Resources")
            res = {k: serialize(v, _same) for k, v in resources.items() if k != "/XObject"} if resources is not None else {}
            xobjects = {k: serialize(v, _same) for k, v in resources.get("/XObject", {}).items()} if resources is not None else {}
            xobjects[str(FOOT_FORM)] = _ref(foot_form)
            if index == imprint:
                xobjects[str(EX_LIBRIS_FORM)] = _ref(ex_libris_form)
            res["/XObject"] = _dict(xobjects)
            entries["/Resources"] = _dict(res)
            objects.append((page.obj.objgen, _dict(entries)))
        for data, number in streams.items():
            objects.append(((number, 0), _stream(*_flate(data))))
        return objects, 2 + len(streams)

    def write(self, out: BinaryIO, stamp: CopyStamp) -> None:
        """The copy: the built file (its trailer's id made the copy's) and the update."""
        data = bytearray(self.data)
        hex_id = stamp.document_id.hex().upper().encode()
        for start, end in self.id_spans:
            data[start:end] = hex_id[: end - start].ljust(end - start, b"0")
        if not data.endswith(b"\n"):
            data += b"\n"
        offsets: dict[int, tuple[int, int]] = {}  # object number -> (offset, generation)

        def put(objgen: tuple[int, int], body: bytes) -> None:
            offsets[objgen[0]] = (len(data), objgen[1])
            data.extend(f"{objgen[0]} {objgen[1]} obj\n".encode() + body + b"\nendobj\n")

        for objgen, body in self.fixed:
            put(objgen, body)
        for objgen, body in self._own_objects(stamp):
            put(objgen, body)
        if self.info is not None:
            put(self.info[0], _dict({**self.info[1], COPY_KEY: bytes(pikepdf.String(stamp.copy).unparse())}))
        if self.metadata is not None:
            put(self.metadata[0], _stream({"/Type": b"/Metadata", "/Subtype": b"/XML"},
                                          _xmp_with_copy(self.metadata[1], stamp.copy)))
        _cross_reference(data, offsets, self, stamp.document_id)
        out.write(data)

    def _own_objects(self, stamp: CopyStamp) -> list[tuple[tuple[int, int], bytes]]:
        """The copy's two forms and every object they use, numbered after the built file's."""
        layer = stamp.layer
        forms = [layer.pages[2 * stamp.index].as_form_xobject(), layer.pages[2 * stamp.index + 1].as_form_xobject()]
        numbers: dict[tuple[int, int], int] = {}
        queue: list[pikepdf.Object] = []

        def ref(objgen: tuple[int, int]) -> bytes:
            if objgen not in numbers:
                numbers[objgen] = self.size + self.fixed_objects + len(numbers)
                queue.append(layer.get_object(objgen))
            return _ref(numbers[objgen])

        out = []
        for number, form in zip((self.size, self.size + 1), forms):
            entries = {k: serialize(v, ref) for k, v in form.stream_dict.items() if k not in ("/Length", "/Filter", "/DecodeParms")}
            head, raw = _flate(form.read_bytes())
            out.append(((number, 0), _stream({**entries, **head}, raw)))
        while queue:
            obj = queue.pop(0)
            number = numbers[obj.objgen]
            if isinstance(obj, pikepdf.Stream):
                entries = {k: serialize(v, ref) for k, v in obj.stream_dict.items() if k != "/Length"}
                out.append(((number, 0), _stream(entries, obj.read_raw_bytes())))
            else:
                body = serialize(_direct(obj), ref)
                out.append(((number, 0), body))
        return out


def _direct(obj: pikepdf.Object):
    """An indirect object's value, to be written as the body of its own object."""
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: v for k, v in obj.items()})
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array(list(obj))
    return obj


def _cross_reference(data: bytearray, offsets: dict[int, tuple[int, int]], base: StampedPdf, document_id: bytes) -> None:
    """The update's cross-reference stream (the built file has one, so the update does too) and trailer."""
    number = max(base.size, max(offsets) + 1)  # past every object of the file
    own_offset = len(data)
    offsets = {**offsets, number: (own_offset, 0)}
    rows, index = bytearray(), list[int]()  # index: [first, count] for each run of consecutive numbers
    for n in sorted(offsets):
        offset, gen = offsets[n]
        rows += b"\x01" + offset.to_bytes(4, "big") + gen.to_bytes(2, "big")
        if index and index[-2] + index[-1] == n:
            index[-1] += 1
        else:
            index += [n, 1]
    hex_id = b"<" + document_id.hex().upper().encode() + b">"
    entries = {
        "/Type": b"/XRef", "/Size": str(number + 1).encode(), "/W": b"[1 4 2]",
        "/Index": b"[" + " ".join(map(str, index)).encode() + b"]", "/Prev": str(base.startxref).encode(),
        "/Root": _ref(base.root[0], base.root[1]), "/ID": b"[" + hex_id + b" " + hex_id + b"]",
        "/Filter": b"/FlateDecode",
    }
    if base.info is not None:
        entries["/Info"] = _ref(*base.info[0])
    data.extend(f"{number} 0 obj\n".encode() + _stream(entries, zlib.compress(bytes(rows), 9)) + b"\nendobj\n")
    data.extend(f"startxref\n{own_offset}\n%%EOF\n".encode())


def _xmp_with_copy(xmp: bytes, copy: str) -> bytes:
    """The XMP packet with the copy id as the instance id (a copy is an instance of the document)."""
    description = (f'<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
                   f"<xmpMM:InstanceID>{XMP_INSTANCE_PREFIX}{copy}</xmpMM:InstanceID></rdf:Description>").encode()
    end = xmp.rfind(b"</rdf:RDF>")
    if end < 0:
        return xmp
    return xmp[:end] + description + xmp[end:]


def _startxref(data: bytes) -> int:
    tail = data[-1024:]
    at = tail.rfind(b"startxref")
    if at < 0:
        raise ValueError("the screen PDF has no startxref")
    return int(tail[at + len(b"startxref"):].split()[0])


def _id_spans(data: bytes, startxref: int, ids: list[bytes]) -> list[tuple[int, int]]:
    """Where the built file's last trailer writes its document id (hex digits), to be made the copy's."""
    spans = []
    trailer = data[startxref: startxref + 4096]
    stop = trailer.find(b"stream")
    trailer = trailer[: stop if stop > 0 else len(trailer)]
    for value in dict.fromkeys(ids):
        for case in (value.hex().encode(), value.hex().upper().encode()):
            at = trailer.find(b"<" + case + b">")
            while at >= 0:
                spans.append((startxref + at + 1, startxref + at + 1 + len(case)))
                at = trailer.find(b"<" + case + b">", at + 1)
    return sorted(set(spans))


def _inherited(page: pikepdf.Dictionary, key: str):
    node = page
    for _ in range(64):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node.Parent
    return None


def _same(objgen: tuple[int, int]) -> bytes:
    return _ref(*objgen)


def _ref(number: int, generation: int = 0) -> bytes:
    return f"{number} {generation} R".encode()


def _dict(entries: dict[str, bytes]) -> bytes:
    return b"<<" + b"".join(k.encode() + b" " + v + b"\n" for k, v in sorted(entries.items())) + b">>"


def read_copy_marks(path: Path) -> list[str]:
    """What a PDF says of its copy: the copy ids in its information dictionary and XMP, and the
    ids its document ids begin with (``press identify``)."""
    found: list[str] = []
    with pikepdf.open(path) as pdf:
        info = pdf.trailer.get("/Info")
        if info is not None and COPY_KEY in info:
            found.append(str(info[COPY_KEY]))
        meta = pdf.Root.get("/Metadata")
        if meta is not None:
            xmp = meta.read_bytes().decode("utf-8", "replace")
            at = xmp.find(XMP_INSTANCE_PREFIX)
            if at >= 0:
                found.append(xmp[at + len(XMP_INSTANCE_PREFIX): at + len(XMP_INSTANCE_PREFIX) + 9])
        for value in pdf.trailer.get("/ID", []):
            if len(bytes(value)) == 16:
                found.append(format_copy_id(bytes(value)))
    return list(dict.fromkeys(found))
