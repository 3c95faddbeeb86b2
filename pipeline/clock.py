"""The one time a build stamps into its outputs, so the same manuscript gives the same bytes."""

from __future__ import annotations

import datetime as dt
import os

from pipeline.model import Book


def build_time(book: Book) -> dt.datetime:
    """SOURCE_DATE_EPOCH when set (the reproducible-builds convention), else 1 January of the book's year."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    return dt.datetime(book.year or 2000, 1, 1)


def epoch_seconds(book: Book) -> int:
    return int(build_time(book).replace(tzinfo=dt.timezone.utc).timestamp())
