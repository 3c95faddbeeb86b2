"""A URL fetcher for WeasyPrint that reads local files from the allowed folders and nothing else.

A manuscript is not trusted input: with WeasyPrint's default fetcher a link could embed any
file of the machine or reach the network. Here only ``file:`` URLs inside the book's folder
and press's own styles are served; anything else is refused (and reported by the caller).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.load.images import SUFFIXES as IMAGE_SUFFIXES


class _Converted(URLFetcherResponse):
    """An image served converted: no ``path``, so WeasyPrint embeds these bytes, not the file's."""

    @property
    def path(self):
        return None


class LocalFetcher(URLFetcher):
    """Serves files under ``roots``; refuses every other URL.

    ``convert`` (the print build's colour separation) may replace an image's bytes.
    """

    def __init__(self, roots: list[Path], convert: Callable[[bytes], bytes | None] | None = None):
        super().__init__(allowed_protocols=("file",))
        self.roots = [r.resolve() for r in roots]
        self.convert = convert

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme != "file":
            raise ValueError(f"press reads no network resources: {url}")
        path = Path(unquote(parsed.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
            raise ValueError(f"not a file inside the book or its styles: {path}")
        data = path.read_bytes()
        if self.convert is not None and path.suffix.lower() in IMAGE_SUFFIXES:  # the loader's image types
            converted = self.convert(data)
            if converted is not None:
                return _Converted(path.as_uri(), converted)
        return URLFetcherResponse(path.as_uri(), data)
