"""The plugin's command-line options, and the run settings they give.

``harness run`` hands the pytest subprocess one file (``--harness-settings``); a pytest run of
the user's own (``pytest --harness-app demo ...``) gives the same settings as options. Either
way the plugin works from one :class:`~harness.contracts.settings.RunSettings`, whose defaults
are the only ones.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.settings import DEFAULTS, ORDERS, TRACE_DETAILS, TRACE_MODES, RunSettings
from harness.errors import HarnessError
from harness.runfolder.settings import read_settings
from harness.spec.remote import browser_endpoints


class _Bool(argparse.Action):
    """``--x`` / ``--x=no``."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("nargs", "?")
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: Any, namespace: Any, values: Any, option_string: Any = None) -> None:
        setattr(namespace, self.dest, values is None or str(values).lower() in ("1", "yes", "true", "on"))


def add_options(parser: pytest.Parser) -> None:
    """Declare the ``--harness-*`` options (defaults from :data:`~harness.contracts.settings.DEFAULTS`)."""
    group = parser.getgroup("harness", "adoption-harness: replay journeys in Chromium")
    add = group.addoption
    add("--harness-settings", default=None, help="a settings.json written by `harness run` (replaces the others)")
    add("--harness-app", help="app profile: a name under journeys/ or a path to app.yaml")
    add("--harness-root", default=None, help="project folder holding journeys/ (default: cwd)")
    add("--harness-base-url", default=None, help="URL of the app under test")
    add("--harness-out", default=None, help="run folder (default reports/<run-id>)")
    add("--harness-run-id", default=None, help="run id (default: time and app)")
    add("--harness-app-version", default=None, help="version label of the app under test")
    add("--harness-env", default=None, help="environment the app runs in (staging, prod...)")
    add("--harness-label", action="append", default=[], help="a label to pick this run by later")
    add("--harness-history", default=None,
        help="history store to register the run in (default: history/ beside the run folder; off: none)")
    add("--harness-repeat", type=int, default=DEFAULTS.repeat, help="replay each scenario N times")
    add("--harness-order", default=DEFAULTS.order, choices=ORDERS,
        help="replay order: every scenario's first replay, then every second one... (interleave, the default: "
             "a burst of load cannot hit all replays of one scenario), or each scenario's replays together (grouped)")
    add("--harness-trace", default=DEFAULTS.trace, choices=TRACE_MODES)
    add("--harness-trace-detail", default=DEFAULTS.trace_detail, choices=TRACE_DETAILS,
        help="light: actions, console, network; full: also DOM snapshots and screenshots (slows each action)")
    add("--harness-browser-path", default=None, help="Chromium executable to use")
    add("--harness-grid", default=None, help="take every browser from this Selenium Grid 4 (its router's URL)")
    add("--harness-connect", default=None, help="take every browser from this Playwright browser server (ws://...)")
    add("--harness-shard", default=None, help="I/N: run the I-th of N shares of the scenario runs")
    add("--harness-headed", action="store_true", help="show the browser")
    add("--harness-step-timeout", type=float, default=DEFAULTS.step_timeout_ms, help="ms a step waits")
    add("--harness-quiet-ms", type=float, default=DEFAULTS.quiet_ms,
        help="ms a page must stay quiet for a wait for what is not there to end early (0: never)")
    add("--harness-features", action="append", default=[], help="feature paths (custom steps)")
    add("--harness-guides", default=None,
        help="guides folder checked inside journeys (default: guides/ beside app.yaml)")
    add("--harness-report", action=_Bool, default=DEFAULTS.report, help="write report.html at the end (default yes)")
    add("--harness-allure-history", default=None,
        help="with --alluredir: a previous Allure report whose history/ is carried over (trends)")
    add("--harness-probes", action=_Bool, default=DEFAULTS.probes,
        help="collect in-page signals: vitals, long tasks, DOM changes, validation (default yes)")
    add("--harness-a11y", action=_Bool, default=DEFAULTS.a11y,
        help="scan each new page state with axe-core (default yes; needs probes)")


def settings_from(config: pytest.Config) -> RunSettings | None:
    """The run's settings: from ``--harness-settings``, else the options; ``None`` without ``--harness-app``.

    Raises:
        HarnessError: For a settings file that cannot be read.
    """
    option = config.getoption
    file = option("--harness-settings", default=None)
    if file:
        try:
            return read_settings(Path(file))
        except (OSError, ValueError) as exc:
            raise HarnessError(f"cannot read the run settings: {exc}", Path(file)) from None
    app = option("--harness-app", default=None)
    if not app:
        return None
    guides, history = option("--harness-guides"), option("--harness-allure-history")
    root = Path(option("--harness-root") or Path.cwd())
    grid, connect = browser_endpoints(option("--harness-grid"), option("--harness-connect"), os.environ, root)
    alluredir = getattr(config.option, "allure_report_dir", None)
    try:
        return RunSettings(
            app=app, root=root, base_url=option("--harness-base-url"),
            out=Path(option("--harness-out")) if option("--harness-out") else None,
            run_id=option("--harness-run-id"), app_version=option("--harness-app-version"),
            env=option("--harness-env"), labels=list(option("--harness-label") or []),
            history=option("--harness-history"), repeat=max(1, option("--harness-repeat")),
            retries=getattr(config.option, "reruns", 0) or 0,
            workers=getattr(config.option, "numprocesses", None) or 1,
            order=option("--harness-order"), trace=option("--harness-trace"),
            trace_detail=option("--harness-trace-detail"),
            browser_path=option("--harness-browser-path"), headed=option("--harness-headed"),
            grid=grid, connect=connect, shard=option("--harness-shard"),
            step_timeout_ms=option("--harness-step-timeout"), quiet_ms=option("--harness-quiet-ms"),
            paths=[str(Path(p).resolve()) for p in option("--harness-features")],
            guides=Path(guides).resolve() if guides else None,
            probes=option("--harness-probes"), a11y=option("--harness-a11y"), report=option("--harness-report"),
            allure_dir=Path(alluredir).resolve() if alluredir else None,
            allure_history=Path(history).resolve() if history else None,
        )
    except ValueError as exc:
        raise HarnessError(f"bad --harness-* option: {exc}") from None
