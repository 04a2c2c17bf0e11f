"""Allure results, finished from the run folder's saved data (no browser): the report stage's Allure output.

allure-pytest-bdd writes one result per scenario run while the journeys run (see
``harness/collect/allure_live.py``). This module adds, from ``steps.jsonl``, ``findings.json``
and ``guides.json``:

- the harness's step timings (from just before the action to its end: what a user waits);
- the failure screenshot on the failed step and the Playwright trace on the scenario run;
- friction findings as attachments (message, figures and evidence, screenshot) on the step
  they are about;
- a ``Slowness:`` line in the status message of a scenario run with an over-budget step or a
  slowness finding, so the "Slowness" category holds it;
- on a scenario run with a healed step (``--heal``): a ``Healed:`` line in its status message, a
  ``healed`` parameter naming the repairs, and the repair on the healed step (which passed); the
  scenario is flaky (Allure's flaky flag), as ``harness.outcomes`` judges it;
- one result per checked guide (``harness/report/allure/guides.py``);
- a result built from the step records for a scenario run allure-pytest-bdd wrote none for
  (``harness/report/allure/scenarios.py``);
- ``categories.json``, ``environment.properties`` and the previous report's history.

Every file has a stable name and every attachment is added once, so running it again (``harness
report RUN_DIR``) changes nothing; the run's secrets are scrubbed from every text file of the folder, first
(so that allure-pytest-bdd's step names and test ids read as the redacted step records do) and last.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

from harness.contracts.allure import LABEL_ATTEMPT, LABEL_REPEAT, LABEL_RUN_ID, LABEL_TEST_ID
from harness.contracts.records import Finding, RunInfo, StepRecord
from harness.errors import HarnessError
from harness.outcomes import Outcome, ReplayStatus, expected_steps, judge_steps, scenarios
from harness.redaction import Secrets
from harness.report.allure.files import ResultsFolder, millis
from harness.report.allure.guides import write_guide_results
from harness.report.allure.meta import (
    HEAL_MARK,
    SLOW_MARK,
    carry_history,
    environment,
    public_url,
    write_categories,
    write_environment,
)
from harness.report.allure.scenarios import INCOMPLETE_MESSAGE, scenario_result
from harness.report.repairs import FIX_COMMAND, HEALED_HINT, healed_line
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import read_guides
from harness.runfolder.io import read_records, read_run_info

SLOW_RULES = frozenset({"over-budget", "slow-page-load", "slow-interaction", "blocking-scripts", "long-wait"})
ReplayKey = tuple[str, int, int]
"""A scenario run: pytest node id, repeat, attempt."""


def results_dir_of(info: RunInfo) -> Path | None:
    """Where the run's live Allure results were written (``None``: the run had no Allure output)."""
    value = info.options.get("allure_dir")
    return Path(str(value)) if value else None


def write_allure_results(run_dir: Path, results_dir: Path | None = None,
                         history: Path | None = None, secrets: Secrets | None = None) -> Path | None:
    """Finish the Allure results of a run folder; the report stage's entry point.

    Args:
        run_dir: The run folder.
        results_dir: Where to write; default: where the run wrote its live results. A different
            folder first receives a copy of the live results.
        history: A previous Allure report whose ``history/`` is carried over; default: the run's
            ``--allure-history``.
        secrets: The run's secrets; default: computed again from its profile and features
            (:func:`secrets_for_run`).

    Returns:
        The results folder, or ``None`` when the run has no Allure output and none was asked for.
    """
    run_dir = Path(run_dir)
    try:
        info = read_run_info(run_dir)
    except FileNotFoundError:  # no run: the folder of a guide check alone (harness guides check)
        if results_dir is None:
            return None  # and no Allure results asked for
        return write_guide_check_results(run_dir, results_dir, history, secrets)
    live = results_dir_of(info)
    target = results_dir or live
    if target is None:
        return None
    folder = ResultsFolder(Path(target).resolve())
    if live is not None and live.is_dir() and live.resolve() != folder.path:
        _copy_live(live, folder.path)
    previous = history or (Path(str(info.options["allure_history"])) if info.options.get("allure_history") else None)
    if previous is not None:
        carry_history(previous, folder.path)
    records, _bad = read_records(run_dir)
    findings = read_findings(run_dir)
    secrets = secrets if secrets is not None else secrets_for_run(info)
    folder.scrub(secrets)
    enrich_scenarios(folder, run_dir, records, findings.findings if findings else [], info.app_title or info.app)
    write_guide_results(run_dir, folder, info.app_title or info.app, info.run_id)
    write_categories(folder.path)
    write_environment(folder.path, environment(info))
    folder.scrub(secrets)
    return folder.path


