"""``junit.xml`` from hand-built run folders (no browser), validated against the JUnit schema CI servers use."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite
from lxml import etree

from harness.audit.findings import audit_run
from harness.contracts.records import StepRecord
from harness.report.junit.write import JUNIT_XML, build_junit, xml_safe
from harness.runfolder.findings import write_findings
from tests.support.junit_schema import schema_errors
from tests.support.step_records import click, rec, run_folder

FIXTURES = Path(__file__).parent / "fixtures"
HOSTILE = "boom \x00\x08\x1b[31m <b>&'\"]]> \x7f end"


def _scenario(name: str, *, repeat: int = 0, example: dict[str, str] | None = None, fail_at: int | None = None,
              attempt: int = 0, error: str = "Timeout 5000 ms exceeded", kind: str = "timeout",
              journey: str = "Expenses") -> list[StepRecord]:
    """Three steps of one replay; from ``fail_at`` on, failed then not run."""
    test_id = f"{name}[{example}]"
    out = []
    for i in range(3):
        status = "passed" if fail_at is None or i < fail_at else ("failed" if i == fail_at else "not_run")
        fields = {"error": error, "error_kind": kind} if status == "failed" else {}
        out.append(rec(i, status, repeat, scenario=name, example=example, journey=journey, test_id=test_id,
                       attempt=attempt, duration_ms=100.0 + i if status != "not_run" else None, **fields))
    return out


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    records = [
        *(r for n in range(3) for r in _scenario("Submit", repeat=n)),
        *(r for n in range(3) for r in _scenario("Pay", repeat=n, example={"method": "card"})),
        *_scenario("Pay", repeat=0, example={"method": "cash"}),
        *_scenario("Pay", repeat=1, example={"method": "cash"}, fail_at=1, error=HOSTILE),
        *_scenario("Pay", repeat=2, example={"method": "cash"}),
        # replay 2 of Search failed first, then passed on its retry: flaky
        *_scenario("Search", repeat=0), *_scenario("Search", repeat=1, fail_at=2),
        *_scenario("Search", repeat=1, attempt=1),
        *_scenario("Setup", fail_at=0, error="fixture 'login' failed", kind="setup_error", journey="Admin"),
        rec(0, "skipped", scenario="Later", journey="Admin", test_id="later"),
        # a dead click in every replay: a friction finding
        *(rec(3, repeat=n, scenario="Submit", test_id="Submit[None]", **click()) for n in range(3)),
    ]
    folder = run_folder(tmp_path / "run", records)
    write_findings(folder, audit_run(folder))
    shutil.copy(FIXTURES / "guides_only" / "guides.json", folder / "guides.json")
    return folder


def _cases(xml: JUnitXml) -> dict[str, tuple[TestSuite, TestCase]]:
    return {f"{case.classname}::{case.name}": (suite, case) for suite in xml for case in suite}


def test_junit_xml_is_valid_against_the_jenkins_schema_and_a_real_reader_reads_it(run_dir: Path) -> None:
    path = build_junit(run_dir)
    assert path == run_dir / JUNIT_XML
    assert schema_errors(path) == []
    xml = JUnitXml.fromfile(str(path))
    assert [s.name for s in xml] == ["Admin", "Expenses", "demo guides"]
    cases = _cases(xml)
    assert sorted(cases) == sorted([
        "nowhere-app.expenses::Setup", "nowhere-app.expenses::Later", "nowhere-app.expenses::Submit",
        "nowhere-app.expenses::Pay [method=card]", "nowhere-app.expenses::Pay [method=cash]",
        "nowhere-app.expenses::Search",
        *(f"demo.guides.{g}::{n}. {s}" for g, n, s in (
            ("new-expense", 1, "search: Find an expense"), ("new-expense", 2, "new: Add one"),
            ("new-expense", 3, "amount: How much?"), ("new-expense", 4, "welcome: Welcome"),
            ("reports-tour", 1, "intro: Reports"), ("reports-tour", 2, "export: Export to CSV"),
            ("reports-tour", 3, "filter: Filter by month"), ("profile-tour", 1, "avatar: Your photo"),
            ("profile-tour", 2, "save: Save"), ("onboarding", 1, "hello: Hello!"),
            ("onboarding", 2, "nav: Navigation"))),
    ])
    expenses = next(s for s in xml if s.name == "Expenses")
    assert (expenses.tests, expenses.failures, expenses.errors) == (4, 1, 0)
    assert expenses._elem.get("file") == "journeys/demo/expenses.feature"
    props = {p.name: p.value for p in expenses.properties()}
    assert props["run_id"] == "run-1" and props["app"] == "nowhere-app"


def test_a_scenario_fails_when_any_replay_fails_and_says_where(run_dir: Path) -> None:
    cases = _cases(JUnitXml.fromfile(str(build_junit(run_dir))))
    _, cash = cases["nowhere-app.expenses::Pay [method=cash]"]
    [failure] = cash.result
    assert isinstance(failure, Failure) and failure.type == "timeout"
    # one replay of three failed: the scenario is flaky (harness.outcomes), and it fails the case as it fails the run
    assert failure.message.startswith("flaky: 1 of 3 replays failed; first at step 2 'When step 1' "
                                      "(journeys/demo/expenses.feature:5): boom")
    assert "replay #2: step 2" in failure.text
    # three replays of 3 steps, the failed one stops after 2: 101 + 100 + 101 + 100 + 101 + 102 + 100 + 101 ms
    assert cash.time == pytest.approx((100 + 101 + 102) * 2 / 1000 + 0.201, abs=0.002)
    out = cash.system_out
    assert "Outcome: flaky" in out and "Replays: 3" in out and "#2   failed" in out
    assert "failed at step 2 (timeout)" in out
    _, card = cases["nowhere-app.expenses::Pay [method=card]"]
    assert card.is_passed and "#3   passed" in card.system_out


def test_control_characters_and_markup_in_an_error_stay_well_formed(run_dir: Path) -> None:
    text = build_junit(run_dir).read_text(encoding="utf-8")
    etree.fromstring(text.encode())  # a strict parser: no forbidden character, every entity escaped
    assert "\x1b" not in text and "\x00" not in text and "<b>" not in text
    assert "boom \ufffd\ufffd\ufffd[31m &lt;b&gt;&amp;'\"]]&gt; \x7f end" in text
    assert xml_safe("a\x0bb\tc\U0001F600\ud800") == "a\ufffdb\tc\U0001F600\ufffd"


def test_passing_only_on_a_retry_is_visible_as_flaky(run_dir: Path) -> None:
    xml = build_junit(run_dir)
    _, search = _cases(JUnitXml.fromfile(str(xml)))["nowhere-app.expenses::Search"]
    assert search.is_passed
    root = etree.parse(str(xml))
    [case] = root.xpath("//testcase[@name='Search']")
    [flaky] = case.findall("flakyFailure")
    assert flaky.get("type") == "timeout" and flaky.get("message").startswith("replay #2, attempt 1 failed at step 3")
    assert "after 1 failed attempt(s) (flaky)" in search.system_out
    # the time counts the failed attempt too: 2 x 303 ms for the replays' last attempts, 303 ms for the retried one
    assert search.time == pytest.approx(0.303 * 3, abs=0.002)


def test_a_setup_error_is_an_error_and_an_all_skipped_scenario_is_skipped(run_dir: Path) -> None:
    cases = _cases(JUnitXml.fromfile(str(build_junit(run_dir))))
    suite, setup = cases["nowhere-app.expenses::Setup"]
    assert isinstance(setup.result[0], Error) and setup.result[0].type == "setup_error"
    assert suite.errors == 1
    _, later = cases["nowhere-app.expenses::Later"]
    assert isinstance(later.result[0], Skipped)


def test_friction_findings_are_listed_in_the_output_never_as_failures(run_dir: Path) -> None:
    _, submit = _cases(JUnitXml.fromfile(str(build_junit(run_dir))))["nowhere-app.expenses::Submit"]
    assert submit.is_passed
    assert "Friction findings" in submit.system_out and "[high] Dead click at step 4" in submit.system_out


def test_guide_steps_follow_the_checks_policy_with_their_repair(run_dir: Path) -> None:
    cases = _cases(JUnitXml.fromfile(str(build_junit(run_dir))))
    suite, search = cases["demo.guides.new-expense::1. search: Find an expense"]
    assert (suite.tests, suite.failures, suite.errors) == (11, 5, 0)
    [failure] = search.result
    assert failure.type == "missing"
    assert failure.message == "missing: no element matches #expense-search; suggested selector: #q"
    assert "Suggested selector: #q (score 0.87)" in failure.text
    assert "journeys/demo/guides/new-expense.yaml:12" in failure.text
    _, avatar = cases["demo.guides.profile-tour::1. avatar: Your photo"]  # drifted: a warning under the policy
    assert avatar.is_passed and avatar.system_out.startswith("WARNING (not failed by the check's policy): drifted")
    _, ok = cases["demo.guides.reports-tour::1. intro: Reports"]
    assert ok.is_passed and ok.result == []


def test_a_guide_check_alone_gives_one_suite_and_an_empty_folder_none(tmp_path: Path) -> None:
    folder = tmp_path / "guides"
    shutil.copytree(FIXTURES / "guides_only", folder)
    path = build_junit(folder)
    assert path is not None and schema_errors(path) == []
    assert [s.name for s in JUnitXml.fromfile(str(path))] == ["demo guides"]
    (tmp_path / "empty").mkdir()
    assert build_junit(tmp_path / "empty") is None and not (tmp_path / "empty" / JUNIT_XML).exists()


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text('<testsuites><testsuite name="s" tests="1" failures="0" errors="0">'
                   '<testcase name="c" file="a.feature" line="3"/></testsuite></testsuites>')
    assert any("file" in e for e in schema_errors(bad))  # junit-10 has no file/line on a test case


def test_a_replay_cut_short_by_a_stopped_run_is_an_error(tmp_path: Path) -> None:
    records = [*_scenario("Submit", repeat=0), *_scenario("Submit", repeat=1)[:2]]  # the run was killed here
    folder = run_folder(tmp_path / "run", records)
    path = build_junit(folder)
    assert path is not None and schema_errors(path) == []
    [(_, case)] = _cases(JUnitXml.fromfile(str(path))).values()
    [error] = case.result
    assert isinstance(error, Error) and error.type == "incomplete"
    assert error.message == "1 of 2 replays did not finish (the run stopped during them)"
