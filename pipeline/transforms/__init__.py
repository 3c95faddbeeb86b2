"""The transform stage: small named passes, ``Book -> Book``, applied in this order.

Everything that must agree between the PDF and the EPUB (speaker turns, omissions,
footnote numbers, paragraph numbers and ids) is settled here, once, on the model.
"""

from __future__ import annotations

from typing import Callable

from pipeline.model import Book
from pipeline.transforms.crossrefs import resolve_cross_references
from pipeline.transforms.dates import tie_dates
from pipeline.transforms.footnotes import number_footnotes
from pipeline.transforms.index import collect_index
from pipeline.transforms.numbering import number_paragraphs
from pipeline.transforms.speakers import mark_speaker_turns
from pipeline.transforms.typography import mark_omissions
from pipeline.transforms.urls import link_bare_urls

Transform = Callable[[Book], Book]

TRANSFORMS: tuple[Transform, ...] = (
    link_bare_urls,
    mark_speaker_turns,
    mark_omissions,
    tie_dates,
    number_footnotes,
    number_paragraphs,
    resolve_cross_references,
    collect_index,
)


def apply_transforms(book: Book, transforms: tuple[Transform, ...] = TRANSFORMS) -> Book:
    for transform in transforms:
        book = transform(book)
    return book
