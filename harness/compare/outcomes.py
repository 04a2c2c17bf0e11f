"""What changed besides the figures: scenarios failing or fixed, friction findings, guide steps.

A scenario's health is its outcome (``harness/outcomes.py``): ``passing`` when every replay
passed at its first attempt, ``broken`` when replays failed and none passed, ``flaky`` when some
failed and others passed (or passed only on a retry), ``skipped``, ``incomplete`` (the run
stopped during it). A flaky scenario is reported as flaky, never as a new failure; a scenario
the candidate skipped or did not finish is reported as such, never as fixed or failing.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.compare.samples import Samples, where
from harness.contracts.comparison import FindingChange, GuideChange, Health, StatusChange
from harness.contracts.guides import GuidesFile, GuideStepResult
from harness.contracts.records import Finding
from harness.guides.results import fail_on_of

KINDS: dict[tuple[Health, Health], str] = {
    ("passing", "broken"): "new_failure",
    ("absent", "broken"): "new_failure",
    ("passing", "flaky"): "new_flaky",
    ("absent", "flaky"): "new_flaky",
    ("broken", "passing"): "fixed",
    ("flaky", "passing"): "fixed",
    ("broken", "broken"): "still_failing",
    ("flaky", "flaky"): "still_flaky",
    ("flaky", "broken"): "now_broken",
    ("broken", "flaky"): "less_flaky",
    ("skipped", "broken"): "new_failure",
    ("incomplete", "broken"): "new_failure",
    ("skipped", "flaky"): "new_flaky",
    ("incomplete", "flaky"): "new_flaky",
    **{(base, "skipped"): "now_skipped" for base in ("passing", "flaky", "broken", "incomplete", "absent")},
    **{(base, "incomplete"): "incomplete" for base in ("passing", "flaky", "broken", "skipped", "incomplete",
                                                        "absent")},
}
"""(baseline, candidate) -> kind; pairs not listed (passing to passing...) are no change."""
STATUS_ORDER = ("new_failure", "now_broken", "new_flaky", "incomplete", "still_failing", "still_flaky", "less_flaky",
                "now_skipped", "fixed")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def status_changes(baseline: Samples, candidate: Samples) -> list[StatusChange]:
    """Scenarios whose outcome changed, or that still fail, ordered by how bad the change is."""
    out: list[StatusChange] = []
    for key in dict.fromkeys([*baseline.health, *candidate.health]):
        base, cand = baseline.health.get(key), candidate.health.get(key)
        if cand is None:
            continue  # a scenario the candidate did not run: reported as removed by the metric changes
        kind = KINDS.get((base.health if base else "absent", cand.health))
        if kind is None:
            continue
        failing = cand if cand.health != "passing" or base is None else base
        out.append(StatusChange(
            where=where(key), baseline=base.health if base else "absent", candidate=cand.health,
            kind=kind, failed_repeats=failing.failed_repeats, retried_repeats=failing.retried_repeats,
            repeats=cand.replays, step=failing.step if failing else None, error=failing.error if failing else None,
            error_kind=failing.error_kind if failing else None))
    return sorted(out, key=lambda s: STATUS_ORDER.index(s.kind))


def finding_changes(baseline: Sequence[Sequence[Finding]], candidate: Sequence[Finding]) -> list[FindingChange]:
    """Findings new in the candidate (in no baseline run) and resolved (in the latest baseline run, not now).

    Args:
        baseline: The findings of each baseline run, newest run first.
        candidate: The candidate's findings.
    """
    seen = {f.id for run in baseline for f in run}
    latest = {f.id: f for f in baseline[0]} if baseline else {}
    now = {f.id: f for f in candidate}
    new = [_finding("new", f) for f in candidate if f.id not in seen]
    resolved = [_finding("resolved", f) for fid, f in latest.items() if fid not in now]
    return sorted(new, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)) + \
        sorted(resolved, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))


def _finding(kind: str, finding: Finding) -> FindingChange:
    return FindingChange(kind=kind, id=finding.id, rule=finding.rule, severity=finding.severity,
                         title=finding.title, message=finding.message, journey=finding.journey,
                         scenario=finding.scenario, step_text=finding.step_text)


def _guide_steps(guides: GuidesFile | None) -> dict[tuple[str, str], GuideStepResult]:
    return {(guide.id, step.id): step for guide in (guides.guides if guides else []) for step in guide.steps}


def _broken(step: GuideStepResult | None, fail_on: set[str]) -> bool:
    return step is not None and step.status in fail_on


def guide_changes(baseline: GuidesFile | None, candidate: GuidesFile | None) -> list[GuideChange]:
    """Guide steps broken since the baseline, repaired, or still broken (``guides.json`` of each side).

    A step is broken when its status is in the candidate's failure policy (``policy.fail_on``).
    """
    if candidate is None:
        return []
    fail_on = set(fail_on_of(candidate))
    before, after = _guide_steps(baseline), _guide_steps(candidate)
    out: list[GuideChange] = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        was, now = _broken(old, fail_on), _broken(new, fail_on)
        if not (was or now) or new is None:
            continue
        kind = "still_broken" if was and now else ("broken" if now else "repaired")
        suggestion = new.suggestion.target if now and new.suggestion else None
        out.append(GuideChange(kind=kind, guide=key[0], step=key[1],
                               baseline=old.status if old else None, candidate=new.status,
                               reason=new.message, suggestion=suggestion))
    order = {"broken": 0, "still_broken": 1, "repaired": 2}
    return sorted(out, key=lambda g: order[g.kind])
