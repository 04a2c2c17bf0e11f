"""``failed-request``: requests of the step that failed and match no ``ignore_requests`` glob.

High for a 5xx status or no answer, medium for a 4xx. One finding per step, listing each distinct
request (method, URL, status or failure) with the repeats it failed in.
"""

from __future__ import annotations

from harness.contracts.evidence import FailedRequestEvidence, RequestItem
from harness.contracts.records import Finding, Severity
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns, step_errors
from harness.friction.rule import Rule
from harness.friction.series import executed, first
from harness.friction.words import MAX_ITEMS, clip, first_few, step_name
from harness.spec.friction import ScenarioSettings


def failed_request(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps with failed requests not ignored."""
    found = []
    for step in runs.steps().values():
        seen: dict[tuple[str, str, int | None, str | None], list[int]] = {}
        for repeat, record in executed(step).items():
            for request in step_errors(record, settings)[2]:
                key = (request.method, clip(request.url), request.status, clip(request.failure) or None)
                seen.setdefault(key, []).append(repeat)
        if not seen:
            continue
        severity: Severity = "high" if any(s is None or s >= 500 for _, _, s, _ in seen) else "medium"
        requests = [RequestItem(method=m, url=u, status=s, failure=f, repeats=sorted(set(r)))
                    for (m, u, s, f), r in seen.items()]
        words = [f"{m} {clip(u, 120)} → {s if s is not None else f or 'no answer'}" for m, u, s, f in seen]
        noun = "request failed" if len(seen) == 1 else f"{len(seen)} requests failed"
        repeats = sorted({r for rs in seen.values() for r in rs})
        found.append(make_finding(
            RULE, severity, f"{step_name(first(step))}: {noun}: {first_few(words)}", runs,
            FailedRequestEvidence(requests=requests[:MAX_ITEMS], count=len(requests)), step=step, repeats=repeats,
            screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="failed-request", title="Failed request", description=__doc__ or "",
    severity="high for 5xx or no answer, medium for 4xx", scaled=True, needs=("signals.failed_requests",),
    evidence=FailedRequestEvidence, check=failed_request)
