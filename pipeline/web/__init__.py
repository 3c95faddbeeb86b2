"""The web edition: a static site of the book, beside the EPUB (it reads the model and the
render stage only)."""

from pipeline.web.site import Download, write_site

__all__ = ["Download", "write_site"]
