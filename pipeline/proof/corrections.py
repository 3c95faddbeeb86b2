"""``press corrections MARKED.pdf``: a proof-reader's marks on a proof, followed back to the manuscript.

The marked PDF may be a copy of the proof (``DIR/proof/<slug>-proof.pdf``), of the print PDF
(``DIR/<slug>.pdf``, its pages with bleed and crop marks around the trim) or of the screen PDF
(``DIR/<slug>-screen.pdf``, its pages the trim alone). Each ``press proof`` and ``press build``
records its round (``rounds.py``): every PDF's document id and trim boxes, the page labels, where
each paragraph begins and every word stands on the page, the manuscript's documents as they were and
where each paragraph was written. A marked copy keeps its PDF's document id (Acrobat, Preview,
Okular and pdf.js all keep the first half of ``/ID``), so the round and the PDF it was made from are
found without trusting its file name. For every annotation: its page label; the paragraph it falls
in (the paragraph whose start stands nearest above the mark, in the round's own record, so a copy
whose viewer dropped the named destinations reads as well); the words under it, read with PDFium
from its quad points or rectangle in the marked copy (or, when the copy's text cannot be read, from
the round's recorded words); and the line and column in the manuscript file where those words are
written, in the manuscript of that round.

Quad points are read as corner sets, whatever their order: Acrobat and pdf.js write each quad
top-left, top-right, bottom-left, bottom-right; Preview writes bottom-left first and goes round;
a box from the four points' extremes serves all three.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pikepdf
import pypdfium2

from pipeline.diagnostics import Diagnostic, ManuscriptError
from pipeline.files import atomic_write, write_json
from pipeline.layout.cache import CACHE_FOLDER
from pipeline.load import load_book
from pipeline.model import SourceLoc
from pipeline.proof.rounds import Round, find_round
from pipeline.render import Renderer

#: The marks a proof-reader makes, by PDF annotation subtype: (code, what the editor reads).
KINDS: dict[str, tuple[str, str]] = {
    "/StrikeOut": ("C01", "strike"),
    "/Highlight": ("C02", "highlight"),
    "/Underline": ("C03", "underline"),
    "/Squiggly": ("C04", "squiggle"),
    "/Text": ("C05", "note"),
    "/Caret": ("C06", "insert"),
    "/FreeText": ("C08", "text box"),
    "/Ink": ("C09", "ink"),
}
#: The proof sheet's corrections section stands between these two comments.
SECTION_START, SECTION_END = "<!-- corrections -->", "<!-- /corrections -->"
REPLACE = ("C07", "replace")  # a strike-out carrying a note: strike these words, put the note's in
#: Marks larger than this many words are read as "this passage", quoted by their first words.
QUOTED_WORDS = 12


@dataclass
class Correction:
    """One mark: where it is in the proof and in the manuscript, what it covers and what it says."""

    code: str
    kind: str
    page: str
    paragraph: str | None
    words: str
    note: str
    file: str | None
    line: int | None
    column: int | None
    box: tuple[float, float, float, float]
    on_text: bool
    changed_since: bool = False

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}: " if self.file else ""
        place = ", ".join(x for x in (f"p. {self.page}", self.paragraph or "no paragraph") if x)
        words = f' "{self.words}"' if self.words else ""
        note = f' — "{self.note}"' if self.note else ""
        after = "" if self.on_text else " (on no text: the nearest paragraph)"
        changed = " (the text has changed since this proof)" if self.changed_since else ""
        return f"{where}correction[{self.code}] {place}: {self.kind}{words}{note}{after}{changed}"

    def as_json(self) -> dict:
        return asdict(self)


def _refuse(path: Path, message: str, hint: str | None = None) -> ManuscriptError:
    return ManuscriptError([Diagnostic("E153", SourceLoc(str(path)), message, hint)])


def read_corrections(marked: Path, out_dir: Path, book_dir: Path) -> tuple[list[Correction], Round]:
    """The marks on ``marked``, a copy of a proof ``press proof`` made into ``out_dir``."""
    marked = Path(marked)
    try:
        pdf = pikepdf.open(marked)
    except (pikepdf.PdfError, OSError) as exc:
        raise _refuse(marked, f"this is not a PDF press can read: {exc}") from None
    with pdf:
        ids = pdf.trailer.get("/ID")
        first_id = bytes(ids[0]).hex() if isinstance(ids, pikepdf.Array) and len(ids) else ""
        # a proof's round beside the proof, a build's in its cache
        found = find_round([Path(out_dir) / "proof", Path(out_dir) / CACHE_FOLDER], first_id)
        if found is None:
            raise _refuse(marked, "this PDF is not a proof, print or screen PDF of this book made into " + str(out_dir),
                          "mark up a PDF that press proof or press build wrote (DIR/proof/<slug>-proof.pdf, "
                          "DIR/<slug>.pdf, DIR/<slug>-screen.pdf), or give --out its folder")
        labels = [str(page.label) for page in pdf.pages]
        annotations = [(index, annot) for index, page in enumerate(pdf.pages) for annot in page.get("/Annots", ())]
        # A reply (a note on a note, /IRT) belongs to the mark it answers; pop-ups are only windows.
        marks = [(index, a) for index, a in annotations if a.get("/Subtype") in KINDS and "/IRT" not in a]
        replies = {a.IRT.objgen: a for _, a in annotations if "/IRT" in a}
        document = pypdfium2.PdfDocument(str(marked))
        try:
            out = [_read_mark(document, index, annot, replies, labels, found, Path(book_dir)) for index, annot in marks]
        finally:
            document.close()
    return out, found


def _box(annot: pikepdf.Dictionary) -> tuple[float, float, float, float]:
    """The mark's box (left, bottom, right, top): its quad points' extremes, else its rectangle."""
    quads = [float(v) for v in annot.get("/QuadPoints", ())]
    if len(quads) >= 8:
        xs, ys = quads[0::2], quads[1::2]
        return min(xs), min(ys), max(xs), max(ys)
    if "/InkList" in annot:
        points = [float(v) for stroke in annot.InkList for v in stroke]
        if points:
            return min(points[0::2]), min(points[1::2]), max(points[0::2]), max(points[1::2])
    left, bottom, right, top = (float(v) for v in annot.Rect)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)


def _quads(annot: pikepdf.Dictionary) -> list[tuple[float, float, float, float]]:
    quads = [float(v) for v in annot.get("/QuadPoints", ())]
    out = []
    for i in range(0, len(quads) - 7, 8):
        xs, ys = quads[i:i + 8:2], quads[i + 1:i + 8:2]
        out.append((min(xs), min(ys), max(xs), max(ys)))
    return out or [_box(annot)]


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _words_under(page: pypdfium2.PdfPage, annot: pikepdf.Dictionary, subtype: str) -> str:
    """The words a mark covers; for a note or caret, the word it points at."""
    textpage = page.get_textpage()
    try:
        if subtype in ("/Text", "/Caret"):
            left, bottom, right, top = _box(annot)
            # a caret stands between two words; a note's icon hangs from the point clicked
            x, y = ((left + right) / 2, (bottom + top) / 2) if subtype == "/Caret" else (left, top)
            index = textpage.get_index(x, y, 12, 12)
            if index is None or index < 0:
                return ""
            text = textpage.get_text_range()
            start = index
            while start > 0 and text[start - 1].isalnum():
                start -= 1
            end = index
            while end < len(text) and text[end].isalnum():
                end += 1
            # a word broken at the line's end by a hyphen goes on after the line break
            rest = re.match(r"[-\u2010\x02\xad]\r?\n(\w+)", text[end:end + 40])
            return text[start:end] + (rest.group(1) if rest else "")

        text = textpage.get_text_range()
        boxes = [textpage.get_charbox(i) for i in range(min(len(text), textpage.count_chars()))]
        pieces = []
        for left, bottom, right, top in _quads(annot):
            # A character is under the mark when its middle is; characters far taller than the
            # marked line (the proof's PROOF mark beneath the text) are not the text.
            tall = 2.5 * (top - bottom)
            chosen = [i for i, (x0, b, x1, t) in enumerate(boxes)
                      if left <= (x0 + x1) / 2 <= right and bottom <= (b + t) / 2 <= top and t - b <= tall]
            if chosen:
                pieces.append(text[chosen[0]:chosen[-1] + 1] if _contiguous(chosen, text) else "".join(text[i] for i in chosen))
        return _joined("\n".join(pieces))  # a quad ends at a line's end: a hyphen there may break a word
    finally:
        textpage.close()


def _contiguous(chosen: list[int], text: str) -> bool:
    """Whether the chosen characters run on in the text but for spaces (which have no box of their own)."""
    return all(text[i].isspace() for i in range(chosen[0], chosen[-1] + 1) if i not in set(chosen))


def _joined(text: str) -> str:
    """PDF text as one line: hyphens that broke a word at a line end joined, soft hyphens gone."""
    text = text.replace("\x02", "-").replace("\xad", "-").replace("\u2010", "-")
    text = re.sub(r"(\w)-\s*[\r\n]+\s*(\w)", r"\1\2", text)
    return " ".join(text.split())


def _read_mark(document, index: int, annot: pikepdf.Dictionary, replies: dict, labels: list[str],
               found: Round, book_dir: Path) -> Correction:
    subtype = str(annot.Subtype)
    code, kind = KINDS[subtype]
    note = _text(annot.get("/Contents"))
    reply = replies.get(annot.objgen)
    if reply is not None and not note:
        note = _text(reply.get("/Contents"))
    if subtype == "/StrikeOut" and note:
        code, kind = REPLACE
    box = _box(annot)
    words = _words_under(document[index], annot, subtype) if subtype != "/FreeText" else ""
    left, bottom, right, top = found.to_trim(index, box)
    if not words and subtype != "/FreeText":
        # the copy's own text could not be read here (a viewer flattened or dropped it): the round's words
        if subtype == "/Caret":
            words = found.word_near(index, (left + right) / 2, (bottom + top) / 2)
        elif subtype == "/Text":
            words = found.word_near(index, left, top)
        else:
            words = _joined(found.words_in(index, [found.to_trim(index, q) for q in _quads(annot)]))
    paragraph = found.paragraph_at(index, top if subtype == "/Text" else (bottom + top) / 2)
    on_text = bool(words)
    quoted = words if len(words.split()) <= QUOTED_WORDS else " ".join(words.split()[:QUOTED_WORDS]) + " …"
    file = line = column = None
    changed = False
    if paragraph and paragraph in found.blocks:
        file, line, column, changed = found.locate(paragraph, words, book_dir)
    label = found.labels[index] if index < len(found.labels) else labels[index]
    return Correction(code, kind, label, paragraph, quoted, note, file, line, column,
                      tuple(round(v, 1) for v in box), on_text, changed)  # type: ignore[arg-type]


def corrections_sheet(marked: Path, found: list[Correction], folder: Path, zoom: float = 1.25) -> list[dict]:
    """Render the marked pages into ``folder`` and give, page by page, each mark's box in the image.

    The boxes are percentages of the image, so the outlines stay on their words however wide the
    sheet shows the page (a phone's screen narrows it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("marked-*.png"):  # the pages of an earlier marked copy
        old.unlink()
    by_page: dict[str, list[tuple[int, Correction]]] = {}
    for number, correction in enumerate(found, start=1):
        by_page.setdefault(correction.page, []).append((number, correction))
    pages = []
    document = pypdfium2.PdfDocument(str(marked))
    try:
        with pikepdf.open(marked) as pdf:
            labels = [str(page.label) for page in pdf.pages]
        for index, label in enumerate(labels):
            if label not in by_page:
                continue
            page = document[index]
            # the page as the proof-reader saw it: crop box and all, without the marks' own drawings
            image = page.render(scale=zoom, may_draw_forms=False).to_pil()
            name = f"marked-{index + 1:04d}.png"
            image.save(folder / name, format="PNG", optimize=True)
            left, bottom, right, top = page.get_cropbox()
            width, height = right - left, top - bottom
            marks = []
            for number, c in by_page[label]:
                x0, y0, x1, y1 = c.box
                marks.append({"n": number, "x": round(100 * (x0 - left) / width, 2), "y": round(100 * (top - y1) / height, 2),
                              "w": round(100 * (x1 - x0) / width, 2), "h": round(100 * (y1 - y0) / height, 2)})
            pages.append({"file": f"{folder.name}/{name}", "label": label, "width": image.width, "height": image.height,
                          "marks": marks})
    finally:
        document.close()
    return pages


def _section(corrections: dict, book) -> str:
    """The proof sheet's corrections section, between its two marking comments."""
    return Renderer(book).render("proof-corrections.html.j2", corrections=corrections).strip()


def sheet_corrections(folder: Path, revision: str) -> dict | None:
    """The corrections recorded in ``folder`` (``DIR/proof``) for the proof of ``revision``, for its sheet."""
    try:
        data = json.loads((folder / "corrections.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("revision") != revision or data.get("kind") != "proof":
        return None
    pages = data.get("pages")
    if not isinstance(pages, list) or not all(isinstance(p, dict) and (folder / str(p.get("file"))).is_file() for p in pages):
        return None
    return data


def write_corrections(marked: Path, book_dir: Path, out_dir: Path) -> tuple[list[Correction], Round, list[Path]]:
    """Read the marks, write ``DIR/proof/corrections.json`` and put the corrections section in the proof sheet.

    The section goes into ``DIR/proof/index.html`` between its marking comments; when no proof was
    made into ``DIR`` (a copy of the print or the screen PDF was marked), a sheet of the corrections
    alone is written there.
    """
    found, round_ = read_corrections(marked, out_dir, book_dir)
    folder = Path(out_dir) / "proof"
    book = load_book(Path(book_dir))
    pages = corrections_sheet(Path(marked), found, folder / "marked")
    root = Path(book_dir)
    marks = [c.as_json() | {"place": f"{Path(c.file).relative_to(root) if c.file else ''}:{c.line}:{c.column}"} for c in found]
    data = {"marked": Path(marked).name, "revision": round_.revision, "kind": round_.kind, "corrections": marks, "pages": pages}
    write_json(folder / "corrections.json", data, indent=2)
    sheet = folder / "index.html"
    try:
        html = sheet.read_text(encoding="utf-8")
    except OSError:
        html = ""
    start, end = html.find(SECTION_START), html.find(SECTION_END)
    if 0 <= start < end:
        html = html[:start] + _section(data, book) + html[end + len(SECTION_END):]
    else:
        html = Renderer(book).render("proof.html.j2", book=book, date="", revision=round_.revision, pages=[], spread_list=[],
                                     findings=[], by_page={}, drift=None, offset=0, zoom=1, scale=1, corrections=data,
                                     preflight=False)
    atomic_write(sheet, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return found, round_, [folder / "corrections.json", sheet]
