"""Proof rounds: what a later ``press corrections`` needs to read marks made on a PDF of this round.

A round is one state of the manuscript laid out: ``press proof`` records one for the proof PDF in
``DIR/proof/rounds/<revision>/``, ``press build`` one for the print and the screen PDF in
``DIR/.press-cache/rounds/<revision>/``. Each round folder holds three compact JSON files:

- ``round.json``: the revision; the manuscript's documents as they were (by content hash); the
  line range where each paragraph and heading was written; and, for every PDF made of this round
  (proof, print, screen), its document id (``/ID``'s first half, which a marked copy keeps) and
  each page's trim box in that PDF's own coordinates (a print PDF's pages carry bleed and crop
  marks around the trim, the screen PDF's are the trim alone);
- ``pages.json``: each page's label, and the page label of every paragraph and heading (as the
  proof's own ``pages.json``);
- ``text.json``: on each page, in trim coordinates (points from the trim's bottom-left corner),
  where each paragraph and heading begins and, for a proof, what the page is made of, which names
  its words.

What rounds share is stored once beside them, by content: ``texts/`` each document's text,
``words/`` each page's words with their boxes (a proof at every save under ``press watch`` has
the same pages again and again). The rounds recorded last are kept (``KEEP``), and what they use.

The PDFs share one layout (the screen PDF and the proof have the print's pages), so the text
positions are recorded once and every PDF's pages are mapped onto them through its trim boxes.
A proof-reader's marks come back days later, when the manuscript may have moved on: they are
placed in the text of their own round, and said to have changed when the manuscript's text there
is no longer the same.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import statistics
import unicodedata
from array import array
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c

from pipeline.files import atomic_write
from pipeline.model import Book, Heading, Paragraph, walk_blocks

ROUNDS = "rounds"
#: Paragraph and heading ids, as the PDFs' named destinations carry them.
ANCHOR = re.compile(r"doc\d+-(?:p|h)\d+")
#: PDFs of one round remembered (a proof made again at the same revision has a new date, so a new id).
MAX_PDFS = 12
#: Rounds kept (a proof at every save under press watch is a round each time); older ones go.
KEEP = 40
#: Shared by the rounds: each document's text and each page's words, stored once by content.
TEXTS, WORDS = "texts", "words"
#: Type larger than this many times the book's usual size is not text (the proof's PROOF mark).
TALL = 3.0

Box = tuple[float, float, float, float]
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")


@dataclass
class Round:
    """One round and the PDF of it being read: where each block was written, the texts, the pages and their words."""

    revision: str
    kind: str  # which PDF of the round: proof, print or screen
    blocks: dict[str, tuple[str, int, int]]  # anchor -> (file relative to the manuscript, first line, last line)
    sources: dict[str, str]  # file relative to the manuscript -> its text at this round
    labels: list[str] = field(default_factory=list)  # page label by page index
    trims: list[Box] = field(default_factory=list)  # this PDF's trim box by page index
    starts: list[list[tuple[float, str]]] = field(default_factory=list)  # by page: (top in trim, anchor), top first
    words: list[list[tuple[float, float, float, float, str]]] = field(default_factory=list)  # by page, in trim
    size: tuple[float, float] = (0.0, 0.0)  # the trim's width and height where the text was read
    _now: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def to_trim(self, index: int, box: Box) -> Box:
        """A box in this PDF's page coordinates, in the round's trim coordinates."""
        if index >= len(self.trims):
            return box
        x0, y0, x1, y1 = self.trims[index]
        # a PDF whose page is the trim drawn at another size (none of press's, but a viewer may
        # have re-saved one so) is scaled onto the trim the words were read on
        sx = self.size[0] / (x1 - x0) if self.size[0] and x1 > x0 else 1.0
        sy = self.size[1] / (y1 - y0) if self.size[1] and y1 > y0 else 1.0
        left, bottom, right, top = box
        return ((left - x0) * sx, (bottom - y0) * sy, (right - x0) * sx, (top - y0) * sy)

    def paragraph_at(self, index: int, middle: float) -> str | None:
        """The paragraph whose start stands nearest above ``middle`` (trim coordinates), or the last begun before."""
        above = [name for top, name in (self.starts[index] if index < len(self.starts) else ()) if top >= middle]
        if above:
            return above[-1]
        for page in range(min(index, len(self.starts)) - 1, -1, -1):
            if self.starts[page]:
                return self.starts[page][-1][1]
        return None

    def words_in(self, index: int, boxes: list[Box]) -> str:
        """The recorded words whose middles fall in ``boxes`` (trim coordinates), in their order on the page."""
        found = []
        for x0, y0, x1, y1, word in (self.words[index] if index < len(self.words) else ()):
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            if any(left <= mx <= right and bottom <= my <= top for left, bottom, right, top in boxes):
                found.append(word)
        # recorded words are whole words: the punctuation at either end is read as not marked
        return _EDGES.sub("", " ".join(found))

    def word_near(self, index: int, x: float, y: float, reach: float = 12.0) -> str:
        """The recorded word nearest the point (trim coordinates), within ``reach`` points."""
        best, distance = "", reach
        for x0, y0, x1, y1, word in (self.words[index] if index < len(self.words) else ()):
            d = max(x0 - x, 0, x - x1) + max(y0 - y, 0, y - y1)
            if d <= distance:
                best, distance = word, d
        return _EDGES.sub("", best)

    def locate(self, anchor: str, words: str, book_dir: Path) -> tuple[str, int, int, bool]:
        """Where ``words`` stand in the block ``anchor`` as written at this round: (file, line, column, changed since)."""
        file, first, last = self.blocks[anchor]
        lines = self.sources.get(file, "").split("\n")
        snippet = "\n".join(lines[first - 1:last])
        line, column = first, 1
        tokens = re.findall(r"\w+", normalised(words))
        if tokens:
            flat, where = _indexed(snippet, normalised)
            # the punctuation the mark begins with (an opening bracket or quote) is where the column points
            lead = re.escape(re.match(r"[^\w\s]*", normalised(words).strip()).group())  # type: ignore[union-attr]
            found = re.search(r"(?<![^\W_])" + (f"(?:{lead})?" if lead else "")
                              + r"[\W_]+".join(re.escape(t) for t in tokens), flat, re.IGNORECASE)
            if found:
                offset = where[found.start()]
                line = first + snippet.count("\n", 0, offset)
                column = offset - (snippet.rfind("\n", 0, offset) + 1) + 1
        if file not in self._now:  # each manuscript file read once, however many marks fall in it
            try:
                self._now[file] = (book_dir / file).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
            except OSError:
                self._now[file] = []
        return str(book_dir / file), line, column, "\n".join(self._now[file][first - 1:last]) != snippet


def _indexed(text: str, normalise) -> tuple[str, list[int]]:
    """``normalise(text)`` character by character, with each character's offset in ``text``."""
    out, where = [], []
    for i, char in enumerate(text):
        piece = normalise(char)
        out.append(piece)
        where.extend([i] * len(piece))
    return "".join(out), where


