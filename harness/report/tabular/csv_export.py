"""CSV exports for analysts: ``steps.csv``, ``findings.csv`` and ``guides.csv``.

One flat row per step record (every attempt, as in ``steps.parquet``, with its replay's
status and its scenario's outcome from ``harness/outcomes.py``, and a failed or healed step's UI-map
repair flat: cause, suggested selector, score, why none, whether ``--heal`` applied it), per friction finding and per
guide step. The files are UTF-8 with a byte-order mark so Excel reads accents
right, and any text cell that a spreadsheet would take for a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return: OWASP's list) gets a leading apostrophe, since
page texts, URLs and error messages come from the app. Numbers are left as numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from harness.contracts.records import FINDINGS_JSON, STEPS_JSONL, StepRecord
from harness.outcomes import replay_key, scenario_key, scenarios
from harness.report.repairs import no_suggestion
from harness.runfolder.files import atomic_path
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import read_guides
from harness.runfolder.io import flat_signals, read_records

STEPS_CSV = "steps.csv"
FINDINGS_CSV = "findings.csv"
GUIDES_CSV = "guides.csv"
ENCODING = "utf-8-sig"
"""UTF-8 with a byte-order mark: Excel opens it as UTF-8; pandas reads it with this encoding."""
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

STEP_COLUMNS = (
    "run_id", "app", "journey", "feature_file", "scenario", "scenario_line", "example", "tags", "repeat", "attempt",
    "worker", "step_index", "keyword", "text", "line", "status", "replay_status", "outcome", "started_at",
    "duration_ms", "budget_ms", "over_budget", "wait_ms", "action_ms", "action", "ttfb_ms", "dcl_ms", "load_ms",
    "lcp_ms", "cls", "tbt_ms",
    "interaction_ms", "navigations", "requests", "failed_requests", "console_errors", "page_errors", "bytes",
    "url", "target", "selector", "fallback_used", "error_kind", "error", "screenshot", "trace",
    "repair_cause", "repair_selector", "repair_score", "repair_note", "repair_healed",
)
"""``status`` is the step's (``healed``: ``--heal`` repaired it); ``repair_selector`` is the suggested (or, on a healed
step, applied) selector, ``repair_note`` why there is none."""


def cell_safe(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula; other values are returned as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def pairs(values: dict[str, str]) -> str:
    """An Examples row as ``key=value; key=value``."""
    return "; ".join(f"{k}={v}" for k, v in values.items())


def step_row(record: StepRecord, replay_status: str | None = None, outcome: str | None = None) -> dict[str, Any]:
    """One step record as a flat row of :data:`STEP_COLUMNS`, with its replay's status and scenario's outcome."""
    data = record.model_dump(mode="json")
    row = {key: data.get(key) for key in STEP_COLUMNS}
    row.update(replay_status=replay_status, outcome=outcome)
    row.update(flat_signals(data["signals"]))
    row.update(example=pairs(record.example), tags=" ".join(t.lstrip("@") for t in record.tags),
               bytes=record.signals.bytes,
               screenshot=record.artifacts.screenshot, trace=record.artifacts.trace)
    repair = record.repair
    if repair is not None:
        row.update(repair_cause=repair.cause, repair_selector=repair.suggestion.target if repair.suggestion else None,
                   repair_score=repair.suggestion.score if repair.suggestion else None,
                   repair_note=None if repair.suggestion else no_suggestion(repair),
                   repair_healed=record.status == "healed")
    return row


def _write(frame: pd.DataFrame, path: Path) -> Path:
    safe = frame.map(cell_safe) if not frame.empty else frame
    with atomic_path(path) as tmp:
        safe.to_csv(tmp, index=False, encoding=ENCODING, lineterminator="\r\n")
    return path


def steps_frame(records: list[StepRecord]) -> pd.DataFrame:
    """The step records (every attempt) as the table of ``steps.csv``; outcomes from ``harness.outcomes``."""
    found = scenarios(records)
    status = {replay.key: replay.status for s in found for replay in s.replays}
    outcome = {s.key: s.status for s in found}
    frame = pd.DataFrame([step_row(r, status.get(replay_key(r)), outcome.get(scenario_key(r))) for r in records],
                         columns=list(STEP_COLUMNS))
    for column in ("repeat", "attempt", "step_index"):
        frame[column] = frame[column].astype("int64")
    return frame


def write_steps_csv(run_dir: Path) -> Path | None:
    """Write ``steps.csv`` from ``steps.jsonl`` (every attempt); None when the folder has no step record."""
    run_dir = Path(run_dir)
    if not (run_dir / STEPS_JSONL).is_file():
        return None
    records, _ = read_records(run_dir)
    return _write(steps_frame(records), run_dir / STEPS_CSV)


def write_findings_csv(run_dir: Path) -> Path | None:
    """Write ``findings.csv``, one row per friction finding, in rank order; None without ``findings.json``."""
    run_dir = Path(run_dir)
    found = read_findings(run_dir) if (run_dir / FINDINGS_JSON).is_file() else None
    if found is None:
        return None
    columns = ["rank", "severity", "rule", "title", "message", "journey", "feature_file", "scenario", "example",
               "step_index", "step_text", "step_line", "repeats", "runs", "points", "impact_ms", "screenshot", "id"]
    rows = [{"rank": n, **f.model_dump(include=set(columns)), "example": pairs(f.example),
             "repeats": " ".join(str(r + 1) for r in f.repeats)} for n, f in enumerate(found.findings, start=1)]
    return _write(pd.DataFrame(rows, columns=columns), run_dir / FINDINGS_CSV)


def write_guides_csv(run_dir: Path) -> Path | None:
    """Write ``guides.csv``, one row per checked guide step; None without a readable ``guides.json``."""
    run_dir = Path(run_dir)
    guides = read_guides(run_dir)
    if guides is None or guides.error is not None:
        return None
    columns = ["guide", "guide_title", "guide_file", "guide_status", "step_index", "step", "step_title", "line",
               "status", "message", "page", "url", "target", "match_count", "suggestion", "suggestion_score",
               "similarity", "screenshot"]
    rows = []
    for guide in guides.file.guides:
        for n, step in enumerate(guide.steps, start=1):
            s = step.suggestion
            rows.append({
                "guide": guide.id, "guide_title": guide.title, "guide_file": guide.file, "guide_status": guide.status,
                "step_index": n, "step": step.id, "step_title": step.title, "line": step.line, "status": step.status,
                "message": step.message, "page": step.page, "url": step.url, "target": step.target,
                "match_count": step.match_count, "suggestion": s.target if s else None,
                "suggestion_score": s.score if s else None, "similarity": step.evidence.similarity,
                "screenshot": step.evidence.screenshot,
            })
    return _write(pd.DataFrame(rows, columns=columns), run_dir / GUIDES_CSV)
