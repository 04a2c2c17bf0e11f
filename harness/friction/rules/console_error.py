"""``console-error``: console errors and uncaught page errors of the step that match no ``ignore_console`` glob.

High with an uncaught page error, else medium. One finding per step, listing the distinct lines.
"""

from __future__ import annotations

from harness.contracts.evidence import ConsoleErrorEvidence
from harness.contracts.records import Finding
from harness.friction.finding import make_finding
from harness.friction.groups import ScenarioRuns, step_errors
from harness.friction.rule import Rule
from harness.friction.series import executed, first
from harness.friction.words import MAX_ITEMS, clip, step_name
from harness.spec.friction import ScenarioSettings


def _some(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count > 1 else ''}"


def console_error(runs: ScenarioRuns, settings: ScenarioSettings) -> list[Finding]:
    """Steps with console or page errors not ignored."""
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
        parts = ([_some(len(page), "uncaught error")] if page else []) + (
            [_some(len(console), "console error")] if console else [])
        example = next(iter(page or console))
        repeats = sorted({r for rs in [*page.values(), *console.values()] for r in rs})
        evidence = ConsoleErrorEvidence(page_errors=list(page)[:MAX_ITEMS], console_errors=list(console)[:MAX_ITEMS],
                                        count=len(page) + len(console))
        found.append(make_finding(
            RULE, "high" if page else "medium",
            f'{step_name(first(step))}: {" and ".join(parts)}: "{clip(example, 160)}"', runs, evidence, step=step,
            repeats=repeats, screenshot_repeat=repeats[0]))
    return found


RULE = Rule(
    id="console-error", title="Console error", description=__doc__ or "",
    severity="high with a page error, else medium", scaled=True,
    needs=("signals.console_errors", "signals.page_errors"), evidence=ConsoleErrorEvidence,
    check=console_error)
