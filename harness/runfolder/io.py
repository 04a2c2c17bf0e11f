"""The run folder: ``run.json``, ``steps.jsonl`` appended live, ``steps.parquet`` at the end.

Each step record is appended as one JSON line under an exclusive file lock, handed to the
operating system at once, so parallel workers never interleave lines and a killed run keeps
every step that finished; the file is fsynced once per scenario (:func:`sync_steps`), so a
machine that goes down loses at most the scenario in progress.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.contracts.guides import GUIDES_JSONL
from harness.contracts.records import RUN_FILE, STEPS_JSONL, RunInfo, StepRecord
from harness.errors import RunFileError
from harness.redaction import Secrets
from harness.runfolder.files import append_line, json_line, sync_file, write_atomic

BROWSER_INFO = ".browser.json"
"""Written by the first worker that launches Chromium: its name, version and path."""
RUN_ERROR = ".run-error.txt"
"""Written when the run cannot go on (no browser): the reason, for run.json."""
NESTED = ("example", "tags", "signals", "artifacts", "repair")
LEFT_OUT_OF_TABLES = ("fingerprints",)
"""Record fields no table holds: a passed step's fingerprints are kept once per target in ``targets.json``."""


def now_iso() -> str:
    """Return the current UTC time as ISO-8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


#: Fields of a step record that the harness names itself (the run, the profile's app name, the feature's
#: path, the worker): never redacted, so that a weak password that is also a common word cannot rename the
#: run. Every other field, authored (step text, scenario, Examples values, pytest id, tags) or observed
#: (error, URL, selector, signals), is; of the artifacts, all but the paths of the files (named by the
#: harness from redacted names).
KEPT_FIELDS = frozenset({"schema_version", "run_id", "app", "feature_file", "worker", "keyword", "status",
                         "error_kind"})
KEPT_ARTIFACT_FIELDS = frozenset({"screenshot", "trace"})


def append_record(run_dir: Path, record: StepRecord, secrets: Secrets | None = None) -> None:
    """Append one step record to ``steps.jsonl``, whole and atomically with respect to other workers.

    The line is written (a killed process keeps it) but not fsynced: :func:`sync_steps` does that
    once per scenario. Every form of every secret of the run is redacted from every field but
    :data:`KEPT_FIELDS`.
    """
    data = record.model_dump(mode="json")
    if secrets:
        artifacts = data.pop("artifacts")
        data = {key: value if key in KEPT_FIELDS else secrets.redact(value) for key, value in data.items()}
        data["artifacts"] = {key: value if key in KEPT_ARTIFACT_FIELDS else secrets.redact(value)
                             for key, value in artifacts.items()}
    append_line(run_dir / STEPS_JSONL, json_line(data), sync=False)


def sync_steps(run_dir: Path) -> None:
    """fsync what the scenario appended to ``steps.jsonl`` and ``guides.jsonl`` (the plugin, as each ends).

    Raises:
        OSError: The file system could not write them out (a full disk, an I/O error).
    """
    for name in (STEPS_JSONL, GUIDES_JSONL):
        sync_file(run_dir / name)


@dataclass(frozen=True)
class StepsFile:
    """``steps.jsonl`` as parsed: its records, the indexes of unreadable lines, and its line count."""

    records: tuple[StepRecord, ...]
    bad_at: tuple[int, ...]
    lines: int

    @property
    def truncated(self) -> bool:
        """Whether the last line is unreadable (a run killed while writing it)."""
        return bool(self.bad_at) and self.bad_at[-1] == self.lines - 1


_parsed: dict[str, tuple[tuple[int, int, int], StepsFile]] = {}
"""The last ``steps.jsonl`` parsed, by path: the report stage's writers each read the same file."""


def parse_steps(path: Path) -> StepsFile:
    """Parse a ``steps.jsonl`` file; an unchanged file (size, mtime, inode) is parsed once per process."""
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    name = str(path.resolve())
    last = _parsed.get(name)
    if last is not None and last[0] == key:
        return last[1]
    lines = [ln for ln in path.read_bytes().decode("utf-8", errors="replace").split("\n") if ln.strip()]
    records: list[StepRecord] = []
    bad_at: list[int] = []
    for i, line in enumerate(lines):
        try:
            records.append(StepRecord.model_validate_json(line))
        except ValueError:
            bad_at.append(i)
    parsed = StepsFile(records=tuple(records), bad_at=tuple(bad_at), lines=len(lines))
    _parsed.clear()  # keep one file: a large run's records are big
    _parsed[name] = (key, parsed)
    return parsed


