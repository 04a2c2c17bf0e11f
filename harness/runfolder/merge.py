"""One run folder from the folders of a run's shards (``harness run --shard I/N``).

The shards' step records (their run id made the merged run's), guide step results, artifacts, browser
and settings go into a new folder with an open ``run.json``; :func:`harness.pipeline.merge_shards` then
closes it as any run (findings, guides, history, outputs computed once, on the whole). Shards must be of
one app, version, base URL and settings (all but the shard, the folder and the run id); a shard that is
missing makes the run ``incomplete`` and is named.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.contracts.guides import GUIDES_JSONL
from harness.contracts.records import ARTIFACTS_DIR, RUN_FILE, STEPS_JSONL, RunInfo, RunStatus
from harness.contracts.settings import SETTINGS_FILE, RunSettings, ShardSpec, parse_shard
from harness.errors import HarnessError
from harness.runfolder.io import BROWSER_INFO, read_run_info, write_run_info
from harness.runfolder.settings import read_settings, write_settings

MERGED_FROM = "merged_from"
"""The ``run.json`` field of a merged run: its shards, by ``I/N``, with their run folders' names."""
PER_SHARD = frozenset({"shard", "out", "run_id", "root", "allure_dir", "allure_history"})
"""The settings that differ between the shards of one run (``root``: each CI job checks out somewhere)."""
ALIKE = ("app", "app_version", "base_url", "env")
"""What every shard's ``run.json`` must agree on."""


@dataclass(frozen=True, slots=True)
class Shard:
    """A shard's run folder as read."""

    folder: Path
    spec: ShardSpec
    info: RunInfo
    settings: RunSettings | None


def read_shard(folder: Path) -> Shard:
    """Read one shard's folder.

    Raises:
        HarnessError: Not a run folder, not a shard, or its files do not read.
    """
    if not (folder / RUN_FILE).is_file():
        raise HarnessError("not a run folder (no run.json)", folder)
    try:
        info = read_run_info(folder)
    except (OSError, ValueError) as exc:
        raise HarnessError(f"run.json cannot be read: {exc}", folder / RUN_FILE) from None
    settings = None
    if (folder / SETTINGS_FILE).is_file():
        try:
            settings = read_settings(folder / SETTINGS_FILE)
        except (OSError, ValueError) as exc:
            raise HarnessError(f"settings.json cannot be read: {exc}", folder / SETTINGS_FILE) from None
    shard = info.options.get("shard")
    if not isinstance(shard, str):
        raise HarnessError("this run is no shard (run with --shard I/N)", folder)
    try:
        spec = parse_shard(shard)
    except ValueError as exc:
        raise HarnessError(str(exc), folder / RUN_FILE) from None
    return Shard(folder, spec, info, settings)


def _comparable(shard: Shard) -> dict[str, object]:
    """What must be the same in every shard of a run: the app, version, URL and every setting but the shard's own."""
    alike: dict[str, object] = {key: getattr(shard.info, key) for key in ALIKE}
    alike["shards"] = shard.spec.count
    alike["split from the history's runs"] = shard.info.options.get("shard_basis")
    if shard.settings is not None:
        root = str(shard.settings.root)
        values = shard.settings.model_dump(mode="json", exclude=set(PER_SHARD))
        values = json.loads(json.dumps(values).replace(json.dumps(root)[1:-1], "<root>"))
        alike.update({f"settings.{k}": v for k, v in values.items()})
    else:
        alike.update({f"options.{k}": v for k, v in shard.info.options.items() if k != "shard"})
    return alike


def check_shards(shards: Sequence[Shard]) -> list[str]:
    """Refuse shards that are not of one run; return the ``I/N`` of the shards that are missing.

    Raises:
        HarnessError: No shard, shards of different apps, versions, URLs, counts or settings, or one shard twice.
    """
    if not shards:
        raise HarnessError("no shard to merge")
    first = _comparable(shards[0])
    for shard in shards[1:]:
        other = _comparable(shard)
        differ = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
        if differ:
            shown = "; ".join(f"{k}: {first.get(k)!r} in {shards[0].folder.name}, {other.get(k)!r} in "
                              f"{shard.folder.name}" for k in differ[:4])
            raise HarnessError(f"these shards are not of one run ({shown}); merge the shards of one run only (shards "
                               "that read different histories split differently: give them all the same one)")
    seen: dict[int, Path] = {}
    for shard in shards:
        if shard.spec.index in seen:
            raise HarnessError(f"shard {shard.spec} is given twice: {seen[shard.spec.index]} and {shard.folder}")
        seen[shard.spec.index] = shard.folder
    count = shards[0].spec.count
    return [f"{i}/{count}" for i in range(1, count + 1) if i not in seen]


