"""The history store: every registered run, small enough to keep, to pick baselines and draw trends.

Layout of a history folder (default ``reports/history``)::

    runs/<run_id>/run.json          a copy of the run's run.json
    runs/<run_id>/steps.parquet     the run's step table, only HISTORY_COLUMNS (missing ones as nulls)
    runs/<run_id>/findings.json     copied when the run has one
    runs/<run_id>/guides.json       copied when the run has one
    runs/<run_id>/targets.json      copied when the run has one: its UI-map targets' passing fingerprints
    runs/<run_id>/registered.json   where the run came from and when it was registered
    index.parquet                   one row per run (INDEX_SCHEMA), sorted by started_at
    .lock                           registrations and index rebuilds hold an flock on it

Registering is idempotent, serialised by the lock, and writes the index to a temporary file
that replaces the old one, so readers never see a half-written index. A missing or unreadable
index is rebuilt from ``runs/*/run.json``.

Baseline specs (:func:`resolve`), newest run first:

- ``PATH``: a run folder (it holds run.json), registered or not;
- ``RUN_ID``: a run of the history, by its id or a unique prefix of at least 6 characters;
- ``last``, ``last:N``: the latest run, the latest N runs (up to N);
- ``green``, ``green:BRANCH``: the latest green run (complete, exit code 0, no failed scenario),
  on any branch or on git branch BRANCH (``green:main``: the last green run on main);
- ``version:V``, ``version:V:all``: the latest run whose app version is V, every such run;
- ``label:L``, ``label:L:N``: the latest run labelled L, the latest N of them (up to N).

``app`` and ``env`` restrict every kind of spec, and ``exclude`` removes run ids (the candidate
itself). ``last`` and ``green`` never pick an ``errored`` run. An error says what exists instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from harness.contracts.guides import GUIDES_JSON
from harness.contracts.metrics import HISTORY_COLUMNS, METRICS
from harness.contracts.records import FINDINGS_JSON, RUN_FILE, STEPS_PARQUET, RunInfo
from harness.contracts.targets import TARGETS_JSON, TargetsFile
from harness.errors import HarnessError
from harness.runfolder.files import atomic_path
from harness.runfolder.io import read_records, read_run_info
from harness.runfolder.parquet import records_frame
from harness.runfolder.targets import merge_newest, read_targets

DEFAULT_HISTORY = Path("reports") / "history"
RUNS_DIR = "runs"
INDEX_FILE = "index.parquet"
LOCK_FILE = ".lock"
REGISTERED_JSON = "registered.json"
COPIED = (FINDINGS_JSON, GUIDES_JSON, TARGETS_JSON)
"""Small files of a run folder copied as they are, when present."""
MIN_PREFIX = 6

_TS = pa.timestamp("us", tz="UTC")
INDEX_SCHEMA = pa.schema([
    ("run_id", pa.string()), ("app", pa.string()), ("app_version", pa.string()), ("env", pa.string()),
    ("git_branch", pa.string()), ("git_commit", pa.string()), ("labels", pa.list_(pa.string())),
    ("started_at", _TS), ("ended_at", _TS), ("status", pa.string()), ("green", pa.bool_()),
    ("scenarios", pa.int64()), ("scenarios_failed", pa.int64()), ("steps", pa.int64()), ("repeat", pa.int64()),
    ("source", pa.string()), ("registered_at", _TS),
])
"""The columns of ``index.parquet``."""
INDEX_COLUMNS = tuple(INDEX_SCHEMA.names)

_INTEGER = {"step_index", "repeat", "attempt", "scenario_steps"}
_NUMERIC = {m.column for m in METRICS}
STEPS_SCHEMA = pa.schema([
    (c, pa.float64() if c in _NUMERIC else pa.int64() if c in _INTEGER else pa.string()) for c in HISTORY_COLUMNS
])
"""The history's ``steps.parquet``: HISTORY_COLUMNS, metrics as float64."""


class HistoryError(HarnessError):
    """The history cannot do what was asked; the message says why and what exists (the CLI exits 2)."""


