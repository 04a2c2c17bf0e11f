"""Check guide steps that live ``after`` a journey step, by running those journeys.

``harness guides check`` visits pages for page-based steps; steps placed after a journey
step are checked by replaying the journeys that reach them (the pytest plugin examines the
anchors right after the named step). A step whose journey never reaches that point is
reported as ``page_error``: the state it lives in could not be reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.collect.guide_check import GuideRun, PlacedStep, step_result
from harness.collect.runner import Finish, RunOptions, execute, prepare
from harness.contracts.guides import GuideStepCheck
from harness.contracts.records import StepRecord
from harness.contracts.settings import RunSettings
from harness.errors import HarnessError
from harness.guides.status import Verdict
from harness.outcomes import final_attempts
from harness.runfolder.guides import append_guide_step, read_guide_steps
from harness.spec.guides import Guide

JOURNEYS_DIR = "journeys"


def after_steps(guides: list[Guide]) -> list[PlacedStep]:
    """Every step placed after a journey step."""
    return [PlacedStep(g, s, i, "") for g in guides for i, s in enumerate(g.steps) if s.after is not None]


def feature_files(placed: list[PlacedStep], features_dir: Path) -> list[Path]:
    """The feature files the ``after`` steps name, found under ``features_dir``.

    Raises:
        HarnessError: A named feature is not there (names the guide file and line).
    """
    found: list[Path] = []
    for p in placed:
        assert p.step.after is not None
        name = p.step.after.feature
        direct = features_dir / name
        matches = [direct] if direct.is_file() else sorted(features_dir.rglob(Path(name).name))
        matches = [m for m in matches if m.as_posix().endswith(name.lstrip("./"))]
        if not matches:
            raise HarnessError(f"step {p.step.id!r}: after.feature {name!r} not found under {features_dir}",
                               p.guide.file, p.step.line)
        found.extend(m for m in matches if m not in found)
    return found


def check_after_steps(run: GuideRun, features_dir: Path, app_version: str | None, finish: Finish,
                      on_records: Any = None) -> list[GuideStepCheck]:
    """Replay the journeys that reach ``after`` steps; return those steps' results.

    The journeys' own run folder is ``<out>/journeys`` (steps, traces, report), closed by
    ``finish`` (``harness.pipeline.finish_run``) when pytest could not close it.
    """
    placed = after_steps(run.guides)
    if not placed or run.out_dir is None:
        return []
    files = feature_files(placed, features_dir)
    journeys_dir = run.out_dir / JOURNEYS_DIR
    options = RunOptions(RunSettings(
        paths=[str(f) for f in files], app=str(run.profile.source), base_url=run.base_url, out=journeys_dir,
        app_version=app_version, browser_path=run.browser_path, grid=run.grid, connect=run.connect, headed=run.headed,
        guides=run.guides_folder))
    prepared = prepare(options)
    info = execute(options, prepared, on_records or (lambda records: None), finish)
    seen = {(r.guide, r.id): r for r in read_guide_steps(journeys_dir)}
    results = []
    for p in placed:
        result = seen.get((p.guide.id, p.step.id))
        if result is None:
            why = _not_reached(journeys_dir, p, info.status)
            result = step_result(p, Verdict("page_error", why), None, None)
        evidence = result.evidence
        evidence.screenshot = _in_journeys(evidence.screenshot)
        evidence.baseline_screenshot = _in_journeys(evidence.baseline_screenshot)
        results.append(result)
        append_guide_step(run.out_dir, result)
        if run.on_step:
            run.on_step(result.guide, result.id, result.status)
    return results


def _in_journeys(rel: str | None) -> str | None:
    """An artifact path of the journeys' run folder, relative to the check's folder."""
    return f"{JOURNEYS_DIR}/{rel}" if rel and not rel.startswith(JOURNEYS_DIR + "/") else rel


def _not_reached(journeys_dir: Path, p: PlacedStep, run_status: str) -> str:
    from harness.runfolder.io import read_records

    after = p.step.after
    assert after is not None
    records: list[StepRecord] = final_attempts(read_records(journeys_dir)[0])
    mine = [r for r in records if r.feature_file.endswith(after.feature) and
            (after.scenario is None or r.scenario == after.scenario)]
    if not mine:
        return f"no journey reached {after.label()} (run {run_status}; no scenario matched)"
    step = [r for r in mine if r.text == after.step]
    if not step:
        return f"no step {after.step!r} in {after.feature}" + (f" › {after.scenario}" if after.scenario else "")
    failed = next((r for r in mine if r.status == "failed"), None)
    if failed is not None:
        return (f"the journey did not reach {after.step!r}: {failed.text!r} failed "
                f"({failed.error_kind or 'error'}: {(failed.error or '')[:160]})")
    return f"the journey did not reach {after.step!r}"