def _copy_lines(shards: Sequence[Shard], name: str, target: Path, run_id: str | None) -> None:
    """Concatenate one JSON-lines file of every shard, in shard order (the run id made ``run_id`` when given).

    Nothing is written when no shard has the file.
    """
    if not any((shard.folder / name).is_file() for shard in shards):
        return
    with target.open("w", encoding="utf-8") as out:
        for shard in shards:
            path = shard.folder / name
            if not path.is_file():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                if run_id is not None:
                    try:
                        data = json.loads(line)
                    except ValueError:  # a torn last line of a killed shard: it stays unreadable, as it was
                        out.write(line + "\n")
                        continue
                    if isinstance(data, dict) and "run_id" in data:
                        data["run_id"] = run_id
                        line = json.dumps(data, ensure_ascii=False)
                out.write(line + "\n")


def _copy_artifacts(shards: Sequence[Shard], target: Path) -> None:
    """Copy the shards' artifacts (screenshots, traces) beside each other; their names hold the scenario run's."""
    for shard in shards:
        source = shard.folder / ARTIFACTS_DIR
        if source.is_dir():
            shutil.copytree(source, target / ARTIFACTS_DIR, dirs_exist_ok=True)


def merged_run_id(shards: Sequence[Shard]) -> str:
    """The shards' common run id (``--run-id`` given to every shard), else the first shard's with ``-merged``."""
    ids = {s.info.run_id for s in shards}
    return ids.pop() if len(ids) == 1 else f"{shards[0].info.run_id}-merged"


def write_merged(shards: Sequence[Shard], folder: Path, out: Path, run_id: str, missing: Sequence[str],
                 allure_dir: Path | None = None) -> RunInfo:
    """Fill an empty ``folder`` with the shards' records and files, and an open ``run.json``.

    Args:
        shards: The shards, in shard order.
        folder: The new run folder (empty), moved to ``out`` once closed.
        out: Where the merged run will be.
        run_id: The merged run's id.
        missing: The shards that are not there, by ``I/N``.
        allure_dir: Where the merged run's Allure results go (``None``: none; each shard's stay its own).

    Returns:
        The open run (no ``ended_at`` yet): the earliest start, every feature, the shards named.
    """
    first = shards[0]
    _copy_lines(shards, STEPS_JSONL, folder / STEPS_JSONL, run_id)
    _copy_lines(shards, GUIDES_JSONL, folder / GUIDES_JSONL, None)
    _copy_artifacts(shards, folder)
    browser = next((s.folder / BROWSER_INFO for s in shards if (s.folder / BROWSER_INFO).is_file()), None)
    if browser is not None:
        shutil.copyfile(browser, folder / BROWSER_INFO)
    if first.settings is not None:
        write_settings(folder / SETTINGS_FILE, first.settings.model_copy(
            update={"shard": None, "out": out, "run_id": run_id, "allure_dir": allure_dir, "allure_history": None}))
    errors = [f"shard {s.spec}: {s.info.error}" for s in shards if s.info.error]
    if missing:
        errors.insert(0, f"shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} missing: "
                         f"their scenario runs are not in this run")
    options = {k: v for k, v in first.info.options.items()
               if k not in ("shard", "shard_basis", "allure_dir", "allure_history")}
    if allure_dir is not None:
        options["allure_dir"] = str(allure_dir)
    info = first.info.model_copy(update={
        "run_id": run_id, "started_at": min(s.info.started_at for s in shards), "ended_at": None,
        "features": sorted({f for s in shards for f in s.info.features}), "options": options,
        "status": "incomplete", "exit_code": None, "error": "; ".join(errors) or None, "totals": {}, "unwritten": {},
    })
    setattr(info, MERGED_FROM, {str(s.spec): s.folder.name for s in shards} | {m: None for m in missing})
    write_run_info(folder, info)
    return info


def shard_status(shards: Sequence[Shard], missing: Sequence[str]) -> RunStatus | None:
    """The merged run's status when a shard did not complete: ``errored`` before ``incomplete`` (None: all did)."""
    statuses = {s.info.status for s in shards}
    if "errored" in statuses:
        return "errored"
    if missing or statuses - {"complete"}:
        return "incomplete"
    return None


def latest_end(shards: Sequence[Shard]) -> str | None:
    """When the last shard ended (``None`` when one never closed)."""
    ends = [s.info.ended_at for s in shards]
    return None if any(e is None for e in ends) else max(e for e in ends if e is not None)


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that holds something else than an earlier merge (which a new merge replaces).

    Raises:
        HarnessError: ``out`` is a file, or a folder with other things in it.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise HarnessError("this is a file, not a folder; pick another --out", out)
    previous = out / RUN_FILE
    try:
        merged = previous.is_file() and MERGED_FROM in json.loads(previous.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        merged = False
    if not merged and any(out.iterdir()):
        raise HarnessError("this folder holds something else than a merged run; pick another --out", out)


def replace_folder(staging: Path, out: Path) -> None:
    """Put the merged folder in place of ``out`` (checked by :func:`check_out`; an earlier merge is replaced)."""
    if out.exists():
        old = out.with_name(f".old-{out.name}")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(out)
