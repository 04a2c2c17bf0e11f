"""Journeys heal like guides: fingerprint the UI-map targets of passing steps; repair them when a step fails.

- :func:`fingerprint` reads the fingerprint of a resolved target's element in one round trip (the guide
  baseline's fingerprint, ``anchor_probe.js``), just before the step acts on it: the harness's work, off
  the step's clock.
- :class:`TargetRepairs` gives a failed step's UI-map target its :class:`~harness.contracts.targets.TargetRepair`:
  the page's candidates ranked against the target's last passing fingerprint, with the guide repair's
  ranking and stable-selector rules (:func:`harness.collect.guide_check.suggest`), or why there are none.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.collect import anchors as probe_js
from harness.collect.guide_check import suggest
from harness.contracts.targets import FALLBACK_USED, TargetPrint, TargetRepair, TargetsFile
from harness.friction.rules.covered_target import intercepting_element
from harness.guides.similarity import SUGGEST_MIN, fingerprint_diff, rank
from harness.guides.status import describe_element, names_its_element
from harness.guides.targets import no_baseline, nothing_close, repairable, text_changed, why_not

if TYPE_CHECKING:
    from playwright.sync_api import Page

def _detail(kind: str, message: str) -> str:
    """The telling part of a failure's message for its repair note: what covers the target (as the
    ``covered-target`` finding reads it from Playwright's error)."""
    if kind != "covered":
        return ""
    element, subtree = intercepting_element(message)
    cover = subtree or element
    return f"{cover} receives the click" if cover else ""


@dataclass
class TargetRepairs:
    """A worker's repairs: the baselines of the app's UI-map targets, read from the history at the first need.

    Attributes:
        history: The history store whose runs hold the baselines (``None``: no baselines).
        app: The app's profile name.
        heal: Retry a step failing on its target once with the suggestion (``--heal``).
        min_score: Propose nothing that scores lower (the guide check's threshold).
    """

    history: Path | None
    app: str
    heal: bool = False
    min_score: float = SUGGEST_MIN
    _baselines: TargetsFile | None = field(default=None, init=False, repr=False)
    _fallbacks: dict[str, TargetRepair] = field(default_factory=dict, init=False, repr=False)

    def baseline(self, target: str) -> TargetPrint | None:
        """The target's last passing fingerprint over the history."""
        if self._baselines is None:
            from harness.runfolder.history import target_baselines

            self._baselines = target_baselines(self.history, self.app)
        return self._baselines.targets.get(target)

    def repair(self, page: Page | None, target: str | None, selector: str | None, kind: str | None,
               message: str = "") -> TargetRepair | None:
        """The repair of a step that failed with ``kind`` on ``target`` (a UI-map name, or ``None``).

        A repairable kind on a UI-map target ranks the page's candidates against its baseline; any other
        failure gets a repair without suggestion saying why none can help. ``None`` for a step that failed
        before it had a target or for a reason of the harness's (a lost browser, a stopped page).
        """
        if kind is None:
            return None
        if target is None or not repairable(kind):
            return TargetRepair(target=target, selector=selector, cause=kind, note=why_not(kind, target,
                                                                                           _detail(kind, message)))
        base = self.baseline(target)
        out = TargetRepair(target=target, selector=selector, cause=kind, repairable=True)
        if base is None:
            out.note = no_baseline(target)
            return out
        out.baseline_run, out.baseline_at = base.run_id, base.recorded_at
        if page is None:
            out.note = "the page was gone: no candidate could be read"
            return out
        started = time.perf_counter()
        try:
            self._suggest(page, out, base, selector)
        except Exception as exc:  # a page that stopped answering: the failure stands, without a repair
            out.note = f"the page could not be read for candidates: {str(exc).splitlines()[0][:200]}"
        out.repair_ms = round((time.perf_counter() - started) * 1000, 1)
        return out

    def fallback(self, page: Page, target: str, primary: str, used: str, current: dict[str, Any]) -> TargetRepair:
        """The repair of a target whose UI-map selector no longer matches and whose fallback found its element.

        The step passed: the suggestion is the most robust selector of the element the fallback found (the
        guide repair's rules), to make it the target's selector again. Looked for once per target and worker.
        """
        known = self._fallbacks.get(target)
        if known is not None:
            return known.model_copy(deep=True)
        out = TargetRepair(target=target, selector=primary, cause=FALLBACK_USED, repairable=True)
        base = self.baseline(target)
        if base is not None:
            out.baseline_run, out.baseline_at = base.run_id, base.recorded_at
            out.diff = fingerprint_diff(base.fingerprint, current)
        started = time.perf_counter()
        try:
            pool = probe_js.PageCandidates(page)
            found = suggest(page, current, "playwright", self.min_score, pool=pool)
        except Exception as exc:  # the step passed: a page that cannot be read only leaves the repair out
            found, out.note = None, f"the page could not be read for candidates: {str(exc).splitlines()[0][:200]}"
        out.repair_ms = round((time.perf_counter() - started) * 1000, 1)
        if found is not None:
            out.suggestion = found
            out.note = (f"{primary} matches nothing now; the fallback {used} found the element, and the step passed: "
                        "the suggestion selects that element alone, to be the target's selector again")
        elif not out.note:
            out.note = f"{primary} matches nothing now; the fallback {used} found the element (no better selector)"
        self._fallbacks[target] = out
        return out.model_copy(deep=True)

    def _suggest(self, page: Page, out: TargetRepair, base: TargetPrint, selector: str | None) -> None:
        pool = probe_js.PageCandidates(page)
        keep = selector if out.cause == "text_changed" else None
        found = suggest(page, base.fingerprint, "playwright", self.min_score, pool=pool, keep=keep)
        if found is None:
            best = rank(base.fingerprint, pool, minimum=0.0, limit=1)
            closest = (best[0].score, describe_element(dict(pool[best[0].index]))) if best else None
            out.note = nothing_close(out.target or "", out.cause, self.min_score, closest)
            return
        current = pool[found.index] if found.index is not None else None
        out.diff = fingerprint_diff(base.fingerprint, current) if current else []
        if out.cause == "missing" and selector and _names_by_words(selector) and text_changed(out.diff):
            out.cause = "text_changed"  # the same element, relabelled: its selector named it by its words
        if out.cause == "text_changed" and found.target == selector:
            out.repairable, out.note = False, (
                f"{selector} still selects its element; its words changed: update the step's expected text, "
                "not the UI map")
            return
        out.suggestion = found


def _names_by_words(selector: str) -> bool:
    """Whether a selector finds its element by what it reads (a role's name, a text, a label)."""
    return names_its_element(selector) and bool(re.search(r"\bname=|\btext=|:has-text\(|:text\(|\blabel=", selector))

