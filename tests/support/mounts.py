"""Real file-system faults: a small tmpfs that fills up, and a read-only view of a folder.

Mounting needs root (``CAP_SYS_ADMIN``), as the CI machines have; where mount is not permitted, the
test is skipped and says why. Every mount is undone when its ``with`` block ends.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler"
"""The file :func:`fill` writes; remove it and the disk has room again."""


def _mount(*args: str) -> None:
    """Run ``mount ARGS``; skip the test when mounting is not permitted here, fail on any other error."""
    if os.geteuid() != 0:
        pytest.skip("mount is not permitted (not root): this test needs a real full or read-only file system")
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.strip()
        if "permission denied" in reason.lower() or "not permitted" in reason.lower():
            pytest.skip(f"mount is not permitted here ({reason}): this test needs a real full or read-only "
                        "file system")
        raise AssertionError(f"mount {' '.join(args)} failed: {reason}")


def _unmount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)  # busy: detach it


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "4m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``folder`` (made if needed); yield the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _unmount(folder)


@contextlib.contextmanager
def read_only_view(source: Path, view: Path) -> Iterator[Path]:
    """``source`` mounted read-only on ``view`` (a bind mount: the same files, no writes); yield ``view``."""
    view.mkdir(parents=True, exist_ok=True)
    _mount("--bind", str(source), str(view))
    try:
        _mount("-o", "remount,bind,ro", str(view))
        yield view
    finally:
        _unmount(view)


def fill(folder: Path) -> Path:
    """Fill the file system of ``folder`` until not one more block is free; return the file that fills it.

    Files already there keep the free end of their last block (as on any full disk).
    """
    path = folder / FILLER
    chunk = b"\0" * 65536
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        while True:
            os.write(fd, chunk)
    except OSError as exc:
        assert exc.errno == 28, exc  # ENOSPC
    finally:
        os.close(fd)
    return path
