"""A step's UI-map repair (``StepRecord.repair``) and the run's healed steps, as every output words them.

A failed step whose target is a UI-map name carries a :class:`~harness.contracts.targets.TargetRepair`:
the selector that stopped working, why, and a suggested selector with its evidence, or why none.
A ``healed`` step (``--heal``) failed on its target and passed once retried with the suggestion.
What is healed comes from ``harness.outcomes`` (the step status, ``Replay.healed``,
``ScenarioOutcome.healed``); nothing here judges it again.

Every text here is plain and untrusted (selectors, reasons, notes and diff values come from the
app's page): each writer escapes it its own way (jinja2's autoescaping, ``md``, ``xml.etree``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from harness.contracts.guides import Suggestion
from harness.contracts.records import StepRecord
from harness.contracts.targets import FIXES_PATCH, TargetRepair
from harness.outcomes import Replay, Scenario

FIX_COMMAND = "harness repair RUN_DIR --write-fixes"
"""The command that turns a run's repairs into ``ui-map-fixes.patch`` (``RUN_DIR``: the run's folder)."""
FIX_HINT = f"{FIX_COMMAND} writes the accepted repairs to {FIXES_PATCH} (RUN_DIR: this run's folder)"
HEALED_HINT = ("applied at run time by --heal: the step passed with the suggested selector, the UI map still "
               "holds the old one; review it and fix the UI map")
MAX_VALUE_CHARS = 300


@dataclass
class DiffRow:
    """One changed fingerprint field: its baseline and current values, as text."""

    field: str
    old: str
    new: str


@dataclass
class SuggestionView:
    """A suggested selector with what supports it."""

    target: str
    code_id: str
    score: str | None
    reasons: list[str]
    css: str | None
    css_id: str
    alternatives: list[tuple[str, str | None, str]]
    """(selector, score, code element id) per alternative."""


@dataclass
class RepairView:
    """A step's UI-map repair: the old selector, the suggested one or why there is none, what changed."""

    target: str | None
    """The UI-map name (None: the step failed on no target)."""
    selector: str | None
    """The UI map's selector when the step ran."""
    cause: str
    repairable: bool
    suggestion: SuggestionView | None
    why_none: str | None
    """Why there is no suggestion (None when there is one)."""
    diff: list[DiffRow] = field(default_factory=list)
    baseline: str | None = None
    """Where the baseline fingerprint comes from: ``run X, <time>``."""
    healed: bool = False


@dataclass(frozen=True)
class HealedStep:
    """A healed step of a replay's last attempt, with its scenario and replay."""

    scenario: Scenario
    replay: Replay
    step: StepRecord


def show_value(value: Any) -> str:
    """A fingerprint value as short text: strings as they are, a DOM path as ``tag#id.class``, else JSON."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and value and all(isinstance(v, dict) and "tag" in v for v in value):
        text = " > ".join(_path_part(v) for v in value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + " …"


def _path_part(node: dict[str, Any]) -> str:
    ident = f"#{node['id']}" if node.get("id") else ""
    classes = "".join(f".{c}" for c in (node.get("classes") or [])[:3] if isinstance(c, str))
    index = f"[{node['index']}]" if isinstance(node.get("index"), int) and node["index"] > 1 else ""
    return f"{node.get('tag')}{ident}{classes}{index}"


def score_text(value: float | None) -> str | None:
    """A score with two decimals (None without one)."""
    return None if value is None else f"{value:.2f}"


def cause_words(cause: str) -> str:
    """``text_changed`` → ``text changed``."""
    return cause.replace("_", " ")


def no_suggestion(repair: TargetRepair) -> str:
    """Why a repair has no suggested selector: its note, else what its cause says."""
    if repair.note:
        return repair.note
    if not repairable(repair):
        return f"not a selector problem: the step failed for '{cause_words(repair.cause)}'"
    return "nothing on the page matched the target's baseline well enough"


def repairable(repair: TargetRepair) -> bool:
    """Whether a new selector can repair the step (a repair with a suggestion always can)."""
    return repair.repairable or repair.suggestion is not None


def diff_rows(repair: TargetRepair) -> list[DiffRow]:
    """The repair's diff (baseline element → suggested element) as text rows; malformed rows are left out."""
    return [DiffRow(str(d["field"]), show_value(d.get("old")), show_value(d.get("new")))
            for d in repair.diff if isinstance(d, dict) and d.get("field") is not None]


