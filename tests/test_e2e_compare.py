"""Regressions end to end: real runs in Chromium, a page made slower, history, compare, gate, outputs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from harness.contracts.comparison import Comparison
from tests.support import ROOT
from tests.support.builds import COMPARE_REPEAT, CompareRuns, FlakyRuns
from tests.support.cli import cli, harness
from tests.support.run_folders import records, run_info
from tests.support.servers import serve_folder

FIXTURE = ROOT / "tests" / "fixtures" / "compare"
SLOW_STEP = 'I open "/cart.html"'
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("compare")]


def test_the_slowed_step_is_slower_and_no_other_step_moves(compare_runs: CompareRuns) -> None:
    done = compare_runs.done
    out = done.stdout + "\n--- stderr ---\n" + done.stderr
    assert done.returncode == 1, out  # the journeys passed; the gate fails the build
    comparison = Comparison.model_validate_json((compare_runs.cand / "comparison.json").read_text())
    assert comparison.baseline.runs == [json.loads((compare_runs.base / "run.json").read_text())["run_id"]]
    assert comparison.baseline.spec == "last" and comparison.baseline.app_version == "1.0"
    slowed = next(c for c in comparison.changes if c.where.text == SLOW_STEP and c.metric == "duration_ms")
    assert slowed.verdict == "slower" and slowed.baseline and slowed.baseline.n == int(COMPARE_REPEAT)
    assert slowed.change_low is not None and slowed.change_low > 200  # 1 s was added
    assert slowed.q_value is not None and slowed.q_value < 0.05 and "above the minimum effect" in slowed.why
    moved_steps = {c.where.text for c in comparison.changes if c.where.level == "step" and c.metric == "duration_ms"
                   and c.verdict in ("slower", "faster")}
    assert moved_steps == {SLOW_STEP}
    # the scenario and journey totals hold that step: slower, or within the noise of the other steps on a
    # loaded machine; never faster
    totals = [c for c in comparison.changes if c.where.level != "step" and c.metric == "duration_ms"]
    assert len(totals) == 2 and all(c.verdict in ("slower", "unchanged") for c in totals)
    assert comparison.gate is not None and comparison.gate.failed
    assert "Significant slowdowns of 20% or more" in out and "The regression gate fails the build" in out
    assert comparison.statuses == [] and comparison.counts.get("new", 0) == 0


def test_summary_and_report_show_the_regression(compare_runs: CompareRuns) -> None:
    summary = (compare_runs.cand / "summary.md").read_text()
    assert "❌ **Regressions fail the build**" in summary and 'step 2: I open "/cart.html": duration' in summary
    # the run's own summary, then the comparison as its Regressions part
    assert summary.startswith("## adoption-harness: ") and "✅ **Every journey passed**" in summary
    assert summary.index("### Slowest steps") < summary.index("## Regressions: what changed since the baseline")
    html = (compare_runs.cand / "report.html").read_text()
    assert 'id="regressions"' in html and "The regression gate fails the build" in html
    label = 'aria-label="duration of Checkout › Pay for the cart › step 2: I open &#34;/cart.html&#34;'
    assert f'role="img" {label}' in html
    ids = [e.get("id") for e in ET.fromstring(html[html.index("<svg"):html.index("</svg>") + 6]).iter() if e.get("id")]
    assert ids and all(i.startswith("ch") for i in ids)  # the chart's ids are its own in the page


def test_history_holds_both_runs_readable_by_pandas(compare_runs: CompareRuns) -> None:
    index = pd.read_parquet(compare_runs.history / "index.parquet")
    assert list(index["app_version"]) == ["1.0", "1.1"] and list(index["labels"].iloc[0]) == ["nightly"]
    assert bool(index["green"].iloc[0]) and index["steps"].iloc[0] == 5 * int(COMPARE_REPEAT)
    listed = cli("history", "list", "--history", compare_runs.history, "--json")
    assert listed.returncode == 0 and len(listed.stdout.strip().splitlines()) == 2


def test_compare_picks_runs_by_label_and_prints_json(compare_runs: CompareRuns, tmp_path: Path) -> None:
    out = tmp_path / "again"
    done = cli("compare", "label:nightly", compare_runs.cand, "--history", compare_runs.history, "--out", out,
               "--json")
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["exit_code"] == 1 and data["gate"]["failed"] and (out / "comparison.json").is_file()
    assert (out / "summary.md").read_text().startswith("## adoption-harness: what changed")  # the comparison alone
    assert data["baseline"]["spec"] == "label:nightly"
    assert cli("compare", "label:nightly", compare_runs.cand, "--history", compare_runs.history,
               "--out", out, "--no-gate").returncode == 0


def test_a_baseline_that_does_not_exist_is_one_clear_message(compare_runs: CompareRuns) -> None:
    done = cli("compare", "version:9.9", compare_runs.cand, "--history", compare_runs.history)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "9.9" in done.stderr and "1.0" in done.stderr  # says which versions exist


def test_a_scenario_that_passes_only_on_a_retry_is_flaky(flaky_runs: FlakyRuns) -> None:
    done = flaky_runs.done
    assert done.returncode == 0, done.stdout + done.stderr  # flaky does not fail the build by default
    attempts = [r.attempt for r in records(flaky_runs.cand) if r.text == 'I should see "Ready"']
    assert sorted(attempts) == [0, 0, 1, 1]
    info = run_info(flaky_runs.cand)
    # one scenario, flaky: both its replays passed, each only on a retry (harness.outcomes)
    assert info.totals["scenarios_flaky"] == 1 and info.totals["replays_passed"] == 2
    assert info.options["retries"] == 1 and info.exit_code == 0
    comparison = Comparison.model_validate_json((flaky_runs.cand / "comparison.json").read_text())
    (status,) = comparison.statuses
    assert (status.kind, status.retried_repeats, status.failed_repeats) == ("new_flaky", [0, 1], [])
    assert "new flaky: Checkout" in done.stdout
    html = (flaky_runs.cand / "report.html").read_text()
    assert "passes only on a retry in 2/2" in html and "attempts that failed and were retried" in html


def test_replays_interleave_and_a_first_run_has_nothing_to_compare_with(tmp_path: Path) -> None:
    text = (FIXTURE / "checkout.feature").read_text()
    second = text.split("\n", 1)[1].replace("Scenario: Pay for the cart", "Scenario: Pay again")
    feature = tmp_path / "two.feature"
    feature.write_text(text + "\n" + second)
    with serve_folder(FIXTURE / "site") as url:
        done = harness("run", str(feature), "--app", str(FIXTURE / "app.yaml"), "--base-url", url, "--repeat", "3",
                       "--no-a11y", "--no-probes", "--out", str(tmp_path / "run"), "--history", str(tmp_path / "h"),
                       "--baseline", "label:never-given")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "note: nothing to compare with yet" in done.stderr  # the history holds only this run
    firsts = sorted({(r.started_at, r.test_id.split("::")[-1]) for r in records(tmp_path / "run") if r.step_index == 0})
    assert [name for _, name in firsts] == [f"test_{s}[r{r}]" for r in range(3) for s in ("pay_for_the_cart",
                                                                                         "pay_again")]