def _folder(revision: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "-", revision)


def _trim(page: pikepdf.Page) -> Box:
    box = page.obj.get("/TrimBox") or page.obj.get("/CropBox") or page.obj.MediaBox
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _named_starts(pdf: pikepdf.Pdf, trims: list[Box]) -> list[list[tuple[float, str]]]:
    """Where each paragraph and heading begins, by page, in trim coordinates (its top), top first."""
    starts: list[list[tuple[float, str]]] = [[] for _ in trims]
    if "/Names" not in pdf.Root or "/Dests" not in pdf.Root.Names:
        return starts
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    for name, dest in pikepdf.NameTree(pdf.Root.Names.Dests).items():
        if not ANCHOR.fullmatch(name) or not isinstance(dest, pikepdf.Array) or len(dest) < 4:
            continue
        index = pages.get(dest[0].objgen)
        top = dest[3]
        if index is not None and isinstance(top, (int, float, Decimal)):
            starts[index].append((round(float(top) - trims[index][1], 1), name))
    for entries in starts:
        entries.sort(key=lambda e: -e[0])
    return starts


def _page_chars(page: pypdfium2.PdfPage) -> tuple[str, array, array]:
    """The page's text, each character's box (from its font's ascent to descent; four numbers a
    character, one after another) and font size. Arrays of single floats: a 500-page book has a
    million characters, which as tuples of Python floats would take hundreds of megabytes."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = min(len(text), textpage.count_chars())
        rect = pdfium_c.FS_RECTF()
        boxes, sizes = array("f"), array("f")
        for i in range(count):  # the raw calls: a 300-page book has half a million characters
            pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, i, rect)
            boxes.extend((rect.left, rect.bottom, rect.right, rect.top))
            sizes.append(pdfium_c.FPDFText_GetFontSize(textpage.raw, i))
    finally:
        textpage.close()
    return text[:count], boxes, sizes


def _page_words(text: str, boxes: array, sizes: array, trim: Box,
                usual: float) -> list[tuple[float, float, float, float, str]]:
    """The words inside the trim, each with its box in trim coordinates, in the page's reading order."""
    words: list[list[int]] = []
    current: list[int] = []
    for i, char in enumerate(text):
        x0, y0, x1, y1 = boxes[4 * i: 4 * i + 4]
        inside = trim[0] <= (x0 + x1) / 2 <= trim[2] and trim[1] <= (y0 + y1) / 2 <= trim[3]
        if char.isspace() or not inside or (usual and sizes[i] > TALL * usual):
            if current:
                words.append(current)
            current = []
            continue
        if current and (x0 < boxes[4 * current[-1]] - 1 or y1 < boxes[4 * current[-1] + 1]):
            words.append(current)  # a new line without a space between
            current = []
        current.append(i)
    if current:
        words.append(current)
    out = []
    for chars in words:
        word = _joined_word("".join(text[i] for i in chars))
        if not word:
            continue
        xs0, ys0, xs1, ys1 = zip(*(boxes[4 * i: 4 * i + 4] for i in chars))
        out.append((round(min(xs0) - trim[0], 1), round(min(ys0) - trim[1], 1),
                    round(max(xs1) - trim[0], 1), round(max(ys1) - trim[1], 1), word))
    return out


