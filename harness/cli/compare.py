"""``harness compare`` and ``harness history``: what got worse since a baseline, and the runs kept to tell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from harness.cli.common import err, fail, out
from harness.cli.folders import check_history_store
from harness.errors import HarnessError

HistoryOpt = Annotated[Path | None, typer.Option(
    "--history", help="history store (default: $HARNESS_HISTORY, else history/ beside the run folder, "
                      "else reports/history)")]
BaselineOpt = Annotated[str | None, typer.Option(
    "--baseline", help="compare with: a run folder, a run id, last, last:N, green, green:BRANCH, version:V, "
                       "label:L")]
TOP = 10

history_app = typer.Typer(help="The history store: every run, kept small, to pick baselines and draw trends.",
                          no_args_is_help=True)


def run_compare(candidate_spec: str, baseline_spec: str, *, history: Path | None, app: str | None,
                out_dir: Path | None, gate: bool = True, json_out: bool = False, quiet: bool = False,
                outputs: bool = True) -> int:
    """Compare, write ``comparison.json`` and ``summary.md``, print, and return the exit code (1: the gate fails).

    Into the candidate's own run folder, ``summary.md`` is the run's summary with the comparison as
    its Regressions part, and every other output is rewritten too (``outputs`` false: the caller
    rewrites them); anywhere else (``--out``), ``summary.md`` is the comparison alone.

    Raises:
        HarnessError: A run that cannot be found or read, or a bad setting (exit code 2).
    """
    from harness.contracts.comparison import SUMMARY_MD
    from harness.pipeline import compare_runs

    comparison, path = compare_runs(candidate_spec, baseline_spec, history=history, app=app, out_dir=out_dir,
                                    outputs=outputs)
    folder = path.parent
    failed = bool(gate and comparison.gate and comparison.gate.failed)
    if json_out:
        print(json.dumps({"comparison": str(path), "summary": str(folder / SUMMARY_MD), "exit_code": int(failed),
                          **comparison.model_dump(mode="json", exclude={"trends"})}, indent=1))
    elif not quiet:
        print_comparison(comparison, path)
    return 1 if failed else 0


def _pct(ratio: float | None) -> str:
    return f"{ratio * 100:+.0f}%" if ratio is not None else ""


def print_comparison(comparison: object, path: Path) -> None:
    """One screen: counts, the biggest changes, outcomes that changed, and the gate's decision."""
    from harness.contracts.comparison import Comparison

    assert isinstance(comparison, Comparison)
    c = comparison.counts
    base, cand = comparison.baseline, comparison.candidate
    out.print(f"Candidate {cand.runs[0]} vs baseline {base.runs[0]}"
              + (f" (+{len(base.runs) - 1} pooled)" if len(base.runs) > 1 else "")
              + f": {c.get('slower', 0)} slower, {c.get('faster', 0)} faster, {c.get('unchanged', 0)} unchanged, "
                f"{c.get('insufficient_data', 0)} with too little data, {c.get('new', 0)} new, "
                f"{c.get('removed', 0)} removed", markup=False, soft_wrap=True)
    for whole in comparison.run_wide:
        if whole.metric == "duration_ms":
            out.print(whole.words(), markup=False, soft_wrap=True)
    moved = [ch for ch in comparison.changes if ch.verdict in ("slower", "faster")][:TOP]
    if moved:
        table = Table(show_edge=False)
        for column in ("verdict", "where", "metric", "baseline", "candidate", "change [CI]", "q"):
            table.add_column(column, justify="right" if column in ("baseline", "candidate", "q") else "left")
        for ch in moved:
            unit = " ms" if ch.unit == "ms" else ""
            ci = (f"{_pct(ch.ratio)} [{_pct(ch.ratio_low)}, {_pct(ch.ratio_high)}]" if ch.ratio is not None
                  else f"{ch.change:+.3g} [{ch.change_low:+.3g}, {ch.change_high:+.3g}]")
            table.add_row(ch.verdict, escape(ch.where.label()), ch.label,
                          f"{ch.baseline.median:,.0f}{unit}" if ch.baseline and ch.baseline.median is not None else "",
                          f"{ch.candidate.median:,.0f}{unit}" if ch.candidate and ch.candidate.median is not None
                          else "", ci, f"{ch.q_value:.2g}" if ch.q_value is not None else "",
                          style="red" if ch.verdict == "slower" else "green")
        out.print(table)
    for s in comparison.statuses:
        if s.kind in ("new_failure", "now_broken", "new_flaky", "incomplete", "fixed"):
            out.print(f"{s.kind.replace('_', ' ')}: {s.where.label()}"
                      + (f" at {s.step}" if s.step and s.kind != "fixed" else ""), markup=False, soft_wrap=True)
    for f in comparison.findings[:TOP]:
        out.print(f"{f.kind} finding [{f.severity}] {f.title}: {f.journey} › {f.scenario}", markup=False,
                  soft_wrap=True)
    for g in comparison.guides:
        if g.kind != "still_broken":
            out.print(f"guide step {g.kind}: {g.guide} / {g.step} ({g.baseline} -> {g.candidate})", markup=False)
    gate = comparison.gate
    if gate and gate.failed:
        err.print("The regression gate fails the build:", markup=False)
        for line in gate.reasons:
            err.print(line, markup=False, soft_wrap=True)
    out.print(f"Comparison: {path}", markup=False, soft_wrap=True)


