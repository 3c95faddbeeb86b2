"""Where each citation landed: paragraph and heading ids -> printed page, and what moved since last time."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.model import Book, Heading, Paragraph, walk_blocks


def citations(book: Book, anchor_labels: dict[str, str]) -> dict[str, str]:
    """Of every anchor's page, those of paragraphs and headings, in reading order."""
    out: dict[str, str] = {}
    for doc in book.documents:
        for block in walk_blocks(doc.text_blocks):
            if isinstance(block, (Paragraph, Heading)) and block.anchor and block.anchor in anchor_labels:
                out[block.anchor] = anchor_labels[block.anchor]
    return out


def drift(old: dict[str, str], new: dict[str, str]) -> list[dict]:
    """Ids whose page changed (or that appeared or went), in the new reading order."""
    moved = [{"id": key, "old": old.get(key), "new": page} for key, page in new.items() if old.get(key) != page]
    moved += [{"id": key, "old": page, "new": None} for key, page in old.items() if key not in new]
    return moved


def read_pages(path: Path) -> dict[str, str] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("pages") if isinstance(data, dict) else None
