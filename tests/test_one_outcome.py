"""One definition of every outcome (issue 13): every output gives each scenario the same outcome.

One synthetic run folder holds a scenario with 1 of 10 replays failed, one that passed only on a
retry, one skipped midway, a non-ASCII Outline row (and a failing sibling row), a run stopped
during a scenario, and a plain passing one. The run is closed as a run ends (``finish_run``),
compared with an all-passing baseline, and every output is written; then ``run.json``, the
findings, ``report.html``, ``junit.xml``, ``summary.md``, ``comparison.json``, ``steps.csv`` and
the Allure results are read back with real readers and must agree. No browser.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from junitparser import Error, Failure, JUnitXml, Skipped

from harness.compare.build import build_comparison
from harness.contracts.comparison import Comparison
from harness.contracts.records import STEPS_JSONL, FindingsFile, RunInfo, StepRecord
from harness.outcomes import (
    ReplayVerdict,
    example_key,
    exit_code,
    final_attempts,
    replay_status,
    scenario_outcome,
    scenarios,
    totals,
)
from harness.pipeline import finish_run
from harness.report.outputs import write_outputs
from harness.report.tabular.csv_export import ENCODING
from harness.runfolder.comparison import write_comparison
from harness.runfolder.history import resolve
from harness.runfolder.io import write_run_info
from harness.spec.regressions import RegressionConfig

CAND, BASE = "20261127-100000-shop", "20261126-100000-shop"
SHOP, GREET = "features/shop.feature", "features/greet.feature"
ZOE = {"name": "Zoë", "city": "Zürich"}
ANN = {"name": "Ann", "city": "Oslo"}
Case = tuple[str, tuple[tuple[str, str], ...]]
"""A scenario as the tests name it: its name and its Examples row as pairs."""

EXPECTED: dict[Case, str] = {
    ("Browse the catalogue", ()): "flaky",  # (a) 1 of 10 replays failed
    ("Check out", ()): "flaky",  # (b) failed at attempt 0, passed on its retry
    ("Export the orders", ()): "skipped",  # (c) pytest.skip() at its second step
    ("Greet <name>", tuple(ZOE.items())): "passed",  # (d) a non-ASCII Outline row...
    ("Greet <name>", tuple(ANN.items())): "failed",  # ... and its sibling row, failing in both replays
    ("Pay", ()): "incomplete",  # (e) the run was stopped after 2 of its 9 steps
    ("Sign in", ()): "passed",
}
HEALTH = {"passing": "passed", "flaky": "flaky", "broken": "failed", "skipped": "skipped", "incomplete": "incomplete"}


def _replay(scenario: str, steps: int, *, run_id: str = CAND, repeat: int = 0, attempt: int = 0,
            example: dict[str, str] | None = None, fail_at: int | None = None, skip_at: int | None = None,
            stop_after: int | None = None, feature: str = SHOP, journey: str = "Shop") -> list[StepRecord]:
    """The step records of one attempt of one replay, as the plugin writes them."""
    example = example or {}
    row = "-".join(example.values())
    test_id = f"tests/test_journeys.py::test_{scenario.lower().replace(' ', '_')}[r{repeat}{'-' + row if row else ''}]"
    records, status = [], "passed"
    for i in range(steps if stop_after is None else stop_after):
        if status in ("failed", "skipped"):
            status = "not_run"
        elif i == fail_at:
            status = "failed"
        elif i == skip_at:
            status = "skipped"
        fields: dict[str, Any] = {}
        if status == "failed":
            fields = {"error": "TimeoutError: Locator.click: Timeout 5000ms exceeded.", "error_kind": "timeout"}
        elif status == "skipped":
            fields = {"error": "Skipped: not on this vendor version"}
        records.append(StepRecord(
            run_id=run_id, app="shop", journey=journey, feature_file=feature, scenario=scenario, scenario_line=3,
            scenario_steps=steps, example=example, repeat=repeat, attempt=attempt, test_id=test_id,
            step_index=i, keyword="When", text=f"step {i + 1} of {scenario}", line=4 + i, status=status,
            started_at="2026-11-27T10:00:00.000+00:00", duration_ms=200.0 + 10 * i if status != "not_run" else None,
            **fields))
    return records


def _candidate() -> list[StepRecord]:
    records: list[StepRecord] = []
    for n in range(10):
        records += _replay("Browse the catalogue", 3, repeat=n, fail_at=1 if n == 4 else None)
    records += _replay("Check out", 4, fail_at=2) + _replay("Check out", 4, attempt=1)
    records += _replay("Export the orders", 3, skip_at=1)
    for n in range(2):
        records += _replay("Greet <name>", 2, repeat=n, example=ZOE, feature=GREET, journey="Greetings")
        records += _replay("Greet <name>", 2, repeat=n, example=ANN, feature=GREET, journey="Greetings", fail_at=1)
    for n in range(3):
        records += _replay("Sign in", 3, repeat=n)
    return records + _replay("Pay", 9, stop_after=2)  # the run was stopped here


def _baseline() -> list[StepRecord]:
    """Every scenario passing, three replays each; the Outline row's keys in the other order."""
    records: list[StepRecord] = []
    for n in range(3):
        for name, steps in (("Browse the catalogue", 3), ("Check out", 4), ("Export the orders", 3), ("Sign in", 3),
                            ("Pay", 9)):
            records += _replay(name, steps, run_id=BASE, repeat=n)
        for row in ({"city": "Zürich", "name": "Zoë"}, ANN):
            records += _replay("Greet <name>", 2, run_id=BASE, repeat=n, example=row, feature=GREET,
                               journey="Greetings")
    return records


