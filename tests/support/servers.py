"""Servers and browsers for the tests: static folders, request handlers, the demo app, a Chromium."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from harness.demo import DemoServer
from tests.support import SECRETS
from tests.support.tiers import require_e2e

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    delays: ClassVar[dict[str, float]] = {}

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        delay = self.delays.get(self.path.split("?")[0])
        if delay:
            time.sleep(delay)
        super().do_GET()


@contextlib.contextmanager
def serve_folder(folder: Path, delays: dict[str, float] | None = None) -> Iterator[str]:
    """Serve a folder of static files over real HTTP on 127.0.0.1; yield its base URL.

    Args:
        folder: The files.
        delays: Seconds to wait before answering, by path (``/slow.png``).
    """
    handler = type("_Handler", (_QuietHandler,), {"delays": dict(delays or {})})
    with serve(functools.partial(handler, directory=str(folder))) as url:
        yield url


@contextlib.contextmanager
def serve(handler: Any) -> Iterator[str]:
    """Serve a request handler class over real HTTP on 127.0.0.1 from a thread; yield its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Serves /flaky.html: with "Ready" on every page when ``steady``, else on every second request only."""

    steady = True
    served = 0

    def do_GET(self) -> None:
        page = self.path.startswith("/flaky.html")
        type(self).served += page
        ready = self.steady or self.served % 2 == 0
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Flaky</title></head>'
                f'<body><main><h1>Status</h1><p>{"Ready" if ready else "Starting"}</p></main></body></html>')
        self.send_response(200 if page else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        return


def flaky_site(steady: bool) -> contextlib.AbstractContextManager[str]:
    """A site whose /flaky.html shows "Ready" always (``steady``), or on every second request only."""
    return serve(type("_Handler", (_Flaky,), {"steady": steady, "served": 0}))


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    """A real Chromium, found and launched as the harness does, for tests that drive pages directly."""
    from playwright.sync_api import sync_playwright

    from harness.collect.browser import launch_options, resolve_browser

    require_e2e("a Chromium")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(**launch_options(resolve_browser()))
        try:
            yield launched
        finally:
            launched.close()


@contextlib.contextmanager
def both_demo_versions() -> Iterator[dict[int, DemoServer]]:
    """The demo app v1 and v2 side by side, by version."""
    with DemoServer(version=1) as v1, DemoServer(version=2) as v2:
        yield {1: v1, 2: v2}


@contextlib.contextmanager
def demo_server(version: int, **kwargs: Any) -> Iterator[DemoServer]:
    """The demo app whose users have the e2e passwords of :data:`SECRETS` (read when it is created)."""
    saved = {k: os.environ.get(k) for k in SECRETS}
    os.environ.update(SECRETS)
    try:
        server = DemoServer(version=version, **kwargs)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    with server:
        yield server
