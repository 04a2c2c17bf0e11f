"""The ``harness`` command: parses options and calls the stages; nothing else lives here.

Exit codes: 0 all good, 1 the run found problems (a replay's last attempt failed: see
``harness.outcomes.exit_code``), 2 bad usage or configuration (malformed spec, unknown step or
target, missing browser, unreachable app) or a run that did not finish or could not write all its
files (a full disk, a read-only folder: ``RunInfo.unwritten``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from harness import __version__
from harness.cli.audit import FAIL_ON, audit, failing, parse_fail_on, print_findings
from harness.cli.common import ConnectOpt, GridOpt, err, out
from harness.cli.common import fail as _fail
from harness.cli.compare import BaselineOpt, HistoryOpt, compare, history_app, print_comparison, run_compare
from harness.cli.folders import check_allure_history, check_history_store, check_run_folders
from harness.cli.guides import browser_endpoints, demo_guides, guides_app
from harness.cli.repair import repair
from harness.collect.config import new_run_id
from harness.contracts.records import RunInfo, RunStatus, StepRecord
from harness.contracts.settings import DEFAULTS, RunSettings
from harness.errors import HarnessError, describe
from harness.untrusted import printable

if TYPE_CHECKING:
    from harness.collect.runner import Finish, Prepared, RunOptions
from harness.outcomes import OUTCOMES, scenarios

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Replay critical user journeys in real Chromium, time every step, report.")
demo_app = typer.Typer(help="The bundled demo vendor app (two vendor versions).")
app.add_typer(demo_app, name="demo")
app.add_typer(guides_app, name="guides")
app.command("audit")(audit)
app.command("compare")(compare)
app.command("repair")(repair)
app.add_typer(history_app, name="history")

PathsArg = Annotated[list[Path], typer.Argument(help="feature files or folders")]
AppOpt = Annotated[str, typer.Option("--app", help="app profile: name under journeys/ or path to app.yaml")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="URL of the app under test")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="run folder (default reports/<run-id>)")]
RepeatOpt = Annotated[int, typer.Option("--repeat", min=1, help="replay each scenario N times")]
RetriesOpt = Annotated[int, typer.Option("--retries", min=0, max=5, help="try a failed scenario again up to N "
                                                                       "times; passing on a retry counts as flaky")]
HealOpt = Annotated[bool, typer.Option(
    "--heal", help="retry a step failing on its UI-map target (missing, ambiguous, hidden, text changed) once with "
                   "the repaired selector; passing so, it is healed and its scenario flaky-healed (docs/repair.md)")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="parallel browsers (pytest-xdist)")]
TagsOpt = Annotated[str | None, typer.Option("--tags", help="tag expression, e.g. '@smoke and not @slow'")]
TraceOpt = Annotated[str, typer.Option("--trace", help="off | on | retain-on-failure")]
BrowserOpt = Annotated[str | None, typer.Option("--browser-path", help="Chromium executable to use",
                                                envvar="HARNESS_BROWSER_PATH")]
TimeoutOpt = Annotated[float, typer.Option("--step-timeout", help="ms a step waits for a target or a page")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON on stdout")]
ProbesOpt = Annotated[bool, typer.Option("--probes/--no-probes",
                                         help="collect in-page signals: vitals, long tasks, DOM changes, validation")]
A11yOpt = Annotated[bool, typer.Option("--a11y/--no-a11y", help="scan each new page state with axe-core")]
EnvOpt = Annotated[str | None, typer.Option("--env", help="environment the app runs in (staging, prod...)")]
LabelOpt = Annotated[list[str] | None, typer.Option("--label", help="a label to pick this run by later "
                                                                     "(repeatable)")]
AllureDirOpt = Annotated[Path | None, typer.Option("--allure-dir", help="write Allure results into this folder "
                                                  "(allure-pytest-bdd, plus guides, friction, categories)")]
AllureHistoryOpt = Annotated[Path | None, typer.Option("--allure-history", help="a previous Allure report folder: "
                                                       "its history/ is carried over, so Allure's trends go on")]
FindingsFailOpt = Annotated[str, typer.Option("--fail-on-findings", help="exit 1 when a friction finding is at "
                                              f"least this severe: {', '.join(FAIL_ON)}")]



_MARKS = {"passed": "ok  ", "healed": "heal", "failed": "FAIL", "not_run": "skip", "skipped": "skip"}

class Progress:
    """Shows step records as they land: a live status line on a terminal, plain lines in CI."""

    def __init__(self, live: bool) -> None:
        self.live = live and out.is_terminal and not os.environ.get("CI")
        self.counts: dict[str, int] = defaultdict(int)
        self.status = None
        if self.live:
            self.status = out.status("starting the browser ...")
            self.status.start()

    def __call__(self, records: list[StepRecord]) -> None:
        for record in records:
            self.counts[record.status] += 1
            mark = _MARKS[record.status]
            ms = f"{record.duration_ms:7.0f} ms" if record.duration_ms is not None else "        --"
            example = f" [{', '.join(record.example.values())}]" if record.example else ""
            rep = f" #{record.repeat + 1}" if record.repeat else ""
            line = (f"{mark} {ms}  {record.journey} › {record.scenario}{example}{rep} › "
                    f"{record.keyword} {record.text}")
            if self.status is not None:
                done = ", ".join(f"{v} {k}" for k, v in sorted(self.counts.items()))
                self.status.update(Text(printable(f"{done} — {record.scenario} › {record.text}"[:150])))
                if record.status == "failed":
                    out.print(line, markup=False, soft_wrap=True)
            else:
                out.print(line, markup=False, soft_wrap=True)

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()


RESULT_WORDS = {"passed": "pass", "flaky": "FLAKY", "failed": "FAIL", "skipped": "skip", "incomplete": "INCOMPLETE"}
"""How the summary table shows a scenario's outcome (``harness/outcomes.py``)."""