def write_guide_check_results(check_dir: Path, results_dir: Path, history: Path | None = None,
                              secrets: Secrets | None = None) -> Path:
    """Allure results of a guide check's folder (``guides.json``, no ``run.json``): one result per guide.

    Args:
        check_dir: The check's output folder.
        results_dir: Where to write the results.
        history: A previous Allure report whose ``history/`` is carried over.
        secrets: The check's secrets (scrubbed from every text file written).
    """
    folder = ResultsFolder(Path(results_dir).resolve())
    folder.path.mkdir(parents=True, exist_ok=True)
    if history is not None:
        carry_history(history, folder.path)
    read = read_guides(check_dir)
    checks = read.file if read is not None and read.error is None else None
    app = (checks.app if checks else None) or "app"
    write_guide_results(check_dir, folder, app, f"guides-{checks.checked_at if checks else check_dir.name}")
    write_categories(folder.path)
    values = {"app": app, "app.version": checks.app_version if checks else None,
              "base.url": public_url(checks.base_url) if checks and checks.base_url else None}
    write_environment(folder.path, {k: v for k, v in values.items() if v})
    folder.scrub(secrets or Secrets())
    return folder.path


def _copy_live(live: Path, target: Path) -> None:
    """Copy the live results (results, containers, attachments) into another folder."""
    target.mkdir(parents=True, exist_ok=True)
    for path in live.iterdir():
        if path.is_file() and not (target / path.name).exists():
            shutil.copy2(path, target / path.name)


def secrets_for_run(info: RunInfo) -> Secrets:
    """The secrets of a saved run: its app profile's passwords and what its features type into secret fields.

    The same definition as the run's own (``harness.spec.secrets``), from the files as they are now.
    """
    from harness.spec.profile import (
        load_profile,
        profile_candidates,  # where the friction audit finds the profile
    )
    from harness.spec.secrets import secrets_of_paths

    for candidate in [info.options.get("profile"), *profile_candidates(info)]:
        if candidate and Path(str(candidate)).is_file():
            try:
                return secrets_of_paths(load_profile(str(candidate)), info.features)
            except HarnessError:
                continue
    return Secrets()


def _labels(result: dict[str, Any]) -> dict[str, str]:
    return {str(label.get("name")): str(label.get("value")) for label in result.get("labels") or []}


def replay_key(result: dict[str, Any], run_id: str) -> ReplayKey | None:
    """The scenario run an Allure result belongs to, from the harness's labels (``None``: not a journey of
    run ``run_id``; a folder used by several runs holds theirs too)."""
    labels = _labels(result)
    if LABEL_TEST_ID not in labels or labels.get(LABEL_RUN_ID, run_id) != run_id:
        return None
    return labels[LABEL_TEST_ID], int(labels.get(LABEL_REPEAT, 0)), int(labels.get(LABEL_ATTEMPT, 0))


def _attach(owner: dict[str, Any], name: str, source: str, kind: str) -> None:
    """Add an attachment to a result or step unless it is already there."""
    attachments = owner.setdefault("attachments", [])
    if not any(a.get("source") == source for a in attachments):
        attachments.append({"name": name, "source": source, "type": kind})


