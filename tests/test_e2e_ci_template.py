"""The GitHub Actions template of ``docs/ci/`` run for real: three shard jobs at once, then the merge job.

Each job runs in its own copy of a small project, as a fresh checkout would, with the ``run:``
scripts exactly as the template has them (:mod:`tests.support.ci_template`: expressions filled in,
artifacts copied through a folder, the install step left out), the three shard jobs as three
processes at once, against the demo app's version 2, where some journeys fail. The project: the
demo's sign-in and expense journeys, and two that check guides in place (``after:`` steps and
``the guide "<id>" is intact``). The merged run must have the outputs a user publishes (junit.xml,
report.html, summary.md in the job summary), and its scenario outcomes, friction findings and
guide results must be those of one unsharded ``harness run`` of the same journeys.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from harness.demo import DemoServer
from harness.outcomes import scenarios
from tests.support import ROOT
from tests.support.ci_template import JobResult, load_workflow, merge_job, run_job, runner_env, shard_job
from tests.support.cli import env_with_secrets
from tests.support.run_folders import event_findings, records, run_info
from tests.support.servers import demo_server
from tests.test_e2e_guides_journey import CONFIRM_HELP, FORM_HELP
from tests.test_e2e_guides_journey import FEATURES as GUIDED_FEATURES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("ci-template")]

FEATURES = ("login.feature", "submit_expense.feature")
"""Demo features beside the guide-checking ones (``tests/fixtures/guides_journey``)."""
RUN_ID = "gh-4242-1"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with demo_server(2) as running:
        yield running


def _project(folder: Path, features: str) -> Path:
    """A project as a user's repository holds it: the features the template names and the app profile."""
    shutil.copytree(GUIDED_FEATURES, folder / features)
    for name in FEATURES:
        shutil.copy(ROOT / "features" / "demo" / name, folder / features / name)
    shutil.copytree(ROOT / "features" / "demo" / "files", folder / features / "files")
    app = folder / "journeys" / "demo"
    (app / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "journeys" / "demo" / "app.yaml", app / "app.yaml")
    (app / "guides" / "form-help.yaml").write_text(FORM_HELP)
    (app / "guides" / "confirm-help.yaml").write_text(CONFIRM_HELP)
    return folder


def _outcomes(run_dir: Path) -> dict[tuple[str, str, str, str], tuple[str, tuple[str, ...]]]:
    """Each scenario's outcome and its steps' statuses, by journey, feature file name, scenario and Examples row."""
    return {(s.key.journey, Path(s.key.feature_file).name, s.key.scenario, s.key.example):
            (s.status, tuple(step.status for r in s.replays for step in r.steps)) for s in scenarios(records(run_dir))}


def _findings(run_dir: Path) -> set[tuple[str, str, str, str]]:
    """The findings of event rules (two runs on a busy machine may differ on a time against a threshold)."""
    return event_findings(run_dir)


def _guides(run_dir: Path) -> dict[tuple[str, str], str]:
    data = json.loads((run_dir / "guides.json").read_text())
    return {(g["id"], s["id"]): s["status"] for g in data["guides"] for s in g["steps"]}


def test_the_shard_jobs_and_the_merge_job_make_the_run_one_unsharded_run_makes(server: DemoServer,
                                                                                tmp_path: Path) -> None:
    workflow = load_workflow()
    assert workflow["env"]["HARNESS_APP"] == "demo"
    features = workflow["env"]["HARNESS_FEATURES"]
    project = _project(tmp_path / "project", features)
    artifacts = tmp_path / "artifacts"
    # the runner's environment: this checkout's harness on PATH and importable, the e2e demo passwords
    base = env_with_secrets()
    base["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{base['PATH']}"
    base["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), base.get("PYTHONPATH")]))
    env = runner_env(base, artifacts)
    context = {"github.run_id": "4242", "github.run_attempt": "1", "vars.HARNESS_GRID": "",
               "vars.HARNESS_BASE_URL": server.url}
    shards = workflow["jobs"]["journeys"]["strategy"]["matrix"]["shard"]

    def shard(index: int) -> JobResult:
        workspace = shutil.copytree(project, tmp_path / "jobs" / f"shard-{index}")
        return run_job(shard_job(index, len(shards), context), workspace, env)

    whole = tmp_path / "whole"
    unsharded = subprocess.Popen(["harness", "run", features, "--app", "demo", "--base-url", server.url, "--out",
                                  str(whole), "--history", "off"], cwd=project, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)  # beside the shards: one more runner
    with ThreadPoolExecutor(len(shards)) as pool:  # three jobs at once, as three runners
        jobs = list(pool.map(shard, shards))
    shares: list[set[tuple[str, str, str, str]]] = []
    for index, job in zip(shards, jobs, strict=True):
        assert job.returncode == 0, job.output  # a failing journey fails the merge job, not the shard's
        shard_dir = artifacts / f"shard-{index}"
        assert run_info(shard_dir).run_id == RUN_ID
        shares.append(set(_outcomes(shard_dir)))
    assert all(shares), "every shard runs a share"

    workspace = shutil.copytree(project, tmp_path / "jobs" / "merge")
    job = run_job(merge_job(context), workspace, env)
    assert job.returncode == 1, job.output  # version 2 breaks journeys: the merge job fails, with harness's code
    assert job.exported["HARNESS_EXIT_CODE"] == "1"
    merged = workspace / "reports" / "merged"
    for name in ("junit.xml", "report.html", "summary.md", "run.json"):
        assert (merged / name).is_file(), name
        assert (artifacts / "journeys-report" / name).is_file(), name  # the merged folder, uploaded
    assert (merged / "summary.md").read_text() in job.step_summary

    stdout, stderr = unsharded.communicate(timeout=300)
    assert unsharded.returncode == 1, stdout + stderr
    expected = _outcomes(whole)
    assert len(expected) >= 6 and {"passed", "failed"} <= {status for status, _ in expected.values()}
    assert _outcomes(merged) == expected
    assert _findings(merged) == _findings(whole) and _findings(whole)
    assert _guides(merged) == _guides(whole)
    assert _guides(merged)[("form-help", "description")] == "missing"
    assert _guides(merged)[("confirm-help", "confirm")] == "ok"
    assert sum(len(share) for share in shares) == len(expected)  # each scenario ran in one shard, once
    assert set().union(*shares) == set(expected)
    assert run_info(merged).totals["scenarios"] == run_info(whole).totals["scenarios"]
