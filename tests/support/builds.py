"""The expensive runs the tests share, each made once per session (:class:`SharedBuilds`).

``tests/conftest.py`` turns each into a session fixture; which worker builds it does not matter.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NamedTuple

from tests.support import ROOT
from tests.support.allure import generate
from tests.support.cli import Done, cli, harness
from tests.support.servers import flaky_site, serve_folder
from tests.support.shared import SharedBuilds

REPORT_TAGS = ("--tags", "@login or @approvals")
"""The report's runs: sign-in journeys (pass on v2, with friction) and approvals (fails on v2): every tab."""
COMPARE = ROOT / "tests" / "fixtures" / "compare"
COMPARE_REPEAT = "8"
"""Replays of each run of the compare fixture: enough for the statistics to call a 1 s slowdown."""
ALLURE_TAGS = "@smoke or @approvals"
"""The Allure demo run: the Scenario Outline, a failing critical journey, a slow search (8 scenarios)."""


class Run(NamedTuple):
    """A run folder and what the command that made it did."""

    out: Path
    done: Done


class CompareRuns(NamedTuple):
    """The compare fixture's runs: ``base``, then ``cand`` with /cart.html 1 s slower, in one ``history``."""

    base: Path
    cand: Path
    history: Path
    done: Done
    """The candidate run's command (it compared itself with the base)."""


class AllureDemo(NamedTuple):
    """A demo v2 run with Allure results, their report, and a second report that carries the first one's history."""

    run: Path
    results: Path
    report: Path
    report2: Path


class FlakyRuns(NamedTuple):
    """The flaky site's runs: ``base`` (steady), ``cand`` (retried, compared with base) and its Allure results."""

    base: Path
    cand: Path
    allure: Path
    done: Done


def _done(value: Any) -> Done:
    return Done(**value)


def demo_run(shared: SharedBuilds, name: str, *args: str, after: Run | None = None) -> Run:
    """``harness demo ARGS --out <name>/run``: the default history lands beside it, in ``<name>/history``.

    ``after``: a run registered in that history first (its passing steps are the baselines of the repairs).
    """
    out = shared.folder(name) / "run"

    def build(_: Path) -> dict[str, Any]:
        if after is not None:
            added = cli("history", "add", after.out, "--history", out.parent / "history")
            assert added.returncode == 0, added.stdout + added.stderr
        return dataclasses.asdict(harness("demo", *args, "--out", str(out)))

    return Run(out, _done(shared.once(name, build)))


def report_runs(shared: SharedBuilds) -> tuple[Run, Run]:
    """The demo v1 run (:func:`demo_run`, shared), then v2 twice per scenario (two workers) against it, in one history.

    The v2 run takes only :data:`REPORT_TAGS`: its report has every tab (overview, journeys,
    failures, guides, friction, regressions, trends) at a small cost. The v1 run is registered in
    the report's own history first (``harness history add``), so the trends have two runs.
    """
    v1 = demo_run(shared, "demo-v1")
    folder = shared.folder("report")
    v2, history = folder / "v2", folder / "history"

    def build(_: Path) -> dict[str, Any]:
        added = cli("history", "add", v1.out, "--history", history)
        assert added.returncode == 0, added.stdout + added.stderr
        second = harness("demo", "--version", "2", "--out", str(v2), "--repeat", "2", "--workers", "2",
                         "--history", str(history), "--baseline", str(v1.out), "--step-timeout", "2000", *REPORT_TAGS)
        assert second.returncode == 1, second.stdout + second.stderr  # v2 breaks journeys and guides
        return dataclasses.asdict(second)

    return v1, Run(v2, _done(shared.once("report", build)))


def flaky_runs(shared: SharedBuilds) -> FlakyRuns:
    """The flaky site steady (the baseline), then failing every first try: replayed twice, retried once.

    The second run compares itself with the first (``--baseline last``) and writes Allure results.
    """
    folder = shared.folder("flaky")
    runs = FlakyRuns(folder / "base", folder / "cand", folder / "allure", Done(-1, "", ""))
    common = ["--app", str(COMPARE / "app.yaml"), "--repeat", "2", "--no-a11y", "--no-probes", "--trace", "off",
              "--step-timeout", "1500", "--history", str(folder / "history")]

    def build(_: Path) -> dict[str, Any]:
        with flaky_site(steady=True) as url:
            done = harness("run", str(COMPARE / "flaky.feature"), "--base-url", url, "--out", str(runs.base), *common)
            assert done.returncode == 0, done.stdout + done.stderr
        with flaky_site(steady=False) as url:  # each replay fails first, then passes on its retry
            done = harness("run", str(COMPARE / "flaky.feature"), "--base-url", url, "--out", str(runs.cand),
                           "--retries", "1", "--baseline", "last", "--allure-dir", str(runs.allure), *common)
        return dataclasses.asdict(done)

    return runs._replace(done=_done(shared.once("flaky", build)))


def compare_runs(shared: SharedBuilds) -> CompareRuns:
    """A baseline run of the compare fixture, then a candidate with /cart.html 1 s slower (``--baseline last``)."""
    folder = shared.folder("compare")
    runs = CompareRuns(folder / "base", folder / "cand", folder / "history", Done(-1, "", ""))
    common = ["--app", str(COMPARE / "app.yaml"), "--repeat", COMPARE_REPEAT, "--no-a11y", "--trace", "off",
              "--history", str(runs.history)]

    def build(_: Path) -> dict[str, Any]:
        with serve_folder(COMPARE / "site") as url:
            done = harness("run", str(COMPARE / "checkout.feature"), "--base-url", url, "--out", str(runs.base),
                           "--app-version", "1.0", "--label", "nightly", *common)
            assert done.returncode == 0, done.stdout + done.stderr
        with serve_folder(COMPARE / "site", delays={"/cart.html": 1.0}) as url:
            done = harness("run", str(COMPARE / "checkout.feature"), "--base-url", url, "--out", str(runs.cand),
                           "--app-version", "1.1", "--baseline", "last", *common)
        return dataclasses.asdict(done)

    return runs._replace(done=_done(shared.once("compare", build)))


def allure_demo(shared: SharedBuilds, tool: Path) -> AllureDemo:
    """The demo v2 (:data:`ALLURE_TAGS`) with ``--allure-dir``, its Allure report, and the CI recipe's next one.

    The second report is generated after ``harness report --allure-history`` gave the results the
    first report's history, as a CI job does between two runs.
    """
    folder = shared.folder("allure-demo")
    demo = AllureDemo(folder / "run", folder / "results", folder / "report1", folder / "report2")

    def build(_: Path) -> dict[str, Any]:
        done = harness("demo", "--version", "2", "--tags", ALLURE_TAGS, "--out", str(demo.run), "--history", "off",
                       "--allure-dir", str(demo.results))
        assert done.returncode == 1, done.stdout + done.stderr  # the approval journey fails on v2
        generate(tool, demo.results, demo.report)
        done = cli("report", demo.run, "--allure-history", demo.report)
        assert done.returncode == 0, done.stdout + done.stderr
        generate(tool, demo.results, demo.report2)
        return {}

    shared.once("allure-demo", build)
    return demo