def _step_of(result: dict[str, Any], record: StepRecord) -> dict[str, Any] | None:
    steps = result.get("steps") or []
    if record.step_index < len(steps) and str(steps[record.step_index].get("name", "")).endswith(record.text):
        return steps[record.step_index]
    return next((s for s in steps if str(s.get("name", "")).endswith(record.text)), None)


def enrich_scenarios(folder: ResultsFolder, run_dir: Path, records: list[StepRecord],
                     findings: list[Finding], epic: str = "") -> int:
    """Add timings, failure artifacts, friction evidence and slowness to the scenario results; return how many.

    A scenario run with step records but no result (its set-up failed, or the run was killed) gets
    one built from its records.
    """
    runs: dict[ReplayKey, list[StepRecord]] = defaultdict(list)
    outcome: dict[ReplayKey, tuple[ReplayStatus, Outcome]] = {}
    """The last attempt of each replay: its status and its scenario's outcome (``harness.outcomes``)."""
    for scenario in scenarios(records):
        for replay in scenario.replays:
            for record in (*replay.earlier, *replay.steps):
                runs[(record.test_id, record.repeat, record.attempt)].append(record)
            outcome[(replay.test_id, replay.repeat, replay.attempt)] = (replay.status, scenario.status)
    run_id = records[0].run_id if records else ""
    existing = folder.results()
    seen = {replay_key(result, run_id) for _, result in existing}
    for key, steps in runs.items():
        if key not in seen:
            status = outcome[key][0] if key in outcome else judge_steps(steps, expected_steps(steps))
            path = folder.write_result(scenario_result(steps, epic, status))
            existing.append((path, json.loads(path.read_text(encoding="utf-8"))))
    changed = 0
    for path, result in existing:
        found = replay_key(result, run_id)
        if found is None or found not in runs:
            continue
        steps = runs[found]
        _timings(result, steps)
        _failure_artifacts(folder, run_dir, result, steps)
        final = outcome.get(found)
        mine = [f for f in findings if final is not None and _concerns(f, steps[0])] if steps else []
        for finding in mine:
            _friction(folder, run_dir, result, finding, steps)
        if final is not None:
            _outcome(result, *final)
        _healed(result, steps)
        _slowness(result, steps, [f for f in mine if f.rule in SLOW_RULES])
        folder.write_json(path.name, result)
        changed += 1
    return changed


def _outcome(result: dict[str, Any], status: ReplayStatus, outcome: Outcome) -> None:
    """Mark the last attempt of a replay with its scenario's outcome: Allure's flaky flag on a ``flaky``
    scenario's results; a replay that did not finish is ``broken``, never passed."""
    if outcome == "flaky":
        result.setdefault("statusDetails", {})["flaky"] = True
    if status == "incomplete" and result.get("status") not in ("failed", "broken"):
        result["status"] = "broken"
        result.setdefault("statusDetails", {})["message"] = INCOMPLETE_MESSAGE


def _healed(result: dict[str, Any], steps: list[StepRecord]) -> None:
    """Say which steps ``--heal`` repaired: the ``Healed:`` line of the status message, the ``healed``
    parameter, and the repair in the healed step's own message (written again, never twice)."""
    healed = [r for r in steps if r.status == "healed"]
    params = [p for p in result.get("parameters") or [] if p.get("name") != "healed"]
    details = result.get("statusDetails") or {}
    message = "\n".join(line for line in str(details.get("message") or "").split("\n")
                        if not line.startswith(HEAL_MARK)).strip("\n")
    if healed:
        changes = " ".join("; ".join(f"step {r.step_index + 1}: {healed_line(r)}" for r in healed).split())
        params.append({"name": "healed", "value": changes, "excluded": True})
        note = f"{HEAL_MARK} {changes} ({HEALED_HINT}: {FIX_COMMAND})"
        message = f"{note}\n{message}" if message else note
        for record in healed:
            step = _step_of(result, record)
            if step is not None:
                line = " ".join(healed_line(record).split())
                step.setdefault("statusDetails", {})["message"] = f"{HEAL_MARK} {line} ({HEALED_HINT})"
    if params or "parameters" in result:
        result["parameters"] = params
    if message:
        details["message"] = message
        result["statusDetails"] = details
    elif "message" in details:
        details.pop("message")