class NoBaselineYet(HistoryError):
    """A selector (``last``, ``green:main``, ``version:V``...) that no run matches yet.

    ``harness compare`` treats it as any error; a run compared after it ends notes it and goes
    on, since the first run of a pipeline has nothing to compare with.
    """


@dataclass(frozen=True, slots=True)
class RunRef:
    """A run picked from the history, or given by its folder.

    Attributes:
        run_id: The run's id.
        folder: Where its run.json and steps.parquet are (the history copy, or the run folder given by path).
        info: Its run.json.
    """

    run_id: str
    folder: Path
    info: RunInfo


# --- writing ---------------------------------------------------------------------------------
@contextmanager
def _locked(history: Path) -> Iterator[None]:
    """Hold the history's exclusive lock (creating the folder when needed)."""
    history.mkdir(parents=True, exist_ok=True)
    with (history / LOCK_FILE).open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Return ``table`` with exactly ``schema``'s columns and types; missing columns become nulls."""
    columns = []
    for field in schema:
        if field.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        if column.type == field.type:
            columns.append(column)
            continue
        try:
            columns.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # odd values in an old run: coerce one by one
            values = column.to_pylist()
            if pa.types.is_string(field.type):
                columns.append(pa.array([None if v is None else str(v) for v in values], field.type))
            else:
                floats = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").astype("float64")
                numbers: pd.Series = floats.where(floats == floats.round()).astype("Int64") \
                    if pa.types.is_integer(field.type) else floats
                columns.append(pa.array(numbers, field.type, from_pandas=True))
    return pa.Table.from_arrays(columns, schema=schema)


def _run_steps(folder: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a run folder's step table as HISTORY_COLUMNS (from steps.parquet, else steps.jsonl)."""
    schema = STEPS_SCHEMA if columns is None else pa.schema([STEPS_SCHEMA.field(c) for c in columns])
    path = folder / STEPS_PARQUET
    if path.is_file():
        try:
            present = set(pq.read_schema(path).names)
            table = pq.read_table(path, columns=[c for c in schema.names if c in present])
        except (OSError, pa.ArrowException) as exc:
            raise HistoryError(f"{path} cannot be read ({type(exc).__name__}: {exc})") from exc
    else:
        records, _bad = read_records(folder)
        frame = records_frame(records)
        table = pa.Table.from_pandas(frame[[c for c in schema.names if c in frame]], preserve_index=False)
    return _conform(table, schema)


def _timestamp(value: Any) -> datetime | None:
    """An ISO-8601 text as an aware UTC datetime (naive times are taken as UTC); ``None`` when unreadable."""
    if not value:
        return None
    stamp = pd.to_datetime(value, utc=True, errors="coerce")
    return None if pd.isna(stamp) else stamp.to_pydatetime()


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _row(info: RunInfo, source: str | None, registered_at: datetime | None) -> dict[str, Any]:
    """The index row of a run."""
    failed = _int(info.totals.get("scenarios_failed"), 0)
    return {
        "run_id": info.run_id, "app": info.app, "app_version": info.app_version, "env": info.env,
        "git_branch": info.git_branch, "git_commit": info.git_commit, "labels": list(info.labels),
        "started_at": _timestamp(info.started_at), "ended_at": _timestamp(info.ended_at), "status": info.status,
        "green": info.status == "complete" and info.exit_code == 0 and failed == 0,
        "scenarios": _int(info.totals.get("scenarios"), 0), "scenarios_failed": failed,
        "steps": _int(info.totals.get("steps"), 0), "repeat": _int(info.options.get("repeat"), 1),
        "source": source, "registered_at": registered_at,
    }


def _write_index(history: Path, rows: list[dict[str, Any]]) -> pa.Table:
    """Write the index atomically (temporary file, fsync, os.replace); call with the lock held."""
    epoch = datetime.min.replace(tzinfo=UTC)
    rows = sorted(rows, key=lambda r: (r["started_at"] or epoch, r["run_id"]))
    table = pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)
    with atomic_path(history / INDEX_FILE) as tmp, tmp.open("wb") as fh:
        pq.write_table(table, fh)
        fh.flush()
        os.fsync(fh.fileno())
    return table


