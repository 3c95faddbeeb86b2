"""``press serve``: the web edition on http://127.0.0.1:PORT/ for a look, with Python's own server.

Bound to the loopback address only: a look at one's own site, not a host for others. A missing
address gets the site's 404 page, as a static host would serve it.
"""

from __future__ import annotations

import functools
import http.server
from pathlib import Path
from typing import Callable

from pipeline.web.site import CSP


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves one folder; the site's own 404 page; the policy the pages carry also as a header."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".woff2": "font/woff2", ".epub": "application/epub+zip"}

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet: press prints its own line
        pass


def make_server(folder: Path, port: int) -> http.server.ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1:``port`` (0: any free port), not yet serving."""
    handler = functools.partial(_Handler, directory=str(folder))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def serve(folder: Path, port: int, say: Callable[[str], None]) -> None:
    """Serve ``folder`` until interrupted."""
    with make_server(folder, port) as server:
        say(f"serving {folder} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)")
        server.serve_forever()
