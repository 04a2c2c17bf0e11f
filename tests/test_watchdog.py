"""The watchdog, on real processes shaped like a Chromium (a marked browser and its renderers), without a browser.

A "browser" here is a Python process whose command line carries the watchdog's marker; its
"renderers" are children started with ``--type=renderer``: a busy one loops, an idle one sleeps.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psutil
import pytest

from harness.collect.watchdog import Watchdog, browser_processes, marker_arg

BROWSER = """
import subprocess, sys, time
loop = {"busy": "while True: pass", "idle": "import time; time.sleep(600)",
        # an animated page: its main thread works 35 ms of every 50 (70% of a core) and sleeps between frames
        "animated": "import time\\nwhile True:\\n t = time.time()\\n while time.time() - t < 0.035: pass\\n"
                    " time.sleep(0.015)"}[sys.argv[1]]
subprocess.Popen([sys.executable, "-c", loop, "--type=renderer"])
time.sleep(600)
"""


@contextmanager
def fake_browser(token: str, renderer: str) -> Iterator[psutil.Process]:
    """A marked "browser" with one busy or idle "renderer"; everything is ended afterwards."""
    proc = subprocess.Popen([sys.executable, "-c", BROWSER, renderer, marker_arg(token)])
    browser = psutil.Process(proc.pid)
    try:
        deadline = time.monotonic() + 10
        while not browser_processes(token)[1] and time.monotonic() < deadline:
            time.sleep(0.05)
        yield browser
    finally:
        for leftover in [*browser.children(recursive=True), browser] if browser.is_running() else []:
            leftover.kill()
        proc.wait(timeout=10)


def wait_until(condition: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def dog() -> Iterator[Watchdog]:
    watchdog = Watchdog("t0k", step_timeout_ms=500, grace_s=0.5)
    yield watchdog
    watchdog.stop()


def test_it_finds_only_its_own_browser_and_renderers() -> None:
    with fake_browser("mine", "idle") as browser, fake_browser("other", "idle"):
        browsers, renderers = browser_processes("mine")
        assert [p.pid for p in browsers] == [browser.pid]
        assert [p.pid for p in renderers] == [c.pid for c in browser.children()]


def test_a_renderer_stuck_in_a_loop_is_ended_with_the_reason(dog: Watchdog) -> None:
    with fake_browser("t0k", "busy") as browser:
        renderer = browser.children()[0]
        with dog.watch("the step") as section:
            assert wait_until(lambda: not renderer.is_running() or renderer.status() == psutil.STATUS_ZOMBIE)
        assert section.fired and section.fired.startswith("the page stopped responding: a script kept it busy")
        assert browser.is_running()  # the page is ended, not the browser


def test_an_idle_page_is_left_alone_without_a_hard_limit(dog: Watchdog) -> None:
    with fake_browser("t0k", "idle") as browser:
        renderer = browser.children()[0]
        with dog.watch("the guide check") as section:
            time.sleep(2.5)  # more than twice the busy window
        assert section.fired is None and renderer.is_running()


def test_a_page_that_works_hard_but_sleeps_between_frames_is_left_alone(dog: Watchdog) -> None:
    with fake_browser("t0k", "animated") as browser:
        renderer = browser.children()[0]
        with dog.watch("the guide check") as section:
            time.sleep(3.5)  # three busy windows
        assert section.fired is None and renderer.is_running()


def test_past_its_hard_limit_the_page_then_the_browser_are_ended(dog: Watchdog) -> None:
    with fake_browser("t0k", "idle") as browser:
        renderer = browser.children()[0]
        with dog.watch("the scenario's set-up", hard_limit_s=1) as section:
            assert wait_until(lambda: not browser.is_running() or browser.status() == psutil.STATUS_ZOMBIE)
        assert not renderer.is_running() or renderer.status() == psutil.STATUS_ZOMBIE
        assert section.fired and section.fired.startswith("the scenario's set-up did not end within 1 s")
        assert "the browser did not recover and was ended too" in section.fired


def test_nothing_is_watched_outside_a_section(dog: Watchdog) -> None:
    with fake_browser("t0k", "busy") as browser:
        renderer = browser.children()[0]
        time.sleep(2.5)
        assert renderer.is_running()