def _read_index_table(history: Path) -> pa.Table | None:
    """The index as written, or ``None`` when it is missing or unreadable."""
    path = history / INDEX_FILE
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        return _conform(table.select(INDEX_COLUMNS), INDEX_SCHEMA)
    except (OSError, KeyError, pa.ArrowException):
        return None


def _run_folders(history: Path) -> list[Path]:
    """The runs' folders of the history (not the hidden ones a registration is writing)."""
    runs = history / RUNS_DIR
    if not runs.is_dir():
        return []
    return sorted(p for p in runs.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / RUN_FILE).is_file())


def _rows_from_folders(history: Path) -> list[dict[str, Any]]:
    rows = []
    for folder in _run_folders(history):
        try:
            info = read_run_info(folder)
        except (OSError, ValueError):
            continue  # an unreadable copy is left out of the index, not fatal
        source, registered_at = None, None
        with suppress(OSError, ValueError, AttributeError):
            extra = json.loads((folder / REGISTERED_JSON).read_text(encoding="utf-8"))
            source, registered_at = extra.get("source"), _timestamp(extra.get("registered_at"))
        if registered_at is None:
            registered_at = datetime.fromtimestamp((folder / RUN_FILE).stat().st_mtime, UTC)
        rows.append(_row(info, source, registered_at))
    return rows


def _frame(table: pa.Table) -> pd.DataFrame:
    """The index as pandas: labels as lists of strings, rows by started_at."""
    frame = table.to_pandas()
    frame["labels"] = [list(v) if v is not None else [] for v in frame["labels"]]
    return frame.sort_values(["started_at", "run_id"], kind="stable", na_position="first").reset_index(drop=True)


def _clean_leftovers(runs: Path) -> None:
    """Remove what an interrupted registration left (call with the lock held)."""
    if runs.is_dir():
        for path in runs.iterdir():
            if path.name.startswith((".staging-", ".old-")) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)


def register(run_dir: Path, history: Path = DEFAULT_HISTORY) -> RunRef:
    """Copy a run's small files into the history and add (or replace) its row in the index.

    Args:
        run_dir: The run folder (it holds run.json, and steps.parquet or steps.jsonl).
        history: The history folder.

    Returns:
        The run as the history now holds it.

    Raises:
        HistoryError: When the folder is no run folder or its run id cannot name a folder.
    """
    run_dir = Path(run_dir).resolve()
    history = Path(history)
    if not (run_dir / RUN_FILE).is_file():
        raise HistoryError(f"{run_dir} is not a run folder (no {RUN_FILE})")
    raw = (run_dir / RUN_FILE).read_bytes()  # parsed and copied from the same bytes
    try:
        info = RunInfo.model_validate_json(raw)
    except ValueError as exc:
        raise HistoryError(f"{run_dir / RUN_FILE} cannot be read: {exc}") from exc
    run_id = info.run_id
    if not run_id or run_id.startswith(".") or "/" in run_id or "\\" in run_id or "\0" in run_id:
        raise HistoryError(f"run id {run_id!r} of {run_dir} cannot name a folder")
    steps = _run_steps(run_dir)  # outside the lock: building it from steps.jsonl may take a while
    registered_at = datetime.now(UTC)
    runs = history / RUNS_DIR
    target = runs / run_id
    with _locked(history):
        _clean_leftovers(runs)
        runs.mkdir(exist_ok=True)
        staging = runs / f".staging-{run_id}-{uuid.uuid4().hex[:8]}"
        old = runs / f".old-{run_id}-{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            pq.write_table(steps, staging / STEPS_PARQUET)
            for name in COPIED:
                if (run_dir / name).is_file():
                    shutil.copyfile(run_dir / name, staging / name)
            (staging / REGISTERED_JSON).write_text(
                json.dumps({"source": str(run_dir), "registered_at": registered_at.isoformat()}), encoding="utf-8")
            (staging / RUN_FILE).write_bytes(raw)  # last: a folder with run.json is complete
            if target.exists():
                target.rename(old)
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
        table = _read_index_table(history)
        if table is None:  # missing or corrupt: the folders (this run's included) are the truth
            rows = _rows_from_folders(history)
        else:
            rows = [r for r in table.to_pylist() if r["run_id"] != run_id]
            rows.append(_row(info, str(run_dir), registered_at))
        _write_index(history, rows)
    return RunRef(run_id, target, info)


