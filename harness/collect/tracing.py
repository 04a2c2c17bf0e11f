"""Playwright traces per scenario: ``on``, ``off`` or ``retain-on-failure``.

The trace is recorded in parts so it can be paused while credentials are typed: a trace
stores every action's arguments, DOM snapshots and request bodies, so recording is fully
stopped (not just chunked: a chunked trace still keeps the network log of the paused
part) and restarted afterwards. Nothing secret ever reaches it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

TRACE_MODES = ("off", "on", "retain-on-failure")


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
        self._context.tracing.stop(path=str(path))
        self.chunks.append(path)
        self._active = False
        return True

    def resume(self) -> None:
        """Start recording again after :meth:`pause`."""
        if self.mode != "off" and not self._active:
            self._start()

    def finish(self, failed: bool, dest_dir: Path) -> list[Path]:
        """Stop tracing; keep the trace files in ``dest_dir`` when the mode says so.

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
                many = len(self.chunks) > 1
                for index, chunk in enumerate(self.chunks, 1):
                    if not chunk.is_file():
                        continue
                    target = dest_dir / (f"trace-{index}.zip" if many else "trace.zip")
                    shutil.move(str(chunk), target)
                    kept.append(target)
            return kept
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)
