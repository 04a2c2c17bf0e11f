"""Errors the harness reports to a user as one clear message, never as a traceback."""

from __future__ import annotations

import os
import sys
from pathlib import Path


class HarnessError(Exception):
    """A problem the user can fix: bad input, a missing browser, an unreachable app.

    Attributes:
        message: What is wrong and what to do about it.
        file: The file at fault, when there is one.
        line: The 1-based line in ``file``, when known.
        exit_code: The process exit code the CLI uses (2: usage or configuration).
    """

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        return f"{where}{self.message}"


class SpecError(HarnessError):
    """A feature file or an app profile is malformed or refers to something unknown."""


class SpecErrors(HarnessError):
    """Several spec problems found at once, each with its file and line."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class BrowserNotFound(HarnessError):
    """No usable Chromium could be found."""


class RunFileError(HarnessError, ValueError):
    """A run folder's file that cannot be read (not JSON, or not the shape this harness writes).

    A ``ValueError`` too, so readers that skip unreadable files (the history's rebuild) still do.
    """


def describe(exc: BaseException) -> str:
    """An error in words for a message: an OS error's reason (``No space left on device``), else its type and text.

    An OS error's own text names a temporary file and, from pyarrow, wraps the reason in its own
    words; the reason is what tells a user what to do.
    """
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return f"{type(exc).__name__}: {exc}"


def note(message: str) -> None:
    """Print a line on stderr; a stderr that cannot be written (a log on a full disk) is no error of its own."""
    try:
        print(message, file=sys.stderr, flush=True)
    except (OSError, ValueError):  # ValueError: stderr closed
        return
