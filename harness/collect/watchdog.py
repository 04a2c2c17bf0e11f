"""The watchdog: ends a page or a browser that stopped answering, which no Playwright timeout can.

Playwright bounds every action it starts, but not a call the renderer never answers: a page
whose script loops forever after a click leaves the next call (a probe, a check) waiting for
ever, and a Chromium killed at the wrong moment can leave ``new_page()`` waiting too. A thread
watches each step and each scenario set-up from outside, through the operating system (psutil):

- a renderer of this worker's Chromium that is running at every look and keeps a core busy (at
  least :data:`BUSY_SHARE` of it) for the whole step timeout plus :data:`GRACE_S`: a script that
  never ends. Its process is
  ended; Playwright then fails the call with "Target crashed", and the step fails with the
  watchdog's reason.
- a section still running after its hard limit, busy or not: the renderers are ended, then,
  :data:`GRACE_S` later, the browser itself (the next scenario gets a new one).

The watchdog only reads and signals processes: it never calls Playwright, whose sync API
belongs to the thread that started it.

A remote browser (a Selenium Grid node's, a Playwright server's) runs in processes this one cannot
see: even on the same machine they are the node's children, not this worker's, and ending them is
the node's business. The watchdog of a worker with remote browsers (``local=False``) looks at no
browser process; it keeps the hard limits alone. A section past its limit there is a call waiting
on a browser that is gone: a Selenium Grid's router keeps the connection to a dead node's browser
open, and a Playwright call without a timeout (an ``evaluate``, closing a context) would wait on
it for ever. The watchdog then ends this worker's Playwright driver process (:func:`driver_processes`):
the waiting call fails at once, and the worker's :class:`~harness.collect.browser.Launcher` starts
a new driver and takes a new browser for the next scenario.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

import psutil

BUSY_SHARE = 0.25
"""The least share of one core a renderer stuck in a script uses over the window: a loop takes a
whole core on an idle machine, and keeps a fair share of one on a loaded machine."""
GRACE_S = 5.0
"""Added to the step timeout before a busy renderer is ended, and the wait before escalating."""
TICK_S = 1.0
"""How often the watchdog samples the renderers' CPU time. The first look comes one tick into a
section, so a step shorter than that costs nothing (a look reads ``/proc``: a few ms of CPU)."""
LOOKS = 5
"""Reads of a renderer's state per look (the main thread's: running, or sleeping between frames)."""
UNRESPONSIVE = "unresponsive"
"""The ``error_kind`` of a step the watchdog had to end."""
MARK = "--harness-browser="
"""A switch Chromium ignores, given at launch so that the watchdog finds its own browser."""


def step_limit_s(step_timeout_ms: float) -> float:
    """The hard limit of one step with its probes: a few actions' timeouts and then some."""
    return 3 * step_timeout_ms / 1000 + 30


def setup_limit_s(step_timeout_ms: float) -> float:
    """The hard limit of making or closing a scenario's context and page: nothing legitimate comes near it."""
    return step_timeout_ms / 1000 + 10


def marker_arg(token: str) -> str:
    """The launch argument that marks a browser as this worker's (see :func:`browser_processes`)."""
    return f"{MARK}{token}"


def browser_processes(token: str, root: int | None = None) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """Find this worker's Chromium: ``(browser processes, renderer processes)``.

    The browser is the descendant of ``root`` (default: this process) whose command line holds the
    marker; its renderers are its descendants started with ``--type=renderer``.
    """
    mark = marker_arg(token)
    browsers, renderers = [], []
    with contextlib.suppress(psutil.Error):
        for proc in psutil.Process(root or os.getpid()).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                args = proc.cmdline()
                if mark in args and not any(a.startswith("--type=") for a in args):  # not its zygotes
                    browsers.append(proc)
                    renderers += [p for p in proc.children(recursive=True) if _is_renderer(p)]
    return browsers, renderers


def driver_processes(root: int | None = None) -> list[psutil.Process]:
    """This process's Playwright drivers: the children that run Playwright's ``run-driver``."""
    found = []
    with contextlib.suppress(psutil.Error):
        for proc in psutil.Process(root or os.getpid()).children():
            with contextlib.suppress(psutil.Error):
                if "run-driver" in proc.cmdline():
                    found.append(proc)
    return found


def _is_renderer(proc: psutil.Process) -> bool:
    with contextlib.suppress(psutil.Error):
        return "--type=renderer" in proc.cmdline()
    return False


def _sample(proc: psutil.Process) -> tuple[float, bool] | None:
    """The process's CPU seconds so far, and whether its main thread was running (or waiting for a
    core: Linux's ``R``) at each of :data:`LOOKS` reads 10 ms apart: a page busy 90% of the time is
    seen idle at least once."""
    with contextlib.suppress(psutil.Error):
        running = True
        for look in range(LOOKS):
            if look:
                time.sleep(0.01)
            running = running and proc.status() == psutil.STATUS_RUNNING
        times = proc.cpu_times()
        return float(times.user + times.system), running
    return None


def _kill(processes: list[psutil.Process]) -> None:
    """SIGKILL each process (one already gone is no error)."""
    for proc in processes:
        with contextlib.suppress(psutil.Error):
            proc.kill()