def _book_words(path: Path, trims: list[Box], indices: list[int],
                usual: float | None) -> tuple[dict[int, list[tuple[float, float, float, float, str]]], float]:
    """The words of the pages ``indices``, and the book's usual type size (``usual``, or the median
    of the size of their characters); type far larger than that (the proof's PROOF mark) is not text."""
    document = pypdfium2.PdfDocument(str(path))
    pages = {}
    try:
        for i in indices:
            page = document[i]
            pages[i] = _page_chars(page)
            page.close()  # a page left open keeps its parsed content until the document closes
    finally:
        document.close()
    if not usual:
        sizes = [size for text, _, page_sizes in pages.values() for char, size in zip(text, page_sizes) if not char.isspace()]
        usual = statistics.median(sizes) if sizes else 0.0
    return {i: _page_words(text, boxes, page_sizes, trims[i], usual) for i, (text, boxes, page_sizes) in pages.items()}, usual


def _words_file(rounds: Path, key: str) -> Path:
    """Where the words of a page made of ``key`` are kept, once for every round that has such a page."""
    return rounds / WORDS / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def _text_file(rounds: Path, digest: str) -> Path:
    """Where a document's text as it was at some round is kept, once for every round that had it."""
    return rounds / TEXTS / f"{digest}.txt"


def _by_age(rounds: Path, name: str) -> list[Path]:
    """The round folders under ``rounds`` that hold ``name``, oldest first (by that file's time)."""
    found = []
    for path in rounds.glob(f"*/{name}"):
        try:
            found.append((path.stat().st_mtime_ns, path.parent))
        except OSError:  # removed meanwhile
            continue
    return [folder for _, folder in sorted(found)]


