"""One recorder for a scenario's artifacts: step screenshots and the Playwright trace.

Which are kept: a screenshot of each failed step, one of each passed step whose signals
look like friction (evidence for the audit), and the trace by its mode (``off``, ``on``,
``retain-on-failure``). Paths in the records are relative to the run folder.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from harness.collect.tracing import TRACE_FILE, WITHHELD_NOTE, TraceRecorder
from harness.contracts.records import ARTIFACTS_DIR, StepArtifacts, StepRecord

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from harness.redaction import Secrets

SCREENSHOT_TIMEOUT_MS = 5_000


class ArtifactsRecorder:
    """The artifacts of one scenario run, in ``artifacts/<slug>/`` of the run folder."""

    __slots__ = ("folder", "run_dir", "tracer")

    def __init__(self, run_dir: Path, slug: str, tracer: TraceRecorder | None) -> None:
        self.run_dir = run_dir
        self.folder = Path(ARTIFACTS_DIR) / slug
        """The scenario's artifacts folder, relative to the run folder."""
        self.tracer = tracer

    def screenshot(self, page: Page, record: StepRecord) -> StepArtifacts:
        """Take the step's screenshot; a screenshot that fails is noted, never raised (the record matters more)."""
        shot = self.folder / f"step-{record.step_index:02d}.png"
        try:
            (self.run_dir / shot).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(self.run_dir / shot), timeout=SCREENSHOT_TIMEOUT_MS)
        except Exception as exc:
            return StepArtifacts(screenshot=None, screenshot_error=str(exc).splitlines()[0][:300])
        return StepArtifacts(screenshot=str(shot))

    def failed_step(self, page: Page, record: StepRecord) -> None:
        """A failed step's screenshot, and where the trace will be once the scenario ends."""
        record.artifacts = self.screenshot(page, record)
        if self.tracer is not None and self.tracer.mode != "off":
            record.artifacts.trace = str(self.folder / TRACE_FILE)

    def evidence(self, page: Page, record: StepRecord) -> None:
        """A passed step's screenshot, kept as evidence of its friction."""
        record.artifacts = self.screenshot(page, record)

    def finish(self, failed: bool, secrets: Secrets | None = None) -> None:
        """Stop the trace; keep it as its mode says; a part that held a secret is not kept, and the run says so.

        Said twice: in ``trace-withheld.txt`` beside the kept parts, and as a warning in pytest's summary.
        """
        if self.tracer is None:
            return
        self.tracer.finish(failed, self.run_dir / self.folder, secrets)
        if self.tracer.withheld:
            parts = ", ".join(self.tracer.withheld)
            note = (f"{parts}: not kept, because the trace held a secret of the run (the trace stops while a "
                    "secret is typed; the app showed or sent it anyway). See docs/secrets.md.\n")
            (self.run_dir / self.folder).mkdir(parents=True, exist_ok=True)
            (self.run_dir / self.folder / WITHHELD_NOTE).write_text(note, encoding="utf-8")
            warnings.warn(TraceWithheld(f"{self.folder}/{parts} not kept: the trace held a secret of the run"),
                          stacklevel=2)


class TraceWithheld(UserWarning):
    """A part of a scenario's trace held a secret and was not kept."""
