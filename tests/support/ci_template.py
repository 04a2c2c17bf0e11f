"""The GitHub Actions template of ``docs/ci/`` as the shell scripts its jobs run, for a test to run them.

:func:`shard_job` and :func:`merge_job` read the workflow and return each step a runner would run:
its ``run:`` script exactly as written, with every ``${{ ... }}`` expression replaced from a mapping
the test gives (``matrix.shard``, ``strategy.job-total``, ``github.run_id``, ``vars.*``) or from the
``env:`` the workflow, the job and the step set. An expression it does not know, a step key or an
action input it does not model, raise :class:`TemplateChanged`: the test breaks when the template
changes instead of running something else than what users copy. Steps that use an action are left
out, except the artifact upload and download, which become the copies they amount to (a folder of
the store :data:`ARTIFACTS` names, one per artifact); so is the install step (by its name): the test
runs the package it is testing.

:func:`run_job` runs the steps of one job in a workspace as a runner does: bash ``-eo pipefail``, the
job's environment, ``$GITHUB_ENV``, ``$GITHUB_OUTPUT`` and ``$GITHUB_STEP_SUMMARY`` files, stopping
at the first step that fails.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from tests.support import ROOT
from tests.support.tiers import require_e2e

WORKFLOW = ROOT / "docs" / "ci" / "github-actions.yml"
"""The GitHub Actions template users copy to ``.github/workflows/``."""
SHARD_JOB = "journeys"
MERGE_JOB = "merge"
INSTALL_STEP = "Install adoption-harness"
"""A step whose name starts with this installs the package: not run (the test runs the checkout's)."""
ARTIFACTS = "CI_ARTIFACTS"
"""The variable naming the folder that stands for the workflow run's artifact store."""
STEP_KEYS = frozenset({"name", "id", "if", "run", "uses", "with", "env", "timeout-minutes"})
"""What a step may hold: anything else (``shell``, ``working-directory``, ``continue-on-error``...) is refused."""
UPLOAD_INPUTS = frozenset({"name", "path", "retention-days"})
DOWNLOAD_INPUTS = frozenset({"pattern", "path", "merge-multiple"})
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SAFE_GLOB = re.compile(r"[A-Za-z0-9_.*-]+")


class TemplateChanged(ValueError):
    """The template holds something this helper does not model: update the helper and the test."""


@dataclass(frozen=True)
class Step:
    """One step as a runner would run it.

    Attributes:
        name: The step's name, expressions resolved.
        script: The bash script.
        env: The workflow's, the job's and the step's ``env:``, resolved (the later ones win).
    """

    name: str
    script: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobResult:
    """What running a job's steps did.

    Attributes:
        returncode: The exit code of the last step run (0 when every step passed).
        ran: The names of the steps run, in order (the last one is the one that failed, if any).
        output: Each step's stdout and stderr, by name.
        step_summary: What the steps appended to ``$GITHUB_STEP_SUMMARY``.
        exported: What the steps appended to ``$GITHUB_ENV``, parsed.
    """

    returncode: int
    ran: list[str]
    output: dict[str, str]
    step_summary: str
    exported: dict[str, str]


def load_workflow(path: Path = WORKFLOW) -> dict[str, Any]:
    """The workflow as plain data (YAML 1.2: ``on`` stays a string key)."""
    data = YAML(typ="safe").load(path.read_text())
    if not isinstance(data, dict):
        raise TemplateChanged(f"{path}: a workflow is a mapping")
    return data


def shard_job(index: int, total: int, context: Mapping[str, str], path: Path = WORKFLOW) -> list[Step]:
    """The steps of shard job ``index`` of ``total``.

    Args:
        index: The shard (``matrix.shard``): one of the template's matrix values.
        total: The number of shard jobs (``strategy.job-total``): the size of the template's matrix.
        context: The values of the other expressions (``github.run_id``, ``vars.HARNESS_GRID``...).
        path: The workflow.

    Raises:
        TemplateChanged: The index or total does not fit the matrix, or see :func:`job_steps`.
    """
    workflow = load_workflow(path)
    shards = workflow["jobs"][SHARD_JOB]["strategy"]["matrix"]["shard"]
    if index not in shards or total != len(shards):
        raise TemplateChanged(f"shard {index}/{total} does not fit the matrix {shards}")
    return job_steps(workflow, SHARD_JOB, {**context, "matrix.shard": str(index), "strategy.job-total": str(total)})


def merge_job(context: Mapping[str, str], path: Path = WORKFLOW) -> list[Step]:
    """The steps of the merge job (see :func:`job_steps`)."""
    return job_steps(load_workflow(path), MERGE_JOB, context)


def job_steps(workflow: Mapping[str, Any], job_id: str, context: Mapping[str, str]) -> list[Step]:
    """The steps of a job that a test runs: ``run:`` scripts, and artifact steps as copies.

    Args:
        workflow: The workflow (:func:`load_workflow`).
        job_id: The job.
        context: The value of each expression (``matrix.shard``: ``"2"``); ``env.NAME`` comes from
            the ``env:`` in force.

    Raises:
        TemplateChanged: An unknown expression, step key, action input, or a shell other than bash.
    """
    if workflow.get("defaults", {}).get("run", {}).get("shell") != "bash":
        raise TemplateChanged("the workflow's run: steps must default to bash (defaults.run.shell)")
    job = workflow["jobs"][job_id]
    env = _resolve_env(workflow.get("env", {}), {}, context)
    env = _resolve_env(job.get("env", {}), env, context)
    steps = []
    for raw in job["steps"]:
        unknown = set(raw) - STEP_KEYS
        if unknown:
            raise TemplateChanged(f"step {raw.get('name', raw.get('uses'))!r}: unknown keys {sorted(unknown)}")
        step_env = _resolve_env(raw.get("env", {}), env, context)
        name = substitute(str(raw.get("name", raw.get("uses", raw.get("run", "")))), context, step_env)
        if name.startswith(INSTALL_STEP):
            continue
        if "run" in raw:
            steps.append(Step(name, substitute(raw["run"], context, step_env), step_env))
        elif str(raw["uses"]).startswith("actions/upload-artifact@"):
            steps.append(Step(name, _upload(_inputs(raw, UPLOAD_INPUTS, context, step_env)), step_env))
        elif str(raw["uses"]).startswith("actions/download-artifact@"):
            steps.append(Step(name, _download(_inputs(raw, DOWNLOAD_INPUTS, context, step_env)), step_env))
    return steps


def substitute(text: str, context: Mapping[str, str], env: Mapping[str, str]) -> str:
    """``text`` with each ``${{ expression }}`` replaced by its value.

    Raises:
        TemplateChanged: An expression neither in ``context`` nor ``env.NAME`` of a variable in ``env``.
    """
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression in context:
            return context[expression]
        name = expression.removeprefix("env.")
        if expression.startswith("env.") and name in env:
            return env[name]
        raise TemplateChanged(f"unknown expression ${{{{ {expression} }}}} in {text!r}")

    return EXPRESSION.sub(value, text)


def _resolve_env(raw: Mapping[str, Any], inherited: Mapping[str, str], context: Mapping[str, str]) -> dict[str, str]:
    """``inherited`` updated with ``raw`` (values resolved against the env in force before it)."""
    return {**inherited, **{str(k): substitute(str(v), context, inherited) for k, v in raw.items()}}


def _inputs(raw: Mapping[str, Any], known: frozenset[str], context: Mapping[str, str],
            env: Mapping[str, str]) -> dict[str, str]:
    """An action step's ``with:`` inputs, resolved; refused if one is not modelled."""
    inputs = {str(k): substitute(str(v), context, env) for k, v in (raw.get("with") or {}).items()}
    unknown = set(inputs) - known
    if unknown:
        raise TemplateChanged(f"{raw['uses']}: inputs not modelled {sorted(unknown)}")
    return inputs


def _upload(inputs: Mapping[str, str]) -> str:
    """``actions/upload-artifact`` of one folder: its content becomes the artifact (a missing one: nothing)."""
    folder, name = inputs["path"], inputs["name"]
    if "\n" in folder.strip() or not SAFE_GLOB.fullmatch(name):
        raise TemplateChanged(f"upload-artifact: one folder and a plain name expected, got {folder!r}, {name!r}")
    source = shlex.quote(folder.rstrip("/"))
    target = f'"${ARTIFACTS}"/{shlex.quote(name)}'
    return f"if [ -d {source} ]; then mkdir -p {target} && cp -R {source}/. {target}/; fi"


def _download(inputs: Mapping[str, str]) -> str:
    """``actions/download-artifact`` by pattern, one folder per artifact (``merge-multiple: false``)."""
    pattern, into = inputs["pattern"], inputs["path"]
    if inputs.get("merge-multiple", "false").lower() != "false" or not SAFE_GLOB.fullmatch(pattern):
        raise TemplateChanged(f"download-artifact: a plain pattern and merge-multiple false expected: {inputs}")
    into = shlex.quote(into.rstrip("/"))
    return (f'for artifact in "${ARTIFACTS}"/{pattern}; do\n'
            f'  [ -d "$artifact" ] || continue\n'
            f'  mkdir -p {into}/"${{artifact##*/}}" && cp -R "$artifact"/. {into}/"${{artifact##*/}}"/\n'
            f"done")


def run_job(steps: list[Step], workspace: Path, env: Mapping[str, str], timeout: float = 300) -> JobResult:
    """Run a job's steps in ``workspace`` as a runner does, until one fails.

    Args:
        steps: The job's steps (:func:`shard_job`, :func:`merge_job`).
        workspace: The job's working folder (a fresh copy of the project per job, as a checkout is).
        env: The runner's environment (``PATH``, ``CI_ARTIFACTS``...); each step adds its own
            ``env:`` and what earlier steps wrote to ``$GITHUB_ENV``.
        timeout: Seconds a step may take.

    Returns:
        The exit code, the steps run, their output, the job summary and the exported variables.
    """
    require_e2e("the steps of a CI template's job")
    files = workspace.parent / f".runner-{workspace.name}"
    files.mkdir(parents=True, exist_ok=True)
    github_env, summary = files / "env", files / "step_summary"
    github_env.touch()
    summary.touch()
    exported: dict[str, str] = {}
    ran: list[str] = []
    output: dict[str, str] = {}
    for i, step in enumerate(steps):
        outputs = files / f"output-{i}"
        outputs.touch()
        step_env = {**env, **step.env, **exported, "GITHUB_ENV": str(github_env), "GITHUB_OUTPUT": str(outputs),
                    "GITHUB_STEP_SUMMARY": str(summary), "GITHUB_WORKSPACE": str(workspace)}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step.script], cwd=workspace,
                              env=step_env, capture_output=True, text=True, timeout=timeout)
        ran.append(step.name)
        output[step.name] = done.stdout + done.stderr
        exported = _exported(github_env)
        if done.returncode:
            return JobResult(done.returncode, ran, output, summary.read_text(), exported)
    return JobResult(0, ran, output, summary.read_text(), exported)


def _exported(github_env: Path) -> dict[str, str]:
    """``NAME=value`` lines of a ``$GITHUB_ENV`` file (the multi-line ``NAME<<EOF`` form is refused)."""
    found: dict[str, str] = {}
    for line in github_env.read_text().splitlines():
        if "=" not in line:
            raise TemplateChanged(f"$GITHUB_ENV line not modelled: {line!r}")
        name, value = line.split("=", 1)
        found[name] = value
    return found


def runner_env(base: Mapping[str, str], artifacts: Path) -> dict[str, str]:
    """A runner's environment for :func:`run_job`: ``base``, ``CI``, ``GITHUB_ACTIONS`` and the artifact store."""
    return {**base, "CI": "true", "GITHUB_ACTIONS": "true", ARTIFACTS: str(artifacts)}
