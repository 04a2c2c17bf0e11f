"""Browsers from elsewhere: a Selenium Grid 4 (``--grid``) or a Playwright browser server (``--connect``).

A grid is reached the way Playwright documents: its driver process, started with
``SELENIUM_REMOTE_URL`` in its environment, asks the grid's router for a ``chrome`` session
(``POST /session`` with the launch switches in ``goog:chromeOptions.args``), talks to that
Chromium over the session's CDP endpoint (``se:cdp``) and ends the session when the browser is
closed. The node's stereotype names the Chromium binary, so no executable path is sent.
``SELENIUM_REMOTE_CAPABILITIES`` and ``SELENIUM_REMOTE_HEADERS`` set by the user pass through.

A server (``playwright run-server``) is reached with ``chromium.connect``: the launch options travel
in the ``x-playwright-launch-options`` header, which the server honours for switches and an
executable path only when it runs with ``--unsafe``.

Credentials in either URL (``user:pass@``, a query's token) never leave this module but to the
driver: everything shown or written uses :attr:`Remote.endpoint`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import urllib.error
import urllib.request
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from harness.errors import HarnessError
from harness.redaction import without_credentials
from harness.spec.remote import ENV_CONNECT, ENV_GRID

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from harness.contracts.settings import RunSettings

SELENIUM_ENV = "SELENIUM_REMOTE_URL"
"""What Playwright's driver reads at its start to take its Chromium from a grid."""
LAUNCH_OPTIONS_HEADER = "x-playwright-launch-options"
GRID_LAUNCH_TIMEOUT_MS = 330_000
"""How long a grid session request may wait: more than the grid's own queue timeout (300 s by
default), so that the grid says it is full rather than Playwright's clock."""
CONNECT_TIMEOUT_MS = 60_000
LIVENESS_MS = 3_000
"""How long a remote page has to answer a trivial call after a failed step before its browser counts as lost."""
BROWSER_LOST = "browser_lost"
"""The ``error_kind`` of a step whose browser went away under it (a grid node or a server gone)."""
_CLOSED = ("has been closed", "Target closed", "Browser closed", "Connection closed", "WebSocket",
           "ECONNRESET", "socket hang up")


@dataclass(frozen=True, slots=True)
class Remote:
    """Where every browser of the run comes from, when not from this machine.

    Attributes:
        kind: ``grid`` (a Selenium Grid 4 router) or ``server`` (a Playwright browser server).
        url: The URL as given, credentials included: for the driver only, never shown.
    """

    kind: Literal["grid", "server"]
    url: str

    @property
    def endpoint(self) -> str:
        """The URL without its credentials: what ``run.json`` and every message say."""
        return without_credentials(self.url)

    @property
    def what(self) -> str:
        """``the Selenium Grid at URL`` or ``the Playwright server at URL``."""
        return f"{'the Selenium Grid' if self.kind == 'grid' else 'the Playwright server'} at {self.endpoint}"

    @property
    def lost(self) -> str:
        """What a step's record says of a browser of this remote gone during the step."""
        gone = "lost the node or the browser of this scenario" if self.kind == "grid" else "went away"
        return f"the remote browser was lost: {self.what} {gone} during the step"

    def scrub(self, text: str) -> str:
        """``text`` (a driver's error) with the URL's credentials replaced by the endpoint."""
        text = text.replace(self.url, self.endpoint).replace(self.url.rstrip("/"), self.endpoint.rstrip("/"))
        parts = urlsplit(self.url)
        for secret in (parts.password, parts.query):  # a user name alone is no secret (and may be a word)
            if secret:
                text = text.replace(secret, "[redacted]").replace(unquote(secret), "[redacted]")
        return text


def remote_of(settings: RunSettings, environ: Mapping[str, str] | None = None) -> Remote | None:
    """The run's remote browsers, or ``None`` for local ones.

    The settings file holds the URL without credentials (it is written into the run folder); the
    full one travels in ``HARNESS_GRID``/``HARNESS_CONNECT`` and is taken when it names the same place.
    """
    env = os.environ if environ is None else environ

    def full(given: str | None, var: str) -> str | None:
        passed = env.get(var, "")
        return passed if given and passed and without_credentials(passed) == without_credentials(given) else given

    return remote_from(full(settings.grid, ENV_GRID), full(settings.connect, ENV_CONNECT))