def _run_folder(folder: Path, run_id: str, records: list[StepRecord], exitstatus: int, status: str | None,
                **options: object) -> RunInfo:
    """Write a run folder and close it as the end of a run does (totals, exit code, findings)."""
    folder.mkdir(parents=True)
    (folder / STEPS_JSONL).write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    write_run_info(folder, RunInfo(run_id=run_id, app="shop", base_url="https://shop.example.test",
                                   harness_version="test", started_at=f"{run_id[:4]}-{run_id[4:6]}-{run_id[6:8]}"
                                   "T10:00:00+00:00", options={"repeat": 10, **options}))
    return finish_run(folder, exitstatus=exitstatus, build=False, status=status)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("one-outcome")
    _run_folder(root / "base", BASE, _baseline(), 0, None)
    folder = root / "cand"
    _run_folder(folder, CAND, _candidate(), 2, "incomplete", allure_dir=str(root / "allure"))
    baseline, candidate = resolve(str(root / "base"), root / "history"), resolve(str(folder), root / "history")[0]
    write_comparison(folder, build_comparison(baseline, candidate, RegressionConfig()))
    done = write_outputs(folder, strict=True)
    assert not done.failed
    return folder


def _case(scenario: str, example: dict[str, str]) -> Case:
    return scenario, tuple(example.items())


def test_run_json_counts_each_scenario_by_its_outcome_and_exits_1(run_dir: Path) -> None:
    info = RunInfo.model_validate_json((run_dir / "run.json").read_text(encoding="utf-8"))
    wanted = Counter(EXPECTED.values())
    assert info.totals["scenarios"] == len(EXPECTED) == 7
    assert {o: info.totals[f"scenarios_{o}"] for o in wanted} == dict(wanted)
    assert (info.totals["replays"], info.totals["replays_passed"], info.totals["replays_failed"],
            info.totals["replays_skipped"], info.totals["replays_incomplete"]) == (20, 15, 3, 1, 1)
    assert info.status == "incomplete" and info.exit_code == 1  # a replay's last attempt failed


def test_findings_json_gives_each_scenario_its_outcome(run_dir: Path) -> None:
    found = FindingsFile.model_validate_json((run_dir / "findings.json").read_text(encoding="utf-8"))
    assert {_case(j.scenario, j.example): j.status for j in found.journeys} == EXPECTED


def test_report_html_gives_each_scenario_its_outcome(run_dir: Path) -> None:
    soup = BeautifulSoup((run_dir / "report.html").read_text(encoding="utf-8"), "html.parser")
    shown: dict[Case, str] = {}
    for case in soup.select("details.case"):
        name = case.select_one("summary h4").get_text()
        row = case.select_one("summary .ex")
        pairs = tuple(tuple(p.split(" = ", 1)) for p in row.get_text().split(", ")) if row else ()
        [badge] = case.select("summary .badge")  # one badge: the outcome, flaky included
        outcome = next(c[2:] for c in badge["class"] if c.startswith("b-"))
        assert case["data-status"].split()[0] == outcome and f"st-{outcome}" in case["class"]
        shown[(name, pairs)] = outcome  # type: ignore[index]
    assert shown == EXPECTED
    journeys = {h.get_text(): h.find_next_sibling(class_="badge")["class"] for h in soup.select(".journey-head h3")}
    assert journeys == {"Shop": ["badge", "b-incomplete"], "Greetings": ["badge", "b-failed"]}


def _junit_outcome(case: Any) -> str:
    results = case.result
    flaky = case._elem.findall("flakyFailure")
    if not results:
        return "flaky" if flaky else "passed"
    [result] = results
    if isinstance(result, Failure):
        return "flaky" if result.message.startswith("flaky: ") else "failed"
    if isinstance(result, Error):
        return "incomplete" if result.type == "incomplete" else "failed"
    assert isinstance(result, Skipped)
    return "skipped"


