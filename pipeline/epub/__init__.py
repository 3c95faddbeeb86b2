"""The EPUB stage: the model (with the printed pages marked in it) -> an EPUB 3, through EbookLib.

It reads the model and the render stage's XHTML only: what it knows of the print layout comes
as ``PageBreak`` markers the transforms put in the model (``transforms/pagebreaks.py``).
"""

from pipeline.epub.package import write_epub

__all__ = ["write_epub"]