def remote_from(grid: str | None, connect: str | None) -> Remote | None:
    """A grid's or server's URL as a :class:`Remote` (``None``: neither: browsers of this machine)."""
    if grid:
        return Remote("grid", grid)
    return Remote("server", connect) if connect else None


def child_env(settings: RunSettings) -> dict[str, str]:
    """The variables that hand a run's pytest the full URL (credentials included) outside its settings file."""
    env = {}
    if settings.grid:
        env[ENV_GRID] = settings.grid
    if settings.connect:
        env[ENV_CONNECT] = settings.connect
    return env


def public_settings(settings: RunSettings) -> RunSettings:
    """The settings to write into the run folder: the grid's or server's URL without credentials."""
    return settings.model_copy(update={
        "grid": without_credentials(settings.grid) if settings.grid else None,
        "connect": without_credentials(settings.connect) if settings.connect else None})


@dataclass(frozen=True, slots=True)
class GridStatus:
    """What a grid's ``/status`` says.

    Attributes:
        ready: The grid says it can take sessions.
        message: Its own words.
        nodes: How many nodes are registered and up.
        browsers: The browser names the up nodes' slots offer.
        chrome_slots: Slots offering ``chrome`` on up nodes.
        free_chrome_slots: Those of them without a session now.
    """

    ready: bool
    message: str
    nodes: int
    browsers: tuple[str, ...]
    chrome_slots: int
    free_chrome_slots: int


def parse_grid_status(payload: Any) -> GridStatus:
    """Read a Selenium Grid 4 ``/status`` answer.

    Raises:
        ValueError: It is not the shape a Grid 4 router answers with.
    """
    value = payload.get("value") if isinstance(payload, dict) else None
    if not isinstance(value, dict) or "ready" not in value:
        raise ValueError("no value.ready")
    browsers: set[str] = set()
    up = chrome = free = 0
    for node in value.get("nodes") or []:
        if not isinstance(node, dict) or str(node.get("availability", "UP")).upper() != "UP":
            continue
        up += 1
        for slot in node.get("slots") or []:
            stereotype = slot.get("stereotype") if isinstance(slot, dict) else None
            name = str(stereotype.get("browserName", "")) if isinstance(stereotype, dict) else ""
            if name:
                browsers.add(name)
            if name == "chrome":
                chrome += 1
                free += slot.get("session") is None
    return GridStatus(bool(value.get("ready")), str(value.get("message", "")), up, tuple(sorted(browsers)),
                      chrome, free)


def _auth_headers(url: str) -> dict[str, str]:
    """Basic authentication from the URL's user part, as the grid's router takes it."""
    parts = urlsplit(url)
    if not parts.username:
        return {}
    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=netloc).geturl()