def _prune(rounds: Path) -> None:
    """Keep the ``KEEP`` rounds recorded last, and the texts and page words they use; remove the rest.

    Pruned only when ``KEEP`` is passed by a tenth, so that a proof at every save (press watch)
    does not read every kept round each time.
    """
    recorded = _by_age(rounds, "round.json")
    if len(recorded) <= KEEP + KEEP // 10:
        return
    for folder in recorded[:-KEEP]:
        shutil.rmtree(folder, ignore_errors=True)
    texts: set[str] = set()
    words: set[str] = set()
    for folder in recorded[-KEEP:]:
        texts.update(str(v) for v in _read(folder / "round.json").get("sources", {}).values())
        words.update(_words_file(rounds, str(p.get("key"))).name for p in _read(folder / "text.json").get("pages", [])
                     if isinstance(p, dict) and p.get("key"))
    for path in (rounds / TEXTS).glob("*.txt"):
        if path.stem not in texts:
            path.unlink(missing_ok=True)
    for path in (rounds / WORDS).glob("*.json"):
        if path.name not in words:
            path.unlink(missing_ok=True)


def _joined_word(word: str) -> str:
    return word.replace("\x02", "-").replace("\xad", "").strip()


def _sources(book: Book) -> tuple[dict[str, str], dict[str, tuple[str, int, int]]]:
    """The documents' texts (each file read once) and the line range of every paragraph and heading."""
    root = book.root.resolve()
    sources: dict[str, str] = {}
    blocks: dict[str, tuple[str, int, int]] = {}
    for doc in book.documents:
        path = Path(doc.loc.file).resolve()
        try:
            relative = str(path.relative_to(root))
            text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        except (ValueError, OSError):
            continue
        sources[relative] = text
        total = text.count("\n") + 1
        starts = [(b.anchor, b.loc.line) for b in walk_blocks(doc.all_blocks)
                  if isinstance(b, (Paragraph, Heading)) and b.anchor and b.loc.line]
        ordered = sorted({line for _, line in starts})
        for anchor, line in starts:
            later = [n for n in ordered if n > line]
            blocks[anchor] = (relative, line, (later[0] - 1) if later else total)
    return sources, blocks


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _compact(path: Path, data: dict) -> None:
    """JSON without spaces or indentation: a round's files hold every word of the book."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def record_round(proof_folder: Path, book: Book, revision: str, pdfs: list[tuple[str, Path]],
                 pages: dict[str, str], page_keys: list[str] | None = None) -> Path:
    """Record the round of ``pdfs`` ((kind, path): proof, print, screen, one layout) beside the proof; return its folder.

    A round already recorded at this revision keeps its other PDFs when its texts and layout are
    the ones recorded now (a proof, then a build, of the same manuscript); otherwise it is replaced.

    The words' places are read (with PDFium: about 7 ms a page) when ``page_keys`` name what each
    page is made of, as a proof does: a page made of what a page of the round recorded last was
    made of has its words, and only the others are read. A build, which passes none, reads no
    words (a marked print or screen PDF is read by its own text); it keeps those a proof of the
    same layout recorded.
    """
    texts, blocks = _sources(book)
    rounds = proof_folder / ROUNDS
    (rounds / TEXTS).mkdir(parents=True, exist_ok=True)
    sources = {}
    for file, content in texts.items():  # each text once, however many rounds had it
        digest = hashlib.sha256(content.encode()).hexdigest()[:32]
        sources[file] = digest
        if not _text_file(rounds, digest).is_file():
            atomic_write(_text_file(rounds, digest), partial(Path.write_text, data=content, encoding="utf-8"))
    entries: dict[str, dict] = {}
    labels: list[str] = []
    starts: list = []
    size = (0.0, 0.0)
    for number, (kind, path) in enumerate(pdfs):
        with pikepdf.open(path) as pdf:
            ids = pdf.trailer.get("/ID")
            pdf_id = bytes(ids[0]).hex() if isinstance(ids, pikepdf.Array) and len(ids) else ""
            trims = [_trim(page) for page in pdf.pages]
            if number == 0:
                labels = [str(page.label) for page in pdf.pages]
                starts = _named_starts(pdf, trims)
                first, first_trims = path, trims
        if number == 0:
            size = (trims[0][2] - trims[0][0], trims[0][3] - trims[0][1]) if trims else size
        entries[pdf_id] = {"kind": kind, "trims": [[round(v, 2) for v in t] for t in trims]}
    folder = rounds / _folder(revision)
    folder.mkdir(parents=True, exist_ok=True)
    layout = {"labels": labels, "starts": starts, "size": size}
    before = _read(folder / "round.json")
    kept = before.get("pdfs", {}) if isinstance(before.get("pdfs"), dict) else {}
    same = before.get("sources") == sources and before.get("layout") == json.loads(json.dumps(layout))
    if not same:
        kept = {}
    kept = {k: v for k, v in kept.items() if k not in entries}
    merged = dict(list(kept.items())[-(MAX_PDFS - len(entries)):] if MAX_PDFS > len(entries) else []) | entries
    text: dict | None = None
    if page_keys is not None and pdfs:  # the PDFs share the first one's pages: their words are read once, from it
        (rounds / WORDS).mkdir(parents=True, exist_ok=True)
        missing = [i for i, key in enumerate(page_keys) if not _words_file(rounds, key).is_file()]
        read, usual = _book_words(first, first_trims, missing, _usual(rounds))
        for i, words in read.items():
            _compact(_words_file(rounds, page_keys[i]), {"words": words})
        text = {"revision": revision, "size": size, "usual": usual,
                "pages": [{"starts": s, "key": k} for s, k in zip(starts, page_keys)]}
    elif not (same and (folder / "text.json").is_file()):
        text = {"revision": revision, "size": size, "pages": [{"starts": s} for s in starts]}
    _compact(folder / "round.json", {"revision": revision, "blocks": blocks, "sources": sources, "layout": layout,
                                     "pdfs": merged})
    _compact(folder / "pages.json", {"revision": revision, "labels": labels, "pages": pages})
    if text is not None:
        _compact(folder / "text.json", text)
    _prune(rounds)
    return folder


def _usual(rounds: Path) -> float | None:
    """The usual type size a round recorded last found, so that a proof reading a few pages again
    measures their words against the book's, not against those pages' own."""
    recorded = _by_age(rounds, "text.json")
    usual = _read(recorded[-1] / "text.json").get("usual") if recorded else None
    return float(usual) if isinstance(usual, (int, float)) and usual > 0 else None


def find_round(folders: list[Path], pdf_id: str) -> Round | None:
    """The round, and which of its PDFs, whose document id is ``pdf_id``, recorded under any of
    ``folders`` (the proof folder, the build's cache); or None."""
    if not pdf_id:
        return None
    for rounds in (folder / ROUNDS for folder in folders):
        for path in sorted(rounds.glob("*/round.json")):
            data = _read(path)
            entry = data.get("pdfs", {}).get(pdf_id) if isinstance(data.get("pdfs"), dict) else None
            if not isinstance(entry, dict):
                continue
            try:
                return _round(rounds, path.parent, data, entry)
            except (TypeError, ValueError, IndexError, AttributeError, OSError):
                continue  # a damaged record is no round
    return None


def _round(rounds: Path, folder: Path, data: dict, entry: dict) -> Round:
    blocks = {k: (str(v[0]), int(v[1]), int(v[2])) for k, v in data.get("blocks", {}).items()}
    sources = {str(file): _text_file(rounds, str(digest)).read_text(encoding="utf-8")
               for file, digest in data.get("sources", {}).items() if re.fullmatch(r"[0-9a-f]{32}", str(digest))}
    text = _read(folder / "text.json")
    pages = text.get("pages", [])
    words = []
    for page in pages:
        key = page.get("key")
        recorded = _read(_words_file(rounds, str(key))).get("words", []) if key else []
        words.append([(float(a), float(b), float(c), float(d), str(w)) for a, b, c, d, w in recorded])
    return Round(
        str(data.get("revision")), str(entry.get("kind")), blocks, sources,
        labels=[str(x) for x in _read(folder / "pages.json").get("labels", [])],
        trims=[tuple(float(v) for v in t) for t in entry.get("trims", [])],  # type: ignore[misc]
        starts=[[(float(top), str(name)) for top, name in p.get("starts", [])] for p in pages],
        words=words,
        size=tuple(float(v) for v in text.get("size", (0, 0))),  # type: ignore[arg-type]
    )


def normalised(text: str) -> str:
    """Text as the proof prints it and the manuscript writes it, compared: quotes, dashes and spaces alike."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("«", '"'), ("»", '"'), ("„", '"'),
                 ("—", "-"), ("–", "-"), ("…", "...")):
        text = text.replace(a, b)
    return text