def test_junit_xml_gives_each_scenario_its_outcome(run_dir: Path) -> None:
    names = {f"{s} [{', '.join(f'{k}={v}' for k, v in row)}]" if row else s: (s, row) for s, row in EXPECTED}
    shown: dict[Case, str] = {}
    for suite in JUnitXml.fromfile(str(run_dir / "junit.xml")):
        for case in suite:
            outcome = _junit_outcome(case)
            assert f"\nOutcome: {outcome}\n" in case.system_out
            shown[names[case.name]] = outcome
    assert shown == EXPECTED


def test_summary_md_counts_the_same_outcomes(run_dir: Path) -> None:
    text = (run_dir / "summary.md").read_text(encoding="utf-8")
    assert "❌ **Journeys failed** (the run is incomplete)" in text
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in text.splitlines() if line.startswith("| scenario")}
    wanted = Counter(EXPECTED.values())
    assert rows["scenarios"] == [str(len(EXPECTED))] + [str(wanted[o]) for o in
                                                          ("passed", "flaky", "failed", "skipped", "incomplete")]
    assert rows["scenario runs"] == ["20", "15", "–", "3", "1", "1"]


def test_comparison_json_gives_each_scenario_its_outcome(run_dir: Path) -> None:
    comparison = Comparison.model_validate_json((run_dir / "comparison.json").read_text(encoding="utf-8"))
    shown = {(s.where.scenario, example_key(s.where.example)): HEALTH[s.candidate] for s in comparison.statuses}
    # the baseline passed everything: a scenario not listed still passes
    assert {case: shown.get((case[0], example_key(dict(case[1]))), "passed") for case in EXPECTED} == EXPECTED
    kinds = {s.where.scenario: s.kind for s in comparison.statuses if not s.where.example}
    assert kinds["Pay"] == "incomplete" and kinds["Export the orders"] == "now_skipped"
    # the Outline row whose keys the baseline recorded in another order is the same scenario, not new and removed
    assert not [c for c in comparison.changes if c.where.example == ZOE and c.verdict in ("new", "removed")]


def test_steps_csv_gives_each_scenario_its_outcome(run_dir: Path) -> None:
    frame = pd.read_csv(run_dir / "steps.csv", encoding=ENCODING, keep_default_na=False)
    shown: dict[Case, set[str]] = {}
    for (scenario, example), rows in frame.groupby(["scenario", "example"]):
        pairs = tuple(tuple(p.split("=", 1)) for p in example.split("; ")) if example else ()
        shown[(scenario, pairs)] = set(rows["outcome"])  # type: ignore[index]
    assert shown == {case: {outcome} for case, outcome in EXPECTED.items()}
    retried = frame[frame["scenario"] == "Check out"]
    assert set(retried["replay_status"]) == {"passed"} and set(retried["attempt"]) == {0, 1}


def _allure_outcome(results: list[dict[str, Any]]) -> str:
    labels = [{la["name"]: la["value"] for la in r["labels"]} for r in results]
    last: dict[tuple[str, str], int] = {}
    for lab in labels:
        key = (lab["harness_test_id"], lab["harness_repeat"])
        last[key] = max(last.get(key, 0), int(lab["harness_attempt"]))
    finals = [r for r, lab in zip(results, labels, strict=True)
              if int(lab["harness_attempt"]) == last[(lab["harness_test_id"], lab["harness_repeat"])]]
    statuses = {r["status"] for r in finals}
    if all((r.get("statusDetails") or {}).get("flaky") for r in finals):
        return "flaky"
    if "broken" in statuses:
        return "incomplete"
    return "skipped" if "skipped" in statuses else statuses.pop() if len(statuses) == 1 else "mixed"


def test_allure_results_give_each_scenario_its_outcome(run_dir: Path) -> None:
    by_case: dict[Case, list[dict[str, Any]]] = {}
    for path in (run_dir.parent / "allure").glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if result["name"].startswith("Guide:"):
            continue
        row = tuple((p["name"], p["value"]) for p in result.get("parameters", []) if not p.get("excluded"))
        by_case.setdefault((result["name"], row), []).append(result)
    assert {case: _allure_outcome(results) for case, results in by_case.items()} == EXPECTED
    assert len(by_case[("Check out", ())]) == 2  # the failed attempt and its retry, one flagged flaky


