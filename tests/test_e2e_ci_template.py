"""The GitHub Actions template of ``docs/ci/`` run for real: three shard jobs, then the merge job.

Each job runs in its own copy of a small project (two demo features, the demo's app profile), as a
fresh checkout would, with the ``run:`` scripts exactly as the template has them
(:mod:`tests.support.ci_template`: expressions filled in, artifacts copied through a folder,
the install step left out) against the demo app. The merged run must have the outputs a user
publishes (junit.xml, report.html, summary.md in the job summary), and its scenarios' outcomes
must be those of one unsharded ``harness run`` of the same features.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.demo import DemoServer
from harness.outcomes import scenarios
from tests.support import ROOT
from tests.support.ci_template import load_workflow, merge_job, run_job, runner_env, shard_job
from tests.support.cli import env_with_secrets
from tests.support.run_folders import records, run_info
from tests.support.servers import demo_server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("ci-template")]

FEATURES = ("login.feature", "export_expenses.feature")
"""Cheap demo features: four scenarios (two of them an outline's rows) over three shards."""
RUN_ID = "gh-4242-1"


@pytest.fixture(scope="module")
def server() -> Iterator[DemoServer]:
    with demo_server(1) as running:
        yield running


def _project(folder: Path, features: str) -> Path:
    """A project as a user's repository holds it: the features the template names and the app profile."""
    (folder / features).mkdir(parents=True)
    for name in FEATURES:
        shutil.copy(ROOT / "features" / "demo" / name, folder / features / name)
    shutil.copytree(ROOT / "journeys" / "demo", folder / "journeys" / "demo")
    return folder


def _outcomes(run_dir: Path) -> dict[tuple[str, str, str, str], str]:
    """Each scenario's outcome, by journey, feature file name, scenario and Examples row."""
    return {(s.key.journey, Path(s.key.feature_file).name, s.key.scenario, s.key.example): s.status
            for s in scenarios(records(run_dir))}


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

    shares: list[set[tuple[str, str, str, str]]] = []
    for index in shards:
        workspace = shutil.copytree(project, tmp_path / "jobs" / f"shard-{index}")
        job = run_job(shard_job(index, len(shards), context), workspace, env)
        assert job.returncode == 0, job.output
        assert "exited 0" in job.output[job.ran[0]], job.output
        shard_dir = artifacts / f"shard-{index}"
        assert run_info(shard_dir).run_id == RUN_ID
        shares.append(set(_outcomes(shard_dir)))
    assert all(shares), "every shard runs a share"

    workspace = shutil.copytree(project, tmp_path / "jobs" / "merge")
    job = run_job(merge_job(context), workspace, env)
    assert job.returncode == 0, job.output
    assert job.exported["HARNESS_EXIT_CODE"] == "0"
    merged = workspace / "reports" / "merged"
    for name in ("junit.xml", "report.html", "summary.md", "run.json"):
        assert (merged / name).is_file(), name
        assert (artifacts / "journeys-report" / name).is_file(), name  # the merged folder, uploaded
    assert (merged / "summary.md").read_text() in job.step_summary

    whole = tmp_path / "whole"
    done = subprocess.run(["harness", "run", features, "--app", "demo", "--base-url", server.url, "--out", str(whole),
                           "--history", "off"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    expected = _outcomes(whole)
    assert len(expected) == 4
    assert _outcomes(merged) == expected
    assert sum(len(share) for share in shares) == len(expected)  # each scenario ran in one shard, once
    assert set().union(*shares) == set(expected)
    assert run_info(merged).totals["scenarios"] == run_info(whole).totals["scenarios"]
