"""A real Selenium Grid 4 on 127.0.0.1: the selenium-server jar (npm ``@nightwatch/selenium-server``), a hub and nodes.

The jar is installed once into ``$HARNESS_NPM_CACHE/selenium-server`` (its own prefix: an npm
``--no-save`` install prunes what else the prefix holds) without its install script, which would
download another copy. Each node serves ``chrome`` from Debian's Chromium through Debian's
chromedriver (``chromium-driver``, installed by ``make setup``). Every process logs into a file of the
grid's folder; :meth:`Grid.logs` gives their tails for an assertion message.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from filelock import FileLock

from tests.support.allure import NPM_CACHE

VERSION = "4.20.0"
PACKAGE = f"@nightwatch/selenium-server@{VERSION}"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
NODE_TOML = """[node]
detect-drivers = false
max-sessions = {sessions}

[[node.driver-configuration]]
display-name = "chromium"
stereotype = '{{"browserName": "chrome", "platformName": "linux", "goog:chromeOptions": {{"binary": "{chromium}"}}}}'
webdriver-executable = "{chromedriver}"
max-sessions = {sessions}
"""


def install_selenium_server(npm: str) -> Path:
    """The selenium-server jar, installed with ``npm`` on first use (``--ignore-scripts``: no download)."""
    prefix = NPM_CACHE / "selenium-server"
    jar = prefix / "node_modules" / "@nightwatch" / "selenium-server" / "lib" / f"selenium-server-{VERSION}.jar"
    prefix.mkdir(parents=True, exist_ok=True)
    with FileLock(prefix / "install.lock"):
        if not jar.exists():
            done = subprocess.run([npm, "install", "--ignore-scripts", "--no-save", "--no-audit", "--no-fund",
                                   "--prefix", str(prefix), PACKAGE], capture_output=True, text=True, timeout=600,
                                  check=False)
            assert done.returncode == 0 and jar.exists(), done.stdout + done.stderr
    return jar


def grid_tools() -> str | None:
    """Why a grid cannot start here (npm, java, chromedriver or Chromium missing), else None."""
    for tool in ("npm", "java"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    for path in (CHROMEDRIVER, CHROMIUM):
        if not Path(path).exists():
            return f"{path} is not installed (make setup installs chromium-driver)"
    return None


def free_port() -> int:
    """A TCP port nothing listens on now, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def status(url: str) -> dict | None:
    """The router's ``/status`` value, or None when it does not answer."""
    try:
        with urllib.request.urlopen(url + "/status", timeout=2) as answer:
            return json.loads(answer.read())["value"]
    except (OSError, ValueError, KeyError):
        return None


@dataclass
class Grid:
    """A hub and its nodes, all processes of this test session.

    Attributes:
        jar: The selenium-server jar.
        folder: Where the config and the logs go.
        url: The router's URL.
        hub: The hub's process.
        nodes: The nodes' processes, by their URL.
    """

    jar: Path
    folder: Path
    url: str = ""
    hub: subprocess.Popen[bytes] | None = None
    nodes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _events: tuple[int, int] = (0, 0)

    def _start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        return subprocess.Popen(["java", "-Xss512k", "-XX:TieredStopAtLevel=1", "-jar", str(self.jar), *args],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def start_hub(self, *extra: str) -> None:
        """Start the hub (router, distributor, queue, event bus) on free ports."""
        port = free_port()
        self._events = (free_port(), free_port())
        self.url = f"http://127.0.0.1:{port}"
        self.hub = self._start("hub", "hub", "--host", "127.0.0.1", "--port", str(port), *self._bus(), *extra)

    def _bus(self) -> list[str]:
        publish, subscribe = self._events
        return ["--publish-events", f"tcp://127.0.0.1:{publish}", "--subscribe-events", f"tcp://127.0.0.1:{subscribe}"]

    def add_node(self, sessions: int = 2) -> str:
        """Start a node serving ``chrome`` (Chromium through chromedriver); return its URL."""
        config = self.folder / f"node{sessions}.toml"
        config.write_text(NODE_TOML.format(sessions=sessions, chromium=CHROMIUM, chromedriver=CHROMEDRIVER))
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        # grid-url: the se:cdp address the node hands out goes through the router on 127.0.0.1, not a guessed IP
        self.nodes[url] = self._start(f"node-{port}", "node", *self._bus(), "--host", "127.0.0.1", "--port",
                                      str(port), "--grid-url", self.url, "--config", str(config))
        return url

    def wait_ready(self, nodes: int, timeout: float = 120) -> None:
        """Wait until the router says it is ready with ``nodes`` nodes up (or just answers, for 0)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = status(self.url)
            up = [n for n in (value or {}).get("nodes", []) if n.get("availability") == "UP"]
            if value is not None and len(up) >= nodes and (value.get("ready") or not nodes):
                return
            assert self.hub is not None and self.hub.poll() is None, self.logs()
            time.sleep(0.25)
        raise AssertionError(f"the grid was not ready with {nodes} nodes in {timeout} s\n{self.logs()}")

    def busy_nodes(self) -> list[str]:
        """The URLs of the nodes holding a session now."""
        value = status(self.url) or {}
        return [n["uri"] for n in value.get("nodes", []) if any(s.get("session") for s in n.get("slots", []))]

    def sessions_started(self) -> int:
        """How many sessions the grid's distributor has created so far (from the hub's log)."""
        log = self.folder / "hub.log"
        return log.read_text(errors="replace").count("Session created by the Distributor") if log.exists() else 0

    def kill_node(self, url: str) -> None:
        """SIGKILL a node's JVM and everything it started (chromedriver, Chromium): a machine gone."""
        proc = self.nodes.pop(url)
        with contextlib.suppress(psutil.Error):
            family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            for member in family:
                with contextlib.suppress(psutil.Error):
                    member.kill()
        proc.wait(timeout=10)

    def stop(self) -> None:
        """End every process of the grid (and what its nodes started)."""
        for url in list(self.nodes):
            self.kill_node(url)
        if self.hub is not None and self.hub.poll() is None:
            self.hub.kill()
            self.hub.wait(timeout=10)

    def logs(self, lines: int = 30) -> str:
        """The last lines of each process's log."""
        parts = []
        for log in sorted(self.folder.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)


@contextlib.contextmanager
def selenium_grid(jar: Path, folder: Path, nodes: int = 2, hub_args: tuple[str, ...] = (),
                  sessions: int = 2) -> Iterator[Grid]:
    """A hub with ``nodes`` chrome nodes of ``sessions`` slots each, ready; everything ended after."""
    folder.mkdir(parents=True, exist_ok=True)
    grid = Grid(jar, folder)
    try:
        grid.start_hub(*hub_args)
        for _ in range(nodes):
            grid.add_node(sessions)
        grid.wait_ready(nodes)
        yield grid
    finally:
        grid.stop()
