"""Event rules: something happened on a step (a failed request, an error, a dead click...).

An event rule fires when the event happened in any repeat of the step; the finding lists
those repeats, and its points are scaled by the share of repeats it happened in. Steps that
were not run (skipped, not run) never produce a finding.
"""

from __future__ import annotations

import re

from harness.contracts.records import Finding, Severity, StepRecord
from harness.friction.finding import (
    MAX_ITEMS,
    StepRepeats,
    clip,
    executed,
    make_finding,
    step_name,
    target_name,
)
from harness.friction.groups import ScenarioRuns, step_errors
from harness.spec.friction import ScenarioSettings


def _first(step: StepRepeats) -> StepRecord:
    return next(iter(step.values()))


def _more(items: list[str], shown: int = 3) -> str:
    head = ", ".join(items[:shown])
    return head + (f" and {len(items) - shown} more" if len(items) > shown else "")


def failed_request(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``failed-request``: requests that failed (not ignored): high for 5xx or no answer, medium for 4xx."""
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
        requests = [{"method": m, "url": u, "status": s, "failure": f, "repeats": sorted(set(r))}
                    for (m, u, s, f), r in seen.items()]
        words = [f"{m} {clip(u, 120)} → {s if s is not None else f or 'no answer'}" for m, u, s, f in seen]
        noun = "request failed" if len(seen) == 1 else f"{len(seen)} requests failed"
        repeats = sorted({r for rs in seen.values() for r in rs})
        found.append(make_finding(
            "failed-request", severity, f"{step_name(_first(step))}: {noun}: {_more(words)}", runs, step=step,
            repeats=repeats, evidence={"requests": requests[:MAX_ITEMS], "count": len(requests)}, scaled=True,
            screenshot_repeat=repeats[0]))
    return found


def console_error(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``console-error``: console errors (medium) and uncaught page errors (high) not ignored."""
    found = []
    for step in runs.steps().values():
        console: dict[str, list[int]] = {}
        page: dict[str, list[int]] = {}
        for repeat, record in executed(step).items():
            lines, errors, _ = step_errors(record, settings)
            for line in lines:
                console.setdefault(clip(line), []).append(repeat)
            for line in errors:
                page.setdefault(clip(line), []).append(repeat)
        if not console and not page:
            continue
        parts = []
        if page:
            parts.append(f"{len(page)} uncaught error{'s' if len(page) > 1 else ''}")
        if console:
            parts.append(f"{len(console)} console error{'s' if len(console) > 1 else ''}")
        example = next(iter(page or console))
        repeats = sorted({r for rs in [*page.values(), *console.values()] for r in rs})
        found.append(make_finding(
            "console-error", "high" if page else "medium",
            f'{step_name(_first(step))}: {" and ".join(parts)}: "{clip(example, 160)}"', runs, step=step,
            repeats=repeats, scaled=True, screenshot_repeat=repeats[0],
            evidence={"page_errors": list(page)[:MAX_ITEMS], "console_errors": list(console)[:MAX_ITEMS],
                      "count": len(page) + len(console)}))
    return found


def new_validation(record: StepRecord, previous: StepRecord | None) -> list[dict[str, str | None]]:
    """Refusal messages new on a step: not shown at the previous step's end, or raised by the browser."""
    before = {(v.message, v.field) for v in previous.signals.validation} if previous else set()
    out: list[dict[str, str | None]] = []
    for v in record.signals.validation:
        item = {"field": clip(v.field, 120) or None, "message": clip(v.message, 200), "source": v.source}
        if (v.source == "native" or (v.message, v.field) not in before) and item not in out:
            out.append(item)
    return out


def refused_input(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``refused-input``: the app showed a refusal message on this step that was not there before."""
    found = []
    for step in runs.steps().values():
        messages: list[dict[str, str | None]] = []
        repeats: list[int] = []
        for repeat, record in executed(step).items():
            new = new_validation(record, runs.previous(record))
            if new:
                repeats.append(repeat)
                messages += [m for m in new if m not in messages]
        if not messages:
            continue
        words = [f'"{m["message"]}"' + (f" ({m['field']})" if m["field"] else "") for m in messages]
        found.append(make_finding(
            "refused-input", "medium", f"{step_name(_first(step))}: the app refused the input: {_more(words)}",
            runs, step=step, repeats=repeats, scaled=True, screenshot_repeat=repeats[0],
            evidence={"messages": messages[:MAX_ITEMS], "count": len(messages)}))
    return found


def is_dead_click(record: StepRecord, previous: StepRecord | None) -> bool:
    """A passed click whose probes saw no effect at all: no DOM change, navigation, request, input, overlay,
    dialog or native validation bubble."""
    s = record.signals
    if record.status != "passed" or s.probe_errors or not s.click_changed_nothing():
        return False
    before = {o.element for o in previous.signals.overlays} if previous else None
    return not any(before is None or o.element not in before for o in s.overlays)


def dead_click(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``dead-click``: a click that changed nothing (an editable field only takes focus: not judged)."""
    found = []
    for step in runs.steps().values():
        repeats = [repeat for repeat, record in step.items() if is_dead_click(record, runs.previous(record))]
        if not repeats:
            continue
        record = step[repeats[0]]
        clicked = record.signals.clicked
        found.append(make_finding(
            "dead-click", "high",
            f"Clicking {target_name(record)} changed nothing: no DOM change, no navigation, no request",
            runs, step=step, repeats=repeats, scaled=True, screenshot_repeat=repeats[0],
            evidence={"target": record.target, "selector": record.selector, "url": clip(record.url),
                      "clicked": {"element": clip(clicked.element, 200), "text": clip(clicked.text, 200)}
                      if clicked else None}))
    return found


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
    """``covered-target``: the step failed because another element covered its target and took the click."""
    found = []
    for step in runs.steps().values():
        repeats = [repeat for repeat, r in step.items() if r.status == "failed" and r.error_kind == "covered"]
        if not repeats:
            continue
        record = step[repeats[0]]
        element, subtree = intercepting_element(record.error)
        cover = subtree or element
        by = f"{cover} covers it" if cover else "another element covers it"
        found.append(make_finding(
            "covered-target", "high", f"{step_name(record)} failed: {by} and takes the click meant for "
            f"{target_name(record)}", runs, step=step, repeats=repeats, scaled=True, screenshot_repeat=repeats[0],
            evidence={"intercepting": element, "subtree": subtree, "target": record.target,
                      "selector": record.selector, "error": clip(record.error, 500),
                      "overlays": [{"element": clip(o.element, 200), "role": o.role, "text": clip(o.text, 200),
                                    "area_pct": o.area_pct} for o in record.signals.overlays[:MAX_ITEMS]]}))
    return found


A11Y_SEVERITY: dict[str, Severity] = {"critical": "high", "serious": "high", "moderate": "medium", "minor": "low"}
"""axe-core impact -> finding severity (an unknown impact counts as moderate)."""


def a11y_violation(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """``a11y-violation``: one finding per axe-core rule violated on the page state a step scanned first."""
    found = []
    for step in runs.steps().values():
        first_seen: dict[str, tuple[StepRecord, list[int]]] = {}
        for repeat, record in executed(step).items():
            scan = record.signals.a11y
            for violation in scan.violations if scan else []:
                first_seen.setdefault(violation.id, (record, []))[1].append(repeat)
        for rule_id, (record, repeats) in first_seen.items():
            scan = record.signals.a11y
            assert scan is not None
            v = next(v for v in scan.violations if v.id == rule_id)
            count = v.count or len(v.nodes)
            where = clip(scan.url, 120)
            message = (f"{step_name(record)}: accessibility rule {clip(v.id, 80)} ({v.impact or 'unknown impact'}) "
                       f"fails on {count} element{'s' if count != 1 else ''} of {where}: {clip(v.help, 200)}")
            found.append(make_finding(
                "a11y-violation", A11Y_SEVERITY.get(v.impact or "", "medium"), message, runs, step=step,
                repeats=repeats, discriminator=v.id, screenshot_repeat=repeats[0],
                evidence={"axe_rule": v.id, "impact": v.impact, "help": clip(v.help, 200),
                          "help_url": clip(v.help_url, 300), "count": count, "state": clip(scan.state, 300),
                          "url": clip(scan.url), "engine": scan.engine,
                          "nodes": [{"target": clip(n.target, 200), "html": clip(n.html, 300)}
                                    for n in v.nodes[:5]]}))
    return found