def _summary(info: RunInfo, run_dir: Path) -> None:
    from harness.runfolder.io import read_records

    found = scenarios(read_records(run_dir)[0])
    if not found:
        out.print(f"No step was recorded (run {info.status}).", markup=False)
        return
    table = Table(title=escape(f"{info.app_title or info.app} — {info.base_url}"), show_lines=False)
    for column in ("result", "journey", "scenario", "replays", "steps", "time"):
        table.add_column(column, justify="right" if column in ("replays", "steps", "time") else "left")
    for scenario in found:
        first, outcome = scenario.first, scenario.outcome
        times = sorted(r.duration_ms for r in scenario.replays)
        example = f" [{', '.join(first.example.values())}]" if first.example else ""
        style = "red" if outcome.status in ("failed", "incomplete") else "yellow" if outcome.status == "flaky" else None
        table.add_row(RESULT_WORDS[outcome.status], escape(first.journey), escape(first.scenario + example),
                      f"{outcome.passed}/{outcome.replays}", str(max(len(r.steps) for r in scenario.replays)),
                      f"{times[len(times) // 2] / 1000:.2f} s", style=style)
    out.print(table)
    for step in (s for scenario in found for r in scenario.replays for s in r.steps if s.status == "failed"):
        out.print(f"FAILED {step.feature_file}:{step.line} {step.scenario} › {step.keyword} {step.text}",
                  markup=False, soft_wrap=True)
        out.print(f"       {(step.error or '').splitlines()[0] if step.error else ''}", markup=False, soft_wrap=True)
    t = info.totals
    counts = ", ".join(f"{t.get(f'scenarios_{o}', 0)} {o}" for o in reversed(OUTCOMES) if t.get(f"scenarios_{o}")
                       or o in ("passed", "failed"))
    out.print(f"{counts} ({t.get('scenarios', 0)} scenarios, {t.get('replays', 0)} replays, {t.get('steps', 0)} "
              f"steps; run {info.status})", markup=False)
    if info.browser_endpoint:
        source = "Selenium Grid" if info.browser_source == "grid" else "Playwright server"
        out.print(f"Browsers from the {source} at {info.browser_endpoint}", markup=False, soft_wrap=True)
    from harness.runfolder.findings import read_findings

    findings = read_findings(run_dir)
    if findings is not None:
        print_findings(findings, limit=10)
    report = run_dir / "report.html"
    if report.exists():
        out.print(f"Report: {report}", markup=False, soft_wrap=True)
    _print_outputs(run_dir)


