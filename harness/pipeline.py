"""The one place that chains the stages: collect → audit → compare → report.

The CLI and the pytest plugin call these functions; the stages never call each other.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest import ExitCode

from harness.audit.findings import audit_run, settings_for_run
from harness.collect.config import CollectConfig
from harness.collect.guide_check import GuideRun, check
from harness.collect.guide_journeys import check_after_steps
from harness.collect.journey_guides import finish as finish_guides
from harness.collect.runner import Finish, check_reachable
from harness.contracts.comparison import COMPARISON_JSON, SUMMARY_MD, Comparison
from harness.contracts.guides import GUIDES_JSON, GUIDES_JSONL, GuidesFile
from harness.contracts.records import (
    FINDINGS_JSON,
    HISTORY_ENTRY,
    RUN_FILE,
    STEPS_PARQUET,
    FindingsFile,
    RunInfo,
    RunStatus,
)
from harness.contracts.settings import SETTINGS_FILE, RunSettings
from harness.contracts.targets import FIXES_PATCH as UI_MAP_PATCH
from harness.contracts.targets import TARGETS_JSON
from harness.errors import HarnessError, describe, note
from harness.guides import uimap_fixes
from harness.guides.fixes import FIXES_PATCH, FixesPatch, fixes_patch
from harness.guides.results import outline, summarise
from harness.guides.similarity import SUGGEST_MIN
from harness.outcomes import exit_code, scenarios, totals
from harness.redaction import Secrets
from harness.report.allure.results import write_allure_results
from harness.report.markdown.comparison import render_summary
from harness.report.outputs import ALLURE_RESULTS, Outputs, write_outputs
from harness.runfolder.comparison import write_comparison
from harness.runfolder.files import write_atomic
from harness.runfolder.findings import write_findings
from harness.runfolder.guides import write_guides
from harness.runfolder.history import register, resolve
from harness.runfolder.io import (
    BROWSER_INFO,
    RUN_ERROR,
    default_history,
    history_dir,
    now_iso,
    read_records,
    read_run_info,
    write_run_info,
)
from harness.runfolder.parquet import write_parquet
from harness.runfolder.settings import read_settings
from harness.runfolder.targets import write_targets
from harness.spec.friction import FrictionSettings
from harness.spec.guide_baseline import Baseline
from harness.spec.guides import Guide
from harness.spec.profile import AppProfile, find_profile, load_profile, profile_candidates
from harness.spec.regressions import RegressionConfig, load_config
from harness.spec.secrets import secrets_of_paths


def finish_run(run_dir: Path, exitstatus: int, build: bool = True, status: RunStatus | None = None,
               friction: FrictionSettings | None = None, history: Path | None = None, error: str | None = None,
               unwritten: dict[str, str] | None = None, secrets: Secrets | None = None,
               ended_at: str | None = None) -> RunInfo:
    """Close a run folder: run.json (totals, status, exit code), parquet, findings, history entry, the outputs.

    Totals and exit code come from the scenarios' outcomes (:mod:`harness.outcomes`). Each file is
    written on its own: one that cannot be (a full disk, a read-only folder) is named with its error
    in ``run.json``'s ``unwritten`` and the others are still written; the step records are only
    read. ``run.json`` goes first, over its own blocks on a full disk. ``harness report RUN_DIR``
    writes the rest later.

    Args:
        run_dir: The run folder.
        exitstatus: pytest's exit status.
        build: Write report.html and the other outputs (else only the Allure results a run asked for).
        status: Force the run's status (``incomplete`` after an interruption).
        friction: The app's friction thresholds (``None``: found from the run, else defaults).
        history: The history store to register the run in (``None``: not registered).
        error: Why the run stopped early, when the run folder could not keep it (``.run-error.txt``).
        unwritten: What the end of the run could not write before this (``guides.json``).
        secrets: The run's secrets (``None``: computed again from its profile and features where needed).
        ended_at: When the run ended (``None``: now).

    Returns:
        The closed run, as run.json holds it (or would, when it could not be written).
    """
    info = closed_info(run_dir, exitstatus, status, error, ended_at)
    failed = dict(unwritten or {})
    _attempt(failed, RUN_FILE, lambda: write_run_info(run_dir, info))
    _attempt(failed, STEPS_PARQUET, lambda: write_parquet(run_dir))
    _attempt(failed, TARGETS_JSON, lambda: write_targets(run_dir))
    _attempt(failed, FINDINGS_JSON, lambda: write_findings(run_dir, audit_run(run_dir, friction)))
    if history is not None:  # `harness history add` (or `harness report`) can register it later
        _attempt(failed, HISTORY_ENTRY, lambda: register(run_dir, history))
    if build:
        failed.update(write_outputs(run_dir, quiet=True, secrets=secrets).failed)
    else:  # a run asked for Allure results (--alluredir) without the report: they are finished anyway
        _attempt(failed, ALLURE_RESULTS, lambda: write_allure_results(run_dir, secrets=secrets))
    return _name_unwritten(run_dir, info, failed)


def closed_info(run_dir: Path, exitstatus: int, status: RunStatus | None = None, error: str | None = None,
                ended_at: str | None = None) -> RunInfo:
    """``run.json`` as the run ends, from what is on disk: totals, status, exit code (nothing is written).

    Args:
        run_dir: The run folder.
        exitstatus: pytest's exit status (``INTERRUPTED``: the run is ``incomplete``).
        status: Force the run's status.
        error: Why the run stopped early, when ``.run-error.txt`` does not say.
        ended_at: When the run ended (``None``: now).
    """
    info = read_run_info(run_dir)
    records, _bad = read_records(run_dir)
    browser = run_dir / BROWSER_INFO
    if browser.exists():
        for key, value in json.loads(browser.read_text()).items():
            setattr(info, key, value)
    saved = run_dir / RUN_ERROR
    error = (saved.read_text(encoding="utf-8").strip() if saved.exists() else "") or error
    if error:
        info.error = error
        status = status or "errored"
    info.totals = totals(records)
    info.ended_at = ended_at or now_iso()
    stopped: RunStatus = "incomplete" if exitstatus == ExitCode.INTERRUPTED else "errored"  # Ctrl-C, SIGTERM
    info.status = status or ("complete" if exitstatus in (0, 1, 5) else stopped)
    info.exit_code = exit_code((s.outcome for s in scenarios(records)), errored=bool(info.error),
                               stopped=exitstatus not in (0, 5))
    info.unwritten = {}
    return info


def _attempt(failed: dict[str, str], name: str, write: Callable[[], object],
             errors: tuple[type[Exception], ...] = (Exception,)) -> bool:
    """Write one output; when it fails, name it in ``failed`` with the error in words, and go on."""
    try:
        write()
    except errors as exc:
        failed[name] = describe(exc)
        return False
    return True


def _name_unwritten(run_dir: Path, info: RunInfo, failed: dict[str, str]) -> RunInfo:
    """Say in ``run.json`` what could not be written (when run.json itself can be written)."""
    if failed != info.unwritten and RUN_FILE not in failed:
        info.unwritten = failed
        _attempt(failed, RUN_FILE, lambda: write_run_info(run_dir, info))
    info.unwritten = failed
    return info


def journeys_finisher(history: str | None = None, shard: str | None = None) -> Finish:
    """What closes a run folder that pytest could not close: :func:`finish_run`, registering in ``history``
    (unless the run is a shard)."""

    def finish(run_dir: Path, exitstatus: int, status: RunStatus | None = None) -> RunInfo:
        return finish_run(run_dir, exitstatus, status=status, history=history_dir(run_dir, history, shard))

    return finish


def end_of_run(cfg: CollectConfig, exitstatus: int) -> RunInfo:
    """The end of a pytest run of journeys: guides summarised, then the run closed (see :func:`finish_run`).

    What could not be written is named on stderr (and in ``run.json``'s ``unwritten``).
    """
    unwritten = _guides_summary(lambda: finish_guides(
        cfg.profile, cfg.guides_dir, cfg.run_dir, {"app": cfg.profile.name, "base_url": cfg.base_url}, cfg.secrets))
    settings = cfg.settings
    info = finish_run(cfg.run_dir, exitstatus=exitstatus, build=settings.report, friction=cfg.profile.friction,
                      history=history_dir(cfg.run_dir, settings.history, settings.shard), error=cfg.error,
                      unwritten=unwritten,
                      secrets=cfg.secrets)
    for name, problem in info.unwritten.items():
        note(f"harness: {name} could not be written: {problem}")
    return info


def merge_shards(folders: Sequence[Path], out: Path, history: str | None = None, build: bool = True,
                 allure_dir: Path | None = None) -> RunInfo:
    """One run of a run's shards (``harness run --shard I/N``): their steps, then everything else computed once.

    The shards' records and files are put together (:mod:`harness.runfolder.merge`), then the run is closed
    as one: guides summarised, findings audited, the outputs written, the run registered in the history
    once. A missing shard makes the run ``incomplete`` (and one that did not complete, ``errored`` or
    ``incomplete``); ``run.json``'s ``error`` names it. The same shards merged again give the same folder
    (but for the times its outputs were generated at), which replaces the earlier one.

    Args:
        folders: The shards' run folders, in any order.
        out: The merged run's folder.
        history: The history store (``off``: none; ``None``: ``history/`` beside ``out``).
        build: Write report.html and the other outputs.
        allure_dir: Write the merged run's Allure results there (built from its step records).

    Raises:
        HarnessError: Shards that are not of one run, or an ``out`` that holds something else.
    """
    from harness.runfolder import merge

    shards = sorted((merge.read_shard(Path(f)) for f in folders), key=lambda s: s.spec.index)
    missing = merge.check_shards(shards)
    out = Path(out).resolve()
    merge.check_out(out)
    staging = out.with_name(f".staging-{out.name}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        info = merge.write_merged(shards, staging, out, merge.merged_run_id(shards), missing,
                                  allure_dir.resolve() if allure_dir else None)
        unwritten = _merged_guides(staging, info)
        status = merge.shard_status(shards, missing)
        info = finish_run(staging, exitstatus=ExitCode.OK if status is None else ExitCode.INTERRUPTED, build=build,
                          status=status, unwritten=unwritten, ended_at=merge.latest_end(shards))
        merge.replace_folder(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    store = history_dir(out, history)
    if store is not None:
        failed = dict(info.unwritten)
        if not _attempt(failed, HISTORY_ENTRY, lambda: register(out, store)):
            info = _name_unwritten(out, info, failed)
    return info


def _merged_guides(run_dir: Path, info: RunInfo) -> dict[str, str]:
    """``guides.json`` of a merged run, from its shards' guide results (their profile, else the app's found anew).

    Returns:
        ``{guides.json: the error}`` when it could not be written, else nothing.
    """
    if not (run_dir / GUIDES_JSONL).is_file():
        return {}

    def summarise() -> None:
        try:
            _summarise_guides(run_dir, info, _saved_settings(run_dir))
        except HarnessError:  # merged on another machine than the shards ran on: the profile found anew
            _summarise_guides(run_dir, info, None)

    return _guides_summary(summarise)


def _guides_summary(write: Callable[[], object]) -> dict[str, str]:
    """Write ``guides.json`` at a run's end: a problem of the guides is noted (the journeys' results matter
    more); a file that cannot be written is returned as ``{guides.json: the error}`` for ``unwritten``."""
    try:
        write()
    except HarnessError as exc:
        note(f"harness: guides.json not written: {exc}")
    except OSError as exc:
        return {GUIDES_JSON: describe(exc)}
    return {}


def audit_folder(run_dir: Path, baseline: Path | None = None, app: str | None = None,
                 report: bool = True) -> FindingsFile:
    """Audit a run folder, write ``findings.json``, and rebuild its report and other outputs.

    Args:
        run_dir: The run folder.
        baseline: A run folder of the same journeys, for the ``longer-journey`` rule.
        app: An app profile to take the thresholds from (default: the run's own, found beside
            its features or under ``journeys/<app>``).
        report: Rebuild the report (off when a comparison that rebuilds it follows).

    Raises:
        HarnessError: Not a run folder, or an app profile that does not load (with file:line).
    """
    if not (run_dir / "run.json").is_file():
        raise HarnessError("not a run folder (no run.json)", run_dir)
    if baseline is not None and not (baseline / "run.json").is_file():
        raise HarnessError("the baseline is not a run folder (no run.json)", baseline)
    settings = load_profile(app).friction if app is not None else settings_for_run(read_run_info(run_dir), strict=True)
    findings = audit_run(run_dir, settings, baseline)
    write_findings(run_dir, findings)
    if report:
        write_outputs(run_dir)
    return findings


def compare_settings(app: str | None, app_name_of_run: str | None) -> RegressionConfig:
    """The statistics and gate settings: pyproject.toml, then the app profile when there is one."""
    name = app or app_name_of_run
    profile = None
    if name and (app or find_profile(name).is_file()):
        profile = load_profile(name)
    return load_config(Path.cwd(), profile)


def compare_runs(candidate_spec: str, baseline_spec: str, *, history: Path | None, app: str | None,
                 out_dir: Path | None, outputs: bool = True) -> tuple[Comparison, Path]:
    """Compare a run with its baseline and write ``comparison.json`` (and the outputs that show it).

    Into the candidate's own run folder, ``summary.md`` is the run's summary with the comparison as
    its Regressions part, and every other output is rewritten too (``outputs`` false: the caller
    rewrites them); anywhere else (``out_dir``), ``summary.md`` is the comparison alone.

    Returns:
        The comparison and the path of ``comparison.json``.

    Raises:
        HarnessError: A run that cannot be found or read, or a bad setting (exit code 2).
    """
    from harness.compare.build import build_comparison  # scipy: loaded only for a comparison, not at a run's end

    as_path = Path(candidate_spec)
    store = history or default_history(as_path if as_path.is_dir() else None)
    candidate = resolve(candidate_spec, store)[0]
    config = compare_settings(app, candidate.info.app)
    baseline = resolve(baseline_spec, store, app=candidate.info.app, env=candidate.info.env,
                       exclude=[candidate.run_id])
    comparison = build_comparison(baseline, candidate, config, history=store, baseline_spec=baseline_spec,
                                  candidate_spec=candidate_spec)
    is_run_folder = as_path.is_dir() and (as_path / RUN_FILE).is_file()
    folder = out_dir or (as_path if is_run_folder else Path("reports") / "compare" / candidate.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = write_comparison(folder, comparison)
    if is_run_folder and folder == as_path:  # its summary and report gain the regressions part
        if outputs:
            write_outputs(folder)
    else:
        write_atomic(folder / SUMMARY_MD, render_summary(comparison))
    return comparison, path


def register_run(run_dir: Path, history: str | None) -> None:
    """Register the run (again) in its history store, e.g. once ``guides.json`` is in its folder."""
    store = history_dir(run_dir, history)
    if store is not None:
        register(run_dir, store)


def rebuild_outputs(run_dir: Path, baseline: str | None, history: Path | None
                    ) -> tuple[tuple[Comparison, Path] | None, Outputs]:
    """Audit the run folder again, compare it with ``baseline`` if given, and rewrite every output.

    What the end of the run could not write is written too: a ``run.json`` left open (its end could
    not write it, or its command was killed) is closed from the records as ``incomplete``, and
    ``guides.json`` and the history entry are made again when ``run.json``'s ``unwritten`` names
    them; ``unwritten`` then names what still fails. Each is written on its own.

    Returns:
        The comparison and its path (``None`` without a baseline, or when it could not be written),
        and what was written and what failed.

    Raises:
        HarnessError: Not a run folder, a profile that does not load, a baseline that cannot be read.
    """
    info = read_run_info(run_dir)
    pending, done = info.unwritten, Outputs()

    def attempt(name: str, write: Callable[[], object], errors: tuple[type[Exception], ...] = (Exception,)) -> None:
        if _attempt(done.failed, name, write, errors) and name != HISTORY_ENTRY:
            done.written.append(run_dir / name)

    if info.ended_at is None:
        info = closed_info(run_dir, ExitCode.INTERRUPTED)
        attempt(RUN_FILE, lambda: write_run_info(run_dir, info))
    saved = _saved_settings(run_dir)
    if GUIDES_JSON in pending:
        attempt(GUIDES_JSON, lambda: _summarise_guides(run_dir, info, saved))
    if TARGETS_JSON in pending or not (run_dir / TARGETS_JSON).exists():  # before the history registration copies it
        attempt(TARGETS_JSON, lambda: write_targets(run_dir))
    attempt(FINDINGS_JSON, lambda: audit_folder(run_dir, report=False), (OSError,))  # recomputes findings.json
    compared = None
    if baseline:  # the comparison reads findings.json; the outputs read comparison.json
        try:
            compared = compare_runs(str(run_dir), baseline, history=history, app=None, out_dir=None, outputs=False)
        except OSError as exc:
            done.failed[COMPARISON_JSON] = describe(exc)
    outputs = write_outputs(run_dir, quiet=True)
    done.written.extend(outputs.written)
    done.failed.update(outputs.failed)
    if HISTORY_ENTRY in pending:
        store = history or history_dir(run_dir, saved.history if saved else None)
        attempt(HISTORY_ENTRY, lambda: register(run_dir, store) if store is not None else None)
    _name_unwritten(run_dir, info, done.failed)
    return compared, done


def ui_map_fixes(run_dir: Path, *, write: bool, keep_old: bool, app: str | None = None
                 ) -> tuple[uimap_fixes.UiMapFixes, Path | None]:
    """The repairs a run's failed steps found for their UI-map targets, as a patch to the app profile.

    Args:
        run_dir: The run folder.
        write: Write ``ui-map-fixes.patch`` into it (when there is an edit; else an old one is removed).
        keep_old: Keep each old selector as the first fallback of its target.
        app: The app profile to patch (``None``: the run's own, from ``settings.json`` or its features).

    Returns:
        The patch with its edits and what it leaves out, and the path it was written to (``None``: not written).

    Raises:
        HarnessError: Not a run folder, no step records, a profile that cannot be found or read.
    """
    if not (run_dir / RUN_FILE).is_file():
        raise HarnessError("not a run folder (no run.json)", run_dir)
    records = read_records(run_dir)[0]
    if not records:
        raise HarnessError("the run recorded no step (steps.jsonl is missing or empty)", run_dir)
    profile, root = uimap_fixes.run_profile(read_run_info(run_dir), _saved_settings(run_dir), app)
    fixes = uimap_fixes.ui_map_fixes(records, profile, root, keep_old=keep_old)
    path = run_dir / UI_MAP_PATCH
    if not write:
        return fixes, None
    if not fixes.text:
        path.unlink(missing_ok=True)  # an earlier patch would no longer be what this run asks for
        return fixes, None
    try:
        return fixes, write_atomic(path, fixes.text)
    except OSError as exc:
        raise HarnessError(f"{UI_MAP_PATCH} could not be written: {describe(exc)}", run_dir) from None


def _saved_settings(run_dir: Path) -> RunSettings | None:
    """The settings the run was made with (``settings.json``: a run of ``harness run``), if readable."""
    try:
        return read_settings(run_dir / SETTINGS_FILE)
    except (OSError, ValueError):
        return None


def _summarise_guides(run_dir: Path, info: RunInfo, saved: RunSettings | None) -> None:
    """``guides.json`` again from ``guides.jsonl``, with the run's app profile and guides folder.

    Raises:
        HarnessError: The run's app profile cannot be found, or does not load.
    """
    if saved is not None:
        profile, folder = load_profile(saved.app, saved.root), saved.guides
    else:
        path = next((p for p in profile_candidates(info) if p.is_file()), None)
        if path is None:
            raise HarnessError(f"the app profile of {info.app!r} cannot be found", run_dir)
        profile, folder = load_profile(path), None
    finish_guides(profile, folder, run_dir, {"app": profile.name, "base_url": info.base_url})


def check_guides(profile: AppProfile, folder: Path, guides: list[Guide], baselines: dict[str, Baseline], *,
                 base_url: str | None, out_dir: Path, policy: tuple[str, ...], min_score: float | None,
                 app_version: str | None, browser_path: str | None, headed: bool, timeout_ms: float,
                 write_fixes: bool, features: Path, on_step: Any = None,
                 allure_dir: Path | None = None, grid: str | None = None,
                 connect: str | None = None) -> tuple[GuidesFile, Path, FixesPatch | None]:
    """Check guides on the app: their pages, then the journeys that reach ``after:`` steps; write every output.

    Returns:
        The guide results, the path of ``guides.json`` (in ``out_dir``, with the report and, with
        ``write_fixes``, ``guide-fixes.patch``) and, with ``write_fixes``, the patch (and the repairs
        it leaves out). With ``allure_dir``, one Allure result per guide is written there.

    Raises:
        HarnessError: No URL, an unreachable app, a browser that will not start.
    """
    url = base_url or profile.base_url
    if not url:
        raise HarnessError("no --base-url and no base_url in the app profile", profile.source)
    check_reachable(url)
    stamp = datetime.now(UTC)
    run = GuideRun(profile=profile, guides=guides, guides_folder=folder, base_url=url, out_dir=out_dir,
                   baselines=baselines, browser_path=browser_path, headed=headed, timeout_ms=timeout_ms,
                   min_score=min_score, on_step=on_step, grid=grid, connect=connect)
    started = time.perf_counter()
    results = check(run)
    results += check_after_steps(run, features, app_version or profile.version_label, journeys_finisher())
    data = summarise(results, outline(guides), fail_on=policy, app=profile.name,
                     app_version=app_version or profile.version_label, base_url=url,
                     checked_at=stamp.isoformat(timespec="seconds"),
                     duration_ms=round((time.perf_counter() - started) * 1000, 1),
                     baselines={gid: b.meta for gid, b in baselines.items()})
    secrets = secrets_of_paths(profile, [features] if features.exists() else [])
    written = write_guides(out_dir, data, secrets)
    write_outputs(out_dir, secrets=secrets)  # the verdicts are in guides.json; an output that fails is named on stderr
    if allure_dir is not None:
        try:
            write_allure_results(out_dir, allure_dir, secrets=secrets)
        except Exception as exc:  # like any output: named on stderr, the verdicts stand
            note(f"harness: {ALLURE_RESULTS} could not be written: {describe(exc)}")
    patch = None
    if write_fixes:
        patch = fixes_patch(results, {g.id: g.file for g in guides if g.file is not None}, Path.cwd(),
                            min_score if min_score is not None else SUGGEST_MIN)
        (out_dir / FIXES_PATCH).write_text(patch.text, encoding="utf-8")
    return data, written, patch
