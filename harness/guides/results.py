"""Summarise guide step results into ``guides.json``, and the failure policy that decides a guide's status.

Pure functions of the contract's models (``harness/contracts/guides.py``, docs/guides.md).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.contracts.guides import GuideResult, GuidesFile, GuideStepCheck, GuideStepResult, Policy
from harness.errors import HarnessError
from harness.guides.status import DEFAULT_FAIL_ON, REPAIRABLE, STATUSES
from harness.spec.guides import Guide


def parse_fail_on(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Read a failure policy: statuses separated by commas, ``default``, ``all`` or ``never``; ``-status``
    takes a status out of what comes before it (``default,-drifted``: drifts as warnings).

    Raises:
        HarnessError: For an unknown status (exit code 2).
    """
    if value is None:
        return DEFAULT_FAIL_ON
    items = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    chosen: list[str] = []
    for item in items:
        if item == "default":
            chosen += DEFAULT_FAIL_ON
        elif item == "all":
            chosen += [s for s in STATUSES if s != "ok"]
        elif item == "never":
            continue
        elif item.startswith("-") and item[1:] in STATUSES and item[1:] != "ok":
            chosen = [c for c in chosen if c != item[1:]]
        elif item in STATUSES and item != "ok":
            chosen.append(item)
        else:
            raise HarnessError(f"unknown guide status {item!r} in the failure policy "
                               f"(use {', '.join(STATUSES[:-1])}, default, all or never)")
    return tuple(dict.fromkeys(chosen))


def fail_on_of(guides: GuidesFile) -> tuple[str, ...]:
    """The statuses a ``guides.json`` fails on: its policy, or the default when it states none."""
    fail_on = guides.policy.fail_on
    return DEFAULT_FAIL_ON if fail_on is None else tuple(fail_on)


def guide_status(statuses: Iterable[str], fail_on: Iterable[str]) -> str:
    """``broken`` if a step fails the policy, ``warning`` if a step is not ok, else ``intact``."""
    statuses = list(statuses)
    fail = set(fail_on)
    if any(s in fail for s in statuses):
        return "broken"
    return "warning" if any(s != "ok" for s in statuses) else "intact"


def no_suggestion_reason(step: GuideStepResult) -> str | None:
    """Why a step that is not ok has no suggested selector (None: it has one, or it is ok).

    "none scored high enough" only when a repair was looked for (the step had a baseline
    fingerprint); otherwise why none was looked for.
    """
    if step.status == "ok" or step.suggestion is not None:
        return None
    if step.evidence.repair_ms is not None:
        return "none scored high enough"
    if step.evidence.note:
        return f"none looked for: {step.evidence.note}"
    if step.status not in REPAIRABLE:
        return f"none looked for: the selector is not at fault ({step.status})"
    return "none looked for"


@dataclass(frozen=True, slots=True)
class GuideOutline:
    """A checked guide as ``guides.json`` names it: id, title, file and its step ids in order."""

    id: str
    title: str | None
    file: str | None
    steps: tuple[str, ...]


def file_name(path: Path | None) -> str | None:
    """A guide file as ``guides.json`` names it: relative to the working folder when inside it."""
    if path is None:
        return None
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def outline(guides: Iterable[Guide]) -> list[GuideOutline]:
    """The outlines of loaded guides."""
    return [GuideOutline(g.id, g.title, file_name(g.file), tuple(s.id for s in g.steps)) for g in guides]


def summarise(results: Iterable[GuideStepCheck], guides: Sequence[GuideOutline], *, fail_on: Iterable[str],
              app: str | None = None, app_version: str | None = None, base_url: str | None = None,
              checked_at: str | None = None, duration_ms: float | None = None,
              baselines: dict[str, dict[str, Any]] | None = None) -> GuidesFile:
    """Assemble ``guides.json``.

    Args:
        results: Step results, any order; a step checked several times (repeats, several
            journeys) keeps its worst result.
        guides: The checked guides, in order; a step without a result is left out.
        fail_on: The statuses that fail the check.
        app: The app profile's name.
        app_version: The label of the version checked.
        base_url: The app checked.
        checked_at: When the check started (ISO 8601).
        duration_ms: How long it took.
        baselines: Each guide's baseline header.
    """
    fail_on = tuple(fail_on)
    by_key: dict[tuple[str, str], GuideStepCheck] = {}
    for r in results:
        key = (r.guide, r.id)
        if key not in by_key or STATUSES.index(r.status) < STATUSES.index(by_key[key].status):
            by_key[key] = r
    out_guides = []
    totals: Counter[str] = Counter()
    for guide in guides:
        steps = [by_key[guide.id, step_id].result() for step_id in guide.steps if (guide.id, step_id) in by_key]
        totals.update(s.status for s in steps)
        status = guide_status((s.status for s in steps), fail_on)
        totals["guides"] += 1
        totals[f"guides_{status}"] += 1
        out_guides.append(GuideResult(id=guide.id, title=guide.title, file=guide.file, status=status, steps=steps))
    failed = any(g.status == "broken" for g in out_guides)
    return GuidesFile(
        app=app, app_version=app_version, base_url=base_url, checked_at=checked_at, duration_ms=duration_ms,
        baselines=baselines or {}, policy=Policy(fail_on=list(fail_on)), status="failed" if failed else "passed",
        totals={"guides": totals["guides"], "steps": sum(len(g.steps) for g in out_guides),
                **{s: totals[s] for s in STATUSES if totals[s]},
                **{k: v for k, v in totals.items() if k.startswith("guides_")}},
        guides=out_guides,
    )
