"""Allure results finished from a hand-written run folder (no browser): guides, friction, categories, history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from harness.collect.runner import Prepared, RunOptions, pytest_command, resolved_settings
from harness.collect.steps import library
from harness.contracts.allure import severity
from harness.contracts.records import Finding, FindingsFile, RunInfo, StepArtifacts, StepRecord
from harness.contracts.settings import RunSettings
from harness.report.allure.meta import GUIDE_MARK, SLOW_MARK, carry_history, categories
from harness.report.allure.results import write_allure_results
from harness.runfolder.io import write_run_info
from harness.runfolder.settings import read_settings, write_settings
from harness.spec.profile import load_profile
from tests.support import ROOT
from tests.support.cli import cli

SECRET = "s3cret-Pa55-Unit-9Zq"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PROFILE = """schema_version: 1
name: shop
title: Shop (unit)
users:
  alice:
    username: alice
    password: {env: ALLURE_UNIT_PW, default: nope}
"""
TEST_ID = "test_journeys.py::test_checkout"
FLAKY_ID = "test_journeys.py::test_status"


def _record(step: int, text: str, status: str = "passed", test_id: str = TEST_ID, attempt: int = 0,
            **extra: Any) -> StepRecord:
    scenario = "Pay" if test_id == TEST_ID else "Status"
    return StepRecord(run_id="r1", app="shop", journey="Checkout", feature_file="features/shop.feature",
                      scenario=scenario, step_index=step, keyword="When", text=text, status=status, test_id=test_id,
                      attempt=attempt, started_at="2026-11-27T10:00:00.000+00:00", duration_ms=1500.0 + step,
                      **extra)


def _live_result(uuid: str, name: str, steps: list[str], test_id: str, status: str, attempt: int = 0,
                 message: str | None = None) -> dict[str, Any]:
    """A scenario result as allure-pytest-bdd writes it, with the harness's labels."""
    result: dict[str, Any] = {
        "uuid": uuid, "name": name, "status": status, "historyId": f"h-{name}", "testCaseId": f"t-{name}",
        "fullName": f"shop.feature:{name}", "start": 1, "stop": 2,
        "steps": [{"name": f"When {text}", "status": "passed", "start": 1, "stop": 2} for text in steps],
        "labels": [{"name": "feature", "value": "Checkout"}, {"name": "harness_test_id", "value": test_id},
                   {"name": "harness_repeat", "value": "0"}, {"name": "harness_attempt", "value": str(attempt)}],
    }
    if message:
        result["statusDetails"] = {"message": message, "trace": f"Traceback: typed {SECRET} somewhere"}
    return result


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run folder with one failed scenario (over budget, a finding, artifacts), a flaky one, guides and
    the live results allure-pytest-bdd would have written into ``allure``."""
    monkeypatch.setenv("ALLURE_UNIT_PW", SECRET)
    run = tmp_path / "run"
    (run / "artifacts" / "pay").mkdir(parents=True)
    (run / "artifacts" / "pay" / "step-01.png").write_bytes(PNG)
    (run / "artifacts" / "pay" / "step-00.png").write_bytes(PNG + b"0")
    (run / "artifacts" / "pay" / "trace.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    profile = tmp_path / "app.yaml"
    profile.write_text(PROFILE)
    live = tmp_path / "allure"
    write_run_info(run, RunInfo(run_id="r1", app="shop", app_title="Shop (unit)", app_version="2.0 — été",
                                base_url=f"https://bot:{SECRET}@shop.example:8443/app", harness_version="0.1.0",
                                browser_name="chromium", browser_version="140", git_commit="abc123",
                                started_at="2026-11-27T10:00:00+00:00",
                                options={"allure_dir": str(live), "profile": str(profile)}))
    records = [
        _record(0, 'I open "/cart"', budget_ms=1000.0, over_budget=True,
                artifacts=StepArtifacts(screenshot="artifacts/pay/step-00.png")),
        _record(1, 'I click "pay"', "failed", error="cannot click", budget_ms=5000.0,
                artifacts=StepArtifacts(screenshot="artifacts/pay/step-01.png", trace="artifacts/pay/trace.zip")),
        _record(0, 'I open "/status"', "failed", test_id=FLAKY_ID, error="not ready"),
        _record(0, 'I open "/status"', test_id=FLAKY_ID, attempt=1, budget_ms=1000.0, over_budget=True),
    ]
    (run / "steps.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))
    finding = Finding(id="f1", rule="over-budget", severity="medium", title="Over budget",
                      message="“I open \"/cart\"” took 1.50 s, over its 1.00 s budget", journey="Checkout",
                      feature_file="features/shop.feature", scenario="Pay", step_index=0, step_text='I open "/cart"',
                      repeats=[0], evidence={"budget_ms": 1000, "median_ms": 1500},
                      screenshot="artifacts/pay/step-00.png")
    (run / "findings.json").write_text(FindingsFile(run_id="r1", app="shop", generated_at="now",
                                                    findings=[finding]).model_dump_json())
    guides = {"checked_at": "2026-11-27T10:01:00+00:00", "duration_ms": 900, "policy": {"fail_on": ["missing"]},
              "guides": [{"id": "tour", "title": "Shop tour", "file": "guides/tour.yaml", "status": "broken", "steps": [
                  {"index": 0, "id": "cart", "title": "Your cart", "target": "#cart", "status": "ok", "message": "ok"},
                  {"index": 1, "id": "pay", "title": "Pay here", "target": "#pay-old", "status": "missing",
                   "message": "no element matches #pay-old",
                   "suggestion": {"target": 'role=button[name="Pay"]', "score": 0.71}}]},
                  {"id": "help", "title": "Help", "file": "guides/help.yaml", "status": "ok", "steps": [
                      {"index": 0, "id": "h", "title": "Help", "target": "#help", "status": "ok", "message": "ok"}]}]}
    (run / "guides.json").write_text(json.dumps(guides))
    live.mkdir()
    results = [
        _live_result("u-pay", "Pay", ['I open "/cart"', 'I click "pay"'], TEST_ID, "failed", message="cannot click"),
        _live_result("u-st0", "Status", ['I open "/status"'], FLAKY_ID, "failed", message="not ready"),
        _live_result("u-st1", "Status", ['I open "/status"'], FLAKY_ID, "passed", attempt=1),
    ]
    for result in results:
        (live / f"{result['uuid']}-result.json").write_text(json.dumps(result))
    return run


def _all(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*-result.json"))]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_scenarios_get_timings_failure_artifacts_friction_and_slowness(run_dir: Path) -> None:
    folder = write_allure_results(run_dir)
    assert folder == (run_dir.parent / "allure").resolve()
    pay = next(r for r in _all(folder) if r["name"] == "Pay")
    open_cart, click = pay["steps"]
    assert open_cart["stop"] - open_cart["start"] == 1500  # the harness's duration, not allure's
    assert {"name": "budget_ms", "value": "1000"} in open_cart["parameters"]
    shot = next(a for a in click["attachments"] if a["type"] == "image/png")
    assert (folder / shot["source"]).read_bytes() == PNG
    trace = next(a for a in pay["attachments"] if a["type"] == "application/zip")
    assert (folder / trace["source"]).read_bytes().startswith(b"PK")
    names = [a["name"] for a in open_cart["attachments"]]
    assert names == ["friction: Over budget (medium)", "friction: Over budget (medium): figures and evidence",
                     "friction: Over budget (medium): screenshot"]
    figures = json.loads((folder / open_cart["attachments"][1]["source"]).read_text())
    assert figures["evidence"] == {"budget_ms": 1000, "median_ms": 1500} and figures["rule"] == "over-budget"
    message = pay["statusDetails"]["message"]
    assert message.startswith("cannot click\n\n" + SLOW_MARK) and "took 1.50 s, over its 1.00 s budget" in message


def test_a_replay_that_passed_on_a_retry_is_flaky_and_slow(run_dir: Path) -> None:
    folder = write_allure_results(run_dir)
    status = {r["status"]: r for r in _all(folder) if r["name"] == "Status"}
    assert status["passed"]["statusDetails"]["flaky"] is True
    assert status["passed"]["statusDetails"]["message"].startswith(SLOW_MARK)
    assert "flaky" not in status["failed"].get("statusDetails", {})  # the retried attempt stays as it was


def test_guides_are_results_and_broken_ones_say_why_and_how_to_repair(run_dir: Path) -> None:
    folder = write_allure_results(run_dir)
    guides = {r["name"]: r for r in _all(folder) if r["name"].startswith("Guide:")}
    tour, help_guide = guides["Guide: Shop tour"], guides["Guide: Help"]
    assert tour["status"] == "failed" and help_guide["status"] == "passed"
    assert tour["statusDetails"]["message"].startswith(GUIDE_MARK)
    assert [s["status"] for s in tour["steps"]] == ["passed", "failed"]
    assert 'suggested selector: role=button[name="Pay"] (score 0.71)' in tour["steps"][1]["statusDetails"]["message"]
    labels = {(label["name"], label["value"]) for label in tour["labels"]}
    assert {("epic", "Shop (unit)"), ("feature", "In-app guides"), ("story", "Shop tour")} <= labels
    assert tour["historyId"] != help_guide["historyId"]


def test_categories_environment_and_no_secret(run_dir: Path) -> None:
    folder = write_allure_results(run_dir)
    assert json.loads((folder / "categories.json").read_text()) == categories()
    assert [c["name"] for c in categories()] == ["Broken guide", "Healed journey (fix the UI map)", "Flaky journey",
                                               "App failure", "Slowness"]
    props = (folder / "environment.properties").read_text(encoding="ascii")  # Allure reads ISO-8859-1
    assert "app=Shop (unit)\n" in props and "base.url=https\\://shop.example\\:8443/app\n" in props
    assert "app.version=2.0 \\u2014 \\u00e9t\\u00e9\n" in props and "git.commit=abc123" in props
    assert all(SECRET not in p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
    pay = next(r for r in _all(folder) if r["name"] == "Pay")
    assert "[redacted-1]" in pay["statusDetails"]["trace"]


def test_a_typed_password_is_scrubbed_first_so_the_results_still_match_the_records(run_dir: Path,
                                                                                   tmp_path: Path) -> None:
    # allure-pytest-bdd wrote the step name and the test id (an Examples value) as they were; the step
    # records hold them redacted: the scrub comes before the matching, so the result gets its timings
    typed = "Typed Pw/1!"
    feature = tmp_path / "card.feature"
    feature.write_text('Feature: Card\n  Scenario Outline: Card\n    When I fill "card.password" with "<pw>"\n\n'
                       f"    Examples:\n      | pw |\n      | {typed} |\n")
    library()  # the step library the run had
    info = RunInfo.model_validate_json((run_dir / "run.json").read_text())
    info.features = [str(feature)]
    write_run_info(run_dir, info)
    card = _record(0, 'I fill "card.password" with "[redacted-1]"', test_id="test_journeys.py::test_card[[redacted-1]]")
    with (run_dir / "steps.jsonl").open("a") as fh:
        fh.write(card.model_dump_json() + "\n")
    live = _live_result("u-card", f"Card ({typed})", [f'I fill "card.password" with "{typed}"'],
                        f"test_journeys.py::test_card[{typed}]", "passed")
    live["parameters"] = [{"name": "pw", "value": typed}]
    (run_dir.parent / "allure" / "u-card-result.json").write_text(json.dumps(live))
    folder = write_allure_results(run_dir)
    cards = [r for r in _all(folder) if r["name"].startswith("Card")]
    assert [r["name"] for r in cards] == ["Card ([redacted-1])"]  # matched: no second result built from the records
    assert cards[0]["steps"][0]["stop"] - cards[0]["steps"][0]["start"] == 1500  # the harness's timing
    for form in (typed, quote(typed, safe=""), quote_plus(typed), SECRET):
        assert all(form not in p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()), form


def test_writing_again_changes_nothing(run_dir: Path) -> None:
    folder = write_allure_results(run_dir)
    first = _snapshot(folder)
    write_allure_results(run_dir)
    assert _snapshot(folder) == first


def test_a_run_without_allure_writes_nothing(run_dir: Path) -> None:
    info = RunInfo.model_validate_json((run_dir / "run.json").read_text())
    info.options = {}
    write_run_info(run_dir, info)
    assert write_allure_results(run_dir) is None
    assert not (run_dir.parent / "allure" / "categories.json").exists()


def test_history_of_a_previous_report_is_carried_over(run_dir: Path, tmp_path: Path) -> None:
    previous = tmp_path / "previous-report"
    (previous / "history").mkdir(parents=True)
    (previous / "history" / "history-trend.json").write_text('[{"data": {"total": 3}}]')
    (previous / "history" / "notes.txt").write_text("not history")
    folder = write_allure_results(run_dir, history=previous)
    assert sorted(p.name for p in (folder / "history").iterdir()) == ["history-trend.json"]
    assert carry_history(tmp_path / "nowhere", folder) == 0


def test_report_command_writes_the_results_elsewhere_without_a_browser(run_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "exported"
    done = cli("report", run_dir, "--allure-dir", other, env={"ALLURE_UNIT_PW": SECRET})
    assert done.returncode == 0, done.stdout + done.stderr
    names = sorted(r["name"] for r in _all(other))
    assert names == ["Guide: Help", "Guide: Shop tour", "Pay", "Status", "Status"]
    assert (other / "categories.json").is_file() and (other / "environment.properties").is_file()
    assert all(SECRET not in p.read_text(errors="replace") for p in other.rglob("*") if p.is_file())


def test_severity_comes_from_tags() -> None:
    assert severity({"smoke", "critical"}) == "critical"
    assert severity({"severity:minor"}) == "minor"
    assert severity({"@blocker", "trivial"}) == "blocker"
    assert severity({"smoke"}) == "normal"


def test_run_command_passes_alluredir_to_pytest(tmp_path: Path) -> None:
    profile = load_profile(str(ROOT / "tests" / "fixtures" / "compare" / "app.yaml"))
    prepared = Prepared(profile, [], "http://x", tmp_path / "run", "r1")
    options = RunOptions(RunSettings(paths=["x.feature"], app="x", allure_dir=tmp_path / "res",
                                     allure_history=tmp_path / "prev"))
    cmd = pytest_command(options, prepared, tmp_path / "settings.json", tmp_path / "t.py")
    at = cmd.index("--alluredir")
    assert cmd[at - 2:at + 2] == ["-p", "allure_pytest_bdd", "--alluredir", str((tmp_path / "res").resolve())]
    assert cmd[cmd.index("--harness-settings") + 1] == str(tmp_path / "settings.json")
    written = read_settings(write_settings(tmp_path / "settings.json", resolved_settings(options, prepared)))
    assert written.allure_history == (tmp_path / "prev").resolve()
    assert written.out == prepared.run_dir and written.run_id == "r1" and written.base_url == "http://x"
    plain = pytest_command(RunOptions(RunSettings(paths=["x.feature"], app="x")), prepared,
                           tmp_path / "settings.json", tmp_path / "t.py")
    assert "--alluredir" not in plain


def test_every_attachment_a_result_names_is_in_the_folder(run_dir: Path, tmp_path: Path) -> None:
    """The results folder is self-contained: a copy of it still holds every attachment its results name."""
    folder = write_allure_results(run_dir)
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)

    def sources(node: dict[str, Any]) -> list[str]:
        found = [a["source"] for a in node.get("attachments", [])]
        for step in node.get("steps", []):
            found += sources(step)
        return found

    for result in _all(copy):
        assert all((copy / s).is_file() for s in sources(result))


def test_a_scenario_run_without_a_live_result_gets_one_from_its_records(run_dir: Path) -> None:
    (run_dir.parent / "allure" / "u-pay-result.json").unlink()  # as if its set-up failed, or the run was killed
    folder = write_allure_results(run_dir)
    (pay,) = [r for r in _all(folder) if r["name"] == "Pay"]
    assert pay["status"] == "failed" and pay["statusDetails"]["message"].startswith("cannot click")
    labels = {label["name"]: label["value"] for label in pay["labels"]}
    assert (labels["epic"], labels["feature"], labels["story"], labels["harness_test_id"]) == (
        "Shop (unit)", "Checkout", "Pay", TEST_ID)
    assert [(s["name"], s["status"], s["stop"] - s["start"]) for s in pay["steps"]] == [
        ('When I open "/cart"', "passed", 1500), ('When I click "pay"', "failed", 1501)]
    assert any(a["type"] == "image/png" for a in pay["steps"][1]["attachments"])  # enriched like a live one
    first = _snapshot(folder)
    write_allure_results(run_dir)
    assert _snapshot(folder) == first
    assert len([r for r in _all(folder) if r["name"] == "Status"]) == 2  # those had live results: none added


def test_the_report_command_builds_every_scenario_result_for_a_run_made_without_allure(run_dir: Path,
                                                                                       tmp_path: Path) -> None:
    info = RunInfo.model_validate_json((run_dir / "run.json").read_text())
    info.options = {}
    write_run_info(run_dir, info)
    other = tmp_path / "later"
    done = cli("report", run_dir, "--allure-dir", other, env={"ALLURE_UNIT_PW": SECRET})
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted((r["name"], r["status"]) for r in _all(other)) == [
        ("Guide: Help", "passed"), ("Guide: Shop tour", "failed"), ("Pay", "failed"), ("Status", "failed"),
        ("Status", "passed")]


def test_results_of_another_run_in_the_same_folder_are_left_alone(run_dir: Path) -> None:
    live = run_dir.parent / "allure"
    other = _live_result("u-old", "Pay", ['I open "/cart"', 'I click "pay"'], TEST_ID, "passed")
    other["labels"].append({"name": "harness_run_id", "value": "an-earlier-run"})
    (live / "u-old-result.json").write_text(json.dumps(other))
    folder = write_allure_results(run_dir)
    assert json.loads((folder / "u-old-result.json").read_text()) == other
    assert len([r for r in _all(folder) if r["name"] == "Pay"]) == 2  # this run's, enriched, and the old one