def _print_outputs(run_dir: Path) -> None:
    """One line naming the other outputs in the run folder (for CI: junit.xml, summary.md...)."""
    from harness.report.outputs import OUTPUT_NAMES

    names = [name for name in OUTPUT_NAMES if name != "report.html" and (run_dir / name).is_file()]
    if names:
        out.print(f"Also: {', '.join(names)} (in {run_dir})", markup=False, soft_wrap=True)


def _run_error(run_dir: Path) -> str:
    """The reason pytest gave for stopping, from the run's ``pytest.log``."""
    log = run_dir / "pytest.log"
    lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()] if log.exists() else []
    for line in reversed(lines):
        if "harness:" in line:
            return line[line.index("harness:") + len("harness:"):].strip()
    return " / ".join(lines[-3:]) or "no output (see pytest.log)"


def _close_if_pytest_could_not(history: str | None, shard: str | None = None) -> Finish:
    """:func:`harness.pipeline.journeys_finisher`, loaded only when pytest died before closing the run.

    The pytest process that replays the journeys closes the run itself; the pipeline (the audit,
    the comparison and the reports: pandas, jinja2, ~1.5 s of imports) is not loaded for nothing.
    """

    def finish(run_dir: Path, exitstatus: int, status: RunStatus | None = None) -> RunInfo:
        from harness.pipeline import journeys_finisher

        return journeys_finisher(history, shard)(run_dir, exitstatus, status=status)

    return finish


def _run(options: RunOptions, json_out: bool, fail_on_findings: str = "never", baseline: str | None = None) -> int:
    from harness.collect.runner import execute, prepare
    from harness.collect.stopping import Terminated, interrupt_on_sigterm

    settings = options.settings
    try:
        parse_fail_on(fail_on_findings)
        check_run_folders(settings.history, settings.allure_history,
                          settings.out or settings.root / "reports" / "run", settings.allure_dir)
        if baseline and settings.shard:
            raise HarnessError("a shard is compared once merged: `harness merge SHARD_DIR... --out RUN_DIR "
                               "--baseline ...`, or `harness compare RUN_DIR BASELINE`")
        if baseline:
            _check_compare_settings(options)
        prepared = prepare(options)
        if baseline:
            _check_baseline(baseline, options, prepared)
    except HarnessError as exc:
        raise _fail(exc) from None
    progress = Progress(live=not json_out)
    interrupt_on_sigterm()  # a CI cancel: stop pytest and Chromium, close the run, as Ctrl-C
    try:
        info = execute(options, prepared, progress, _close_if_pytest_could_not(settings.history, settings.shard))
    except HarnessError as exc:
        progress.stop()
        raise _fail(exc) from None
    except KeyboardInterrupt as exc:
        progress.stop()
        err.print(f"interrupted{' by SIGTERM' if isinstance(exc, Terminated) else ''}; the run is incomplete and "
                  f"what was measured is in {prepared.run_dir}", markup=False, soft_wrap=True)
        raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
    progress.stop()
    code = info.exit_code if info.exit_code is not None else 2
    if info.status != "errored" and not info.totals.get("scenarios") and settings.shard:
        err.print(f"note: shard {settings.shard} holds no scenario run (there are fewer than shards)",
                  markup=False, soft_wrap=True)
        return 0
    if info.status != "errored" and not info.totals.get("scenarios"):
        tags = options.settings.tags
        chosen = f" matches --tags {tags!r}" if tags else " was found"
        err.print(f"error: no scenario{chosen}; nothing was run", markup=False, soft_wrap=True)
        return 2
    error = f"the run stopped early: {info.error or _run_error(prepared.run_dir)}" if info.status == "errored" else None
    return _closed(info, prepared.run_dir, code, error, json_out=json_out, fail_on_findings=fail_on_findings,
                   baseline=baseline, history=settings.history, app=settings.app, allure_dir=settings.allure_dir)


