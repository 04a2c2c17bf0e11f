"""How a run's pytest is stopped: SIGTERM to its process group, then SIGKILL when it takes too long."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from harness.collect.stopping import stop_group

SLEEPER = "import signal, subprocess, sys, time\n{ignore}subprocess.Popen([sys.executable, '-c', {child!r}])\n" \
          "time.sleep(60)"


def _group(ignore_term: bool) -> subprocess.Popen[bytes]:
    """A process group: a leader and its child, both ignoring SIGTERM when asked (a stuck worker)."""
    ignore = "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n" if ignore_term else ""
    child = f"import signal, time\n{ignore}time.sleep(60)"
    return subprocess.Popen([sys.executable, "-c", SLEEPER.format(ignore=ignore, child=child)],
                            start_new_session=True)


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_group_that_ends_on_sigterm_is_stopped_by_it() -> None:
    proc = _group(ignore_term=False)
    time.sleep(0.5)
    stop_group(proc, grace_s=10)
    assert proc.returncode == -signal.SIGTERM


def test_a_group_that_ignores_sigterm_is_killed_after_the_grace_and_nothing_is_left() -> None:
    proc = _group(ignore_term=True)
    time.sleep(0.5)
    started = time.monotonic()
    stop_group(proc, grace_s=1)  # never raises: it runs while an interruption is handled
    assert proc.returncode == -signal.SIGKILL and time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while not _group_gone(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_gone(proc.pid)


def test_a_group_already_gone_is_no_error() -> None:
    proc = _group(ignore_term=False)
    stop_group(proc, grace_s=10)
    stop_group(proc, grace_s=1)
