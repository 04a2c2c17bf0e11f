"""``summary.md``: the run on one screen in Markdown, for a CI job summary (``$GITHUB_STEP_SUMMARY``).

The run and its app, the outcome of its journeys and scenario runs, the failures, the
guides (broken steps with their repairs), the top friction findings, the slowest steps
against their budgets and, when the folder holds a ``comparison.json``, the comparison as
its Regressions part. Everything from the app or the specs goes through ``md`` (or
``md_code`` for selectors): no link, image, HTML or table break can come from a page.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from harness.contracts.records import FindingsFile
from harness.report.load import RunData, load_run
from harness.report.markdown.comparison import md, md_code, md_table, render_summary
from harness.report.stats import fmt_ms, fmt_total
from harness.report.view import JourneyView, journey_views, slowest_steps
from harness.runfolder.comparison import read_comparison
from harness.runfolder.files import write_atomic
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import GuidesRead, read_guides

SUMMARY_MD = "summary.md"
TOP = 5


def _verdict(data: RunData) -> str:
    """The run's verdict, from its scenarios' outcomes as the exit code reads them (``harness.outcomes``)."""
    outcomes = [s.outcome for s in data.scenarios]
    if not outcomes:
        return "⚠️ **No scenario was recorded**"
    flaky = sum(1 for o in outcomes if o.status == "flaky")
    if any(o.fails_run for o in outcomes):
        return "❌ **Journeys failed**"
    if any(o.status == "incomplete" for o in outcomes):
        return "⚠️ **Journeys did not finish**"
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
                    "llrlll", rows)


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
