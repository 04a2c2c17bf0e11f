"""The CI templates of ``docs/ci/``: linted as GitHub and GitLab would read them, and what users rely on.

actionlint checks the GitHub workflow (syntax, expressions, the inputs of known actions, and with
ShellCheck every ``run:`` script); the GitLab pipeline is validated against GitLab's CI schema
(``check-jsonschema``'s copy, offline) and its scripts go through ShellCheck. Then the facts a user
relies on: as many shards as SHARDS says, the merge waits for the shard jobs and runs when they
failed, each shard's folder is what the merge gets, and the JUnit file and summary are the merged
run's. No browser; ``tests/test_e2e_ci_template.py`` runs the GitHub jobs' scripts for real.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.support import ROOT
from tests.support.ci_template import (
    INSTALL_STEP,
    MERGE_JOB,
    SHARD_JOB,
    WORKFLOW,
    TemplateChanged,
    load_workflow,
    merge_job,
    shard_job,
)

GITLAB = ROOT / "docs" / "ci" / "gitlab-ci.yml"
BIN = Path(sys.executable).parent
CONTEXT = {"github.run_id": "77", "github.run_attempt": "2", "vars.HARNESS_GRID": "", "vars.HARNESS_BASE_URL": ""}
OUT = re.compile(r'--out\s+"?([^"\s]+)"?')


def _tool(name: str) -> str:
    """A command-line tool of the dev extras (beside this Python), or on PATH."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run `make setup` (pip install -e '.[dev]', apt-get install shellcheck)")
    return found


def _actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    """actionlint on a workflow, with ShellCheck on its run: scripts (and no pyflakes: no Python scripts)."""
    return subprocess.run([_tool("actionlint"), "-no-color", "-oneline", "-shellcheck", _tool("shellcheck"),
                           "-pyflakes=", str(workflow)], capture_output=True, text=True, timeout=60)


def _gitlab_schema(pipeline: Path) -> subprocess.CompletedProcess[str]:
    """check-jsonschema with its built-in copy of GitLab's CI schema (no network)."""
    return subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(pipeline)],
                          capture_output=True, text=True, timeout=60)


def _gitlab() -> dict[str, Any]:
    data = YAML(typ="safe").load(GITLAB.read_text())
    assert isinstance(data, dict)
    return data