def _concerns(finding: Finding, record: StepRecord) -> bool:
    """Whether a finding is about the scenario run that ``record`` belongs to."""
    return (finding.feature_file == record.feature_file and finding.scenario == record.scenario
            and finding.example == record.example and (not finding.repeats or record.repeat in finding.repeats))


def _timings(result: dict[str, Any], steps: list[StepRecord]) -> None:
    for record in steps:
        step = _step_of(result, record)
        start = millis(record.started_at)
        if step is None or start is None or record.duration_ms is None:
            continue
        step["start"], step["stop"] = start, start + round(record.duration_ms)
        params = [p for p in step.get("parameters") or [] if p.get("name") != "budget_ms"]
        if record.budget_ms:
            params.append({"name": "budget_ms", "value": f"{record.budget_ms:g}"})
        step["parameters"] = params


def _failure_artifacts(folder: ResultsFolder, run_dir: Path, result: dict[str, Any],
                       steps: list[StepRecord]) -> None:
    for record in steps:
        if record.status != "failed":
            continue
        owner = _step_of(result, record) or result
        shot, trace = record.artifacts.screenshot, record.artifacts.trace
        if shot and (run_dir / shot).is_file():
            _attach(owner, "screenshot at the failure", folder.copy(run_dir / shot, f"file:{shot}", "png"),
                    "image/png")
        if trace and (run_dir / trace).is_file():
            _attach(result, "Playwright trace (npx playwright show-trace)",
                    folder.copy(run_dir / trace, f"file:{trace}", "zip"), "application/zip")


def _friction(folder: ResultsFolder, run_dir: Path, result: dict[str, Any], finding: Finding,
              steps: list[StepRecord]) -> None:
    step = next((r for r in steps if r.step_index == finding.step_index), None)
    owner = (_step_of(result, step) if step is not None else None) or result
    label = f"friction: {finding.title} ({finding.severity})"
    _attach(owner, label, folder.text(finding.message, f"finding:{finding.id}:message", "txt"), "text/plain")
    figures = finding.model_dump(mode="json", exclude={"screenshot"})
    _attach(owner, f"{label}: figures and evidence",
            folder.text(json.dumps(figures, indent=2, ensure_ascii=False), f"finding:{finding.id}:json", "json"),
            "application/json")
    if finding.screenshot and (run_dir / finding.screenshot).is_file():
        _attach(owner, f"{label}: screenshot",
                folder.copy(run_dir / finding.screenshot, f"file:{finding.screenshot}", "png"), "image/png")


def _slowness(result: dict[str, Any], steps: list[StepRecord], slow: list[Finding]) -> None:
    """Write (or rewrite) the ``Slowness:`` line of the result's status message."""
    lines = [f"step {r.step_index + 1} “{r.text}” took {r.duration_ms / 1000:.2f} s, over its "
             f"{r.budget_ms / 1000:.2f} s budget" for r in steps
             if r.over_budget and r.duration_ms is not None and r.budget_ms]
    lines += [f.message for f in slow if f.rule != "over-budget"]
    details = result.get("statusDetails") or {}
    message = str(details.get("message") or "")
    cut = message.find(SLOW_MARK)
    if cut >= 0 and (cut == 0 or message[cut - 1] == "\n"):
        message = message[:cut].rstrip("\n")
    if lines:
        note = f"{SLOW_MARK} " + "; ".join(dict.fromkeys(lines))
        message = f"{message}\n\n{note}" if message else note
    if message:
        details["message"] = message
        result["statusDetails"] = details
    elif "message" in details:
        details.pop("message")
