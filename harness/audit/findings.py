"""Audit a run folder for friction: read its step records, run the rules, write ``findings.json``.

A run folder is auditable alone: without the app profile the default thresholds apply.
The contract is in docs/friction.md.
"""

from __future__ import annotations

import logging
from pathlib import Path

from harness.contracts.evidence import A11yViolationEvidence
from harness.contracts.records import RUN_FILE, Finding, FindingsFile, RunInfo
from harness.errors import HarnessError
from harness.friction.groups import ScenarioFigures, ScenarioRuns, figures, group_records
from harness.friction.judge import judge
from harness.friction.score import rank, summarise
from harness.runfolder.io import now_iso, read_records, read_run_info
from harness.spec.friction import FrictionSettings
from harness.spec.profile import load_profile, profile_candidates

log = logging.getLogger(__name__)


def _run_info(run_dir: Path) -> RunInfo:
    try:
        return read_run_info(run_dir)
    except FileNotFoundError:  # an unreadable run.json is read_run_info's RunFileError, with its first problem
        raise HarnessError(f"{run_dir} is not a run folder: it has no {RUN_FILE}") from None


def settings_for_run(info: RunInfo, strict: bool = False) -> FrictionSettings:
    """The ``friction:`` section of the run's app profile when it can be found and loaded, else defaults.

    Args:
        info: The run.
        strict: Raise on a profile that is found but does not load (``harness audit``), instead of
            logging it and going on with the defaults (the end of a run, which must not be lost).
    """
    for path in profile_candidates(info):
        if not path.is_file():
            continue
        try:
            profile = load_profile(path)
        except HarnessError as exc:
            if strict:
                raise
            log.warning("friction audit: ignoring %s: %s", path, exc)
            continue
        if profile.name == info.app:
            return profile.friction
    return FrictionSettings()


def baseline_figures(baseline_dir: Path, settings: FrictionSettings) -> tuple[dict[tuple[str, str, str],
                                                                                  ScenarioFigures], str]:
    """The figures of every scenario of a baseline run, by (journey, scenario, example), and its run id.

    Raises:
        HarnessError: When the folder is not a run folder.
    """
    info = _run_info(baseline_dir)
    out = {}
    for runs in group_records(read_records(baseline_dir)[0]):
        out[runs.match_key] = figures(runs, settings.for_scenario(runs.journey, runs.feature_file, runs.scenario))
    return out, info.run_id


def _drop_repeated_scans(groups: list[tuple[ScenarioRuns, list[Finding]]]) -> None:
    """Keep one a11y finding per (page state, axe rule) in the run: the first in scenario and step order."""
    seen: set[tuple[str, str]] = set()
    for _, findings in groups:
        kept = []
        for finding in sorted(findings, key=lambda f: (f.step_index if f.step_index is not None else -1)):
            if isinstance(finding.evidence, A11yViolationEvidence):
                key = (finding.evidence.state, finding.evidence.axe_rule)
                if key in seen:
                    continue
                seen.add(key)
            kept.append(finding)
        findings[:] = kept


def audit_run(run_dir: Path, profile_settings: FrictionSettings | None = None,
              baseline_dir: Path | None = None) -> FindingsFile:
    """Judge a run folder's step records against the friction rules.

    Args:
        run_dir: The run folder (``run.json``, ``steps.jsonl``).
        profile_settings: The app's ``friction:`` settings; ``None``: read them from the app profile named
            in ``run.json`` when it can be found, else use the defaults.
        baseline_dir: A run folder of the same journeys to compare page loads and steps with.

    Raises:
        HarnessError: When ``run_dir`` or ``baseline_dir`` is not a run folder.
    """
    info = _run_info(run_dir)
    records, bad = read_records(run_dir)
    if bad:
        log.warning("friction audit: %d unreadable lines skipped in %s", bad, run_dir)
    settings = profile_settings if profile_settings is not None else settings_for_run(info)
    baseline: dict[tuple[str, str, str], ScenarioFigures] = {}
    baseline_run = None
    if baseline_dir is not None:
        baseline, baseline_run = baseline_figures(baseline_dir, settings)
    judged = []
    for runs in group_records(records):
        scenario_settings = settings.for_scenario(runs.journey, runs.feature_file, runs.scenario)
        found = judge(runs, scenario_settings, baseline.get(runs.match_key), baseline_run)
        judged.append((runs, found))
    _drop_repeated_scans(judged)
    journeys = [summarise(runs, settings.for_scenario(runs.journey, runs.feature_file, runs.scenario), found)
                for runs, found in judged]
    return FindingsFile(
        run_id=info.run_id, app=info.app, generated_at=now_iso(), baseline_run=baseline_run,
        thresholds={name: list(pair) for name, pair in settings.app_thresholds().items()},
        findings=rank([f for _, found in judged for f in found]), journeys=journeys,
    )
