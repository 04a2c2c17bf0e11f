"""Writing files so that a reader never sees half of one, and lines that always encode."""

from __future__ import annotations

import contextlib
import errno
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


FULL_DISK = frozenset({errno.ENOSPC, errno.EDQUOT})
"""The errors of a file system (or a quota) with no room left."""


def write_atomic(path: Path, text: str, *, in_place_when_full: bool = False) -> Path:
    """Write ``text`` (UTF-8) to a temporary file beside ``path``, then rename it over ``path``.

    Args:
        path: The file.
        text: Its new content.
        in_place_when_full: On a full disk, where the temporary copy finds no room, write over
            ``path``'s own blocks instead when the text fits in them (:func:`overwrite_in_place`).
    """
    data = text.encode("utf-8")
    try:
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    except OSError as exc:
        if not (in_place_when_full and exc.errno in FULL_DISK and path.is_file()):
            raise
        overwrite_in_place(path, data, exc)
    return path


def overwrite_in_place(path: Path, data: bytes, full: OSError) -> None:
    """Write ``data`` over a small file's own blocks, for a full disk that has no room for a copy.

    Not atomic (a reader at that very moment may see a mix), so only for when the atomic write
    cannot be done: the file's blocks already allocated hold ``data``, and no new one is needed.

    Raises:
        OSError: ``full`` again, when ``data`` does not fit in the blocks the file has.
    """
    fd = os.open(path, os.O_WRONLY)
    try:
        if len(data) > os.fstat(fd).st_blocks * 512:
            raise full
        _write_all(fd, data)  # from offset 0, over the old bytes
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def json_line(data: object) -> str:
    """``data`` as one line of JSON (non-ASCII kept), ending in a newline, that always encodes as UTF-8.

    A lone UTF-16 surrogate (an app can log one: JavaScript strings may hold them) cannot be
    written as UTF-8; it is kept as the six characters of its escape (``\\ud800``), as text.
    """
    line = json.dumps(data, ensure_ascii=False)
    if _SURROGATE.search(line):  # only ever inside a JSON string: escape the backslash too, so it reads back as text
        line = _SURROGATE.sub(lambda m: f"\\\\u{ord(m[0]):04x}", line)
    return line + "\n"


def append_line(path: Path, line: str, *, sync: bool = True) -> None:
    """Append ``line`` (UTF-8, ending in a newline) whole or not at all, under an exclusive lock.

    Parallel workers never interleave lines, and a killed process keeps every line it appended: the
    line goes to the operating system in one ``write`` (nothing is buffered in the process), and the
    page cache outlives the process. ``sync`` also fsyncs it, for a line that must survive the machine
    going down; without it, the caller fsyncs the file later (:func:`sync_file`), once for many lines.
    When the disk fills up part way (a short write, ``ENOSPC``) or the write fails, the file is cut
    back to its length before, so it never ends in half a line.

    Raises:
        OSError: The line could not be appended (the file is as it was).
    """
    data = line.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released when the file is closed
        before = os.fstat(fd).st_size
        try:
            _write_all(fd, data)
            if sync:
                os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, before)
            raise
    finally:
        os.close(fd)


def sync_file(path: Path) -> bool:
    """fsync ``path`` (the lines appended to it without ``sync``), if it exists; whether it did.

    Raises:
        OSError: The file system could not write the file's data out (a full disk, an I/O error).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return True


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data``: a write cut short by a signal goes on; one that wrote nothing is a full disk."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[written:]
