"""Run the ``harness`` command: in a real process (:func:`harness`) or in this one (:func:`cli`).

A command that starts a browser, or whose test is about processes (signals, a kill), runs in a
real process. Every other command runs in-process through Typer's ``CliRunner``, as
:func:`harness.cli.main` runs it: same exit codes, same output, without a Python start-up.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from harness.cli.main import main
from tests.support import ROOT, SECRETS
from tests.support.tiers import require_e2e


@dataclass(frozen=True, slots=True)
class Done:
    """What a command did, read like :class:`subprocess.CompletedProcess`.

    Attributes:
        returncode: The exit code.
        stdout: What it printed on stdout.
        stderr: What it printed on stderr.
    """

    returncode: int
    stdout: str
    stderr: str


def env_with_secrets() -> dict[str, str]:
    """The environment of a harness subprocess, with non-default demo passwords."""
    env = {**os.environ, **SECRETS, "CI": "true"}
    env.pop("HARNESS_RUN_DIR", None)
    env.pop("HARNESS_RUN_ID", None)
    return env


def harness(*args: str | Path, timeout: float = 600, env: dict[str, str] | None = None) -> Done:
    """Run ``harness ARGS`` in a real process from the project folder (a test marked ``e2e`` only)."""
    require_e2e(f"harness {' '.join(map(str, args[:2]))} in a real process")
    done = subprocess.run([sys.executable, "-m", "harness.cli", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=env or env_with_secrets())
    return Done(done.returncode, done.stdout, done.stderr)


@contextlib.contextmanager
def _argv(args: list[str]) -> Iterator[None]:
    saved_argv, saved_hook = sys.argv, sys.excepthook
    sys.argv = ["harness", *args]
    try:
        yield
    finally:  # Typer installs its own excepthook when an app is called
        sys.argv, sys.excepthook = saved_argv, saved_hook


def cli(*args: str | Path, env: Mapping[str, str | None] | None = None, cwd: Path = ROOT) -> Done:
    """Run ``harness ARGS`` in this process, from ``cwd``, the way the console script does.

    Args:
        args: The command line after ``harness``.
        env: Variables to set (``None``: unset) on top of the e2e passwords and ``CI=true``, for
            the command's duration.
        cwd: The folder the command runs from.

    Returns:
        The exit code and the output. An exception the command let through is printed on stderr
        with its traceback and exits 1, as it would in a process.
    """
    changes: dict[str, str | None] = {**SECRETS, "CI": "true", "HARNESS_RUN_DIR": None, "HARNESS_RUN_ID": None,
                                      **(env or {})}
    with CliRunner().isolation(env=changes) as (stdout, stderr, _), contextlib.chdir(cwd), \
            _argv([str(a) for a in args]):
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return Done(code, stdout.getvalue().decode("utf-8", "replace"), stderr.getvalue().decode("utf-8", "replace"))
