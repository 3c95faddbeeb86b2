"""What a build tells whoever watches it, as typed events.

Stages report through one callable, ``progress(event)``. Only the command line turns events
into words (``pipeline/progress.py``); ``press watch`` and the tests read them as data, e.g.
which parts were laid out again and which came from the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Union


@dataclass(frozen=True)
class StageStarted:
    """A stage of the build begins: ``load``, ``transforms``, ``layout``, ``pdf``, ``epub``, …"""

    name: str


@dataclass(frozen=True)
class DocumentFound:
    """The loader read Document No. ``number`` from ``file``."""

    number: int
    file: str


@dataclass(frozen=True)
class EditionChosen:
    """The build makes the class edition ``name`` of ``documents`` documents."""

    name: str
    documents: int


@dataclass(frozen=True)
class PartLaidOut:
    """A part of the print book is ready: laid out now, or (``cached``) taken from the cache.

    ``number`` is the document's number, None for the front matter; ``done`` of ``total`` parts.
    """

    number: int | None
    pages: int
    cached: bool
    done: int
    total: int
    back: bool = False  # the index, after the documents

    @property
    def name(self) -> str:
        if self.back:
            return "index"
        return "front matter" if self.number is None else f"Document No. {self.number}"


@dataclass(frozen=True)
class PartsLaidOutAgain:
    """``count`` parts cited pages that came out otherwise, and are laid out again."""

    count: int


@dataclass(frozen=True)
class BookPaginated:
    """The bound book has ``pages`` pages."""

    pages: int


@dataclass(frozen=True)
class Note:
    """Anything else worth a line: ``proof sheet: rendering pages``."""

    text: str


Event = Union[StageStarted, DocumentFound, EditionChosen, PartLaidOut, PartsLaidOutAgain, BookPaginated, Note]


class Progress(Protocol):
    """Receives the build's events."""

    def __call__(self, event: Event) -> None: ...


def silent(event: Event) -> None:
    """Hears nothing (``--quiet``, and library use)."""
