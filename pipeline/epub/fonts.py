"""The book faces cut down to the characters the EPUB uses (``pipeline.fonts``, shared with the
web edition, which takes them as WOFF2)."""

from pipeline.fonts import subset_font

__all__ = ["subset_font"]
