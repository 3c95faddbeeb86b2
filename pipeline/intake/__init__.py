"""``press import FILE.docx``: a translator's Word file becomes a document of the manuscript.

Mammoth reads the Word file (``markdown.STYLE_MAP`` names the styles press knows), ``markdown``
writes the document, and before anything is written into the manuscript the new document is
read back by press's own loader in a scratch manuscript: what press would say about it is in the
report, and a document press could not read is never added. Then the document (and its images)
is written and its path appended to ``documents:`` in book.yaml, as a text edit that keeps the
editor's comments and order.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.diagnostics import Diagnostic, Diagnostics, ManuscriptError
from pipeline.files import atomic_write
from pipeline.intake.html import parse
from pipeline.intake.markdown import STYLE_MAP, Draft, draft_from
from pipeline.load import load_book
from pipeline.model import Paragraph, SourceLoc, slugify, walk_blocks
from pipeline.transforms import apply_transforms

#: A Word file larger than this is not a translator's document (images included).
MAX_DOCX_BYTES = 64 * 1024 * 1024
#: What its parts may unpack to: a long translation with photographs stays far below it.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
IMAGE_TYPES = {"image/png": ".png", "image/jpeg": ".jpg"}


@dataclass
class ImportReport:
    """What an import made and what the editor should look at."""

    document: str
    number: int
    title: str
    numbered_paragraphs: int
    speakers: list[str]
    renamed_speakers: list[str]
    footnotes: int
    images: list[str]
    unknown_styles: dict[str, int]
    dropped: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return dict(self.__dict__)


def _error(code: str, file: str, message: str, hint: str | None = None) -> ManuscriptError:
    return ManuscriptError([Diagnostic(code, SourceLoc(file), message, hint)])


def _convert(source: Path, images_dir: Path, stem: str):
    """Mammoth's HTML of ``source``, its messages, and the images it held, written to ``images_dir``."""
    import mammoth  # imported here: only press import needs it

    written: list[Path] = []

    def image(img):
        suffix = IMAGE_TYPES.get(img.content_type)
        if suffix is None:
            return {"src": "", "alt": img.alt_text or ""}
        with img.open() as stream:
            data = stream.read()
        name = f"{stem}-{len(written) + 1}{suffix}"
        images_dir.mkdir(parents=True, exist_ok=True)
        (images_dir / name).write_bytes(data)
        written.append(images_dir / name)
        return {"src": f"../images/{name}", "alt": img.alt_text or ""}

    with source.open("rb") as stream:
        result = mammoth.convert_to_html(stream, style_map=STYLE_MAP, convert_image=mammoth.images.img_element(image))
    return result.value, result.messages, written


