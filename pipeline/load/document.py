"""One document file -> ``Document``: front matter between ``---`` lines, then a Markdown body."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from pipeline.diagnostics import Diagnostics
from pipeline.load.images import check_image
from pipeline.load.markdown import LANGUAGE_TAG, MarkdownReader, make_parser, smart_text
from pipeline.load.schema import FRONT_MATTER_FIELDS
from pipeline.load.text import read_text
from pipeline.load.yamlnodes import compose, read_mapping
from pipeline.model import Document, Figure, Footnote, SourceLoc, Text, footnote_refs

_FENCE = "---"
#: A paragraph longer than this is almost certainly a lost paragraph break; laying it out
#: would take minutes, so it is refused with a message instead.
MAX_PARAGRAPH_WORDS = 20_000


def split_front_matter(text: str, file: str, diags: Diagnostics) -> tuple[str, str, int] | None:
    """Return (front matter, body, line of the body's first line), or report why not."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        diags.add(
            "E106",
            SourceLoc(file, 1),
            "the document does not start with front matter",
            "begin the file with a line '---', the keys number and title, and another '---'",
        )
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() in (_FENCE, "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    diags.add(
        "E106",
        SourceLoc(file, 1),
        "the front matter opened here is never closed",
        "end it with a line '---' before the text begins",
    )
    return None


def load_document(path: Path, file: str, parser: MarkdownIt, language: str, diags: Diagnostics,
                  root: Path | None = None) -> Document | None:
    """Read one document; problems go to ``diags`` and the result is None when it is unusable.

    Images are looked for beside the document and must lie inside ``root`` (the manuscript
    folder; by default the document's own folder).
    """
    text = read_text(path, file, diags)
    if text is None:
        return None
    parts = split_front_matter(text, file, diags)
    if parts is None:
        return None
    front, body_text, body_line = parts
    node = compose(front, file, diags, line_offset=1)
    if node is None and diags.errors:
        return None
    meta = read_mapping(node, FRONT_MATTER_FIELDS, file, diags, line_offset=1)
    if "number" not in meta or "title" not in meta:
        return None
    if meta["number"].value < 1:
        diags.add("E108", meta["number"].loc, f"document number {meta['number'].value} is not a document's number",
                  "number documents from 1")
        return None
    printed_in = None
    if "language" in meta:
        if LANGUAGE_TAG.fullmatch(meta["language"].value):
            printed_in = meta["language"].value
        else:
            diags.add("E108", meta["language"].loc, f"'{meta['language'].value}' is not a BCP 47 language tag",
                      "for example fr, de, ru or en-GB")
    for entry in meta["speakers"].value if "speakers" in meta else ():
        if not entry.value.strip():
            diags.add("E108", entry.loc, "an empty speaker name", "remove it: every name in speakers opens turns ('Name: …')")

    def figure(src: str, alt: str, title: str, loc: SourceLoc) -> Figure | None:
        found = check_image(src, path.parent, root or path.parent, loc, diags)
        if found is None:
            return None
        if not alt.strip():
            diags.add("W115", loc, f"image '{src}' has no description",
                      "say what it shows between the brackets, for readers who cannot see it: ![A typed memorandum, first page](…)")
        caption = (Text(smart_text(language, title)),) if title.strip() else ()
        return Figure(found.path, alt.strip(), caption, loc, found.pixels, found.mode)

    # The headnote and the source note are the editor's, in the book's language; the text and
    # its title are the document's own, in its language when it is printed in another.
    text_parser = make_parser(printed_in) if printed_in else parser
    text_language = printed_in or language

    def markdown(text: str, first_line: int, role: str):
        reader = text_parser if role == "body" else parser
        return MarkdownReader(reader, file, first_line, role, diags, figure, (path.parent, root or path.parent)).read(text)

    headnote, notes_h = markdown(meta["headnote"].value, meta["headnote"].first_line, "headnote") if "headnote" in meta else ((), ())
    body, notes_b = markdown(body_text, body_line, "body")
    if not body:
        diags.add("W114", SourceLoc(file, body_line), "the document has no text after its front matter")
    for block in body:
        words = sum(len(n.text.split()) for n in getattr(block, "inlines", ()) if hasattr(n, "text"))
        if words > MAX_PARAGRAPH_WORDS:
            diags.add("E115", block.loc, f"a paragraph of {words:,} words is more than press sets ({MAX_PARAGRAPH_WORDS:,})",
                      "split it into paragraphs")
    source, notes_s = markdown(_unbracketed(meta["source"].value), meta["source"].first_line, "source") if "source" in meta else ((), ())

    def text_of(key: str) -> str | None:
        return meta[key].value if key in meta else None

    def typeset(key: str) -> str | None:
        """Front-matter text gets the same quotes and dashes as the body."""
        return smart_text(text_language, meta[key].value) if key in meta else None

    return Document(
        number=meta["number"].value,
        title=typeset("title") or "",  # required: its absence is reported before this
        loc=meta["number"].loc,  # where the document names itself: duplicates are reported here
        short_title=typeset("short_title"),
        date=text_of("date"),
        translator=text_of("translator"),
        original_language=text_of("original_language"),
        language=printed_in,
        speakers=tuple(v.value for v in meta["speakers"].value) if "speakers" in meta else (),
        headnote=headnote,
        body=body,
        source=source,
        copyright=text_of("copyright"),
        footnotes=_check_footnotes(headnote + body + source, notes_h + notes_b + notes_s, diags),
    )


def _unbracketed(source: str) -> str:
    """A source note typed in the square brackets press prints around it, without them.

    Volumes print source notes as ``[Source: …]``, and editors copy them so; press adds the
    brackets itself. Only one pair enclosing the whole note goes, not ``[…] text […]``.
    """
    text = source.strip()
    if not (text.startswith("[") and text.endswith("]")) or text.startswith("[^"):
        return source
    depth = 0
    for i, char in enumerate(text):
        depth += char == "["
        depth -= char == "]"
        if depth == 0 and i < len(text) - 1:
            return source  # the first bracket closes before the end
    return text[1:-1].strip()


def _check_footnotes(blocks, notes: tuple[Footnote, ...], diags: Diagnostics) -> tuple[Footnote, ...]:
    """Keep one note per label; report references without a note and notes never referenced."""
    by_label: dict[str, Footnote] = {}
    for note in notes:
        if note.label in by_label:
            diags.add("W112", note.loc, f"footnote [^{note.label}] is defined twice", "the first definition is used")
        else:
            by_label[note.label] = note
    referenced = set()
    for ref in footnote_refs(blocks):
        referenced.add(ref.label)
        if ref.label not in by_label:
            diags.add("W111", ref.loc, f"footnote reference [^{ref.label}] has no note", f"add a line '[^{ref.label}]: …'")
    for label, note in by_label.items():
        if label not in referenced:
            diags.add("W112", note.loc, f"footnote [^{label}] is never referenced", "it is left out")
    return tuple(n for label, n in by_label.items() if label in referenced)
