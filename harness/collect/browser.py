"""Find a usable Chromium and launch it the way this harness needs.

Resolution order: an explicit path (``--browser-path`` or ``HARNESS_BROWSER_PATH``),
then Playwright's own bundled Chromium when it is installed, then the system's
``chromium``/``chromium-browser``/``google-chrome``. A headless run takes the system's
``chromium-headless-shell`` first when it is installed: the build Playwright itself runs headless,
which spends about half the CPU of the full browser per page (``bench/README.md``).
``python -m harness.collect.browser ensure`` installs one when none is found (used by ``make``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

from harness.collect.remote import (
    CONNECT_TIMEOUT_MS,
    GRID_LAUNCH_TIMEOUT_MS,
    Remote,
    connect_headers,
    driver_env,
    is_lost,
    launch_error,
)
from harness.collect.watchdog import driver_processes
from harness.errors import BrowserNotFound, HarnessError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

ENV_VAR = "HARNESS_BROWSER_PATH"
SYSTEM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
HEADLESS_SHELL_NAMES = ("chromium-headless-shell",)
"""Chromium's headless shell (Debian's ``chromium-headless-shell``): preferred for headless runs."""
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--no-first-run",
)
INSTALL_HINT = (
    "No Chromium found. Install one of: Playwright's own (`.venv/bin/playwright install chromium`), "
    "Debian/Ubuntu's package (`sudo apt-get install -y chromium`), or point the harness at a Chromium "
    f"with --browser-path PATH or the {ENV_VAR} environment variable."
)


@dataclass(frozen=True, slots=True)
class BrowserChoice:
    """A Chromium the harness will launch.

    Attributes:
        path: The executable, or None to let Playwright use its bundled build.
        source: Where it came from: ``explicit``, ``playwright`` or ``system``.
    """

    path: str | None
    source: str


def playwright_bundled_path(pw: Playwright | None = None) -> str | None:
    """Return the path of Playwright's bundled Chromium if it is installed.

    Args:
        pw: A started Playwright to ask; without one, a Playwright driver is started for the question.
    """
    try:
        if pw is not None:
            path = pw.chromium.executable_path
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as started:
                path = started.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).is_file() else None


def first_on_path(names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that is an executable on PATH."""
    return next(filter(None, map(shutil.which, names)), None)


def system_chromium(headless: bool = False) -> str | None:
    """Return the first Chromium-like executable on PATH (the headless shell first for a headless run)."""
    return first_on_path((*HEADLESS_SHELL_NAMES, *SYSTEM_NAMES) if headless else SYSTEM_NAMES)


def resolve_browser(explicit: str | None = None, pw: Playwright | None = None, headless: bool = True
                    ) -> BrowserChoice:
    """Choose the Chromium to launch.

    Args:
        explicit: A path given on the command line; wins over everything else.
        pw: The started Playwright that will launch it, if there is one (saves starting another driver).
        headless: Whether it runs headless (then the system's headless shell comes first).

    Raises:
        BrowserNotFound: When an explicit path does not exist or nothing is installed.
    """
    chosen = explicit or os.environ.get(ENV_VAR)
    if chosen:
        path = shutil.which(chosen) or chosen
        if not Path(path).is_file():
            origin = "--browser-path" if explicit else ENV_VAR
            raise BrowserNotFound(f"{origin} points at {chosen!r}, which is not an executable file.")
        return BrowserChoice(path, "explicit")
    bundled = playwright_bundled_path(pw)
    if bundled:
        return BrowserChoice(None, "playwright")
    system = system_chromium(headless)
    if system:
        return BrowserChoice(system, "system")
    raise BrowserNotFound(INSTALL_HINT)


