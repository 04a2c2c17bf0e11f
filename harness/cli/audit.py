"""``harness audit RUN``: friction findings recomputed from a saved run folder, without a browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from harness.cli.common import fail, out
from harness.contracts.records import FindingsFile
from harness.errors import HarnessError

SEVERITIES = ("high", "medium", "low")
FAIL_ON = (*SEVERITIES, "never")


def parse_fail_on(value: str) -> str:
    """Check a ``--fail-on`` severity (``high``, ``medium``, ``low`` or ``never``)."""
    if value not in FAIL_ON:
        raise HarnessError(f"--fail-on must be one of {', '.join(FAIL_ON)}, not {value!r}")
    return value


def failing(findings: FindingsFile, fail_on: str) -> int:
    """How many findings are at or above the ``fail_on`` severity."""
    if fail_on == "never":
        return 0
    worst = SEVERITIES.index(fail_on)
    return sum(1 for f in findings.findings if SEVERITIES.index(f.severity) <= worst)


def print_findings(findings: FindingsFile, limit: int = 15) -> None:
    """Print the ranked findings and each scenario's friction score."""
    if not findings.findings:
        out.print("No friction finding.", markup=False)
        return
    table = Table(title=f"Friction findings ({len(findings.findings)}, most costly first)")
    for column in ("severity", "rule", "where", "what"):
        table.add_column(column)
    for finding in findings.findings[:limit]:
        where = f"{Path(finding.feature_file).name}:{finding.step_line or finding.scenario_line or ''}"
        table.add_row(finding.severity, finding.rule, escape(where), escape(finding.message))
    out.print(table)
    if len(findings.findings) > limit:
        out.print(f"... and {len(findings.findings) - limit} more in findings.json and the report", markup=False)
    scores = Table(title="Friction score per scenario (each point comes from a finding)")
    for column in ("scenario", "score", "high", "medium", "low", "from"):
        scores.add_column(column, justify="right" if column in ("score", "high", "medium", "low") else "left")
    for journey in sorted(findings.journeys, key=lambda j: -j.score):
        if not journey.score:
            continue
        example = f" [{', '.join(journey.example.values())}]" if journey.example else ""
        parts = ", ".join(f"{p.rule} +{p.points:g}" for p in journey.breakdown[:4])
        more = f", +{len(journey.breakdown) - 4} more" if len(journey.breakdown) > 4 else ""
        scores.add_row(escape(journey.scenario + example), f"{journey.score:g}",
                       *(str(journey.findings.get(s, 0)) for s in SEVERITIES), escape(parts + more))
    out.print(scores)


def audit(
    run_dir: Annotated[Path, typer.Argument(help="a run folder")],
    baseline: Annotated[Path | None, typer.Option("--baseline", help="a run folder of the same journeys to "
                                                  "compare page loads and steps with")] = None,
    app: Annotated[str | None, typer.Option("--app", help="take the thresholds from this app profile "
                                            "(default: the run's own)")] = None,
    fail_on: Annotated[str, typer.Option("--fail-on", help="exit 1 when a finding is at least this severe: "
                                         "high, medium, low or never")] = "high",
    json_out: Annotated[bool, typer.Option("--json", help="print findings.json on stdout")] = False,
) -> None:
    """Recompute the friction findings of a run folder (findings.json and report.html), without a browser.

    Example: harness audit reports/20261126-190501-demo --fail-on medium
    """
    from harness.pipeline import audit_folder

    try:
        policy = parse_fail_on(fail_on)
        findings = audit_folder(run_dir, baseline, app)
    except HarnessError as exc:
        raise fail(exc) from None
    if json_out:
        print(json.dumps(findings.model_dump(mode="json"), ensure_ascii=False, indent=1))
    else:
        print_findings(findings)
        out.print(f"Findings: {run_dir / 'findings.json'}", markup=False, soft_wrap=True)
        out.print(f"Report:   {run_dir / 'report.html'}", markup=False, soft_wrap=True)
    raise typer.Exit(1 if failing(findings, policy) else 0)
