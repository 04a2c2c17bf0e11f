"""Run the demo app: in a background thread for tests (:class:`DemoServer`) or in the foreground (:func:`serve`)."""

from __future__ import annotations

import threading
from types import TracebackType

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from harness.demo.app import VERSIONS, create_app

POLL_S = 0.05
"""How often the serving thread looks for a stop: ``stop()`` waits up to this long (werkzeug's default, 0.5 s)."""


class _QuietHandler(WSGIRequestHandler):
    """A request handler that does not log every request."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Skip the access log."""


class DemoServer:
    """The demo app served on 127.0.0.1 from a daemon thread.

    Use as a context manager, or call :meth:`start` and :meth:`stop`::

        with DemoServer(version=2) as server:
            page.goto(server.url + "/login")

    Attributes:
        version: The app version served (1 or 2).
        url: The base URL, like ``http://127.0.0.1:54321`` (set once started).
        port: The bound port (set once started).
        app: The Flask app (its in-memory data lives as long as the server).
    """

    def __init__(self, version: int = 1, port: int = 0, latency_ms: int = 0,
                 path_latency: dict[str, int] | None = None, quiet: bool = True) -> None:
        """Create the app; nothing listens until :meth:`start`.

        Args:
            version: 1 or 2.
            port: TCP port; 0 picks a free one.
            latency_ms: Delay added to every request.
            path_latency: Path prefix → extra delay in milliseconds.
            quiet: Do not log each request.
        """
        self.version = version
        self.app = create_app(version, latency_ms=latency_ms, path_latency=path_latency)
        self._requested_port = port
        self._quiet = quiet
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.url = ""

    def start(self) -> DemoServer:
        """Bind and start serving in a daemon thread; return self."""
        if self._server is not None:
            return self
        handler = _QuietHandler if self._quiet else WSGIRequestHandler
        self._server = make_server("127.0.0.1", self._requested_port, self.app, threaded=True,
                                   request_handler=handler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL_S},
                                        name=f"spendly-v{self.version}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def serve(version: int, port: int, host: str = "127.0.0.1", latency_ms: int = 0) -> None:
    """Serve the demo app in the foreground until interrupted (``harness demo serve``).

    Args:
        version: 1 or 2.
        port: TCP port (0 picks a free one).
        host: Interface to bind; keep the default so the demo is only reachable locally.
        latency_ms: Delay added to every request.
    """
    app = create_app(version, latency_ms=latency_ms)
    server = make_server(host, port, app, threaded=True)
    print(f"Spendly {VERSIONS[version]} (demo version {version}) at http://{host}:{server.server_port}"
          " - press Ctrl+C to stop", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
