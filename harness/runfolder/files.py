"""Writing files so that a reader never sees half of one, and lines that always encode."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

_SURROGATE = re.compile("[\ud800-\udfff]")


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path``; on success rename it over ``path``, else remove it.

    The temporary name is unique, so two processes writing the same file at once never share it;
    the last rename wins, and a reader sees one whole file or the other.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, then rename it over ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def json_line(data: object) -> str:
    """``data`` as one line of JSON (non-ASCII kept), ending in a newline, that always encodes as UTF-8.

    A lone UTF-16 surrogate (an app can log one: JavaScript strings may hold them) cannot be
    written as UTF-8; it is kept as the six characters of its escape (``\\ud800``), as text.
    """
    line = json.dumps(data, ensure_ascii=False)
    if _SURROGATE.search(line):  # only ever inside a JSON string: escape the backslash too, so it reads back as text
        line = _SURROGATE.sub(lambda m: f"\\\\u{ord(m[0]):04x}", line)
    return line + "\n"


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
