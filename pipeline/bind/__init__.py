"""The bind stage: the laid-out parts and the folio layer made into the print and the screen PDF.

``bind_book`` binds both in processes of their own, side by side when there are cores for it,
while the caller goes on (writing the EPUB); ``Binding.wait`` collects them and says what, if
anything, keeps the print PDF from being PDF/X.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.bind.binder import bind_print, bind_screen
from pipeline.forked import Forked
from pipeline.layout.book import BookLayout
from pipeline.model import Book


class Binding:
    """The print and the screen PDF being bound, each in a process of its own."""

    def __init__(self) -> None:
        self.children: list[Forked] = []
        self.checked: Forked | None = None

    def wait(self) -> list[str]:
        """Wait for both; what keeps the print PDF from being PDF/X (empty when it is)."""
        problems = self.checked.result() if self.checked is not None else []
        for child in self.children:
            child.result()
        return problems

    def abandon(self) -> None:
        """Stop them, and wait until they have stopped, so that no half-written file outlives the build
        (and an interrupted build does not wait for a binding it will throw away)."""
        for child in ([self.checked] if self.checked else []) + self.children:
            child.stop()


def bind_book(book: Book, laid: BookLayout, print_pdf: Path | None, screen_pdf: Path | None, jobs: int) -> Binding:
    """Start binding the print PDF into ``print_pdf`` and the screen PDF into ``screen_pdf`` (either may be None).

    With one job each binding is done before the next starts (and before this returns).
    """
    binding = Binding()
    layer = laid.layer
    if print_pdf is not None:
        binding.checked = Forked(bind_print, book, laid.parts, layer.print_pdfs, laid.plan, laid.front_pages, print_pdf)
        if jobs == 1:
            binding.checked.result()
    if screen_pdf is not None:
        if layer.screen_pdfs is None:
            raise ValueError("the book was laid out without its screen PDFs")
        binding.children.append(Forked(bind_screen, laid.parts, layer.screen_pdfs, laid.plan, laid.front_pages, screen_pdf))
        if jobs == 1:
            binding.children[-1].result()
    return binding