def _check_docx(source: Path) -> None:
    file = str(source)
    if not source.is_file():
        raise _error("E150", file, "no such Word file")
    if source.stat().st_size > MAX_DOCX_BYTES:
        raise _error("E150", file, f"the file is larger than press imports ({MAX_DOCX_BYTES // 2**20} MB)")
    with source.open("rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE compound file: a .doc, or an encrypted .docx
        raise _error("E150", file, "this is an old Word file (.doc) or a password-protected one",
                     "open it in Word or LibreOffice, remove any password and save it as .docx")
    try:
        with zipfile.ZipFile(source) as z:
            if "word/document.xml" not in z.namelist():
                raise _error("E150", file, "this is not a Word (.docx) file", "save it from Word as .docx")
            # a zip's parts could unpack to far more than the file's size (a "zip bomb"): bound what is read
            if sum(info.file_size for info in z.infolist()) > MAX_UNPACKED_BYTES:
                raise _error("E150", file, f"the file unpacks to more than press imports ({MAX_UNPACKED_BYTES // 2**20} MB)")
    except zipfile.BadZipFile:
        raise _error("E150", file, "this is not a Word (.docx) file, or it is damaged", "save it from Word as .docx") from None


#: What mammoth reads past without a word, counted in the Word file's own XML for the report.
_UNSEEN = {
    "tracked insertions left unaccepted (their text is kept)": re.compile(rb"<w:ins\b"),
    "tracked deletions left unaccepted (their text is left out)": re.compile(rb"<w:del\b"),
    "comments (left out)": re.compile(rb"<w:commentReference\b"),
    "text boxes (their text may be out of place)": re.compile(rb"<w:txbxContent\b"),
}


def unseen(source: Path) -> dict[str, int]:
    """Tracked changes, comments and text boxes in the Word file: mammoth passes them by silently."""
    with zipfile.ZipFile(source) as z:
        info = z.getinfo("word/document.xml")
        if info.file_size > MAX_DOCX_BYTES:
            return {}
        xml = z.read(info)
    return {what: n for what, pattern in _UNSEEN.items() if (n := len(pattern.findall(xml)))}


def draft_of(source: Path, images_dir: Path, stem: str) -> tuple[Draft, list[str], list[Path]]:
    """The draft document of a Word file, the styles mammoth did not know, and the images written."""
    _check_docx(source)
    try:
        html, messages, images = _convert(source, images_dir, stem)
    except Exception as exc:  # mammoth raises many kinds for damaged files; all mean the same
        raise _error("E150", str(source), f"the Word file cannot be read: {exc}", "open it in Word and save it again") from None
    unknown = [name for m in messages if m.message.startswith("Unrecognised") and ":" in m.message
               if (name := m.message.split(":", 1)[1].split("(")[0].strip()) not in ("", "None")]
    draft = draft_from(parse(html))
    draft.dropped.update(unseen(source))
    if not (draft.body or draft.headnote):
        raise _error("E150", str(source), "the Word file holds no text")
    if not draft.title:
        raise _error("E151", str(source), "the Word file has no title",
                     "give the title the style Title or Heading 1 (see press's Word template)")
    return draft, unknown, images


def import_word(source: Path, book_dir: Path, number: int | None = None, dry_run: bool = False) -> tuple[ImportReport, str]:
    """Import ``source`` into the manuscript ``book_dir``; return the report and the document's text.

    With ``dry_run`` nothing in the manuscript changes. Raises ``ManuscriptError`` when the Word
    file cannot be imported or the book cannot take it (its number is taken, book.yaml unreadable).
    """
    source, book_dir = Path(source), Path(book_dir)
    book = load_book(book_dir)
    taken = {d.number: d.loc.file for d in book.documents}
    if number is None:
        number = max(taken, default=0) + 1
    elif number in taken or number < 1:
        raise _error("E152", str(source), f"Document No. {number} is already in the book ({taken[number]})" if number in taken
                     else f"{number} cannot number a document", f"the next free number is {max(taken, default=0) + 1}")
    with tempfile.TemporaryDirectory(prefix="press-import-") as scratch:
        scratch_root = Path(scratch)
        stem = f"{number:02d}-{hashlib.sha256(source.read_bytes()).hexdigest()[:6]}"
        draft, unknown, images = draft_of(source, scratch_root / "images", stem)
        slug = slugify(draft.title or "")  # cut at a whole word, as every file name press makes
        relative = f"documents/{number:02d}-{slug}.md"
        text = draft.document(number)
        # Read the document back as press will, in a scratch manuscript of its own.
        (scratch_root / "documents").mkdir()
        (scratch_root / relative).write_text(text, encoding="utf-8")
        (scratch_root / "book.yaml").write_text(
            f"title: Import\nlanguage: {book.language}\ndocuments: [{relative}]\n", encoding="utf-8")
        diags = Diagnostics()
        try:
            loaded = apply_transforms(load_book(scratch_root, diags))
        except ManuscriptError as exc:
            raise ManuscriptError(tuple(exc.diagnostics)) from None
        doc = loaded.documents[0]
        numbered = sum(1 for b in walk_blocks(doc.text_blocks) if isinstance(b, Paragraph) and b.number)
        report = ImportReport(
            document=relative, number=number, title=draft.title or "", numbered_paragraphs=numbered,
            speakers=draft.speakers, renamed_speakers=draft.renamed, footnotes=len(draft.notes), images=[f"images/{p.name}" for p in images],
            unknown_styles={s: unknown.count(s) for s in dict.fromkeys(unknown)}, dropped=dict(draft.dropped),
            warnings=[d.format().replace(str(scratch_root) + "/", "") for d in diags.warnings],
        )
        if dry_run:
            return report, text
        target = book_dir / relative
        if target.exists():
            raise _error("E152", str(target), "a file of that name is already in the manuscript", "use --number")
        for image in images:
            (book_dir / "images").mkdir(exist_ok=True)
            shutil.copyfile(image, book_dir / "images" / image.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        append_document(book_dir / "book.yaml", relative)
    return report, text


def append_document(book_yaml: Path, relative: str) -> None:
    """Add ``relative`` at the end of ``documents:`` in book.yaml, editing the text so that comments and order stay."""
    text = book_yaml.read_text(encoding="utf-8")
    root = yaml.compose(text)
    node = next(v for k, v in root.value if k.value == "documents")
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        end = node.end_mark.index - 1  # the closing bracket
        sep = ", " if node.value else ""
        text = text[:end].rstrip() + f"{sep}{relative}" + text[end:]
    elif isinstance(node, yaml.SequenceNode) and node.value:
        last = node.value[-1]
        line_end = text.find("\n", last.end_mark.index)
        line_end = len(text) if line_end < 0 else line_end
        dash_col = last.start_mark.column - 2
        text = text[:line_end] + "\n" + " " * max(dash_col, 0) + f"- {relative}" + text[line_end:]
    else:
        raise _error("E152", str(book_yaml), "documents: in book.yaml is not a list press can add to")
    atomic_write(book_yaml, lambda tmp: tmp.write_text(text, encoding="utf-8"))
