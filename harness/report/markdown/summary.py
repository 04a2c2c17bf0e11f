"""``summary.md``: the run on one screen in Markdown, for a CI job summary (``$GITHUB_STEP_SUMMARY``).

The run and its app, the outcome of its journeys and scenario runs, the failures (with the
UI-map repairs their steps need), the healed steps (``--heal``), the
guides (broken steps with their repairs), the top friction findings, the slowest steps
against their budgets and, when the folder holds a ``comparison.json``, the comparison as
its Regressions part. Everything from the app or the specs goes through ``md`` (or
``md_code`` for selectors): no link, image, HTML or table break can come from a page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.contracts.records import FindingsFile, StepRecord
from harness.contracts.targets import FIXES_PATCH, TargetRepair
from harness.report.load import RunData, ScenarioRun, load_run
from harness.report.markdown.comparison import md, md_code, md_table, render_summary
from harness.report.repairs import FIX_COMMAND, baseline_words, cause_words, diff_rows, healed_steps, no_suggestion
from harness.report.stats import fmt_ms, fmt_total
from harness.report.view import JourneyView, journey_views, slowest_steps
from harness.runfolder.comparison import read_comparison
from harness.runfolder.files import write_atomic
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import GuidesRead, read_guides

SUMMARY_MD = "summary.md"
TOP = 5
REPAIRS = 10
"""At most this many repairs of failed steps are listed in full."""
FIX_LINE = f"`{FIX_COMMAND}` writes them to `{FIXES_PATCH}` (RUN_DIR: this run's folder)."


def _verdict(data: RunData) -> str:
    """The run's verdict, from its scenarios' outcomes as the exit code reads them (``harness.outcomes``)."""
    outcomes = [s.outcome for s in data.scenarios]
    if not outcomes:
        return "⚠️ **No scenario was recorded**"
    flaky = sum(1 for o in outcomes if o.status == "flaky")
    healed = sum(1 for o in outcomes if o.status == "flaky" and o.healed)
    if any(o.fails_run for o in outcomes):
        return "❌ **Journeys failed**"
    if any(o.status == "incomplete" for o in outcomes):
        return "⚠️ **Journeys did not finish**"
    if healed:
        return (f"✅ **Every journey passed**, {flaky} scenario{'s' if flaky != 1 else ''} only on a retry or by "
                f"healing (flaky; {healed} healed: fix the UI map)")
    if flaky:
        return f"✅ **Every journey passed**, {flaky} scenario{'s' if flaky != 1 else ''} only on a retry (flaky)"
    return "✅ **Every journey passed**"


def _head(data: RunData, journeys: list[JourneyView]) -> list[str]:
    info = data.info
    verdict = _verdict(data)
    if info.status != "complete":
        verdict += f" (the run is {md(info.status)})"
    browser = " ".join(p for p in (info.browser_name, info.browser_version) if p)
    bits = [f"run `{md(info.run_id)}`", f"app {md(info.app_title or info.app)}"]
    bits += [f"version {md(info.app_version)}"] if info.app_version else []
    bits += [md(browser)] if browser else []
    bits += [f"env {md(info.env)}"] if info.env else []
    if info.git_branch or info.git_commit:
        bits.append(f"commit {md(info.git_branch or '')}@{md((info.git_commit or '')[:10])}".replace(" @", " ")
                    .rstrip("@"))
    bits.append(f"started {md(info.started_at.replace('T', ' ')[:19])} UTC" if info.started_at else "")
    lines = [f"## adoption-harness: {md(info.app_title or info.app)}", "", verdict, "",
             ", ".join(b for b in bits if b) + ".", "",
             "| | total | passed | flaky | failed | skipped | incomplete |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for label, counts in (("journeys", Counter(j.status for j in journeys)),
                          ("scenarios", Counter(s.status for s in data.scenarios)),
                          ("scenario runs", Counter(r.status for r in data.scenario_runs))):
        flaky = "–" if label == "scenario runs" else str(counts["flaky"])
        lines.append(f"| {label} | {sum(counts.values())} | {counts['passed']} | {flaky} | {counts['failed']} | "
                     f"{counts['skipped']} | {counts['incomplete']} |")
    lines.append("")
    healed = [s for s in data.scenarios if s.status == "flaky" and s.outcome.healed]
    if healed:
        steps = sum(1 for r in data.records if r.status == "healed")
        lines += [f"Flaky (healed): {len(healed)} scenario{'s' if len(healed) != 1 else ''} passed only because "
                  f"`--heal` repaired a step's UI-map target at run time ({steps} healed step"
                  f"{'s' if steps != 1 else ''}; see Healed steps).", ""]
    return lines


def _failures(data: RunData) -> list[str]:
    rows = []
    for runs in data.cases().values():
        failed = [r for r in runs if r.status == "failed"]
        if not failed:
            continue
        step = next(s for s in failed[0].steps if s.status == "failed")
        error = (step.error or "").strip().splitlines()
        example = ", ".join(f"{k}={v}" for k, v in runs[0].example.items())
        rows.append([md(runs[0].journey), md(runs[0].scenario + (f" [{example}]" if example else "")),
                     f"{len(failed)}/{len(runs)}", md(f"{step.keyword} {step.text}"),
                     md(f"{step.feature_file}:{step.line}" if step.line else step.feature_file),
                     md(f"{step.error_kind or 'error'}: {error[0] if error else ''}")])
    more = f" (first 10 of {len(rows)}; all in report.html and junit.xml)" if len(rows) > 10 else ""
    return md_table(f"### Failures{more}", ["journey", "scenario", "failed runs", "failing step", "where", "error"],
                    "llrlll", rows) + _repairs(data)


def _scenario_words(run: ScenarioRun) -> str:
    example = ", ".join(f"{k}={v}" for k, v in run.example.items())
    return f"{run.journey} › {run.scenario}" + (f" [{example}]" if example else "")


def _change(repair: TargetRepair) -> str:
    """``old`` → ``new`` (score), or the old selector and why there is no suggestion (escaped)."""
    old = md_code(repair.selector) if repair.selector else "(no selector)"
    s = repair.suggestion
    if s is None:
        return f"{old}: no suggestion: {md(no_suggestion(repair))}"
    score = f" (score {s.score:.2f})" if s.score is not None else ""
    return f"{old} → {md_code(s.target)}{score}"


def _repair_item(repair: TargetRepair, where: str) -> list[str]:
    """A repair as a Markdown list item: target, cause, the change, then its reasons, alternatives and diff."""
    named = f"**{md_code(repair.target)}**" if repair.target else "No UI-map target"
    lines = [f"- {named} ({md(cause_words(repair.cause))}), {where}: {_change(repair)}"]
    s = repair.suggestion
    if s is not None and s.reasons:
        lines.append(f"  - why: {'; '.join(md(r) for r in s.reasons)}")
    if s is not None and s.alternatives:
        alts = ", ".join(md_code(a.target) + (f" ({a.score:.2f})" if a.score is not None else "")
                         for a in s.alternatives)
        lines.append(f"  - alternatives: {alts}")
    diff = diff_rows(repair)
    if diff:
        lines.append("  - changed from the baseline: "
                     + "; ".join(f"{md(d.field)} {md_code(d.old)} → {md_code(d.new)}" for d in diff))
    baseline = baseline_words(repair)
    if baseline:
        lines.append(f"  - baseline: {md(baseline)}")
    return lines


def _repairs(data: RunData) -> list[str]:
    """The UI-map repairs the failed steps need: one item per distinct repair (target, old and new selector)."""
    found: dict[tuple[str | None, str | None, str | None], tuple[TargetRepair, str]] = {}
    for run in data.scenario_runs:
        step: StepRecord | None = next((s for s in run.steps if s.status == "failed"), None)
        if step is None or step.repair is None:
            continue
        r = step.repair
        key = (r.target, r.selector, r.suggestion.target if r.suggestion else None)
        found.setdefault(key, (r, md(f"{_scenario_words(run)}, step {step.step_index + 1}")))
    if not found:
        return []
    repairs = list(found.values())
    more = f" (first {REPAIRS} of {len(repairs)})" if len(repairs) > REPAIRS else ""
    lines = [f"#### UI-map repairs for the failed steps{more}", ""]
    for repair, where in repairs[:REPAIRS]:
        lines += _repair_item(repair, where)
    lines.append("")
    if any(r.suggestion is not None for r, _ in repairs):
        lines += [f"Review the suggestions and fix the UI map: {FIX_LINE}", ""]
    return lines


def _healed(data: RunData) -> list[str]:
    """The healed steps: their target, old → new selector; to review, and to fix in the UI map."""
    rows = []
    for healed in healed_steps(data.scenarios):
        step, first = healed.step, healed.scenario.first
        example = ", ".join(f"{k}={v}" for k, v in first.example.items())
        scenario = f"{first.journey} › {first.scenario}" + (f" [{example}]" if example else "")
        repeat = f" (replay {healed.replay.repeat + 1})" if len(healed.scenario.replays) > 1 else ""
        repair = step.repair
        rows.append([md(scenario + repeat), md(f"{step.step_index + 1}. {step.keyword} {step.text}"),
                     md_code(repair.target if repair else step.target or "–"),
                     _change(repair) if repair is not None else "(no repair recorded)"])
    if not rows:
        return []
    more = f" (first 10 of {len(rows)})" if len(rows) > 10 else ""
    return [f"### Healed steps{more}", "",
            "These steps failed on their UI-map target and passed once `--heal` retried them with the suggested "
            "selector: their scenarios are flaky (healed). Review each one and fix the UI map: " + FIX_LINE, "",
            *md_table("", ["scenario", "step", "target", "old → new selector"], "llll", rows)[2:]]


def _guides(read: GuidesRead | None) -> list[str]:
    if read is None:
        return []
    if read.error is not None:
        return ["### Guides", "", md(read.error), ""]
    guides = read.file
    status = Counter(g.status or "unknown" for g in guides.guides)
    steps = Counter(s.status for g in guides.guides for s in g.steps)
    parts = ", ".join(f"{n} {md(s)}" for s, n in sorted(steps.items()))
    lines = ["### Guides", "",
             f"Guides: {len(guides.guides)}, {status['intact']} intact, {status['warning']} with warnings, "
             f"{status['broken']} broken ({sum(steps.values())} steps: {parts}).", ""]
    broken = [(g, s) for g in guides.guides for s in g.steps if s.status != "ok"]
    rows = [[md(g.title or g.id), md(s.title or s.id), md(s.status), md(s.message or ""),
             md_code(s.suggestion.target) + (f" ({s.suggestion.score:.2f})" if s.suggestion.score is not None else "")
             if s.suggestion else "–"] for g, s in broken]
    more = f" (first {min(len(rows), 10)} of {len(rows)})" if len(rows) > 10 else ""
    return lines + md_table(f"#### Guide steps that are not ok{more}",
                            ["guide", "step", "status", "why", "suggested selector"], "lllll", rows)


def _friction(findings: FindingsFile | None) -> list[str]:
    if findings is None or not findings.findings:
        return []
    count = Counter(f.severity for f in findings.findings)
    rows = [[f.severity, md(f.title), md(f.message), md(f"{f.journey} › {f.scenario}"),
             md(f"step {f.step_index + 1}" if f.step_index is not None else "scenario")]
            for f in findings.findings[:TOP]]
    title = (f"### Top friction findings ({len(rows)} of {len(findings.findings)}: {count['high']} high, "
             f"{count['medium']} medium, {count['low']} low)")
    return md_table(title, ["severity", "finding", "what happened", "where", "at"], "lllll", rows)


def _slowest(journeys: list[JourneyView]) -> list[str]:
    rows = []
    for slow in slowest_steps(journeys, limit=TOP):
        step, case = slow.step, slow.case
        over = f"over in {step.over_count}/{step.runs}" if step.over_count else ("within" if step.budget_ms else "–")
        rows.append([md(f"{case.title} › {step.keyword} {step.text}"), fmt_ms(step.median_ms),
                     fmt_ms(slow.p90_ms) if slow.p90_ms is not None else "–", fmt_ms(step.budget_ms), over])
    return md_table("### Slowest steps", ["step", "median", "p90", "budget", "vs budget"], "lrrrl", rows)


def render_run_summary(run_dir: Path) -> str | None:
    """Return ``summary.md`` for a folder: its run, guides, findings and comparison; None when it has none."""
    run_dir = Path(run_dir)
    data = load_run(run_dir)
    guides = read_guides(run_dir)
    comparison = read_comparison(run_dir)
    lines: list[str] = []
    if data.source is not None:
        journeys = journey_views(data)
        total = sum(r.duration_ms for r in data.scenario_runs)
        lines += _head(data, journeys)
        lines += _failures(data)
        lines += _healed(data)
        lines += _guides(guides)
        lines += _friction(read_findings(run_dir))
        lines += _slowest(journeys)
        lines.append(f"<sub>{len(data.records)} steps, {fmt_total(total)} of step time. "
                     "report.html, junit.xml, steps.csv and steps.parquet are in the run folder.</sub>")
        lines.append("")
    elif guides is not None:
        lines += [f"## adoption-harness: guides of {md(guides.file.app or run_dir.name)}", "", *_guides(guides)]
    if comparison is not None:
        lines.append(render_summary(comparison, title="## Regressions: what changed since the baseline"))
    return "\n".join(lines).rstrip("\n") + "\n" if lines else None


def write_run_summary(run_dir: Path) -> Path | None:
    """Write ``summary.md`` into a run folder; None (nothing written) when there is nothing to sum up."""
    text = render_run_summary(run_dir)
    return write_atomic(Path(run_dir) / SUMMARY_MD, text) if text is not None else None
