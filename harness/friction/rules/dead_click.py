"""``dead-click``: a passed click that changed nothing.

Probed without probe errors, on an element that is not a text field (clicking one only focuses
it), with no DOM mutation, navigation, request, URL change, input event, dialog, native
validation bubble or new overlay.
"""

from __future__ import annotations

from harness.contracts.evidence import ClickedItem, DeadClickEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.words import clip, target_name
from harness.spec.friction import ScenarioSettings


def is_dead_click(record: StepRecord, previous: StepRecord | None) -> bool:
    """A passed click whose probes saw no effect at all: no DOM change, navigation, request, input, overlay,
    dialog or native validation bubble."""
    s = record.signals
    if record.status != "passed" or s.probe_errors or not s.click_changed_nothing():
        return False
    before = {o.element for o in previous.signals.overlays} if previous else None
    return not any(before is None or o.element not in before for o in s.overlays)


def dead_click(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Click steps that changed nothing."""
    found = []
    for step in runs.steps().values():
        repeats = [repeat for repeat, record in step.items() if is_dead_click(record, runs.previous(record))]
        if not repeats:
            continue
        record = step[repeats[0]]
        clicked = record.signals.clicked
        evidence = DeadClickEvidence(
            target=record.target, selector=record.selector, url=clip(record.url),
            clicked=ClickedItem(element=clip(clicked.element, 200), text=clip(clicked.text, 200)) if clicked else None)
        found.append(make_finding(
            RULE, "high", f"Clicking {target_name(record)} changed nothing: no DOM change, no navigation, no request",
            runs, evidence, step=step, repeats=repeats, screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="dead-click", title="Dead click", description=__doc__ or "", severity="high", scaled=True,
    needs=("signals.action", "signals.clicked", "signals.dom_mutations", "signals.overlays"),
    evidence=DeadClickEvidence, check=dead_click)