def _closed(info: RunInfo, run_dir: Path, code: int, error: str | None, *, json_out: bool, fail_on_findings: str,
            baseline: str | None, history: str | None, app: str | None, allure_dir: Path | None) -> int:
    """What a closed run (a run's, or a merge's) says, and its exit code.

    The error, the friction gate, the comparison with ``baseline``, the summary (or the JSON), and what
    could not be written: each can only raise ``code``.
    """
    if error:
        err.print(f"error: {error}", markup=False, soft_wrap=True)
        code = max(code, 2)
    code = max(code, _findings_code(run_dir, fail_on_findings))
    if baseline and info.status != "errored":
        code = max(code, _compare_after_run(run_dir, baseline, history, app, json_out))
    if info.unwritten:
        code = max(code, 2)
    if json_out:
        print(json.dumps({"run_dir": str(run_dir), "exit_code": code, **info.model_dump(mode="json")}, indent=2))
    else:
        _summary(info, run_dir)
        if allure_dir is not None:
            out.print(f"Allure results: {allure_dir.resolve()}", markup=False, soft_wrap=True)
    if info.unwritten:
        err.print(unwritten_message(info.unwritten, run_dir), markup=False, soft_wrap=True)
    return code


def unwritten_message(unwritten: dict[str, str], run_dir: Path) -> str:
    """One message for what the end of a run could not write: the outputs by error, and what to run later."""
    from harness.contracts.records import HISTORY_ENTRY

    by_error: dict[str, list[str]] = defaultdict(list)
    for name, problem in unwritten.items():
        by_error[problem].append(name)
    parts = "; ".join(f"{', '.join(names)}: {problem}" for problem, names in by_error.items())
    also = " (and registers the run in its history)" if HISTORY_ENTRY in unwritten else ""
    return (f"error: the end of the run could not write {parts}. What was measured is kept in {run_dir}; "
            f"once there is room again, `harness report {run_dir}` writes the rest{also}.")


def _check_compare_settings(options: RunOptions) -> None:
    """Read the compare:/gate: settings before the run starts, so a mistake costs no run."""
    from harness.spec.profile import load_profile
    from harness.spec.regressions import load_config

    settings = options.settings
    load_config(settings.root, load_profile(settings.app, settings.root))


def _check_baseline(baseline: str, options: RunOptions, prepared: Prepared) -> None:
    """Resolve ``--baseline`` before the run starts, so a typo costs no run (nothing to compare with yet is fine).

    Raises:
        HistoryError: The spec is malformed (``last:0``) or names a run or folder that does not exist.
    """
    from harness.runfolder.history import NoBaselineYet, resolve
    from harness.runfolder.io import default_history, history_dir

    history = options.settings.history  # the store the comparison after the run will read (_compare_after_run)
    store = Path(history) if history and history != "off" else history_dir(prepared.run_dir) or default_history()
    with contextlib.suppress(NoBaselineYet):
        resolve(baseline, store, app=prepared.profile.name, env=options.settings.env)


