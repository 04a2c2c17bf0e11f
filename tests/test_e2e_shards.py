"""Three shards as three processes, merged, against one unsharded run of the same journeys (real Chromium).

The journeys are the demo's sign-in and expense journeys plus two that check guides in place, on the
demo app's version 2, where some fail: outcomes, friction findings and guide results all have
something to agree on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.cli import env_with_secrets, harness
from tests.support.run_folders import run_info, scenario_runs
from tests.support.servers import demo_server
from tests.test_e2e_guides_journey import CONFIRM_HELP, FEATURES, FORM_HELP

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("shards")]
DEMO_FEATURES = ("login.feature", "submit_expense.feature")
TIMED_RULES = {"slow-step", "slow-response", "long-task", "slow-page", "layout-shift", "longer-journey"}
"""Rules whose verdict is a time against a threshold: two runs on a busy machine may differ on them."""


@pytest.fixture(scope="module")
def v2() -> Any:
    with demo_server(2) as server:
        yield server


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    (app / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "journeys" / "demo" / "app.yaml", app / "app.yaml")
    (app / "guides" / "form-help.yaml").write_text(FORM_HELP)
    (app / "guides" / "confirm-help.yaml").write_text(CONFIRM_HELP)
    shutil.copytree(FEATURES, tmp_path / "features")
    for name in DEMO_FEATURES:
        shutil.copy(ROOT / "features" / "demo" / name, tmp_path / "features" / name)
    shutil.copytree(ROOT / "features" / "demo" / "files", tmp_path / "features" / "files")
    return tmp_path


def _run_args(project: Path, url: str, out: Path) -> list[str]:
    return ["run", str(project / "features"), "--app", str(project / "app" / "app.yaml"), "--base-url", url,
            "--repeat", "2", "--out", str(out), "--history", str(project / "history")]


def _outcomes(run_dir: Path) -> dict[tuple[str, str, str, int], list[str]]:
    return {key: [s.status for s in steps] for key, steps in scenario_runs(run_dir).items()}


def _findings(run_dir: Path) -> set[tuple[str, str, str, str]]:
    data = json.loads((run_dir / "findings.json").read_text())
    return {(f["rule"], Path(f["feature_file"]).name, f["scenario"], f.get("step_text") or "")
            for f in data["findings"] if f["rule"] not in TIMED_RULES}


def _guides(run_dir: Path) -> dict[tuple[str, str], str]:
    data = json.loads((run_dir / "guides.json").read_text())
    return {(g["id"], s["id"]): s["status"] for g in data["guides"] for s in g["steps"]}


def test_three_shards_merged_are_the_unsharded_run(v2: Any, project: Path) -> None:
    whole = harness(*_run_args(project, v2.url, project / "whole"))
    assert whole.returncode == 1, whole.stderr  # v2 breaks some journeys
    shards = [project / f"shard-{i}" for i in (1, 2, 3)]
    procs = [subprocess.Popen([sys.executable, "-m", "harness.cli", *_run_args(project, v2.url, folder),
                               "--shard", f"{i}/3", "--run-id", "ci-7"], cwd=ROOT, env=env_with_secrets(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, folder in enumerate(shards, 1)]
    done = [(p.wait(timeout=300), p.communicate()) for p in procs]
    runs = [run_info(folder) for folder in shards]
    assert [r.options["shard"] for r in runs] == ["1/3", "2/3", "3/3"]
    counts = [r.totals["replays"] for r in runs]
    assert sum(counts) == run_info(project / "whole").totals["replays"] and min(counts) >= 1, counts
    assert all(code in (0, 1) for code, _ in done), [err for _, (_, err) in done]
    assert not (project / "history" / "runs" / "ci-7").exists()  # a shard is not registered on its own

    merged = harness("merge", *reversed(shards), "--out", project / "merged", "--history", project / "history")
    assert merged.returncode == 1, merged.stderr
    info = run_info(project / "merged")
    assert info.run_id == "ci-7" and info.status == "complete"
    assert info.totals == run_info(project / "whole").totals
    assert _outcomes(project / "merged") == _outcomes(project / "whole")
    assert _findings(project / "merged") == _findings(project / "whole")
    assert _guides(project / "merged") == _guides(project / "whole")
    assert _guides(project / "merged")[("form-help", "description")] == "missing"
    assert (project / "history" / "runs" / "ci-7" / "run.json").is_file()
    for name in ("report.html", "junit.xml", "summary.md"):
        assert (project / "merged" / name).is_file()
    shots = {r.artifacts.screenshot for steps in scenario_runs(project / "merged").values() for r in steps
             if r.artifacts.screenshot}
    assert shots and all((project / "merged" / shot).is_file() for shot in shots)


def test_a_shard_of_more_shards_than_runs_is_empty_and_passes(v2: Any, project: Path) -> None:
    done = harness("run", str(project / "features" / "login.feature"), "--app", str(project / "app" / "app.yaml"),
                   "--base-url", v2.url, "--out", str(project / "empty"), "--shard", "50/50", "--history", "off")
    assert done.returncode == 0, done.stderr
    assert "shard 50/50 holds no scenario run" in done.stderr
    assert run_info(project / "empty").totals["scenarios"] == 0