# --- the definitions themselves -----------------------------------------------------------------
def test_an_examples_row_has_one_key_whatever_its_order_or_script() -> None:
    key = example_key(ZOE)
    assert key == example_key({"city": "Zürich", "name": "Zoë"}) == '{"city": "Zürich", "name": "Zoë"}'
    assert example_key({}) == "{}" and example_key(None) == "{}"


@pytest.mark.parametrize(("replays", "outcome"), [
    ([("passed", False)] * 3, "passed"),
    ([("passed", False), ("failed", False)], "flaky"),
    ([("passed", True), ("passed", False)], "flaky"),
    ([("failed", False), ("failed", False)], "failed"),
    ([("failed", False), ("incomplete", False)], "failed"),
    ([("passed", False), ("incomplete", False)], "incomplete"),
    ([("passed", True), ("incomplete", False)], "incomplete"),
    ([("passed", False), ("skipped", False)], "skipped"),
    ([("passed", True), ("skipped", False)], "flaky"),
    ([("skipped", False)], "skipped"),
    ([], "incomplete"),
])
def test_a_scenarios_outcome_over_its_replays(replays: list[tuple[str, bool]], outcome: str) -> None:
    verdicts = [ReplayVerdict(status=s, repeat=n, retried=r) for n, (s, r) in enumerate(replays)]  # type: ignore[arg-type]
    assert scenario_outcome(verdicts).status == outcome


def test_a_replays_status_from_its_steps() -> None:
    assert replay_status(failed=True, skipped=True, passed_steps=0, expected_steps=3) == "failed"
    assert replay_status(failed=False, skipped=True, passed_steps=1, expected_steps=3) == "skipped"
    assert replay_status(failed=False, skipped=False, passed_steps=3, expected_steps=3) == "passed"
    assert replay_status(failed=False, skipped=False, passed_steps=2, expected_steps=9) == "incomplete"


def test_a_cut_replay_is_found_by_its_siblings_when_records_do_not_say_how_many_steps() -> None:
    old = [r.model_copy(update={"scenario_steps": None})
           for r in _replay("Sign in", 3) + _replay("Sign in", 3, repeat=1, stop_after=1)]
    [scenario] = scenarios(old)
    assert [r.status for r in scenario.replays] == ["passed", "incomplete"] and scenario.status == "incomplete"
    [alone] = scenarios(old[3:])  # one replay, nothing to compare with: what was recorded passed
    assert alone.status == "passed"


def test_an_interrupted_step_is_not_a_skip() -> None:
    records = _replay("Export the orders", 3, skip_at=1)
    records[1] = records[1].model_copy(update={"error": "interrupted"})
    [scenario] = scenarios(records)
    assert scenario.status == "incomplete"


def test_final_attempts_keep_each_replays_last_attempt_only() -> None:
    records = _replay("Check out", 4, fail_at=2) + _replay("Check out", 4, attempt=1) + _replay("Pay", 2)
    kept = final_attempts(records)
    assert [(r.scenario, r.attempt) for r in kept] == [("Check out", 1)] * 4 + [("Pay", 0)] * 2


def test_totals_count_steps_of_last_attempts_replays_and_scenarios() -> None:
    records = _replay("Check out", 4, fail_at=2) + _replay("Check out", 4, attempt=1) + _replay("Pay", 3, fail_at=1)
    counts = totals(records)
    assert (counts["steps"], counts["steps_passed"], counts["steps_failed"], counts["steps_not_run"]) == (7, 5, 1, 1)
    assert (counts["replays"], counts["replays_passed"], counts["replays_failed"]) == (2, 1, 1)
    assert (counts["scenarios"], counts["scenarios_flaky"], counts["scenarios_failed"]) == (2, 1, 1)


def test_the_exit_code_follows_the_outcomes() -> None:
    def outcomes(*cases: list[StepRecord]) -> list:
        return [s.outcome for s in scenarios([r for case in cases for r in case])]

    passing, skipped = _replay("Sign in", 2), _replay("Export the orders", 3, skip_at=1)
    retried = _replay("Check out", 2, fail_at=1) + _replay("Check out", 2, attempt=1)
    one_of_two = _replay("Browse the catalogue", 2) + _replay("Browse the catalogue", 2, repeat=1, fail_at=0)
    cut = _replay("Pay", 9, stop_after=2)
    assert exit_code(outcomes(passing, skipped, retried)) == 0  # flaky only by a retry does not fail the run
    assert exit_code(outcomes(passing, one_of_two)) == 1  # a replay's last attempt failed: flaky, and a failure
    assert exit_code(outcomes(passing, cut)) == 2  # no verdict: the run did not finish
    assert exit_code(outcomes(one_of_two, cut)) == 1
    assert exit_code(outcomes(passing), stopped=True) == 2 and exit_code(outcomes(one_of_two), errored=True) == 2
