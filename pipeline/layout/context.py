"""The one value every step of laying a book out needs, made once per build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.events import Progress, silent
from pipeline.layout.cache import PartCache
from pipeline.model import Book
from pipeline.render import Renderer
from pipeline.render.html import ProofStamp


@dataclass(frozen=True)
class LayoutJob:
    """What to lay out and how: the book and its renderer, the print profile, the cache, whether
    the parts are written for the screen too, how many processes, and the proof's stamp (a proof
    carries a slug line and a PROOF mark on every page: ``folios.proof_stamp``)."""

    book: Book
    renderer: Renderer
    profile: Path | None
    cache: PartCache
    screen: bool
    jobs: int
    proof: ProofStamp | None = None
    progress: Progress = silent
