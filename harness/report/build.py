"""Render ``report.html``: one self-contained, offline, escaped HTML file per run."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

import harness
from harness.files import write_atomic
from harness.records import REPORT_HTML, RUN_FILE
from harness.report.failures import failure_views
from harness.report.friction_model import read_findings
from harness.report.friction_view import FrictionView, friction_view
from harness.report.guides_view import GuidesView, load_guides_view
from harness.report.load import RunData, load_run
from harness.report.regress_view import RegressionsView, load_regressions_view
from harness.report.stats import fmt_ms, fmt_time, fmt_total, parse_time
from harness.report.view import FailureView, JourneyView, SlowStep, journey_views, slowest_steps

TEMPLATES = Path(__file__).parent / "templates"
SCRIPT = (
    "document.querySelectorAll('[data-toggle]').forEach(function(b){b.hidden=false;"
    "b.addEventListener('click',function(){var o=b.dataset.toggle==='open';"
    "document.querySelectorAll('details.case').forEach(function(d){d.open=o;});});});"
    "if(navigator.clipboard){document.querySelectorAll('[data-copy]').forEach(function(b){b.hidden=false;"
    "b.addEventListener('click',function(){var c=document.getElementById(b.dataset.copy);"
    "navigator.clipboard.writeText(c.textContent).then(function(){b.textContent='Copied';"
    "setTimeout(function(){b.textContent='Copy';},1500);});});});}"
)
"""The report's only script: 'expand all' / 'collapse all' and 'copy' buttons, hidden when JS is off."""


@dataclass
class Header:
    """The run at a glance."""

    title: str
    app: str
    app_version: str | None
    base_url: str
    browser: str | None
    started: str
    status: str
    wall_ms: float | None
    step_ms: float
    journeys: int
    runs: Counter[str]
    steps: Counter[str]
    repeats: int
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Report:
    """Everything the template shows."""

    header: Header
    banner: str | None
    notices: list[str]
    journeys: list[JourneyView]
    slowest: list[SlowStep]
    show_p90: bool
    failures: list[FailureView]
    run_id: str
    footer: str
    guides: GuidesView | None = None
    friction: FrictionView | None = None
    regressions: RegressionsView | None = None
    kind: str = "run"
    """``run`` (a journey run, maybe with guide results) or ``guides`` (a guide check alone)."""


def _header(data: RunData, journeys: list[JourneyView]) -> Header:
    info = data.info
    start, end = parse_time(info.started_at), parse_time(info.ended_at)
    wall = (end - start).total_seconds() * 1000 if start and end and end >= start else None
    repeats = max((len(c.runs) for j in journeys for c in j.cases), default=1)
    browser = " ".join(p for p in (info.browser_name, info.browser_version) if p) or None
    options = [(str(k), str(v)) for k, v in sorted(info.options.items())
               if k != "repeat" and v is not None and v != "" and v is not False]
    return Header(
        title=info.app_title or info.app, app=info.app, app_version=info.app_version, base_url=info.base_url,
        browser=browser, started=fmt_time(info.started_at), status=info.status, wall_ms=wall,
        step_ms=sum(r.duration_ms or 0.0 for r in data.records), journeys=len(journeys),
        runs=Counter(r.status for r in data.scenario_runs), steps=Counter(r.status for r in data.records),
        repeats=repeats, options=options,
    )


def _guides_report(data: RunData, guides: GuidesView) -> Report:
    """The report of a folder that holds a guide check and no journey run."""
    header = Header(
        title=guides.app or data.run_dir.resolve().name, app=guides.app or "", app_version=guides.app_version,
        base_url=guides.base_url or "", browser=None, started=guides.checked_at or "–", status=guides.status,
        wall_ms=guides.duration_ms, step_ms=0.0, journeys=0, runs=Counter(), steps=Counter(), repeats=1,
    )
    footer = " · ".join((
        f"guide check of {data.run_dir.resolve().name}", f"adoption-harness {harness.__version__}",
        f"generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
    ))
    return Report(header=header, banner=None, notices=[], journeys=[], slowest=[], show_p90=False, failures=[],
                  run_id=data.run_dir.name, footer=footer, guides=guides, kind="guides")


def _friction(data: RunData, journeys: list[JourneyView], notices: list[str]) -> FrictionView | None:
    """The friction section from ``findings.json`` (None without one); problems go to ``notices``."""
    found = read_findings(data.run_dir, data.info.run_id)
    if found is None:
        return None
    notices.extend(found.warnings)
    if found.file is None:
        notices.append(found.error or "findings.json could not be shown.")
        return None
    return friction_view(found.file, data.run_dir, journeys)


def build_view(data: RunData) -> Report:
    """Compute everything the report shows from a loaded run (and its ``guides.json``, if any)."""
    journeys = journey_views(data)
    guides = load_guides_view(data.run_dir, journeys)
    if guides is not None and data.source is None and not (data.run_dir / RUN_FILE).is_file():
        return _guides_report(data, guides)
    slowest = slowest_steps(journeys)
    banner = None
    if data.info.status != "complete":
        n = len(data.records)
        banner = (f"The run did not finish (status: {data.info.status}); "
                  f"{n} step{'s' if n != 1 else ''} recorded.")
    info = data.info
    footer = " · ".join(p for p in (
        f"run {info.run_id}", f"adoption-harness {info.harness_version or harness.__version__}",
        f"commit {info.git_commit[:12]}" if info.git_commit else None,
        f"records from {data.source}" if data.source else None,
        f"generated {datetime.now(UTC).strftime('%Y-%m-%d %H:%M:%S UTC')}",
    ) if p)
    notices = list(data.warnings)
    friction = _friction(data, journeys, notices)
    return Report(
        header=_header(data, journeys), banner=banner, notices=notices, journeys=journeys,
        slowest=slowest, show_p90=any(r.p90_ms is not None for r in slowest),
        failures=failure_views(data, journeys), run_id=info.run_id, footer=footer, guides=guides,
        friction=friction, regressions=load_regressions_view(data.run_dir),
    )


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["ms"] = fmt_ms
    env.filters["total"] = fmt_total
    return env


def script_hash(script: str = SCRIPT) -> str:
    """Return the CSP hash source (``sha256-…``, to quote) allowing exactly the report's inline script."""
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def render(data: RunData) -> str:
    """Render a loaded run as HTML text."""
    env = _environment()
    return env.get_template("report.html.j2").render(
        r=build_view(data), script=Markup(SCRIPT), script_hash=script_hash(),  # our own constant, not data
    )


def build_report(run_dir: Path, out: Path | None = None) -> Path:
    """Write the HTML report of a run folder.

    Args:
        run_dir: The run folder.
        out: Where to write the report (default ``run_dir / "report.html"``).

    Returns:
        The path of the written report.
    """
    run_dir = Path(run_dir)
    out = Path(out) if out is not None else run_dir / REPORT_HTML
    return write_atomic(out, render(load_run(run_dir)))