def _broken_copy(source: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text
    copy = tmp_path / source.name
    copy.write_text(text.replace(old, new, 1))
    return copy


# --- lint ---------------------------------------------------------------------------------------------------
def test_the_github_workflow_passes_actionlint_and_shellcheck() -> None:
    done = _actionlint(WORKFLOW)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


@pytest.mark.parametrize(("old", "new", "says"), [
    ('--out "$OUT"', "--out $OUT", "SC2086"),  # ShellCheck: an unquoted variable
    ("${{ matrix.shard }}/${{ strategy.job-total }}", "${{ matrix.shards }}/${{ strategy.job-total }}", "shards"),
    ("merge-multiple: false", "merge-many: false", "merge-many"),  # an input download-artifact does not have
], ids=["shellcheck", "expression", "action-input"])
def test_actionlint_rejects_a_broken_workflow(tmp_path: Path, old: str, new: str, says: str) -> None:
    done = _actionlint(_broken_copy(WORKFLOW, tmp_path, old, new))
    assert done.returncode == 1 and says in done.stdout, done.stdout + done.stderr


def test_the_gitlab_pipeline_matches_gitlab_ci_schema() -> None:
    done = _gitlab_schema(GITLAB)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_gitlab_schema_check_rejects_a_broken_pipeline(tmp_path: Path) -> None:
    broken = _broken_copy(GITLAB, tmp_path, "  when: always\n  timeout: 15m", "  when: later\n  timeout: 15m")
    done = _gitlab_schema(broken)
    assert done.returncode == 1 and "merge.when" in done.stdout, done.stdout + done.stderr


def test_the_gitlab_scripts_pass_shellcheck() -> None:
    # GitLab runs a job's before_script and script lines as one shell script (sh when the image has no bash)
    for name in ("journeys", "merge"):
        job = _gitlab()[name]
        script = "\n".join([*job["before_script"], *job["script"]])
        done = subprocess.run([_tool("shellcheck"), "--shell", "sh", "-"], input=script, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, f"{name}:\n{done.stdout}{done.stderr}"


# --- the GitHub workflow: what users rely on --------------------------------------------------------------------
def test_the_github_matrix_has_as_many_shards_as_SHARDS_and_every_shard_runs_to_the_end() -> None:
    workflow = load_workflow()
    strategy = workflow["jobs"][SHARD_JOB]["strategy"]
    assert strategy["matrix"]["shard"] == list(range(1, int(workflow["env"]["SHARDS"]) + 1))
    assert strategy["fail-fast"] is False
    assert workflow["env"]["HARNESS_GRID"] == "${{ vars.HARNESS_GRID }}"


def test_each_github_shard_runs_its_share_under_the_shared_run_id_and_uploads_its_folder() -> None:
    shares = []
    for index in (1, 2, 3):
        steps = shard_job(index, 3, CONTEXT)
        run = next(s for s in steps if "harness run" in s.script)
        assert '--shard "$SHARD"' in run.script and run.env["SHARD"] == f"{index}/3"
        assert '--run-id "$RUN_ID"' in run.script and run.env["RUN_ID"] == "gh-77-2"
        assert '--out "$OUT"' in run.script
        shares.append(run.env["OUT"])
        assert "|| code=$?" in run.script  # a failing journey does not fail the job
        upload = steps[-1]
        assert upload.script.startswith(f"if [ -d {run.env['OUT']} ]") and f"/shard-{index}" in upload.script
    assert len(set(shares)) == 3


def test_the_github_merge_job_merges_every_shard_publishes_junit_and_fails_with_the_exit_code() -> None:
    workflow = load_workflow()
    merge = workflow["jobs"][MERGE_JOB]
    assert merge["needs"] == SHARD_JOB
    assert merge["if"] in ("${{ !cancelled() }}", "always()")  # also after a failed shard job
    uses = {s["uses"].split("@")[0]: s for s in merge["steps"] if "uses" in s}
    download = uses["actions/download-artifact"]["with"]
    upload = next(s for s in workflow["jobs"][SHARD_JOB]["steps"] if "upload-artifact" in s.get("uses", ""))
    assert re.fullmatch(download["pattern"].replace("*", r"\d+"), upload["with"]["name"].replace(
        "${{ matrix.shard }}", "1"))
    assert download["merge-multiple"] is False
    steps = merge_job(CONTEXT)
    script = next(s.script for s in steps if "harness merge" in s.script)
    assert f"harness merge {download['path']}/* " in script
    out = OUT.search(script)
    assert out is not None
    merged = out.group(1)
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == f"{merged}/junit.xml"
    assert uses["actions/upload-artifact"]["with"]["path"].rstrip("/") == merged
    summary = next(s.script for s in steps if "GITHUB_STEP_SUMMARY" in s.script)
    assert f'cat {merged}/summary.md >> "$GITHUB_STEP_SUMMARY"' in summary
    assert 'echo "HARNESS_EXIT_CODE=$code" >> "$GITHUB_ENV"' in script
    assert steps[-1].script.strip() == 'exit "${HARNESS_EXIT_CODE:-2}"'


def test_only_the_install_steps_and_the_other_actions_are_left_out_of_the_github_jobs() -> None:
    workflow = load_workflow()
    for job, kept in ((SHARD_JOB, shard_job(1, 3, CONTEXT)), (MERGE_JOB, merge_job(CONTEXT))):
        steps = workflow["jobs"][job]["steps"]
        install = [s for s in steps if str(s.get("name", "")).startswith(INSTALL_STEP)]
        assert len(install) == 1 and "pip install" in install[0]["run"]
        runs = sum(1 for s in steps if "run" in s)
        artifacts = sum(1 for s in steps if "-artifact@" in s.get("uses", ""))
        assert len(kept) == runs - 1 + artifacts


@pytest.mark.parametrize(("old", "new"), [
    ("gh-${{ github.run_id }}", "gh-${{ github.sha }}"),  # an expression the helper does not know
    ("retention-days: 7", "include-hidden-files: true"),  # an action input it does not model
    ("      - name: Upload the shard's run folder\n",  # a step key that changes how the step runs
     "      - name: Upload the shard's run folder\n        continue-on-error: true\n"),
], ids=["expression", "input", "step-key"])
def test_the_template_helper_refuses_what_it_does_not_model(tmp_path: Path, old: str, new: str) -> None:
    with pytest.raises(TemplateChanged):
        shard_job(1, 3, CONTEXT, _broken_copy(WORKFLOW, tmp_path, old, new))


def test_the_template_helper_refuses_a_shard_outside_the_matrix() -> None:
    with pytest.raises(TemplateChanged):
        shard_job(4, 4, CONTEXT)


# --- the GitLab pipeline: what users rely on --------------------------------------------------------------------
def test_the_gitlab_pipeline_has_the_same_shards_and_a_merge_of_all_of_them() -> None:
    gitlab, workflow = _gitlab(), load_workflow()
    shards, merge = gitlab["journeys"], gitlab["merge"]
    assert shards["parallel"] == int(workflow["env"]["SHARDS"])
    for knob in ("HARNESS_APP", "HARNESS_FEATURES", "HARNESS_GRID"):
        assert knob in gitlab["variables"]
    assert gitlab["variables"]["HARNESS_GRID"] == ""  # a CI/CD variable wins over it: a grid, else local Chromium
    run = next(line for line in shards["script"] if "harness run" in line)
    assert '--shard "$CI_NODE_INDEX/$CI_NODE_TOTAL"' in run and "|| code=$?" in run
    out = OUT.search(run)
    assert out is not None and out.group(1) == "reports/shard-$CI_NODE_INDEX"
    assert shards["artifacts"]["when"] == "always" and shards["artifacts"]["paths"] == ["reports/shard-*/"]
    assert merge["needs"] == [{"job": "journeys", "artifacts": True}] and merge["when"] == "always"
    script = "\n".join(merge["script"])
    assert "harness merge reports/shard-*/ " in script
    out = OUT.search(script)
    assert out is not None
    merged = out.group(1)
    assert merge["artifacts"]["reports"]["junit"] == f"{merged}/junit.xml"
    assert merge["artifacts"]["when"] == "always" and merge["artifacts"]["paths"] == [f"{merged}/"]
    assert merge["script"][-1] == 'exit "$code"'
