"""The expensive runs the tests share, each made once per session (:class:`SharedBuilds`).

``tests/conftest.py`` turns each into a session fixture; which worker builds it does not matter.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, NamedTuple

from tests.support import ROOT
from tests.support.cli import Done, harness
from tests.support.servers import flaky_site
from tests.support.shared import SharedBuilds

REPORT_TAGS = ("--tags", "@login or @approvals")
"""The report's runs: sign-in journeys (pass on v2, with friction) and approvals (fails on v2): every tab."""
COMPARE = ROOT / "tests" / "fixtures" / "compare"


class Run(NamedTuple):
    """A run folder and what the command that made it did."""

    out: Path
    done: Done


class FlakyRuns(NamedTuple):
    """The flaky site's runs: ``base`` (steady), ``cand`` (retried, compared with base) and its Allure results."""

    base: Path
    cand: Path
    allure: Path
    done: Done


def _done(value: Any) -> Done:
    return Done(**value)


def demo_run(shared: SharedBuilds, name: str, *args: str) -> Run:
    """``harness demo ARGS --out <name>/run``: the default history lands beside it, in ``<name>/history``."""
    out = shared.folder(name) / "run"

    def build(_: Path) -> dict[str, Any]:
        return dataclasses.asdict(harness("demo", *args, "--out", str(out)))

    return Run(out, _done(shared.once(name, build)))


def report_runs(shared: SharedBuilds) -> tuple[Run, Run]:
    """The demo v1 once, then v2 twice per scenario (two workers) against it as the baseline, in one history.

    Only :data:`REPORT_TAGS`: the v2 report has every tab (overview, journeys, failures, guides,
    friction, regressions, trends) at a small cost.
    """
    folder = shared.folder("report")
    v1, v2, history = folder / "v1", folder / "v2", folder / "history"

    def build(_: Path) -> dict[str, Any]:
        first = harness("demo", "--out", str(v1), "--history", str(history), *REPORT_TAGS)
        assert first.returncode == 0, first.stdout + first.stderr
        second = harness("demo", "--version", "2", "--out", str(v2), "--repeat", "2", "--workers", "2",
                         "--history", str(history), "--baseline", str(v1), "--step-timeout", "2000", *REPORT_TAGS)
        assert second.returncode == 1, second.stdout + second.stderr  # v2 breaks journeys and guides
        return {"v1": dataclasses.asdict(first), "v2": dataclasses.asdict(second)}

    data = shared.once("report", build)
    return Run(v1, _done(data["v1"])), Run(v2, _done(data["v2"]))


def flaky_runs(shared: SharedBuilds) -> FlakyRuns:
    """The flaky site steady (the baseline), then failing every first try: replayed twice, retried once.

    The second run compares itself with the first (``--baseline last``) and writes Allure results.
    """
    folder = shared.folder("flaky")
    runs = FlakyRuns(folder / "base", folder / "cand", folder / "allure", Done(-1, "", ""))
    common = ["--app", str(COMPARE / "app.yaml"), "--repeat", "2", "--no-a11y", "--no-probes", "--step-timeout",
              "1500", "--history", str(folder / "history")]

    def build(_: Path) -> dict[str, Any]:
        with flaky_site(steady=True) as url:
            done = harness("run", str(COMPARE / "flaky.feature"), "--base-url", url, "--out", str(runs.base), *common)
            assert done.returncode == 0, done.stdout + done.stderr
        with flaky_site(steady=False) as url:  # each replay fails first, then passes on its retry
            done = harness("run", str(COMPARE / "flaky.feature"), "--base-url", url, "--out", str(runs.cand),
                           "--retries", "1", "--baseline", "last", "--allure-dir", str(runs.allure), *common)
        return dataclasses.asdict(done)

    return runs._replace(done=_done(shared.once("flaky", build)))