def _compare_after_run(run_dir: Path, baseline: str, history: str | None, app: str | None, json_out: bool) -> int:
    """Compare the run that just ended with its baseline; 1 when the gate fails, 2 when it cannot compare.

    A selector no run matches yet (the pipeline's first run) is noted, and the run's own exit code stands.
    """
    from harness.runfolder.history import NoBaselineYet

    if history == "off":
        history = None
    try:
        return run_compare(str(run_dir), baseline, history=Path(history) if history else None,
                           app=app, out_dir=None, quiet=json_out)
    except NoBaselineYet as exc:
        err.print(f"note: nothing to compare with yet ({exc}); this run can be the next baseline",
                  markup=False, soft_wrap=True)
        return 0
    except HarnessError as exc:
        err.print(f"error: no comparison: {exc}", markup=False, soft_wrap=True)
        return 2
    except OSError as exc:  # a full disk, a read-only folder: the run itself is measured and kept
        err.print(f"error: no comparison: its files could not be written: {describe(exc)}", markup=False,
                  soft_wrap=True)
        return 2


def _findings_code(run_dir: Path, fail_on: str) -> int:
    """1 when the run's friction findings include one at least as severe as ``fail_on``."""
    from harness.runfolder.findings import read_findings

    findings = read_findings(run_dir) if fail_on != "never" else None
    count = failing(findings, fail_on) if findings is not None else 0
    if count:
        err.print(f"{count} friction finding(s) at or above {fail_on} severity (--fail-on-findings {fail_on})",
                  markup=False)
    return 1 if count else 0