def read_records(run_dir: Path) -> tuple[list[StepRecord], int]:
    """Read ``steps.jsonl``; return the records and the number of unreadable lines skipped."""
    path = run_dir / STEPS_JSONL
    if not path.is_file():
        return [], 0
    parsed = parse_steps(path)
    return list(parsed.records), len(parsed.bad_at)


def write_run_info(run_dir: Path, info: RunInfo) -> None:
    """Write ``run.json`` atomically; on a full disk, over its own blocks when it fits (a run closed all the same)."""
    write_atomic(run_dir / RUN_FILE, info.model_dump_json(indent=2), in_place_when_full=True)


def read_run_info(run_dir: Path) -> RunInfo:
    """Read ``run.json``.

    Raises:
        FileNotFoundError: There is none.
        RunFileError: It is not JSON, or not a run (the first problem, with the file).
    """
    path = run_dir / RUN_FILE
    try:
        return RunInfo.model_validate_json(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise RunFileError(f"not a valid run file: not UTF-8 text ({exc.reason})", path) from None
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(p) for p in problem["loc"])
        raise RunFileError(f"not a valid run file: {where + ': ' if where else ''}{problem['msg']}", path) from None


def flat_signals(signals: dict[str, Any]) -> dict[str, Any]:
    """Return the step's key signals as flat columns: the metrics the compare stage reads.

    Probe-only figures are ``None`` (not measured) when the probes did not run for the step.
    """
    load = signals.get("page_load") or {}
    probed = bool(signals.get("probed"))
    return {
        "navigations": signals.get("navigations"),
        "requests": signals.get("requests"),
        "failed_requests": len(signals.get("failed_requests") or []),
        "console_errors": len(signals.get("console_errors") or []),
        "page_errors": len(signals.get("page_errors") or []),
        "wait_ms": signals.get("wait_ms"),
        "action_ms": signals.get("action_ms"),
        "action": signals.get("action"),
        "ttfb_ms": load.get("ttfb_ms"),
        "dcl_ms": load.get("dom_content_loaded_ms"),
        "load_ms": load.get("load_ms"),
        "lcp_ms": load.get("lcp_ms"),
        "interaction_ms": signals.get("interaction_ms"),
        "tbt_ms": signals.get("tbt_ms") if probed else None,
        "cls": signals.get("cls") if probed else None,
    }


FLAT_SIGNALS = tuple(flat_signals({}))
"""Columns of ``steps.parquet`` that duplicate ``signals`` (dropped when records are read back)."""


COMMIT_VARS = ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT", "BUILD_SOURCEVERSION")
BRANCH_VARS = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "GIT_BRANCH", "BRANCH_NAME",
               "BUILD_SOURCEBRANCHNAME")
"""What CI servers (GitHub, GitLab, Jenkins, Azure) say; a CI checkout is often a detached HEAD."""


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def git_info(folder: Path) -> tuple[str | None, str | None]:
    """Return the commit and branch of ``folder``'s checkout: from the CI's variables, else from git."""
    commit = next((os.environ[v] for v in COMMIT_VARS if os.environ.get(v)), None) or _git(folder, "rev-parse",
                                                                                           "HEAD")
    branch = next((os.environ[v] for v in BRANCH_VARS if os.environ.get(v)), None)
    if branch is None:
        branch = _git(folder, "rev-parse", "--abbrev-ref", "HEAD")
        branch = None if branch == "HEAD" else branch
    return commit, branch


def history_dir(run_dir: Path, setting: str | None = None, shard: str | None = None) -> Path | None:
    """Where a run is registered: ``setting`` (``off``: nowhere), ``$HARNESS_HISTORY``, else beside the run.

    A shard (``shard``: its ``I/N``) is registered nowhere: ``harness merge`` registers the shards' one run.
    """
    if shard:
        return None
    value = setting if setting is not None else os.environ.get("HARNESS_HISTORY")
    if value in ("off", "no", "none"):
        return None
    return Path(value) if value else run_dir.resolve().parent / "history"


def default_history(candidate: Path | None = None) -> Path:
    """The history store to use when none was named."""
    if candidate is not None and (candidate / "run.json").is_file():
        found = history_dir(candidate)
        if found is not None:
            return found
    return history_dir(Path("reports") / "_") or Path("reports") / "history"
