"""Render ``report.html``: one self-contained, offline, escaped HTML file per run."""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import Markup

import harness
from harness.contracts.records import REPORT_HTML, RUN_FILE
from harness.contracts.targets import FIXES_PATCH
from harness.report.html.assets import INSTALL_HINT, chart_library, report_script
from harness.report.html.chart_specs import Charts, add_case_charts, journey_time
from harness.report.html.failures import failure_views, healed_views
from harness.report.html.friction_model import read_findings
from harness.report.html.friction_view import FrictionView, friction_view
from harness.report.html.guides_view import GuidesView, load_guides_view
from harness.report.html.images import Images
from harness.report.html.regress_view import RegressionsView, load_regressions_view
from harness.report.html.trends_view import TrendsView, trends_view
from harness.report.load import RunData, load_run
from harness.report.repairs import FIX_COMMAND
from harness.report.stats import fmt_ms, fmt_time, fmt_total, parse_time
from harness.report.view import FailureView, JourneyView, SlowStep, journey_views, slowest_steps
from harness.runfolder.files import write_atomic

TEMPLATES = Path(__file__).parent / "templates"
STATUS_FILTERS = (("failed", "failed"), ("flaky", "flaky"), ("healed", "flaky (healed)"),
                  ("over-budget", "over budget"), ("passed", "passed"), ("incomplete", "incomplete"),
                  ("skipped", "skipped"))
"""(value, words) of the journeys tab's status filter; a scenario matches each word of its ``filter_status``."""


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
    charts: Charts = field(default_factory=Charts)
    overview_chart: str | None = None
    trends: TrendsView | None = None
    status_filters: list[tuple[str, str, int]] = field(default_factory=list)
    """(value, words, scenarios matching) of the status filter, for the values some scenario has."""
    healed: list[FailureView] = field(default_factory=list)
    """The healed steps (``--heal`` repaired their target at run time), shown after the failures."""
    fix: tuple[str, str] = (FIX_COMMAND, FIXES_PATCH)
    """The command that writes a run's repairs as a patch, and the patch's name."""


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


def _friction(data: RunData, journeys: list[JourneyView], notices: list[str],
              images: Images) -> FrictionView | None:
    """The friction section from ``findings.json`` (None without one); problems go to ``notices``."""
    found = read_findings(data.run_dir, data.info.run_id)
    if found is None:
        return None
    notices.extend(found.warnings)
    if found.file is None:
        notices.append(found.error or "findings.json could not be shown.")
        return None
    return friction_view(found.file, data.run_dir, journeys, images)


def build_view(data: RunData) -> Report:
    """Compute everything the report shows from a loaded run (and its ``guides.json``, if any)."""
    journeys = journey_views(data)
    images = Images(data.run_dir)
    failures = failure_views(data, journeys, images)  # first: failures get the image budget first
    guides = load_guides_view(data.run_dir, journeys, images)
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
    friction = _friction(data, journeys, notices, images)
    charts = Charts()
    overview = journey_time(journeys)
    add_case_charts(journeys, charts)
    cases = [c for j in journeys for c in j.cases]
    return Report(
        header=_header(data, journeys), banner=banner, notices=notices, journeys=journeys,
        slowest=slowest, show_p90=any(r.p90_ms is not None for r in slowest),
        failures=failures, healed=healed_views(data, journeys), run_id=info.run_id, footer=footer, guides=guides,
        friction=friction, regressions=load_regressions_view(data.run_dir), charts=charts,
        overview_chart=charts.add(overview) if overview else None, trends=_trends(data, charts, notices),
        status_filters=[(value, words, n) for value, words in STATUS_FILTERS
                        if (n := sum(1 for c in cases if value in c.filter_status.split()))],
    )


def _trends(data: RunData, charts: Charts, notices: list[str]) -> TrendsView | None:
    """The trends section from the run's history store; a history that cannot be read is a notice."""
    try:
        return trends_view(data.run_dir, data.info, charts)
    except Exception as exc:  # the history is a convenience here: the run's own results must still show
        notices.append(f"Trends could not be read from the history: {type(exc).__name__}: {exc}")
        return None


class _TemplateCache(jinja2.FileSystemBytecodeCache):
    """The templates compiled once, not at every run (compiling them took 0.3 s of each run's end).

    jinja2's own cache folder (``_jinja2-cache-<uid>`` in the temporary folder, private to the user),
    keyed by each template's source, so an edited template is compiled again. The cache is a
    convenience: a folder that cannot be read or written only means compiling again.
    """

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _template_cache() -> jinja2.BytecodeCache | None:
    try:
        return _TemplateCache()
    except (OSError, RuntimeError):  # no private temporary folder to be had
        return None


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, bytecode_cache=_template_cache(),
    )
    env.filters["ms"] = fmt_ms
    env.filters["total"] = fmt_total
    return env


def render(data: RunData) -> str:
    """Render a loaded run as HTML text."""
    env = _environment()
    view = build_view(data)
    scripts = [report_script()]
    library = chart_library() if view.charts.specs else None
    if view.charts.specs and library is None:
        view.notices.append(f"Charts are not shown: the chart library is not installed ({INSTALL_HINT}).")
    if library is not None:
        scripts.insert(0, library)
    return env.get_template("report.html.j2").render(
        r=view, scripts=[Markup(s.text) for s in scripts],  # our own files, never run data
        script_hashes=" ".join(f"'{s.hash}'" for s in scripts), chart_data=view.charts.specs if library else {},
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