def rebuild_index(history: Path) -> pd.DataFrame:
    """Rebuild ``index.parquet`` from the runs' folders (``runs/*/run.json``) and return it."""
    history = Path(history)
    with _locked(history):
        _clean_leftovers(history / RUNS_DIR)
        return _frame(_write_index(history, _rows_from_folders(history)))


# --- reading ---------------------------------------------------------------------------------
def read_index(history: Path = DEFAULT_HISTORY) -> pd.DataFrame:
    """Return the index, one row per run sorted by started_at (no rows when there is no history).

    A missing index beside run folders, or an unreadable one, is rebuilt.
    """
    history = Path(history)
    table = _read_index_table(history)
    if table is not None:
        return _frame(table)
    if not _run_folders(history) and not (history / INDEX_FILE).exists():
        return _frame(INDEX_SCHEMA.empty_table())
    try:
        with _locked(history):  # another process may be writing it right now: look again under the lock
            table = _read_index_table(history)
            if table is None:
                table = _write_index(history, _rows_from_folders(history))
    except OSError:  # a read-only history: answer from the folders without writing
        table = pa.Table.from_pylist(_rows_from_folders(history), schema=INDEX_SCHEMA)
    return _frame(table)


def _columns(columns: Sequence[str] | None) -> list[str]:
    if columns is None:
        return list(HISTORY_COLUMNS)
    unknown = [c for c in columns if c not in STEPS_SCHEMA.names]
    if unknown:
        raise HistoryError(f"the history keeps no column {', '.join(unknown)} (it keeps {', '.join(HISTORY_COLUMNS)})")
    return list(dict.fromkeys(columns))


