"""Proof rounds: what a later ``press corrections`` needs to read marks made on this round's proof.

Each ``press proof`` records, in ``DIR/proof/rounds/<revision>/round.json``, the proof PDF's
document id, the manuscript's documents as they were, and the line range where each paragraph
and heading was written. A proof-reader's marks come back days later, when the manuscript may
have moved on: they are placed in the text of their own round, and said to have changed when the
manuscript's text there is no longer the same.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from pipeline.files import write_json
from pipeline.model import Book, Heading, Paragraph, walk_blocks

ROUNDS = "rounds"


@dataclass
class Round:
    """One proof round: its revision, its proof's document id, where each block was written, and the texts."""

    revision: str
    pdf_id: str
    blocks: dict[str, tuple[str, int, int]]  # anchor -> (file relative to the manuscript, first line, last line)
    sources: dict[str, str]  # file relative to the manuscript -> its text at this round

    def locate(self, anchor: str, words: str, book_dir: Path) -> tuple[str, int, int, bool]:
        """Where ``words`` stand in the block ``anchor`` as written at this round: (file, line, column, changed since)."""
        file, first, last = self.blocks[anchor]
        lines = self.sources.get(file, "").split("\n")
        snippet = "\n".join(lines[first - 1:last])
        line, column = first, 1
        tokens = re.findall(r"\w+", normalised(words))
        if tokens:
            flat, where = _indexed(snippet, normalised)
            found = re.search(r"(?<![^\W_])" + r"[\W_]+".join(re.escape(t) for t in tokens), flat, re.IGNORECASE)
            if found:
                offset = where[found.start()]
                line = first + snippet.count("\n", 0, offset)
                column = offset - (snippet.rfind("\n", 0, offset) + 1) + 1
        try:
            now = (book_dir / file).read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")[first - 1:last]
        except OSError:
            now = []
        return str(book_dir / file), line, column, "\n".join(now) != snippet


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


def record_round(proof_folder: Path, book: Book, revision: str, proof_pdf: Path) -> Path:
    """Write this round's record beside the proof; return its path."""
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
    with pikepdf.open(proof_pdf) as pdf:
        pdf_id = bytes(pdf.trailer.ID[0]).hex()
    target = proof_folder / ROUNDS / _folder(revision) / "round.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_json(target, {"revision": revision, "pdf_id": pdf_id, "blocks": blocks, "sources": sources}, indent=1)
    return target


def find_round(proof_folder: Path, pdf_id: str) -> Round | None:
    """The round whose proof has the document id ``pdf_id``, or None."""
    if not pdf_id:
        return None
    for path in sorted((proof_folder / ROUNDS).glob("*/round.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("pdf_id") == pdf_id:
            blocks = {k: (v[0], int(v[1]), int(v[2])) for k, v in data.get("blocks", {}).items()}
            return Round(str(data.get("revision")), pdf_id, blocks, dict(data.get("sources", {})))
    return None


def normalised(text: str) -> str:
    """Text as the proof prints it and the manuscript writes it, compared: quotes, dashes and spaces alike."""
    text = unicodedata.normalize("NFKC", text)
    for a, b in (("‘", "'"), ("’", "'"), ("“", '"'), ("”", '"'), ("«", '"'), ("»", '"'), ("„", '"'),
                 ("—", "-"), ("–", "-"), ("…", "...")):
        text = text.replace(a, b)
    return text
