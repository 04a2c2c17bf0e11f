"""``refused-input``: the app showed a refusal message on the step that was not there before.

A message is new when the previous step of the same run did not end with it (same message and
field), or when the browser raised it (``native``: always new).
"""

from __future__ import annotations

from harness.contracts.evidence import RefusalItem, RefusedInputEvidence
from harness.contracts.records import Finding, StepRecord
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns
from harness.friction.rule import Rule
from harness.friction.series import executed, first
from harness.friction.words import MAX_ITEMS, clip, first_few, step_name
from harness.spec.friction import ScenarioSettings


def new_validation(record: StepRecord, previous: StepRecord | None) -> list[RefusalItem]:
    """Refusal messages new on a step: not shown at the previous step's end, or raised by the browser."""
    before = {(v.message, v.field) for v in previous.signals.validation} if previous else set()
    out: list[RefusalItem] = []
    for v in record.signals.validation:
        item = RefusalItem(field=clip(v.field, 120) or None, message=clip(v.message, 200), source=v.source)
        if (v.source == "native" or (v.message, v.field) not in before) and item not in out:
            out.append(item)
    return out


def refused_input(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps on which a refusal message appeared."""
    found = []
    for step in runs.steps().values():
        messages: list[RefusalItem] = []
        repeats: list[int] = []
        for repeat, record in executed(step).items():
            new = new_validation(record, runs.previous(record))
            if new:
                repeats.append(repeat)
                messages += [m for m in new if m not in messages]
        if not messages:
            continue
        words = [f'"{m.message}"' + (f" ({m.field})" if m.field else "") for m in messages]
        found.append(make_finding(
            RULE, "medium", f"{step_name(first(step))}: the app refused the input: {first_few(words)}", runs,
            RefusedInputEvidence(messages=messages[:MAX_ITEMS], count=len(messages)), step=step, repeats=repeats,
            screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="refused-input", title="Refused input", description=__doc__ or "", severity="medium", scaled=True,
    needs=("signals.validation",), evidence=RefusedInputEvidence, check=refused_input)
