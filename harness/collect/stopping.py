"""How a run stops when it is cancelled: SIGTERM is an interruption, and pytest dies with the command.

The ``harness`` command starts pytest in a session of its own (``collect.runner``), so a
terminal's Ctrl-C reaches the command first, which then stops pytest's group and closes the run.
A CI "cancel" sends SIGTERM, or SIGKILL, to the command's process group instead: SIGTERM is
taken as Ctrl-C in the command and in pytest alike (:func:`interrupt_on_sigterm`), and pytest
learns of a killed command from Linux (:func:`die_with_parent`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from types import FrameType
from typing import Protocol

PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process gets when the thread that started it dies."""
CLOSE_GRACE_S = 60.0
"""How long pytest may take to close an interrupted run (the outputs included) before it is killed."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, taken as Ctrl-C: what runs stops and cleans up (the command then exits 143, 128 + 15)."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(f"stopped by signal {signal.Signals(signum).name}")


def interrupt_on_sigterm() -> None:
    """Take SIGTERM as an interruption, like Ctrl-C, instead of ending the process on the spot.

    In pytest, the scenario in progress stops, the browsers are torn down and the run is closed
    as incomplete with every step measured so far; in the command, pytest is stopped and the run
    closed the same way. Without it, SIGTERM would leave Chromium behind.
    """
    with contextlib.suppress(ValueError):  # only the main thread may set a handler
        signal.signal(signal.SIGTERM, _terminated)


def die_with_parent() -> None:
    """In the pytest child, before it starts: have Linux send it SIGTERM when the harness command dies.

    A command killed outright (SIGKILL) cannot stop pytest; without this, pytest and Chromium
    would finish the run alone. pytest takes the SIGTERM as an interruption (above).
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Child(Protocol):
    """A started process: ``subprocess.Popen``, or ``collect.runner.Forked``."""

    pid: int

    def wait(self, timeout: float | None = None) -> int: ...


def stop_group(proc: Child, grace_s: float = CLOSE_GRACE_S) -> None:
    """Stop a process group led by ``proc`` (pytest, its workers, their Chromiums) and wait for it.

    SIGTERM first: pytest closes the run as ``incomplete``. A group still there after ``grace_s``
    (a loaded machine, a stuck worker) is killed; the caller then closes the run from what is on
    disk. Never raises: it runs while an interruption is being handled.
    """
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
