"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, then rename it over ``path``."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def append_line(path: Path, line: str) -> None:
    """Append ``line`` (UTF-8, ending in a newline) under an exclusive lock, flushed and fsynced.

    Parallel workers never interleave lines, and a killed process keeps every line it appended.
    """
    with path.open("a", encoding="utf-8") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