def check_browser(explicit: str | None = None, headless: bool = True) -> None:
    """Fail as :func:`resolve_browser` would, before a run, without starting Playwright's driver when it can.

    An explicit Chromium, or one on PATH, settles that there is a browser to launch: only when there is
    none is Playwright asked whether its bundled build is installed (that starts its driver, ~0.4 s).
    Which one is launched is chosen by :func:`resolve_browser` where it is launched.

    Raises:
        BrowserNotFound: When an explicit path does not exist or nothing is installed.
    """
    if explicit or os.environ.get(ENV_VAR) or system_chromium(headless) is None:
        resolve_browser(explicit, headless=headless)


class LaunchOptions(TypedDict, total=False):
    """Keyword arguments of ``playwright.chromium.launch``."""

    headless: bool
    args: list[str]
    executable_path: str


def launch_options(choice: BrowserChoice, headless: bool = True, extra_args: Sequence[str] = ()) -> LaunchOptions:
    """Return keyword arguments for ``playwright.chromium.launch``."""
    options: LaunchOptions = {"headless": headless, "args": [*LAUNCH_ARGS, *extra_args]}
    if choice.path:
        options["executable_path"] = choice.path
    return options


class BrowserRelaunched(UserWarning):
    """The worker's Chromium was gone and a new one was launched (pytest lists it in its warnings)."""


class Launcher:
    """A worker's Chromium: launched when first asked for, and launched again when it was lost.

    A browser that crashed or was killed mid-run costs the scenario it was running; the next
    scenario gets a new one instead of failing at set-up like every scenario after it. With a
    ``remote``, each browser comes from a Selenium Grid (a new session; a lost node's sessions
    go to the others) or from a Playwright server, never from this machine.

    Args:
        pw: The worker's Playwright (started inside :func:`harness.collect.remote.driver_env` for a grid).
        choice: The Chromium to launch (with a server: its path on the server's machine, if given).
        headless: Run without a window.
        extra_args: More Chromium switches (the watchdog's marker).
        remote: Where the browsers come from (``None``: this machine).
        restart: Starts a new Playwright, for when the watchdog ended the driver (a remote browser gone).
    """

    def __init__(self, pw: Playwright, choice: BrowserChoice, headless: bool, extra_args: Sequence[str] = (),
                 remote: Remote | None = None, restart: Callable[[], Playwright] | None = None) -> None:
        self.choice = choice
        self.remote = remote
        self.relaunches = 0
        self._pw = pw
        self._restart = restart
        self._options = launch_options(choice, headless, extra_args)
        self._browser: Browser | None = None

    @property
    def what(self) -> str:
        """The browser in words: ``Chromium /usr/bin/chromium``, ``the remote browser of the Selenium Grid at URL``."""
        if self.remote is not None:
            return f"the remote browser of {self.remote.what}"
        return f"Chromium {self.choice.path or '(Playwright bundled)'}"

    def browser(self) -> Browser:
        """A connected browser: the current one, or a new one when it is gone.

        Raises:
            HarnessError: Chromium could not be launched (or no remote gave one).
        """
        if self._restart is not None and not driver_processes():  # the watchdog ended the driver
            self._browser = None
            self._new_driver()
            self.relaunches += 1
            warnings.warn(BrowserRelaunched(f"{self.what} stopped answering and its connection was dropped; a new "
                                            f"one ({self.relaunches}) for the next scenario"), stacklevel=2)
        if self._browser is not None and self._browser.is_connected() and not is_lost(self._browser):
            return self._browser
        if self._browser is not None:
            self.relaunches += 1
            why = "crashed or killed" if self.remote is None else "its node or server gone, or it stopped answering"
            warnings.warn(BrowserRelaunched(f"{self.what} was lost ({why}); launched again ({self.relaunches}) for "
                                            "the next scenario"), stacklevel=2)
        self._browser = self._start()
        return self._browser

    @property
    def playwright(self) -> Playwright:
        """The worker's Playwright now (a new one after its driver was ended)."""
        return self._pw

    def _new_driver(self) -> None:
        """Stop the old Playwright (its driver is gone) and start a new one."""
        assert self._restart is not None
        with contextlib.suppress(Exception):
            self._pw.stop()
        self._pw = self._restart()

    def _start(self) -> Browser:
        remote, pw = self.remote, self._pw
        try:
            if remote is None:
                return pw.chromium.launch(**self._options)
            if remote.kind == "grid":  # the node's stereotype names the binary: no executable path is sent
                return pw.chromium.launch(headless=self._options.get("headless", True),
                                          args=self._options.get("args", []), timeout=GRID_LAUNCH_TIMEOUT_MS)
            return pw.chromium.connect(remote.url, timeout=CONNECT_TIMEOUT_MS, headers=connect_headers(self._options))
        except Exception as exc:
            if remote is not None:
                raise HarnessError(launch_error(remote, exc)) from None
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise HarnessError(f"could not launch {self.what}: {first}") from None

    def close(self) -> None:
        """Close the browser if it is still there (a grid's session is ended with it)."""
        if self._browser is not None and self._browser.is_connected() and not is_lost(self._browser):
            with contextlib.suppress(Exception):  # it may die while closing: nothing is left to do
                self._browser.close()