def compare(
    baseline: Annotated[str, typer.Argument(help="a run folder, a run id, or last, last:N, green, green:BRANCH, "
                                                 "version:V, label:L")],
    candidate: Annotated[str, typer.Argument(help="a run folder or a run id (or last)")],
    history: HistoryOpt = None,
    app: Annotated[str | None, typer.Option("--app", help="app profile whose compare:/gate: settings apply "
                                                          "(default: the candidate's app)")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="where comparison.json and summary.md go "
                                                                "(default: the candidate's run folder)")] = None,
    gate: Annotated[bool, typer.Option("--gate/--no-gate", help="exit 1 when the gate policy fails")] = True,
    json_out: Annotated[bool, typer.Option("--json", help="print the comparison as JSON on stdout")] = False,
) -> None:
    """Compare a candidate run with a baseline: per journey, scenario, step and metric, with statistics.

    Example: harness compare green:main reports/20261127-101500-demo
    """
    try:
        check_history_store(history)
        code = run_compare(candidate, baseline, history=history, app=app, out_dir=out_dir, gate=gate,
                           json_out=json_out)
    except HarnessError as exc:
        raise fail(exc) from None
    raise typer.Exit(code)


@history_app.command("list")
def history_list(
    history: HistoryOpt = None,
    app: Annotated[str | None, typer.Option("--app", help="only this app's runs")] = None,
    limit: Annotated[int, typer.Option("--limit", help="newest N runs")] = 30,
    json_out: Annotated[bool, typer.Option("--json", help="print JSON lines")] = False,
) -> None:
    """List the runs of the history store, newest last.

    Example: harness history list --app demo
    """
    from harness.runfolder.history import read_index
    from harness.runfolder.io import default_history

    store = history or default_history()
    try:
        check_history_store(store)
        index = read_index(store)
    except HarnessError as exc:
        raise fail(exc) from None
    if app:
        index = index[index["app"] == app]
    index = index.tail(limit)
    if json_out:
        print(index.to_json(orient="records", lines=True, date_format="iso"))
        return
    table = Table(title=escape(f"{store} ({len(index)} shown)"))
    for column in ("run_id", "app", "app_version", "env", "git_branch", "started_at", "status", "green", "steps"):
        table.add_column(column)
    for row in index.itertuples():
        table.add_row(*(escape(str(getattr(row, col)) if getattr(row, col) is not None else "") for col in (
            "run_id", "app", "app_version", "env", "git_branch", "started_at", "status", "green", "steps")))
    out.print(table)


@history_app.command("add")
def history_add(
    run_dirs: Annotated[list[Path], typer.Argument(help="run folders")],
    history: HistoryOpt = None,
) -> None:
    """Register run folders in the history store (a run registers itself when it ends).

    Example: harness history add reports/20261127-101500-demo --history reports/history
    """
    from harness.runfolder.history import register
    from harness.runfolder.io import default_history

    for run_dir in run_dirs:
        store = history or default_history(run_dir)
        try:
            check_history_store(store)
            ref = register(run_dir, store)
        except HarnessError as exc:
            raise fail(exc) from None
        out.print(f"registered {ref.run_id} in {store}", markup=False)
