"""Stopping a whole run for a reason no scenario can overcome: no browser, bad guides, a full disk."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, NoReturn

import pytest

from harness.runfolder.files import write_atomic
from harness.runfolder.io import RUN_ERROR

if TYPE_CHECKING:
    from harness.collect.config import CollectConfig


def stop_run(cfg: CollectConfig, reason: str) -> NoReturn:
    """Stop the run; the reason lands in run.json (through ``.run-error.txt``, else kept in ``cfg``)."""
    cfg.error = reason
    with contextlib.suppress(OSError):  # a full or read-only run folder: the controller closes the run with cfg.error
        write_atomic(cfg.run_dir / RUN_ERROR, reason)  # whole or not at all
    pytest.exit(f"harness: {reason}", returncode=2)