def load_steps(refs: Sequence[RunRef], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the step rows of these runs, one after the other.

    Args:
        refs: Runs from :func:`resolve` or :func:`register` (history copies or run folders).
        columns: Columns to read (default: HISTORY_COLUMNS).

    Returns:
        The rows, with metrics as float64 and nulls for what a run did not measure.
    """
    names = _columns(columns)
    schema = pa.schema([STEPS_SCHEMA.field(c) for c in names])
    tables = [_run_steps(ref.folder, names) for ref in refs]
    return (pa.concat_tables(tables) if tables else schema.empty_table()).to_pandas()


def load_history_steps(history: Path, run_ids: Sequence[str] | None = None,
                       columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return the step rows of every run of the history (or of ``run_ids``) in one read.

    Args:
        history: The history folder.
        run_ids: The runs to read (default: all of them).
        columns: Columns to read (default: HISTORY_COLUMNS).

    Raises:
        HistoryError: For a run id the history does not hold.
    """
    history = Path(history)
    names = _columns(columns)
    schema = pa.schema([STEPS_SCHEMA.field(c) for c in names])
    if run_ids is None:
        paths = [f / STEPS_PARQUET for f in _run_folders(history) if (f / STEPS_PARQUET).is_file()]
    else:
        ids = list(dict.fromkeys(run_ids))
        missing = [r for r in ids
                   if "/" in r or r.startswith(".") or not (history / RUNS_DIR / r / STEPS_PARQUET).is_file()]
        if missing:
            raise HistoryError(f"the history at {history} holds no run {', '.join(missing)}")
        paths = [history / RUNS_DIR / r / STEPS_PARQUET for r in ids]
    if not paths:
        return schema.empty_table().to_pandas()
    dataset = ds.dataset([str(p) for p in paths], format="parquet", schema=STEPS_SCHEMA)
    return dataset.to_table(columns=names).to_pandas()


# --- picking baselines -----------------------------------------------------------------------
def _ref(history: Path, run_id: str) -> RunRef:
    folder = history / RUNS_DIR / run_id
    try:
        return RunRef(run_id, folder, read_run_info(folder))
    except (OSError, ValueError) as exc:
        raise HistoryError(f"run {run_id} is in the index of {history} but its folder cannot be read "
                           f"({type(exc).__name__}); `rebuild_index` resyncs them") from exc


def _listing(values: Iterable[Any], what: str) -> str:
    known = sorted({str(v) for v in values if v is not None and not (isinstance(v, float) and pd.isna(v))})
    return f"{what}: {', '.join(known)}" if known else f"no {what} recorded"


def _count(text: str, spec: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise HistoryError(f"{spec!r}: the count must be a whole number of at least 1, not {text!r}")
    return int(text)


def _parse_spec(spec: str) -> tuple[str, str | None, int | None]:
    """Split a selector into (kind, value, count); kind ``id`` for anything that is no selector.

    ``count`` is ``None`` for "all of them".
    """
    kind, _, rest = spec.partition(":")
    if kind == "last":
        return "last", None, _count(rest, spec) if rest else 1
    if kind == "green":
        return "green", rest or None, 1
    if kind == "version" and rest:
        return ("version", rest[:-4], None) if rest.endswith(":all") else ("version", rest, 1)
    if kind == "label" and rest:
        label, _, count = rest.rpartition(":")
        return ("label", label, _count(count, spec)) if label and count.isdigit() else ("label", rest, 1)
    return "id", spec, 1


def _describe(history: Path, app: str | None, env: str | None) -> str:
    where = f"the history at {history}"
    return where + (f" (app {app})" if app else "") + (f" (env {env})" if env else "")


def resolve(spec: str, history: Path = DEFAULT_HISTORY, *, app: str | None = None, env: str | None = None,
            exclude: Iterable[str] = ()) -> list[RunRef]:
    """Pick runs by a baseline spec (grammar in the module docstring), newest first.

    Args:
        spec: A run folder, a run id (or a unique prefix of 6+ characters) or a selector.
        history: The history folder.
        app: Only runs of this app.
        env: Only runs in this environment.
        exclude: Run ids never picked (the candidate itself).

    Raises:
        HistoryError: When nothing matches; the message lists what exists.
    """
    history = Path(history)
    spec = spec.strip()
    excluded = set(exclude)
    if not spec:
        raise HistoryError("empty baseline spec (a run folder, a run id, last, green, version:V, label:L...)")
    folder = Path(spec).expanduser()
    if (folder / RUN_FILE).is_file():
        try:
            info = read_run_info(folder)
        except ValueError as exc:
            raise HistoryError(f"{folder / RUN_FILE} cannot be read: {exc}") from exc
        _check_filters(info.run_id, info.app, info.env, app, env, excluded)
        return [RunRef(info.run_id, folder.resolve(), info)]

    kind, value, count = _parse_spec(spec)
    if kind == "id" and "/" in spec:  # a path (run ids have no slash): it names a folder, not a run of the history
        raise HistoryError(f"{spec}: no run folder there (no {RUN_FILE})")
    index = read_index(history)
    missing = HistoryError if kind == "id" else NoBaselineYet
    if index.empty:
        raise missing(f"the history at {history} holds no run (register one first)")
    if kind == "id":
        return [_ref(history, _pick_id(spec, index, history, app, env, excluded))]

    runs = index
    if app is not None:
        runs = runs[runs["app"] == app]
        if runs.empty:
            raise NoBaselineYet(f"the history at {history} holds no run of app {app} "
                                f"({_listing(index['app'], 'apps')})")
    if env is not None:
        in_env = runs[runs["env"] == env]
        if in_env.empty:
            raise NoBaselineYet(f"{_describe(history, app, None)} holds no run in env {env} "
                               f"({_listing(runs['env'], 'envs')})")
        runs = in_env
    runs = runs[~runs["run_id"].isin(excluded)]
    where = _describe(history, app, env)
    if runs.empty:
        raise NoBaselineYet(f"{where} holds no run but the excluded {', '.join(sorted(excluded))}")
    runs = runs.iloc[::-1]  # newest first
    if kind in ("last", "green"):
        runs = runs[runs["status"] != "errored"]
        if runs.empty:
            raise NoBaselineYet(f"every run of {where} errored; none can be a baseline")
    if kind == "green":
        green = runs[runs["green"]]
        if value is not None:
            on_branch = green[green["git_branch"] == value]
            if on_branch.empty:
                raise NoBaselineYet(f"{where} holds no green run on branch {value} "
                                   f"({_listing(green['git_branch'], 'branches with a green run')}; "
                                   f"{_listing(runs['git_branch'], 'branches')})")
            green = on_branch
        elif green.empty:
            raise NoBaselineYet(f"{where} holds no green run (complete, exit code 0, no failed scenario); "
                               f"statuses of its {len(runs)} runs: "
                               + ", ".join(f"{s} {n}" for s, n in runs["status"].value_counts().items()))
        runs = green
    elif kind == "version":
        chosen = runs[runs["app_version"] == value]
        if chosen.empty:
            raise NoBaselineYet(f"{where} holds no run of version {value} "
                                f"({_listing(runs['app_version'], 'versions')})")
        runs = chosen
    elif kind == "label":
        chosen = runs[[value in labels for labels in runs["labels"]]]
        if chosen.empty:
            raise NoBaselineYet(f"{where} holds no run labelled {value} "
                               f"({_listing((x for ls in runs['labels'] for x in ls), 'labels')})")
        runs = chosen
    picked = runs["run_id"].tolist() if count is None else runs["run_id"].tolist()[:count]
    return [_ref(history, run_id) for run_id in picked]


def _check_filters(run_id: str, run_app: str | None, run_env: str | None, app: str | None, env: str | None,
                   excluded: set[str]) -> None:
    if app is not None and run_app != app:
        raise HistoryError(f"run {run_id} is a run of app {run_app}, not {app}")
    if env is not None and run_env != env:
        raise HistoryError(f"run {run_id} ran in env {run_env or '(none)'}, not {env}")
    if run_id in excluded:
        raise HistoryError(f"run {run_id} is excluded (it is the run being compared)")


def _pick_id(spec: str, index: pd.DataFrame, history: Path, app: str | None, env: str | None,
             excluded: set[str]) -> str:
    """The run id ``spec`` names (exactly, or as a unique prefix), checked against the filters."""
    ids = index["run_id"].tolist()
    if spec in ids:
        matches = [spec]
    elif len(spec) >= MIN_PREFIX:
        matches = [r for r in ids if r.startswith(spec)]
    else:
        matches = []
    if not matches:
        latest = ", ".join(reversed(ids[-3:]))
        looks_like_path = os.sep in spec or spec.startswith((".", "~"))
        hint = (f"{spec} holds no {RUN_FILE}; " if looks_like_path
                else f"an id prefix needs {MIN_PREFIX}+ characters; " if len(spec) < MIN_PREFIX else "")
        raise HistoryError(f"{spec!r} is no run folder, run id or selector (last, last:N, green, green:BRANCH, "
                           f"version:V, version:V:all, label:L, label:L:N): {hint}the history at {history} holds "
                           f"{len(ids)} runs, latest {latest}")
    if len(matches) > 1:
        raise HistoryError(f"run id prefix {spec!r} is ambiguous in the history at {history}: {', '.join(matches)}")
    row = index[index["run_id"] == matches[0]].iloc[0]
    run_app, run_env = (None if pd.isna(row[c]) else row[c] for c in ("app", "env"))
    _check_filters(matches[0], run_app, run_env, app, env, excluded)
    return matches[0]


#: How many of an app's latest runs are read for the baselines of its UI-map targets.
TARGET_RUNS = 50


def target_baselines(history: Path | None, app: str) -> TargetsFile:
    """The newest passing fingerprint of each of ``app``'s UI-map targets over its latest runs, newest run first.

    A target keeps the fingerprint of the last run where a step resolved it and passed, so the last
    green run of a target is its baseline without any extra command. An unreadable history gives none:
    repairs are then only missing their baseline, never a reason to stop a run.
    """
    if history is None or not history.is_dir():
        return TargetsFile(app=app)
    try:
        index = read_index(history)
    except (HistoryError, OSError, ValueError):
        return TargetsFile(app=app)
    runs = index[(index["app"] == app) & (index["status"] != "errored")].tail(TARGET_RUNS)
    files = (read_targets(history / RUNS_DIR / str(run_id) / TARGETS_JSON) for run_id in reversed(list(runs["run_id"])))
    return merge_newest(files, app)
