"""Turn guide step results into ``guides.json``: per guide and step, status, evidence, repair.

Pure functions of plain data; the contract is in docs/guides.md.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from harness.guides.status import DEFAULT_FAIL_ON, STATUSES
from harness.runfolder.files import write_atomic

SCHEMA_VERSION = 1
GUIDES_JSON = "guides.json"


def parse_fail_on(value: str | Iterable[str] | None) -> tuple[str, ...]:
    """Read a failure policy: statuses separated by commas, ``default``, ``all`` or ``never``.

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
        elif item in STATUSES and item != "ok":
            chosen.append(item)
        else:
            raise HarnessError(f"unknown guide status {item!r} in the failure policy "
                               f"(use {', '.join(STATUSES[:-1])}, default, all or never)")
    return tuple(dict.fromkeys(chosen))


def guide_status(statuses: Iterable[str], fail_on: Iterable[str]) -> str:
    """``broken`` if a step fails the policy, ``warning`` if a step is not ok, else ``intact``."""
    statuses = list(statuses)
    fail = set(fail_on)
    if any(s in fail for s in statuses):
        return "broken"
    return "warning" if any(s != "ok" for s in statuses) else "intact"


def summarise(results: list[dict[str, Any]], guides: list[dict[str, Any]], *, fail_on: Iterable[str],
              meta: dict[str, Any]) -> dict[str, Any]:
    """Assemble ``guides.json``.

    Args:
        results: Step results (``harness/collect/guide_check.step_result``), any order.
        guides: ``{"id", "title", "file", "steps": [step ids in order]}`` per guide, in order.
        fail_on: The statuses that fail the check.
        meta: ``app``, ``app_version``, ``base_url``, ``checked_at``, ``duration_ms``...
    """
    fail_on = tuple(fail_on)
    by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:  # a step checked several times (repeats, several journeys): keep its worst result
        key = (r["guide"], r["step"])
        if key not in by_key or STATUSES.index(r["status"]) < STATUSES.index(by_key[key]["status"]):
            by_key[key] = r
    out_guides = []
    totals: Counter[str] = Counter()
    for guide in guides:
        steps = []
        for step_id in guide["steps"]:
            result = by_key.get((guide["id"], step_id))
            if result is None:
                continue
            step = {k: v for k, v in result.items() if k != "guide"}
            step["id"] = step.pop("step")
            steps.append(step)
            totals[step["status"]] += 1
        status = guide_status((s["status"] for s in steps), fail_on)
        totals["guides"] += 1
        totals[f"guides_{status}"] += 1
        out_guides.append({"id": guide["id"], "title": guide.get("title"), "file": guide.get("file"),
                           "status": status, "steps": steps})
    steps_total = sum(len(g["steps"]) for g in out_guides)
    failed = any(g["status"] == "broken" for g in out_guides)
    return {
        "schema_version": SCHEMA_VERSION, **meta, "policy": {"fail_on": list(fail_on)},
        "status": "failed" if failed else "passed",
        "totals": {"guides": totals["guides"], "steps": steps_total,
                   **{s: totals[s] for s in STATUSES if totals[s]},
                   **{k: v for k, v in totals.items() if k.startswith("guides_")}},
        "guides": out_guides,
    }


def write_guides_json(folder: Path, data: dict[str, Any]) -> Path:
    """Write ``guides.json`` atomically (a reader never sees half a file)."""
    return write_atomic(folder / GUIDES_JSON, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
