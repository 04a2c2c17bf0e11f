"""Assemble a comparison from run folders: figures, outcomes, trends and the gate's decision."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from harness.compare.changes import compare_samples
from harness.compare.gate import evaluate
from harness.compare.outcomes import finding_changes, guide_changes, status_changes
from harness.compare.samples import collect
from harness.compare.trends import trends
from harness.contracts.comparison import Comparison, RunSide, Settings
from harness.contracts.guides import GuidesFile
from harness.contracts.metrics import HISTORY_COLUMNS
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import read_guides
from harness.runfolder.history import RunRef, load_history_steps, load_steps, read_index
from harness.runfolder.io import now_iso
from harness.spec.regressions import RegressionConfig


def run_side(refs: Sequence[RunRef], spec: str | None) -> RunSide:
    """Describe a side by its newest run (and list every run pooled into it)."""
    info = refs[0].info
    return RunSide(runs=[r.run_id for r in refs], app=info.app, app_version=info.app_version, env=info.env,
                   git_commit=info.git_commit, git_branch=info.git_branch, started_at=info.started_at, spec=spec)


def _guides(folder: Path) -> GuidesFile | None:
    read = read_guides(folder)
    return read.file if read is not None and read.error is None else None


def _trend_frame(history: Path, candidate: RunRef, frame: pd.DataFrame, runs: int) -> tuple[pd.DataFrame, list[str]]:
    """The candidate's predecessors of the same app and environment in the history, and the candidate."""
    index = read_index(history)
    if index.empty:
        return frame, [candidate.run_id]
    info = candidate.info
    same = index[(index["app"] == info.app) & (index["status"] != "errored")]
    if info.env is not None:
        same = same[same["env"] == info.env]
    started = pd.Timestamp(info.started_at)
    started = started.tz_localize("UTC") if started.tzinfo is None else started
    same = same[(same["run_id"] != candidate.run_id) & (same["started_at"] <= started)]
    previous = list(same.sort_values("started_at")["run_id"].iloc[-(runs - 1):])
    past = load_history_steps(history, previous, HISTORY_COLUMNS) if previous else frame.iloc[0:0]
    return pd.concat([past, frame], ignore_index=True), [*previous, candidate.run_id]


def build_comparison(baseline: Sequence[RunRef], candidate: RunRef, config: RegressionConfig, *,
                     history: Path | None = None, baseline_spec: str | None = None,
                     candidate_spec: str | None = None) -> Comparison:
    """Compare ``candidate`` with ``baseline`` (one run, or several pooled) and apply the gate.

    Args:
        baseline: Baseline runs, newest first.
        candidate: The candidate run.
        config: Statistics settings and gate policy.
        history: The history store, for trends (none: no trends).
        baseline_spec: How the baseline was chosen, for the record.
        candidate_spec: How the candidate was chosen.
    """
    started = time.perf_counter()
    settings = config.compare
    base_frame = load_steps(baseline, HISTORY_COLUMNS)
    cand_frame = load_steps([candidate], HISTORY_COLUMNS)
    base, cand = collect(base_frame), collect(cand_frame)
    compared = compare_samples(base, cand, settings)
    base_findings = [found.findings for ref in baseline if (found := read_findings(ref.folder))]
    cand_found = read_findings(candidate.folder)
    series = []
    if history is not None and history.is_dir():
        frame, runs = _trend_frame(history, candidate, cand_frame, settings.trend_runs)
        series = trends(frame, runs, settings, keys=set(cand.values))
    comparison = Comparison(
        generated_at=now_iso(), baseline=run_side(baseline, baseline_spec),
        candidate=run_side([candidate], candidate_spec),
        settings=Settings(alpha=settings.alpha, confidence=settings.confidence,
                          min_effect_pct=settings.min_effect_pct, min_effect_ms=settings.min_effect_ms,
                          min_samples=settings.min_samples, run_wide=settings.run_wide),
        run_wide=list(compared.run_wide.values()), changes=compared.changes, statuses=status_changes(base, cand),
        findings=finding_changes(base_findings, cand_found.findings if cand_found else []),
        guides=guide_changes(_guides(baseline[0].folder), _guides(candidate.folder)), trends=series)
    comparison.counts = {**_counts(comparison), "identical": compared.identical}
    comparison.gate = evaluate(comparison, config.gate)
    comparison.duration_ms = round((time.perf_counter() - started) * 1000, 1)
    return comparison


def _counts(comparison: Comparison) -> dict[str, int]:
    counts: Counter[str] = Counter(c.verdict for c in comparison.changes)
    counts.update(f"status_{s.kind}" for s in comparison.statuses)
    counts.update(f"finding_{f.kind}" for f in comparison.findings)
    counts.update(f"guide_{g.kind}" for g in comparison.guides)
    counts["drifting"] = sum(1 for t in comparison.trends if t.drifting)
    return dict(sorted(counts.items()))