def baseline_words(repair: TargetRepair) -> str | None:
    """Where the baseline comes from (``run X, <time>``), or None when the repair names none."""
    parts = [f"run {repair.baseline_run}" if repair.baseline_run else None,
             repair.baseline_at.replace("T", " ")[:19] if repair.baseline_at else None]
    return ", ".join(p for p in parts if p) or None


def suggestion_view(s: Suggestion | None, anchor: str) -> SuggestionView | None:
    """A suggestion as the HTML report shows it (``anchor``: the prefix of its copy buttons' element ids)."""
    if s is None:
        return None
    return SuggestionView(
        target=s.target, code_id=f"{anchor}-sel", score=score_text(s.score), reasons=list(s.reasons),
        css=s.css if s.css and s.css != s.target else None, css_id=f"{anchor}-css",
        alternatives=[(a.target, score_text(a.score), f"{anchor}-alt{k}") for k, a in enumerate(s.alternatives, 1)],
    )


def repair_view(repair: TargetRepair, anchor: str) -> RepairView:
    """The view of a step's repair (``anchor``: unique in the report, for its copy buttons)."""
    return RepairView(
        target=repair.target, selector=repair.selector, cause=cause_words(repair.cause),
        repairable=repairable(repair), suggestion=suggestion_view(repair.suggestion, anchor),
        why_none=None if repair.suggestion is not None else no_suggestion(repair), diff=diff_rows(repair),
        baseline=baseline_words(repair), healed=repair.healed)


def repair_line(repair: TargetRepair) -> str:
    """The repair on one line: ``target (cause): old → new (score 0.91)``, or ``...: no suggestion: why``."""
    head = f"{repair.target} ({cause_words(repair.cause)})"
    s = repair.suggestion
    if s is None:
        return f"{head}: no suggestion: {no_suggestion(repair)}"
    score = f" (score {s.score:.2f})" if s.score is not None else ""
    return f"{head}: {repair.selector or '(no selector)'} → {s.target}{score}"


def repair_lines(repair: TargetRepair, indent: str = "  ") -> list[str]:
    """The repair as plain text lines: :func:`repair_line`, its reasons, alternatives, diff and baseline."""
    lines = [repair_line(repair)]
    s = repair.suggestion
    if s is not None:
        lines += [f"{indent}because {reason}" for reason in s.reasons]
        lines += [f"{indent}or: {a.target}" + (f" (score {a.score:.2f})" if a.score is not None else "")
                  for a in s.alternatives]
    lines += [f"{indent}changed {d.field}: {d.old} → {d.new}" for d in diff_rows(repair)]
    baseline = baseline_words(repair)
    if baseline:
        lines.append(f"{indent}baseline: {baseline}")
    return lines


def healed_steps(scenarios: Iterable[Scenario]) -> list[HealedStep]:
    """The healed steps of every replay's last attempt, in scenario, replay and step order."""
    return [HealedStep(scenario, replay, step) for scenario in scenarios for replay in scenario.replays
            if replay.healed for step in replay.steps if step.status == "healed"]


def healed_line(step: StepRecord) -> str:
    """A healed step's change on one line: ``target: old → new`` (what ``--heal`` applied)."""
    repair = step.repair
    if repair is None:
        return f"{step.target or 'target'}: healed (no repair recorded)"
    new = repair.suggestion.target if repair.suggestion is not None else "(not recorded)"
    return f"{repair.target}: {repair.selector or '(no selector)'} → {new}"
