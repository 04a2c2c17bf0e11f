"""Playwright traces per scenario: ``on``, ``off`` or ``retain-on-failure``.

The trace is recorded in parts so it can be stopped while secrets are typed: a trace stores
every action's arguments, DOM snapshots (with the values of input fields) and request bodies,
so recording is fully stopped (not just chunked: a chunked trace still keeps the network log of
the paused part). It is *held* from the moment a secret field is acted on (the login form's
password, any secret target: ``harness.spec.secrets``) and recording starts again only once no
field, text or URL of the page holds a secret (:meth:`TraceRecorder.release`). A part that holds
any form of a secret anyway (the app echoed it) is not kept, and the run says so.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from harness.redaction import Secrets

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

TRACE_FILE = "trace.zip"
WITHHELD_NOTE = "trace-withheld.txt"
"""Written beside the kept parts of a trace when a part was not kept: which, and why."""
_PAGE_HOLDS = """(needles) => {
  const texts = [location.href, document.documentElement ? document.documentElement.outerHTML : ""];
  for (const field of document.querySelectorAll("input, textarea")) texts.push(field.value);
  return texts.some((text) => needles.some((needle) => text.includes(needle))) ? "holds" : "clean";
}"""
"""Whether a frame's URL, markup or field values hold any of the needles (a string: always an answer)."""
PAGE_CHECK_TIMEOUT_MS = 2_000
"""How long the check waits for a frame: one that does not answer (it never finishes loading) holds a secret."""


class TraceRecorder:
    """Records the trace of one browser context.

    Attributes:
        mode: ``off``, ``on`` or ``retain-on-failure``.
        full: Record DOM snapshots and screenshots too (``RunSettings.trace_detail``).
        chunks: Trace parts written so far (kept in a private temporary folder).
        held: Recording is stopped until :meth:`release` finds the page free of secrets.
        withheld: The names the parts not kept would have had (they held a secret).
    """

    __slots__ = ("_active", "_context", "_tmp", "chunks", "full", "held", "mode", "withheld")

    def __init__(self, context: BrowserContext, mode: str, full: bool = False) -> None:
        self._context = context
        self.mode = mode
        self.full = full
        self.chunks: list[Path] = []
        self._tmp = Path(tempfile.mkdtemp(prefix="harness-trace-"))
        self._active = False
        self.held = False
        self.withheld: list[str] = []
        if mode != "off":
            self._start()

    def _start(self) -> None:
        # DOM snapshots and screenshots cost each action about 10 ms, inside the step's time: only on demand
        self._context.tracing.start(screenshots=self.full, snapshots=self.full, sources=False)
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

    def _discard(self) -> None:
        """Stop recording without writing the part recorded so far out (a trace archive takes time to write)."""
        if self._active:
            self._active = False
            with contextlib.suppress(Exception):  # the browser died: the part died with it
                self._context.tracing.stop()

    def resume(self) -> None:
        """Start recording again after :meth:`pause`."""
        if self.mode != "off" and not self._active:
            self._start()

    def hold(self) -> None:
        """Stop recording until :meth:`release` finds no secret on the page: a secret is about to be typed."""
        self.pause()
        self.held = self.mode != "off"

    def release(self, page: Page, secrets: Secrets) -> bool:
        """Record again if held and no frame of ``page`` holds a secret; return whether it records."""
        if self.held and not page_holds_secret(page, secrets):
            self.held = False
            self.resume()
        return self._active

    def finish(self, failed: bool, dest_dir: Path, secrets: Secrets | None = None) -> list[Path]:
        """Stop tracing; keep the trace in ``dest_dir`` when the mode says so.

        The last part, which holds the end of the scenario, is ``trace.zip``; earlier parts
        (before a pause) are ``trace-part-N.zip``. A part that contains any form of a secret
        anyway (in a file or a file name) is not kept: its name goes to :attr:`withheld`.

        Returns:
            The kept trace files (empty when nothing is kept).
        """
        kept: list[Path] = []
        try:
            if self.mode == "off":
                return kept
            if self.mode == "retain-on-failure" and not failed:  # nothing is kept: the last part is not written
                self._discard()
                return kept
            self.pause()
            if self.mode == "on" or failed:
                dest_dir.mkdir(parents=True, exist_ok=True)
                parts = [c for c in self.chunks if c.is_file()]
                for index, part in enumerate(parts, 1):
                    name = TRACE_FILE if index == len(parts) else f"trace-part-{index}.zip"
                    if secrets and trace_holds_secret(part, secrets):
                        self.withheld.append(name)
                        continue
                    shutil.move(str(part), dest_dir / name)
                    kept.append(dest_dir / name)
            return kept
        finally:
            shutil.rmtree(self._tmp, ignore_errors=True)


def trace_holds_secret(trace: Path, secrets: Secrets) -> bool:
    """Whether any file inside a trace archive, or its name, holds any form of a secret (an unreadable one does)."""
    try:
        with zipfile.ZipFile(trace) as archive:
            return any(secrets.holds(name) or secrets.holds(archive.read(name)) for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return True


def page_holds_secret(page: Page, secrets: Secrets) -> bool:
    """Whether the URL, markup or a field value of any frame of ``page`` holds a form of a secret.

    Asked only while the trace is stopped (the needles never reach it); a frame that cannot be read in
    :data:`PAGE_CHECK_TIMEOUT_MS` holds one (``wait_for_function`` is bounded, ``evaluate`` is not).
    """
    needles = secrets.needles()
    if not needles:
        return False
    for frame in page.frames:
        try:
            answer = frame.wait_for_function(_PAGE_HOLDS, arg=needles, timeout=PAGE_CHECK_TIMEOUT_MS).json_value()
        except Exception:
            return True
        if answer != "clean":
            return True
    return False
