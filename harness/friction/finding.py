"""Building blocks of the friction rules: grading, points, stable ids, figures in words, findings."""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Callable, Iterable

from harness.contracts.records import Finding, Severity, StepRecord
from harness.friction.groups import ScenarioRuns
from harness.outcomes import example_key
from harness.spec.friction import RULES, Pair

SEVERITY_POINTS: dict[Severity, float] = {"high": 10.0, "medium": 3.0, "low": 1.0}
"""Points a finding adds to its scenario's score, by severity (event rules scale them by occurrence)."""
SEVERITY_RANK: dict[Severity, int] = {"high": 0, "medium": 1, "low": 2}
MAX_TEXT = 300
"""Longest text kept from the app (console lines, URLs, messages, HTML)."""
MAX_ITEMS = 10
"""Most items kept in an evidence list."""

StepRepeats = dict[int, StepRecord]
"""One step across repeats: repeat index -> its record."""


def grade(value: float, pair: Pair) -> Severity | None:
    """``high`` from the second threshold, ``medium`` over the first, else ``None``."""
    medium, high = pair
    if value <= medium:
        return None
    return "high" if value >= high else "medium"


def worst(severities: Iterable[Severity | None]) -> Severity | None:
    """The most severe of some severities (``None`` when there is none)."""
    found = [s for s in severities if s is not None]
    return min(found, key=SEVERITY_RANK.__getitem__) if found else None


def clip(text: str | None, limit: int = MAX_TEXT) -> str:
    """App-derived text cut to a sane length, on one line."""
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fmt_ms(ms: float) -> str:
    """A duration in words: ``840 ms``, ``2.31 s``."""
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.0f} ms"


def fmt_ratio(ratio: float) -> str:
    """A ratio in words: ``2.3x``, ``1.03x`` (two decimals near 1 so it never reads ``1.0x`` when over)."""
    return f"{ratio:.1f}x" if ratio >= 1.1 else f"{ratio:.2f}x"


def step_name(record: StepRecord) -> str:
    """The step as written, quoted for a message."""
    return f"“{clip(record.text, 120)}”"


def target_name(record: StepRecord) -> str:
    """The step's target as written (else its selector), quoted, or ``its target``."""
    target = record.target or record.selector
    return f'"{clip(target, 120)}"' if target else "its target"


def finding_id(rule: str, runs: ScenarioRuns, step_index: int | None, discriminator: str = "") -> str:
    """A short id, stable across audits: rule, feature file, scenario, example, step (and a discriminator)."""
    raw = "\x1f".join([rule, runs.feature_file, runs.scenario, example_key(runs.example),
                       "" if step_index is None else str(step_index), discriminator])
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]


def executed(step: StepRepeats, passed_only: bool = False) -> StepRepeats:
    """The repeats in which the step ran (passed, or passed or failed)."""
    wanted = ("passed",) if passed_only else ("passed", "failed")
    return {repeat: r for repeat, r in step.items() if r.status in wanted}


def series(step: StepRepeats, value: Callable[[StepRecord], float | None]) -> dict[int, float]:
    """Repeat -> the metric, for the repeats where the step passed and the metric is known."""
    out: dict[int, float] = {}
    for repeat, record in executed(step, passed_only=True).items():
        got = value(record)
        if got is not None:
            out[repeat] = float(got)
    return out


def median(values: dict[int, float]) -> float:
    """The median of a series."""
    return float(statistics.median(values.values()))


def screenshot_of(step: StepRepeats, first: int | None = None) -> str | None:
    """The screenshot of repeat ``first`` when it has one, else of the first repeat that has one."""
    order = ([first] if first is not None else []) + sorted(step)
    for repeat in order:
        record = step.get(repeat)
        if record is not None and record.artifacts.screenshot:
            return record.artifacts.screenshot
    return None


def make_finding(rule: str, severity: Severity, message: str, runs: ScenarioRuns, *,
                 step: StepRepeats | None = None, repeats: Iterable[int] = (),
                 evidence: dict[str, object] | None = None, impact_ms: float | None = None,
                 scaled: bool = False, discriminator: str = "", screenshot_repeat: int | None = None) -> Finding:
    """A finding on a step (``step`` given) or on the whole scenario.

    Args:
        rule: The rule id.
        severity: Its severity.
        message: What happened, with the figures.
        runs: The scenario's runs.
        step: The step across repeats, for a step finding.
        repeats: The repeats it occurred in.
        evidence: The figures and texts behind the message.
        impact_ms: Time it cost the user, when known.
        scaled: Scale the points by the share of repeats it occurred in (event rules).
        discriminator: Tells apart several findings of one rule on one step.
        screenshot_repeat: The repeat whose screenshot to prefer.
    """
    repeats = sorted(set(repeats))
    count = max(len(runs.runs), 1)
    points = SEVERITY_POINTS[severity] * (len(repeats) / count if scaled and repeats else 1.0)
    first = next(iter(step.values())) if step else None
    return Finding(
        id=finding_id(rule, runs, first.step_index if first else None, discriminator),
        rule=rule, severity=severity, title=RULES[rule], message=message,
        journey=runs.journey, feature_file=runs.feature_file, scenario=runs.scenario,
        scenario_line=runs.scenario_line, example=dict(runs.example),
        step_index=first.step_index if first else None, step_text=first.text if first else None,
        step_line=first.line if first else None, repeats=repeats, runs=count, points=round(points, 2),
        impact_ms=round(impact_ms, 1) if impact_ms is not None else None, evidence=evidence or {},
        screenshot=screenshot_of(step, screenshot_repeat) if step else None,
    )