def grid_status(remote: Remote, timeout: float = 10.0) -> GridStatus:
    """Ask the grid's router for its ``/status``.

    Raises:
        HarnessError: Nothing answers, it refuses the credentials, or the answer is not a Grid 4's.
    """
    url = _without_userinfo(remote.url).split("?")[0].rstrip("/") + "/status"
    request = urllib.request.Request(url, headers={"Accept": "application/json", **_auth_headers(remote.url)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:
        words = "refused the credentials" if exc.code in (401, 403) else f"answered HTTP {exc.code} at /status"
        raise HarnessError(f"{remote.what} {words}; is it a Selenium Grid 4 router?") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = remote.scrub(str(getattr(exc, "reason", exc)))
        raise HarnessError(f"{remote.what} is unreachable ({reason}); is the grid running?") from None
    try:
        return parse_grid_status(json.loads(body))
    except ValueError:
        raise HarnessError(f"{remote.what} does not answer /status as a Selenium Grid 4 router does") from None


def check_grid(remote: Remote, timeout: float = 10.0) -> GridStatus:
    """Fail before a run when the grid cannot give a Chromium: unreachable, or no node offering ``chrome``.

    A grid whose chrome slots are all busy now passes: its queue may give one in time.

    Raises:
        HarnessError: With the grid's endpoint (never its credentials).
    """
    status = grid_status(remote, timeout)
    if not status.chrome_slots:
        offered = f"its nodes offer {', '.join(status.browsers)}" if status.browsers else \
            f"no node is registered ({status.message or 'not ready'})" if not status.nodes else "its nodes offer none"
        raise HarnessError(f"{remote.what} has no node offering chrome ({offered}); start a node whose "
                           "stereotype has browserName chrome (see docs/scale.md)")
    return status


def check_server(remote: Remote, timeout: float = 10.0) -> None:
    """Fail before a run when nothing listens at the Playwright server's address.

    Raises:
        HarnessError: The address does not take a connection.
    """
    parts = urlsplit(remote.url)
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            return
    except OSError as exc:
        raise HarnessError(f"{remote.what} is unreachable ({exc.strerror or exc}); is `playwright run-server` "
                           "running there?") from None


def check_remote(remote: Remote) -> None:
    """:func:`check_grid` or :func:`check_server`, as the remote is."""
    if remote.kind == "grid":
        check_grid(remote)
    else:
        check_server(remote)


@contextlib.contextmanager
def driver_env(remote: Remote | None) -> Iterator[None]:
    """Start Playwright's driver inside this block: with a grid, it starts with ``SELENIUM_REMOTE_URL`` set.

    The driver reads its environment once, at its start; the variable is put back as it was after.
    Without a grid, a ``SELENIUM_REMOTE_URL`` of the user's is left out too: local means local.
    """
    before = os.environ.get(SELENIUM_ENV)
    if remote is not None and remote.kind == "grid":
        os.environ[SELENIUM_ENV] = remote.url
    else:
        os.environ.pop(SELENIUM_ENV, None)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SELENIUM_ENV, None)
        else:
            os.environ[SELENIUM_ENV] = before


def connect_headers(options: Mapping[str, Any]) -> dict[str, str]:
    """The ``x-playwright-launch-options`` header for a server: headless, the switches, an executable path."""
    launch: dict[str, Any] = {"headless": options.get("headless", True), "args": list(options.get("args", []))}
    if options.get("executable_path"):
        launch["executablePath"] = options["executable_path"]
    return {LAUNCH_OPTIONS_HEADER: json.dumps(launch)}


def launch_error(remote: Remote, exc: BaseException) -> str:
    """Why no browser came from ``remote``, in one line (credentials scrubbed)."""
    text = remote.scrub(str(exc).strip())
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), type(exc).__name__)
    lowered = text.lower()
    if remote.kind == "grid" and ("timed out" in lowered or "timeout" in lowered):
        return (f"{remote.what} gave no browser: its queue timed out (the grid is full: every chrome slot is "
                f"taken; fewer --workers, or more nodes) ({first})")
    if "ECONNREFUSED" in text or "ENOTFOUND" in text or "connect ECONN" in text:
        return f"{remote.what} is unreachable ({first})"
    return f"{remote.what} gave no browser ({first})"


_LOST: weakref.WeakSet[Browser] = weakref.WeakSet()
"""The browsers found lost (:func:`mark_lost`): never called again, replaced for the next scenario. Weak: a
browser object dropped is forgotten, and a new one can never be taken for it."""


def mark_lost(browser: Browser | None) -> None:
    """Remember that ``browser`` is gone even if its connection looks open (a grid router's to a dead node)."""
    if browser is not None:
        _LOST.add(browser)


def is_lost(browser: Browser) -> bool:
    """Whether :func:`mark_lost` was told ``browser`` is gone."""
    return browser in _LOST


def looks_lost(text: str) -> bool:
    """Whether a Playwright error says the browser or its connection went away."""
    return any(needle in text for needle in _CLOSED)


def lost_connection(browser: Browser, page: Page, message: str) -> bool:
    """Whether a remote browser is gone: disconnected, said closed by ``message``, or its page silent.

    The page is asked the least question with a :data:`LIVENESS_MS` timeout: a page stuck in a script
    counts as lost too (the watchdog, which would tell them apart, cannot see a remote browser).
    """
    try:
        if not browser.is_connected() or looks_lost(message):
            return True
        page.wait_for_function("() => true", timeout=LIVENESS_MS)
    except Exception:
        return True
    return False
