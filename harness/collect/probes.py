"""In-page probes: web vitals, long tasks, DOM changes, overlays and validation messages per step.

``page_probe.js`` is installed in every document of a scenario's context before the app's
own scripts run. It logs what it observes with the time it happened; after a step (once its
clock has stopped, so probing never counts as the user's time) :meth:`PageProbes.take` reads,
in one round trip, what the page logged since the step began. Nothing is reset before a step,
and no frame is awaited after it. A probe that fails records its error in ``probe_errors`` and
the run goes on, as a Lighthouse gatherer does.

A click that looks dead (nothing changed) gets one short grace period before it is judged,
so an app that answers a click from a timer is not blamed for it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.collect.a11y import AxeScanner
from harness.contracts.records import ClickedElement, Overlay, PageLoad, StepSignals, ValidationMessage

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import BrowserContext, Page

SCRIPT = Path(__file__).with_name("page_probe.js")
DEAD_CLICK_GRACE_MS = 300
"""How long a click that changed nothing is given to show an effect before it is judged dead."""
@cache
def probe_source() -> str:
    """The in-page probe's source."""
    return SCRIPT.read_text(encoding="utf-8")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


@dataclass
class PageProbes:
    """The probes of one worker: on or off, and the accessibility scanner (whose page states are shared).

    Attributes:
        enabled: Run the in-page probes.
        a11y: Scan each new page state with axe-core (needs ``enabled``).
        scanner: The worker's axe-core scanner.
    """

    enabled: bool = True
    a11y: bool = True
    scanner: AxeScanner = field(default_factory=AxeScanner)

    def install(self, context: BrowserContext) -> None:
        """Install the probe in every document the context will load."""
        if self.enabled:
            context.add_init_script(script=probe_source())

    def take(self, page: Page, signals: StepSignals, since_epoch_ms: float,
             late_events: Callable[[], StepSignals | None] | None = None, passed: bool = True) -> None:
        """Read the step's in-page signals into ``signals`` (errors into ``signals.probe_errors``).

        Args:
            page: The scenario's page.
            signals: The step's signals, filled in place.
            since_epoch_ms: When the step began (``time.time()`` in ms): what the page logged before is not its own.
            late_events: Returns what Playwright saw since the step ended (navigations, requests...);
                asked after the grace period of a click that changed nothing.
            passed: Whether the step passed: a failed click is not a dead click (it may not have clicked at all),
                so it gets no grace period.
        """
        if not self.enabled:
            return
        data = self._read(page, signals, since_epoch_ms)
        if data is None:
            return
        self._fill(signals, data)
        if passed and signals.click_changed_nothing():
            time.sleep(DEAD_CLICK_GRACE_MS / 1000)
            late = self._read(page, signals, since_epoch_ms)
            if late is not None:
                signals.dom_mutations += int(late.get("dom_mutations") or 0)
                signals.input_events += int(late.get("input_events") or 0)
                signals.url_changed = signals.url_changed or bool(late.get("url_changed"))
                if late.get("page_load") and signals.page_load is None:
                    signals.page_load = PageLoad.model_validate(late["page_load"])
            if late_events is not None and (more := late_events()) is not None:
                signals.add_late(more)
        if self.a11y and data.get("web"):
            signals.a11y = self.scanner.scan_new_state(page, data.get("state") or page.url)

    def _read(self, page: Page, signals: StepSignals, since_epoch_ms: float) -> dict[str, Any] | None:
        """One round trip. A page whose script never yields is the watchdog's to end (the read then fails)."""
        for tries_left in (2, 1, 0):
            try:
                raw = page.evaluate("(since) => window.__harnessProbe ? window.__harnessProbe.take(since) : null",
                                    since_epoch_ms)
                break
            except Exception as exc:
                if tries_left and "context was destroyed" in str(exc):  # a navigation was under way: read the new page
                    continue
                signals.probe_errors.append(f"probe: {_first_line(exc)}")
                return None
        if raw is None:
            signals.probe_errors.append("probe: not installed in this page (about:blank or a closed page)")
            return None
        data: dict[str, Any] = json.loads(raw)
        return data

    @staticmethod
    def _fill(signals: StepSignals, data: dict[str, Any]) -> None:
        signals.probed = True
        if data.get("page_load"):
            signals.page_load = PageLoad.model_validate(data["page_load"])
        signals.cls = float(data.get("cls") or 0.0)
        signals.shift_sources = list(data.get("shift_sources") or [])
        signals.interaction_ms = data.get("interaction_ms")
        signals.interaction_event = data.get("interaction_event")
        signals.long_tasks = int(data.get("long_tasks") or 0)
        signals.tbt_ms = float(data.get("tbt_ms") or 0.0)
        signals.longest_task_ms = data.get("longest_task_ms")
        signals.dom_mutations = int(data.get("dom_mutations") or 0)
        signals.url_changed = bool(data.get("url_changed"))
        signals.input_events = int(data.get("input_events") or 0)
        if data.get("clicked"):
            signals.clicked = ClickedElement.model_validate(data["clicked"])
        signals.overlays = [Overlay.model_validate(o) for o in data.get("overlays") or []]
        signals.validation = [ValidationMessage.model_validate(v) for v in data.get("validation") or []]
        signals.probe_errors += [str(e)[:300] for e in data.get("probe_errors") or []]


def notable(signals: StepSignals, shown_before: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether a step's signals are worth a screenshot as evidence (the audit judges them later).

    Args:
        signals: The step's signals.
        shown_before: Validation messages the previous step already showed (not news).
    """
    a11y = signals.a11y
    return bool(
        signals.console_errors or signals.page_errors or signals.failed_requests or signals.dialogs
        or any(v.message not in shown_before or v.source == "native" for v in signals.validation)
        or signals.cls >= 0.05 or (signals.interaction_ms or 0) >= 200
        or (a11y is not None and a11y.violations)
        or signals.click_changed_nothing()
    )
