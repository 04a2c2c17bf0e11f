"""Builds made once per test session and shared by every pytest-xdist worker.

The pattern of pytest-xdist's documentation ("Making session-scoped fixtures execute only
once"): every worker sees one folder (``shared/`` under the session's base temporary folder);
the first worker that needs a build makes it there while holding a file lock, the others wait
for the lock and read what it left. A build writes into its own folder and returns a small
JSON value (exit codes, output); ``<name>.done.json`` is written last. A build that raised is
not tried again: the workers that need it later fail with its error.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock


class SharedBuilds:
    """The session's shared builds, in one folder every worker sees.

    Attributes:
        root: The folder.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def folder(self, name: str) -> Path:
        """The folder a build writes into."""
        return self.root / name

    def once(self, name: str, build: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
        """Return what ``build`` returned, calling it in this worker only if no worker did yet.

        Args:
            name: The build's name (a folder name).
            build: Writes into the folder it is given; returns a JSON-able value.

        Returns:
            The value the build returned, read back from ``<name>.done.json``.
        """
        done = self.root / f"{name}.done.json"
        failed = self.root / f"{name}.failed.txt"
        with FileLock(self.root / f"{name}.lock"):
            if done.is_file():
                return json.loads(done.read_text(encoding="utf-8"))
            if failed.is_file():
                pytest.fail(f"the shared build {name!r} failed earlier in this session:\n"
                            f"{failed.read_text(encoding='utf-8')}", pytrace=False)
            folder = self.folder(name)
            folder.mkdir(exist_ok=True)
            try:
                value = build(folder)
            except BaseException:
                failed.write_text(traceback.format_exc(), encoding="utf-8")
                raise
            done.write_text(json.dumps(value), encoding="utf-8")
            return value
