"""Playwright traces per scenario: ``on``, ``off`` or ``retain-on-failure``.

The trace is recorded in parts so it can be paused while credentials are typed: a trace
stores every action's arguments, DOM snapshots and request bodies, so recording is fully
stopped (not just chunked: a chunked trace still keeps the network log of the paused
part) and restarted afterwards. Nothing secret ever reaches it.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

TRACE_FILE = "trace.zip"


class TraceRecorder:
    """Records the trace of one browser context.

    Attributes:
        mode: ``off``, ``on`` or ``retain-on-failure``.
        chunks: Trace parts written so far (kept in a private temporary folder).
    """

    __slots__ = ("_active", "_context", "_tmp", "chunks", "mode")

    def __init__(self, context: BrowserContext, mode: str) -> None:
        self._context = context
        self.mode = mode
        self.chunks: list[Path] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="harness-trace-"))
        self._active = False
        if mode != "off":
            self._start()

    def _start(self) -> None:
        self._context.tracing.start(screenshots=True, snapshots=True, sources=False)
        self._active = True

    def pause(self) -> bool:
        """Stop recording and keep the part recorded so far; return True if one was recording."""
        if not self._active:
            return False
        path = self._tmp / f"part-{len(self.chunks) + 1}.zip"
        self._active = False
        try:
            self._context.tracing.stop(path=str(path))
        except Exception:  # the browser died (crashed, killed): the part it was recording died with it
            return False
        self.chunks.append(path)
        return True

    def resume(self) -> None:
        """Start recording again after :meth:`pause`."""
        if self.mode != "off" and not self._active:
            self._start()

    def finish(self, failed: bool, dest_dir: Path, secrets: Iterable[str] = ()) -> list[Path]:
        """Stop tracing; keep the trace in ``dest_dir`` when the mode says so.

        The last part, which holds the end of the scenario, is ``trace.zip``; earlier parts
        (before a pause) are ``trace-part-N.zip``. A part that contains a secret anyway is
        not kept: a secret must never reach a trace.

        Returns:
            The kept trace files (empty when nothing is kept).
        """
        kept: list[Path] = []
        try:
            if self.mode == "off":
                return kept
            self.pause()
            if self.mode == "on" or failed:
                dest_dir.mkdir(parents=True, exist_ok=True)
                parts = [c for c in self.chunks if c.is_file()]
                for index, part in enumerate(parts, 1):
                    if _holds_secret(part, secrets):
                        continue
                    name = TRACE_FILE if index == len(parts) else f"trace-part-{index}.zip"
                    shutil.move(str(part), dest_dir / name)
                    kept.append(dest_dir / name)
            return kept
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _holds_secret(trace: Path, secrets: Iterable[str]) -> bool:
    """Tell whether any file inside a trace archive contains one of ``secrets``."""
    needles = [s.encode("utf-8") for s in secrets if s]
    if not needles:
        return False
    with zipfile.ZipFile(trace) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if any(needle in data for needle in needles):
                return True
    return False
