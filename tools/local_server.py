"""The book's pages served on 127.0.0.1 for headless Chromium: one home for `make pdf`, the tests and the benchmarks.

`make pdf` (tools/make_pdf.py) prints the book with Debian's Chromium; the browser tests
(tests/browser.py) and the benchmarks drive the same Chromium over the same kind of local
server. The server, the browser's path and its flags are stated here once.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

#: Debian's Chromium (apt-get install chromium); never a browser downloaded by Playwright.
CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a headless Chromium that reaches no service of its own (updates, sync, ...).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: The only host the pages may load from.
LOCAL_HOST = "127.0.0.1"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging each request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path | str, name: str = "local-server") -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at a free port; yields the root URL (ending in ``/``)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