@app.command()
def run(
    paths: PathsArg,
    app_name: AppOpt,
    base_url: BaseUrlOpt = None,
    out_dir: OutOpt = None,
    repeat: RepeatOpt = DEFAULTS.repeat,
    retries: RetriesOpt = DEFAULTS.retries,
    heal: HealOpt = DEFAULTS.heal,
    repairs: Annotated[bool, typer.Option(
        "--repairs/--no-repairs", help="fingerprint the UI-map targets passing steps use and repair those failed "
                                       "steps could not use (docs/repair.md)")] = DEFAULTS.repairs,
    workers: WorkersOpt = DEFAULTS.workers,
    tags: TagsOpt = None,
    trace: TraceOpt = DEFAULTS.trace,
    trace_detail: Annotated[str, typer.Option(
        "--trace-detail", help="light: actions, console, network; full: also DOM snapshots and screenshots "
                               "(each action about 10 ms slower, inside the step times)")] = DEFAULTS.trace_detail,
    browser_path: BrowserOpt = None,
    grid: GridOpt = None,
    connect: ConnectOpt = None,
    run_id: Annotated[str | None, typer.Option(
        "--run-id", help="the run's id (default: the time and the app); shards of one CI run can share one")] = None,
    shard: Annotated[str | None, typer.Option(
        "--shard", help="I/N: run the I-th of N shares of the scenario runs, balanced by the history's "
                        "durations (else by count); `harness merge` makes one run of the shards")] = None,
    headed: Annotated[bool, typer.Option("--headed", help="show the browser")] = False,
    app_version: Annotated[str | None, typer.Option("--app-version", help="version label of the app")] = None,
    step_timeout: TimeoutOpt = DEFAULTS.step_timeout_ms,
    quiet_ms: Annotated[float, typer.Option(
        "--quiet-ms", help="ms a page must stay quiet (nothing in flight, no DOM change, no animation) for a wait "
                           "for what is not there to end before the step timeout; 0: never")] = DEFAULTS.quiet_ms,
    probes: ProbesOpt = DEFAULTS.probes,
    a11y: A11yOpt = DEFAULTS.a11y,
    fail_on_findings: FindingsFailOpt = "never",
    baseline: BaselineOpt = None,
    history: HistoryOpt = None,
    env: EnvOpt = None,
    label: LabelOpt = None,
    allure_dir: AllureDirOpt = None,
    allure_history: AllureHistoryOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Run journeys and write a run folder with steps.jsonl, steps.parquet and report.html.

    With --baseline, the run is then compared with it (comparison.json, summary.md, the
    report's regressions section) and the exit code is 1 when the gate policy fails.

    Example: harness run features/demo --app demo --base-url http://127.0.0.1:8765 --repeat 10 --baseline green:main
    """
    from harness.collect.runner import RunOptions

    grid, connect = _browser_endpoints(grid, connect, Path.cwd())
    options = RunOptions(_settings(
        paths=[str(p) for p in paths], app=app_name, base_url=base_url, out=out_dir, repeat=repeat, retries=retries,
        heal=heal, repairs=repairs, workers=workers, tags=tags, trace=trace, trace_detail=trace_detail,
        browser_path=browser_path, headed=headed, grid=grid, connect=connect, shard=shard, run_id=run_id,
        step_timeout_ms=step_timeout, quiet_ms=quiet_ms, app_version=app_version, probes=probes, a11y=a11y, env=env,
        labels=list(label or []), history=str(history) if history else None, allure_dir=allure_dir,
        allure_history=allure_history))
    raise typer.Exit(_run(options, json_out, fail_on_findings, baseline))


OPTION_OF = {"step_timeout_ms": "--step-timeout", "out": "--out", "labels": "--label", "paths": "PATHS"}
"""The command-line option of a settings field, where its name is not the field's with dashes."""


def _settings(**values: object) -> RunSettings:
    """The run's settings from the command's options; a bad value is one clear message naming the option (exit 2)."""
    from pydantic import ValidationError

    try:
        return RunSettings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{_option(e['loc'])}: {e['msg']}" if e["loc"] else e["msg"].removeprefix("Value error, ")
                             for e in exc.errors())
        raise _fail(HarnessError(f"bad option: {problems}")) from None


def _browser_endpoints(grid: str | None, connect: str | None, root: Path) -> tuple[str | None, str | None]:
    """``--grid``/``--connect``, else ``HARNESS_GRID``/``HARNESS_CONNECT``, else ``[tool.harness]`` (bad: exit 2)."""
    try:
        return browser_endpoints(grid, connect, root)
    except HarnessError as exc:
        raise _fail(exc) from None


def _option(loc: tuple[int | str, ...]) -> str:
    """``--step-timeout`` for the field ``step_timeout_ms`` (the rest of a nested location kept)."""
    field = str(loc[0]) if loc else ""
    name = OPTION_OF.get(field, "--" + field.replace("_", "-"))
    return ".".join([name, *map(str, loc[1:])])


@app.command()
def merge(
    shard_dirs: Annotated[list[Path], typer.Argument(help="the shards' run folders (harness run --shard I/N)")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="the merged run's folder")],
    history: HistoryOpt = None,
    allure_dir: AllureDirOpt = None,
    fail_on_findings: FindingsFailOpt = "never",
    baseline: BaselineOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Make one run of a run's shards: every shard's steps, findings and guides computed on the whole.

    One history registration, one report.html, junit.xml, summary.md (and Allure results with
    --allure-dir). Shards of different apps, versions or settings are refused; a missing shard
    leaves the run incomplete, named in run.json (exit 2). Merging again replaces the folder.

    Example: harness merge reports/shard-1 reports/shard-2 reports/shard-3 --out reports/merged
    """
    from harness.pipeline import merge_shards

    try:
        parse_fail_on(fail_on_findings)
        check_history_store(history)
        info = merge_shards(shard_dirs, out_dir, str(history) if history else None, allure_dir=allure_dir)
    except HarnessError as exc:
        raise _fail(exc) from None
    code = info.exit_code if info.exit_code is not None else 2
    raise typer.Exit(_closed(info, out_dir.resolve(), code, info.error, json_out=json_out,
                             fail_on_findings=fail_on_findings, baseline=baseline,
                             history=str(history) if history else None, app=None, allure_dir=allure_dir))


@app.command()
def check(paths: PathsArg, app_name: AppOpt) -> None:
    """Check features and the app profile without running anything (exit 2 on a problem).

    Example: harness check features/demo --app demo
    """
    from harness.collect.steps import load_journeys
    from harness.spec.profile import load_profile

    try:
        features = load_journeys(paths, profile := load_profile(app_name))
    except HarnessError as exc:
        raise _fail(exc) from None
    out.print(f"ok: {len(features)} features, app profile {profile.source}", markup=False)


@app.command()
def report(run_dir: Annotated[Path, typer.Argument(help="a run folder")], baseline: BaselineOpt = None,
           history: HistoryOpt = None, allure_dir: AllureDirOpt = None,
           allure_history: AllureHistoryOpt = None) -> None:
    """Rebuild every output of a run folder from its saved data, without a browser.

    findings.json, then report.html, junit.xml, summary.md, steps.parquet, steps.csv,
    findings.csv and guides.csv. With --baseline, compare it too (comparison.json, the
    Regressions parts of report.html and summary.md); the exit code is then 1 when the gate
    policy fails. An output that cannot be written is named and makes the exit code 2. What the
    end of the run could not write (a full disk: run.json's unwritten) is written too, and a
    run.json left open is closed from the step records.
    A run made with --allure-dir gets its Allure results finished again; --allure-dir here
    writes them into another folder (built from the step records when the run had none).

    Example: harness report reports/20261126-190501-demo --baseline last
    """
    import time

    from harness.pipeline import rebuild_outputs

    try:
        check_history_store(history)
        check_allure_history(allure_history)
    except HarnessError as exc:
        raise _fail(exc) from None
    if not (run_dir / "run.json").is_file():
        raise _fail(HarnessError("not a run folder (no run.json)", run_dir))
    started = time.monotonic()
    try:
        compared, done = rebuild_outputs(run_dir, baseline, history)
    except HarnessError as exc:
        raise _fail(exc) from None
    code = 0
    if compared is not None:
        comparison, path = compared
        print_comparison(comparison, path)
        code = 1 if comparison.gate and comparison.gate.failed else 0
    out.print(f"Wrote {len(done.written)} files in {time.monotonic() - started:.1f} s:", markup=False)
    for path in done.written:
        out.print(f"  {path}", markup=False, soft_wrap=True)
    for name, error in done.failed.items():
        err.print(f"error: {name} could not be written: {error}", markup=False, soft_wrap=True)
    if allure_dir is not None or allure_history is not None:
        code = max(code, _allure_report(run_dir, allure_dir, allure_history))
    raise typer.Exit(2 if done.failed else code)


def _allure_report(run_dir: Path, allure_dir: Path | None, allure_history: Path | None) -> int:
    """Write the run's Allure results into ``allure_dir`` (default: the run's own); 2 when it cannot."""
    from harness.report.allure.results import write_allure_results

    written = write_allure_results(run_dir, allure_dir, allure_history)
    if written is None:
        err.print("error: this run has no Allure results; pass --allure-dir to write them", markup=False)
        return 2
    out.print(f"Allure results: {written}", markup=False, soft_wrap=True)
    return 0


@app.command("steps")
def list_steps() -> None:
    """List the built-in step library (English and French)."""
    from harness.collect.steps import CATALOGUE

    table = Table(title="Built-in steps (any of Given/When/Then/And)")
    for column in ("English", "Français", "What it does"):
        table.add_column(column)
    for english, french, meaning in CATALOGUE:
        table.add_row(escape(english), escape(french), escape(meaning))
    out.print(table)


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    version: Annotated[int, typer.Option("--version", min=1, max=2, help="vendor version of the demo app")] = 1,
    out_dir: OutOpt = None,
    repeat: RepeatOpt = DEFAULTS.repeat,
    heal: HealOpt = DEFAULTS.heal,
    workers: WorkersOpt = DEFAULTS.workers,
    browser_path: BrowserOpt = None,
    grid: GridOpt = None,
    connect: ConnectOpt = None,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="extra latency on every request")] = 0,
    tags: TagsOpt = None,
    step_timeout: TimeoutOpt = DEFAULTS.step_timeout_ms,
    probes: ProbesOpt = DEFAULTS.probes,
    a11y: A11yOpt = DEFAULTS.a11y,
    fail_on_findings: FindingsFailOpt = "never",
    baseline: BaselineOpt = None,
    history: HistoryOpt = None,
    label: LabelOpt = None,
    allure_dir: AllureDirOpt = None,
    allure_history: AllureHistoryOpt = None,
) -> None:
    """Start the demo app, run the demo journeys against it, write the report and print where it is.

    Example: harness demo --version 2 --repeat 10 --baseline last
    """
    if ctx.invoked_subcommand is not None:
        return
    from harness.collect.runner import RunOptions
    from harness.demo import VERSIONS, DemoServer

    root = Path.cwd()
    features = root / "features" / "demo"
    if not features.is_dir():
        raise _fail(HarnessError("run `harness demo` from the project folder (features/demo not found)", root))
    grid, connect = _browser_endpoints(grid, connect, root)
    run_id = new_run_id("demo")
    run_dir = out_dir or root / "reports" / run_id
    try:  # before the demo app starts
        check_run_folders(str(history) if history else None, allure_history, run_dir, allure_dir)
    except HarnessError as exc:
        raise _fail(exc) from None
    title = f"Spendly {VERSIONS[version]} (v{version})"
    with DemoServer(version=version, port=0, latency_ms=latency_ms) as server:
        out.print(f"Demo app v{version} at {server.url}", markup=False)
        options = RunOptions(_settings(
            paths=[str(features)], app="demo", base_url=server.url, out=run_dir, run_id=run_id, repeat=repeat,
            heal=heal, workers=workers, browser_path=browser_path, grid=grid, connect=connect, root=root, tags=tags,
            step_timeout_ms=step_timeout,
            app_version=title, probes=probes, a11y=a11y, labels=list(label or []),
            history=str(history) if history else None, allure_dir=allure_dir, allure_history=allure_history))
        code = _run(options, json_out=False, fail_on_findings=fail_on_findings)
        if code in (0, 1) and not (run_dir / "guides.jsonl").exists():
            out.print("Checking the demo guides (journeys/demo/guides) against the same app...", markup=False)
            code = max(code, demo_guides(server.url, run_dir, title, browser_path, grid, connect))
            _refresh_history(run_dir, options.settings.history)
    if baseline and code in (0, 1):  # after the guide check, so the comparison sees the guides too
        code = max(code, _compare_after_run(run_dir, baseline, options.settings.history, options.settings.app,
                                             json_out=False))
    raise typer.Exit(code)


def _refresh_history(run_dir: Path, history: str | None) -> None:
    """Register the run again, now that guides.json is in its folder."""
    from harness.pipeline import register_run

    try:
        register_run(run_dir, history)
    except HarnessError as exc:
        err.print(f"harness: the run was not added to the history: {exc}", markup=False)


@demo_app.command("serve")
def demo_serve(
    version: Annotated[int, typer.Option("--version", min=1, max=2, help="vendor version")] = 1,
    port: Annotated[int, typer.Option("--port", help="port on 127.0.0.1")] = 8765,
    latency_ms: Annotated[int, typer.Option("--latency-ms", help="extra latency on every request")] = 0,
) -> None:
    """Serve the demo app on 127.0.0.1 until interrupted.

    Example: harness demo serve --version 2 --port 8765
    """
    from harness.demo.server import serve

    out.print(f"Demo app v{version} on http://127.0.0.1:{port} (Ctrl-C to stop)", markup=False)
    serve(version=version, port=port, latency_ms=latency_ms)


def version_callback(value: bool) -> None:
    if value:
        print(f"adoption-harness {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    show_version: Annotated[bool, typer.Option("--version", callback=version_callback, is_eager=True,
                                               help="print the version")] = False,
) -> None:
    """Replay critical user journeys in real Chromium, time every step, report."""


def main() -> None:
    """Entry point of the ``harness`` console script."""
    try:
        app()
    except HarnessError as exc:  # anything a stage raised that a command did not catch
        err.print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the file system said no (a full disk, a read-only folder): one message, not a traceback
        where = f" (in {Path(exc.filename).parent})" if exc.filename else ""
        err.print(f"error: {describe(exc)}{where}", markup=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