@dataclass
class Section:
    """One watched section: what it is, when it started, its hard limit, and what the watchdog did.

    Attributes:
        what: The section, as the reason names it ("the step", "the scenario's set-up").
        started: ``time.monotonic()`` at its start.
        hard_limit_s: Seconds after which it is ended even when no renderer is busy (None: never).
        fired: What the watchdog ended, and why (None: nothing).
        escalated: Whether the browser itself was ended.
        samples: Samples ``(when, CPU seconds, running)`` of each renderer, by pid.
        busy_s: The longest stretch over which one renderer kept a core busy (up to the busy window).
    """

    what: str
    started: float
    hard_limit_s: float | None
    fired: str | None = None
    escalated: bool = False
    busy_s: float = 0.0
    samples: dict[int, deque[tuple[float, float, bool]]] = field(default_factory=dict)


class Watchdog:
    """Watches one worker's Chromium from a thread of its own while a section (a step, a set-up) runs.

    Args:
        token: The browser's marker (:func:`marker_arg`), given to Chromium at launch.
        step_timeout_ms: The step timeout: a renderer busy for this plus ``grace_s`` is stuck.
        grace_s: The margin over the step timeout, and the wait before the browser is ended too.
        local: The browser runs here, a descendant of this process; ``False`` (a remote browser): only
            the hard limits are kept, by ending this worker's Playwright driver.
    """

    def __init__(self, token: str, step_timeout_ms: float, grace_s: float = GRACE_S, local: bool = True) -> None:
        self.token = token
        self.local = local
        self.grace_s = grace_s
        self.busy_window_s = step_timeout_ms / 1000 + grace_s
        self._section: Section | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="harness-watchdog", daemon=True)
        self._thread.start()

    def begin(self, what: str, hard_limit_s: float | None = None) -> Section:
        """Start watching a section (one at a time); its ``fired`` will say what had to be ended."""
        section = Section(what=what, started=time.monotonic(), hard_limit_s=hard_limit_s)
        with self._lock:
            self._section = section
        self._wake.set()
        return section

    def end(self, section: Section | None) -> None:
        """Stop watching ``section`` (nothing when another one replaced it)."""
        with self._lock:
            if self._section is section:
                self._section = None

    @contextlib.contextmanager
    def watch(self, what: str, hard_limit_s: float | None = None) -> Iterator[Section]:
        """Watch the ``with`` block as one section."""
        section = self.begin(what, hard_limit_s)
        try:
            yield section
        finally:
            self.end(section)

    def stop(self) -> None:
        """End the thread (at the end of the worker's session): at once, even in the middle of a tick."""
        self._stopped.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        while not self._stopped.is_set():
            with self._lock:
                section = self._section
            if section is None:
                self._wake.wait()
                self._wake.clear()
                continue
            if self._stopped.wait(TICK_S):
                return
            with self._lock:
                current = self._section is section
            if current:
                self._inspect(section, time.monotonic())

    def _inspect(self, section: Section, now: float) -> None:
        """Sample the renderers' CPU time; end what is stuck."""
        if not self.local:
            self._keep_remote_limit(section, now)
            return
        browsers, renderers = browser_processes(self.token)
        busy = [r for r in renderers if self._busy(section, r, now)]
        if busy and section.fired is None:
            _kill(busy)
            section.fired = (f"the page stopped responding: a script kept it busy for {self.busy_window_s:.0f} s "
                             f"(the step timeout plus {self.grace_s:.0f} s), so the harness ended the page")
            return
        limit = section.hard_limit_s
        if limit is None or now - section.started < limit:
            return
        if section.fired is None:
            _kill(renderers)
            section.fired = (f"{section.what} did not end within {limit:.0f} s: the browser stopped answering, "
                             "so the harness ended the page")
        elif not section.escalated and now - section.started >= limit + self.grace_s:
            section.escalated = True
            _kill(browsers)
            section.fired += "; the browser did not recover and was ended too (the next scenario gets a new one)"

    def _keep_remote_limit(self, section: Section, now: float) -> None:
        """A remote browser's section past its hard limit: end the Playwright driver the call waits on.

        The limit is the section's, or twice the step timeout plus the grace when that is shorter: no call
        of a step waits longer than its timeout, and a remote page stuck in a script (which the local
        watchdog would tell apart) cannot be seen from here anyway.
        """
        limit = section.hard_limit_s
        if limit is not None:
            limit = min(limit, 2 * (self.busy_window_s - self.grace_s) + self.grace_s)
        if limit is None or now - section.started < limit or section.fired is not None:
            return
        _kill(driver_processes())
        section.escalated = True
        section.fired = (f"{section.what} did not end within {limit:.0f} s: the remote browser stopped answering "
                         "(its grid node or server gone?), so the harness dropped its connection (the next "
                         "scenario gets a new browser)")

    def _busy(self, section: Section, proc: psutil.Process, now: float) -> bool:
        """Whether ``proc`` was stuck in a script over the whole busy window.

        Stuck: running (or waiting for a core: Linux's ``R``) at every look, and using at least
        :data:`BUSY_SHARE` of a core. A page that animates or polls sleeps between frames and is
        seen sleeping; a loop never is, however loaded the machine.
        """
        sample = _sample(proc)
        if sample is None:
            return False
        history = section.samples.setdefault(proc.pid, deque())
        history.append((now, *sample))
        while len(history) > 1 and now - history[1][0] >= self.busy_window_s:
            history.popleft()
        first_at, first_cpu, _ = history[0]
        span = now - first_at
        busy = span > 0 and all(running for _, _, running in history) and (sample[0] - first_cpu) / span >= BUSY_SHARE
        if busy:
            section.busy_s = max(section.busy_s, span)
        return busy and span >= self.busy_window_s