def choose(pw: Playwright, browser_path: str | None, headless: bool, remote: Remote | None) -> BrowserChoice:
    """The browser to take: a remote's (with a server, ``browser_path`` is its path there), else a local one.

    Raises:
        BrowserNotFound: No local Chromium (:func:`resolve_browser`).
    """
    if remote is not None:
        return BrowserChoice(browser_path if remote.kind == "server" else None, remote.kind)
    return resolve_browser(browser_path, pw, headless=headless)


@contextlib.contextmanager
def launched(browser_path: str | None, headless: bool, remote: Remote | None = None) -> Iterator[Browser]:
    """One browser for a check outside a run (a guide check): local, or from a grid or a server.

    Raises:
        HarnessError: No Chromium, or none could be had (the message says from where and why).
    """
    from playwright.sync_api import sync_playwright

    with driver_env(remote):
        pw = sync_playwright().start()
    launcher = None
    try:
        launcher = Launcher(pw, choose(pw, browser_path, headless, remote), headless, remote=remote)
        yield launcher.browser()
    finally:
        if launcher is not None:
            launcher.close()
        pw.stop()


def _apt_install(packages: str, what: str) -> bool:
    """Install Debian packages with apt-get when running as root where apt-get exists; whether it ran."""
    if not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get")):
        print(f"harness: tip: install {what}: sudo apt-get install -y {packages}")
        return False
    print(f"harness: installing {what} with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", *packages.split()], env=env, check=False)
    return done.returncode == 0


def ensure_browser() -> int:
    """Make sure a Chromium is available, installing one if possible. Returns an exit code."""
    try:
        choice = resolve_browser()
    except BrowserNotFound:
        choice = None
    if choice:
        if choice.source == "system" and not first_on_path(HEADLESS_SHELL_NAMES) and \
                _apt_install("chromium-headless-shell", "Chromium's headless shell (about half the CPU per page)"):
            choice = resolve_browser()
        print(f"harness: using {choice.source} Chromium {choice.path or '(Playwright bundled)'}")
        return 0
    print("harness: no Chromium found; trying Playwright's bundled build ...", flush=True)
    try:
        done = subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"],
                              timeout=300, capture_output=True, text=True)
        if done.returncode == 0 and playwright_bundled_path():
            print("harness: installed Playwright's Chromium")
            return 0
    except (OSError, subprocess.TimeoutExpired):
        pass
    if _apt_install("chromium chromium-headless-shell", "Debian's chromium") and system_chromium():
        print(f"harness: installed {system_chromium()}")
        return 0
    print(f"harness: {INSTALL_HINT}", file=sys.stderr)
    return 2


if __name__ == "__main__":  # pragma: no cover - exercised by make
    if sys.argv[1:] == ["ensure"]:
        raise SystemExit(ensure_browser())
    try:
        found = resolve_browser()
    except BrowserNotFound as exc:
        print(f"harness: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(found.path or "(Playwright bundled Chromium)")
