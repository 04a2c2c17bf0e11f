"""``covered-target``: the step failed because another element covered its target and took the click.

The step failed with ``error_kind`` ``covered``; the intercepting element is parsed from
Playwright's error, and the overlays at the step's end are listed.
"""

from __future__ import annotations

import re

from harness.contracts.evidence import CoveredTargetEvidence, OverlayItem
from harness.contracts.records import Finding
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.words import MAX_ITEMS, clip, step_name, target_name
from harness.spec.friction import ScenarioSettings

_INTERCEPT = re.compile(
    r"(?P<element><[a-zA-Z][^>]*>(?:[^<]*</[\w-]+>)?)"
    r"(?:\s+from\s+(?P<subtree><[a-zA-Z][^>]*>(?:[^<]*</[\w-]+>)?)\s+subtree)?"
    r"\s+intercepts pointer events")


def intercepting_element(error: str | None) -> tuple[str | None, str | None]:
    """The element that took a click, and the subtree it belongs to, from Playwright's error text."""
    found = _INTERCEPT.search(error or "")
    if not found:
        return None, None
    subtree = found.group("subtree")
    return clip(found.group("element"), 200), clip(subtree, 200) if subtree else None


def covered_target(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps that failed on a covered target."""
    found = []
    for step in runs.steps().values():
        repeats = [repeat for repeat, r in step.items() if r.status == "failed" and r.error_kind == "covered"]
        if not repeats:
            continue
        record = step[repeats[0]]
        element, subtree = intercepting_element(record.error)
        cover = subtree or element
        by = f"{cover} covers it" if cover else "another element covers it"
        overlays = [OverlayItem(element=clip(o.element, 200), role=o.role, text=clip(o.text, 200), area_pct=o.area_pct)
                    for o in record.signals.overlays[:MAX_ITEMS]]
        evidence = CoveredTargetEvidence(intercepting=element, subtree=subtree, target=record.target,
                                         selector=record.selector, error=clip(record.error, 500), overlays=overlays)
        found.append(make_finding(
            RULE, "high", f"{step_name(record)} failed: {by} and takes the click meant for {target_name(record)}",
            runs, evidence, step=step, repeats=repeats, screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="covered-target", title="Covered target", description=__doc__ or "", severity="high", scaled=True,
    needs=("error_kind", "error", "signals.overlays"), evidence=CoveredTargetEvidence, check=covered_target)
