"""``summary.md``: the comparison in Markdown, for a CI job summary or a pull-request comment.

Everything that comes from the app (step texts, error messages) is escaped: a page title
cannot inject a link, an image or HTML into the comment, a URL it names is shown as code (a
renderer does not make it a link), and its control characters are shown, not kept.
"""

from __future__ import annotations

import re

from harness.contracts.comparison import Change, Comparison
from harness.untrusted import URL, printable

TOP = 10
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def _plain(value: str) -> str:
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", value)


def md(text: object) -> str:
    """Escape ``text`` for a Markdown table cell: no markup, no HTML, no link, one line (300 characters at most)."""
    value = " ".join(printable(str(text)).split())[:300]
    parts, start = [], 0
    for url in URL.finditer(value):  # a bare URL would be made a link by the renderer: a code span is not
        parts += [_plain(value[start:url.start()]), md_code(url[0])]
        start = url.end()
    return "".join([*parts, _plain(value[start:])])


def md_code(text: object) -> str:
    """``text`` as an inline code span fit for a table cell (a selector): no backticks, pipes escaped."""
    value = " ".join(printable(str(text)).split()).replace("`", "'").replace("|", "\\|")[:300]
    return f"`{value}`"


def fmt_value(value: float | None, unit: str) -> str:
    """A metric's value for people: ``1,234 ms``, ``0.12``, or ``–``."""
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:,.0f} ms"
    return f"{value:.3g}"


def _ci(change: Change) -> str:
    if change.ratio is not None and change.ratio_low is not None and change.ratio_high is not None:
        return f"{change.ratio * 100:+.0f}% [{change.ratio_low * 100:+.0f}%, {change.ratio_high * 100:+.0f}%]"
    if change.change is not None and change.change_low is not None and change.change_high is not None:
        return f"{change.change:+.3g} [{change.change_low:+.3g}, {change.change_high:+.3g}]"
    return "–"


def md_table(title: str, header: list[str], align: str, rows: list[list[str]]) -> list[str]:
    """A titled Markdown table of the first ``TOP`` rows (``align``: ``l`` or ``r`` per column); none without rows."""
    if not rows:
        return []
    rule = ["---:" if a == "r" else "---" for a in align]
    return [title, "", *("| " + " | ".join(cells) + " |" for cells in (header, rule, *rows[:TOP])), ""]


def _side(comparison: Comparison, which: str) -> str:
    side = comparison.baseline if which == "baseline" else comparison.candidate
    runs = side.runs[0] if len(side.runs) == 1 else f"{len(side.runs)} runs, newest {side.runs[0]}"
    bits = [f"`{md(runs)}`"]
    if side.app_version:
        bits.append(f"version {md(side.app_version)}")
    if side.git_branch or side.git_commit:
        bits.append(f"{md(side.git_branch or '')}@{md((side.git_commit or '')[:10])}".strip("@"))
    return ", ".join(bits)


def render_summary(comparison: Comparison, title: str = "## adoption-harness: what changed") -> str:
    """Return the comparison in Markdown: ``summary.md`` alone, or the Regressions part of a run's.

    Args:
        comparison: The comparison.
        title: Its heading line.
    """
    gate = comparison.gate
    counts = comparison.counts
    head = "❌ **Regressions fail the build**" if gate and gate.failed else "✅ **No regression fails the build**"
    lines = [
        title, "", head, "",
        f"Candidate {_side(comparison, 'candidate')} compared with baseline {_side(comparison, 'baseline')}.", "",
        "| slower | faster | unchanged | too little data | new | removed | newly failing | newly flaky "
        "| fixed | new findings | broken guide steps |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| " + " | ".join(str(counts.get(k, 0)) for k in (
            "slower", "faster", "unchanged", "insufficient_data", "new", "removed", "status_new_failure",
            "status_new_flaky", "status_fixed", "finding_new", "guide_broken")) + " |", "",
    ]
    lines += [f"{md(r.words())}\n" for r in comparison.run_wide if r.metric == "duration_ms"]
    if gate and gate.failed:
        lines += ["### Why the build fails", ""]
        lines += [f"- {md(r.strip()[2:])}" if r.startswith("  - ") else f"\n**{md(r)}**\n" for r in gate.reasons]
        lines.append("")
    failing = [s for s in comparison.statuses if s.kind in ("new_failure", "now_broken", "new_flaky")]
    lines += md_table("### Newly failing or flaky", ["scenario", "now", "failing step", "error"], "llll", [
        [md(s.where.label()), f"{s.candidate}: {s.outcome()}", md(s.step or "–"), md(s.error_kind or s.error or "–")]
        for s in failing])
    moved = [c for c in comparison.changes if c.verdict in ("slower", "faster")]
    lines += md_table(f"### Significant changes (top {min(TOP, len(moved))} of {len(moved)})",
                    ["where", "metric", "baseline median", "candidate median",
                     f"change [{comparison.settings.confidence:.0%} CI]", "q", "verdict"], "llrrrrl", [
        [md(c.where.label()), md(c.label), fmt_value(c.baseline.median if c.baseline else None, c.unit),
         fmt_value(c.candidate.median if c.candidate else None, c.unit), _ci(c), f"{c.q_value:.2g}",
         f"**{c.verdict}**"] for c in moved])
    new_findings = [f for f in comparison.findings if f.kind == "new"]
    lines += md_table("### New friction findings", ["severity", "finding", "where"], "lll", [
        [f.severity, f"{md(f.title)}: {md(f.message)}", f"{md(f.journey)} › {md(f.scenario)}"] for f in new_findings])
    broken = [g for g in comparison.guides if g.kind == "broken"]
    lines += md_table("### Newly broken guide steps", ["guide", "step", "status", "suggested selector"], "llll", [
        [md(g.guide), md(g.step), str(g.candidate), md_code(g.suggestion) if g.suggestion else "–"]
        for g in broken])
    drifting = [t for t in comparison.trends if t.drifting]
    if drifting:
        lines += ["### Slow drifts", ""]
        lines += [f"- {md(t.where.label())}: {t.ratio * 100 if t.ratio is not None else 0:+.0f}% over "
                  f"{len(t.runs)} runs" for t in drifting[:TOP]]
        lines.append("")
    s = comparison.settings
    lines.append(f"<sub>Mann-Whitney U with Benjamini-Hochberg at q < {s.alpha:g}; slower or faster only when "
                 f"the change is also at least {s.min_effect_pct:g}% and {s.min_effect_ms:g} ms (and a journey or "
                 f"scenario total stands out from the run-wide shift); "
                 f"{s.confidence:.0%} Hodges-Lehmann intervals; at least {s.min_samples} values per side.</sub>")
    return "\n".join(lines) + "\n"
