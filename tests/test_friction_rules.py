"""Friction rules, score and the run audit, on literal step records (no browser)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.audit.findings import audit_run
from harness.contracts.records import FINDINGS_JSON, Finding, FindingsFile, StepRecord
from harness.friction.finding import finding_id
from harness.friction.grading import SEVERITY_POINTS
from harness.friction.groups import ScenarioFigures, ScenarioRuns, figures, group_records
from harness.friction.judge import judge
from harness.friction.rules import RULES as REGISTRY
from harness.friction.rules.a11y_violation import a11y_violation
from harness.friction.rules.blocking_scripts import blocking_scripts
from harness.friction.rules.console_error import console_error
from harness.friction.rules.covered_target import covered_target, intercepting_element
from harness.friction.rules.dead_click import dead_click
from harness.friction.rules.failed_request import failed_request
from harness.friction.rules.layout_shift import layout_shift
from harness.friction.rules.long_wait import long_wait
from harness.friction.rules.longer_journey import longer_journey
from harness.friction.rules.over_budget import over_budget
from harness.friction.rules.refused_input import refused_input
from harness.friction.rules.slow_interaction import slow_interaction
from harness.friction.rules.slow_page_load import slow_page_load
from harness.friction.score import rank, summarise
from harness.runfolder.findings import read_findings, write_findings
from harness.spec.friction import DEFAULT_THRESHOLDS, RULES, Expected, FrictionSettings, ScenarioSettings
from tests.support.step_records import PROBED, click, rec, run_folder, scenario

DEFAULTS = ScenarioSettings()


def runs_of(*records: StepRecord) -> ScenarioRuns:
    groups = group_records(records)
    assert len(groups) == 1
    return groups[0]


def one(findings: list[Finding]) -> Finding:
    assert len(findings) == 1, [f.message for f in findings]
    return findings[0]





# --- over-budget -------------------------------------------------------------------------------------------
def test_over_budget_high_from_twice_the_budget() -> None:
    found = one(over_budget(runs_of(rec(text='I search for "taxi"', duration_ms=2310, budget_ms=1000)), DEFAULTS))
    assert (found.rule, found.severity, found.title) == ("over-budget", "high", "Over budget")
    assert found.message == '“I search for "taxi"” took 2.31 s, over its 1.00 s budget (2.3x)'
    assert found.impact_ms == 1310.0
    assert found.evidence["ratio"] == 2.31
    assert found.evidence["thresholds"] == [1.0, 2.0]
    assert found.points == 10.0
    assert (found.step_index, found.step_line, found.repeats, found.runs) == (0, 4, [0], 1)


def test_over_budget_medium_and_edges() -> None:
    medium = one(over_budget(runs_of(rec(duration_ms=1500, budget_ms=1000)), DEFAULTS))
    assert medium.severity == "medium"
    assert medium.points == 3.0
    assert "(1.5x)" in medium.message
    assert one(over_budget(runs_of(rec(duration_ms=2000, budget_ms=1000)), DEFAULTS)).severity == "high"  # from 2x
    assert one(over_budget(runs_of(rec(duration_ms=1999, budget_ms=1000)), DEFAULTS)).severity == "medium"
    assert over_budget(runs_of(rec(duration_ms=1000, budget_ms=1000)), DEFAULTS) == []
    assert over_budget(runs_of(rec(duration_ms=999, budget_ms=1000)), DEFAULTS) == []
    assert over_budget(runs_of(rec(duration_ms=9000)), DEFAULTS) == []  # no budget
    assert over_budget(runs_of(rec(status="failed", duration_ms=9000, budget_ms=1000)), DEFAULTS) == []


def test_timing_rules_judge_the_median_over_repeats() -> None:
    runs = runs_of(rec(repeat=0, duration_ms=900, budget_ms=1000),
                   rec(repeat=1, duration_ms=1200, budget_ms=1000),
                   rec(repeat=2, duration_ms=3000, budget_ms=1000, artifacts={"screenshot": "artifacts/r2.png"}))
    found = one(over_budget(runs, DEFAULTS))
    assert found.severity == "medium"  # median 1.2 s, not the 3 s outlier
    assert "took 1.20 s (median of 3 runs)" in found.message
    assert found.repeats == [1, 2]
    assert found.runs == 3
    assert found.evidence["values"] == {"0": 900.0, "1": 1200.0, "2": 3000.0}
    assert found.screenshot == "artifacts/r2.png"  # the worst repeat's
    calm = runs_of(rec(repeat=0, duration_ms=900, budget_ms=1000), rec(repeat=1, duration_ms=950, budget_ms=1000),
                   rec(repeat=2, duration_ms=5000, budget_ms=1000))
    assert over_budget(calm, DEFAULTS) == []


# --- slow-page-load ----------------------------------------------------------------------------------------
def load(**page_load: Any) -> dict[str, Any]:
    return {"signals": {**PROBED, "page_load": {"url": "http://app/expenses", **page_load}}}


def test_slow_page_load_worst_metric_decides() -> None:
    runs = runs_of(rec(text='I open "expenses"', **load(lcp_ms=4200, ttfb_ms=300, load_ms=1900, lcp_element="img")))
    found = one(slow_page_load(runs, DEFAULTS))
    assert found.severity == "high"
    assert found.message == ('“I open "expenses"” loaded http://app/expenses slowly: largest contentful paint '
                             "4.20 s (over 2.50 s), first byte 300 ms, load 1.90 s")
    assert found.evidence["lcp_ms"] == {"median": 4200.0, "thresholds": [2500.0, 4000.0], "values": {"0": 4200.0}}
    assert found.evidence["ttfb_ms"]["thresholds"] == [800.0, 1800.0]  # type: ignore[index]
    assert found.evidence["load_ms"]["median"] == 1900.0  # type: ignore[index]
    assert found.evidence["lcp_element"] == "img"
    assert found.impact_ms == 1700.0
    ttfb = one(slow_page_load(runs_of(rec(**load(lcp_ms=1000, ttfb_ms=900, load_ms=1200))), DEFAULTS))
    assert ttfb.severity == "medium"
    assert "first byte 900 ms (over 800 ms)" in ttfb.message


def test_page_load_just_under_the_thresholds_is_fine() -> None:
    assert slow_page_load(runs_of(rec(**load(lcp_ms=2500, ttfb_ms=799, load_ms=2999))), DEFAULTS) == []
    assert slow_page_load(runs_of(rec(signals=PROBED)), DEFAULTS) == []


# --- slow-interaction, long-wait, layout-shift, blocking-scripts --------------------------------------------
def test_slow_interaction() -> None:
    sig = {**PROBED, "interaction_ms": 640, "interaction_event": "click"}
    found = one(slow_interaction(runs_of(rec(text='I click "expenses.new"', signals=sig)), DEFAULTS))
    assert found.severity == "high"
    assert found.message == '“I click "expenses.new"”: the page took 640 ms to respond to a click (over 500 ms)'
    assert found.evidence["interaction_event"] == "click"
    assert found.impact_ms == 440.0
    medium = one(slow_interaction(runs_of(rec(signals={**PROBED, "interaction_ms": 250})), DEFAULTS))
    assert medium.severity == "medium"
    assert slow_interaction(runs_of(rec(signals={**PROBED, "interaction_ms": 200})), DEFAULTS) == []
    assert slow_interaction(runs_of(rec(signals=PROBED)), DEFAULTS) == []


def test_long_wait() -> None:
    found = one(long_wait(runs_of(rec(target="expense.submit", signals={"wait_ms": 6100})), DEFAULTS))
    assert found.severity == "high"
    assert 'waited 6.10 s for "expense.submit" to become usable (over 5.00 s)' in found.message
    assert found.impact_ms == 4100.0
    assert one(long_wait(runs_of(rec(signals={"wait_ms": 2500})), DEFAULTS)).severity == "medium"
    assert long_wait(runs_of(rec(signals={"wait_ms": 1999})), DEFAULTS) == []
    custom = ScenarioSettings(thresholds={**DEFAULT_THRESHOLDS, "wait_ms": (3000.0, 8000.0)})
    assert long_wait(runs_of(rec(signals={"wait_ms": 2500})), custom) == []


def test_layout_shift() -> None:
    sig = {**PROBED, "cls": 0.31, "shift_sources": ["div#promo"]}
    found = one(layout_shift(runs_of(rec(signals=sig)), DEFAULTS))
    assert found.severity == "high"
    assert "the layout shifted by 0.31" in found.message
    assert found.evidence["shift_sources"] == ["div#promo"]
    assert found.impact_ms is None
    assert one(layout_shift(runs_of(rec(signals={**PROBED, "cls": 0.15})), DEFAULTS)).severity == "medium"
    assert layout_shift(runs_of(rec(signals={**PROBED, "cls": 0.1})), DEFAULTS) == []


def test_blocking_scripts() -> None:
    sig = {**PROBED, "tbt_ms": 750, "long_tasks": 4, "longest_task_ms": 320}
    found = one(blocking_scripts(runs_of(rec(signals=sig)), DEFAULTS))
    assert found.severity == "high"
    assert "scripts blocked the page for 750 ms" in found.message
    assert "4 long tasks, longest 320 ms" in found.message
    assert (found.evidence["long_tasks"], found.evidence["longest_task_ms"]) == (4, 320)
    assert one(blocking_scripts(runs_of(rec(signals={**PROBED, "tbt_ms": 201})), DEFAULTS)).severity == "medium"
    assert blocking_scripts(runs_of(rec(signals={**PROBED, "tbt_ms": 200})), DEFAULTS) == []


# --- failed-request, console-error ---------------------------------------------------------------------------
def failing(*requests: dict[str, Any], **signals: Any) -> dict[str, Any]:
    return {"signals": {"failed_requests": list(requests), **signals}}


def test_failed_request_severity_by_status() -> None:
    server = one(failed_request(runs_of(rec(**failing({"url": "http://app/api/x", "status": 500}))), DEFAULTS))
    assert server.severity == "high"
    assert server.message == "“step 0”: request failed: GET http://app/api/x → 500"
    assert server.evidence["requests"] == [{"method": "GET", "url": "http://app/api/x", "status": 500,
                                            "failure": None, "repeats": [0]}]
    client = one(failed_request(runs_of(rec(**failing({"url": "http://app/api/y", "method": "POST",
                                                       "status": 404}))), DEFAULTS))
    assert client.severity == "medium"
    assert "POST http://app/api/y → 404" in client.message
    network = one(failed_request(runs_of(rec(**failing({"url": "http://app/z",
                                                        "failure": "net::ERR_CONNECTION_REFUSED"}))), DEFAULTS))
    assert network.severity == "high"
    assert "→ net::ERR_CONNECTION_REFUSED" in network.message


def test_failed_request_ignores_favicon_and_configured_urls() -> None:
    assert failed_request(runs_of(rec(**failing({"url": "http://app/favicon.ico", "status": 404}))), DEFAULTS) == []
    settings = ScenarioSettings(ignore_requests=("*/analytics/*",))
    assert failed_request(runs_of(rec(**failing({"url": "http://app/analytics/hit", "status": 503}))),
                          settings) == []


def test_event_rules_list_the_repeats_and_scale_points() -> None:
    runs = runs_of(rec(repeat=0), rec(repeat=1, **failing({"url": "http://app/api", "status": 502})),
                   rec(repeat=2), rec(repeat=3, **failing({"url": "http://app/api", "status": 502})))
    found = one(failed_request(runs, DEFAULTS))
    assert found.repeats == [1, 3]
    assert found.runs == 4
    assert found.points == SEVERITY_POINTS["high"] * 2 / 4
    assert found.evidence["requests"][0]["repeats"] == [1, 3]  # type: ignore[index]


def test_console_error_medium_and_page_error_high() -> None:
    console = one(console_error(runs_of(rec(signals={"console_errors": ["boom: could not render"]})), DEFAULTS))
    assert console.severity == "medium"
    assert console.message == '“step 0”: 1 console error: "boom: could not render"'
    assert console.evidence["console_errors"] == ["boom: could not render"]
    page = one(console_error(runs_of(rec(signals={"console_errors": ["a", "b"],
                                                  "page_errors": ["TypeError: x is undefined"]})), DEFAULTS))
    assert page.severity == "high"
    assert page.message == '“step 0”: 1 uncaught error and 2 console errors: "TypeError: x is undefined"'
    assert page.evidence["page_errors"] == ["TypeError: x is undefined"]
    ignored = rec(signals={"console_errors": ["Failed to load resource: the server responded with 404"]})
    assert console_error(runs_of(ignored), DEFAULTS) == []


def test_long_app_text_is_truncated() -> None:
    found = one(console_error(runs_of(rec(signals={"console_errors": ["x" * 5000]})), DEFAULTS))
    assert len(found.evidence["console_errors"][0]) == 300  # type: ignore[index]
    assert len(found.message) < 250


# --- refused-input -------------------------------------------------------------------------------------------
def shown(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"signals": {**PROBED, "validation": list(messages)}}


def test_refused_input_fires_on_new_messages_only() -> None:
    amount = {"message": "Amount is required", "field": "amount"}
    runs = runs_of(rec(0), rec(1, text='I click "expense.submit"', **shown(amount)), rec(2, **shown(amount)))
    found = one(refused_input(runs, DEFAULTS))
    assert found.severity == "medium"
    assert found.step_index == 1
    assert found.message == '“I click "expense.submit"”: the app refused the input: "Amount is required" (amount)'
    assert found.evidence["messages"] == [{"field": "amount", "message": "Amount is required",
                                           "source": "error-text"}]


def test_refused_input_same_message_other_field_and_native_are_new() -> None:
    amount = {"message": "Required", "field": "amount"}
    date = {"message": "Required", "field": "date"}
    native = {"message": "Please fill out this field.", "field": "title", "source": "native"}
    runs = runs_of(rec(0, **shown(amount, native)), rec(1, **shown(amount, date, native)))
    findings = refused_input(runs, DEFAULTS)
    assert [f.step_index for f in findings] == [0, 1]
    assert findings[1].evidence["messages"] == [{"field": "date", "message": "Required", "source": "error-text"},
                                                {"field": "title", "message": "Please fill out this field.",
                                                 "source": "native"}]


# --- dead-click ----------------------------------------------------------------------------------------------
def test_dead_click_names_the_target() -> None:
    found = one(dead_click(runs_of(rec(0), rec(1, **click())), DEFAULTS))
    assert found.severity == "high"
    assert found.message == 'Clicking "expenses.export" changed nothing: no DOM change, no navigation, no request'
    assert found.evidence["clicked"] == {"element": "button#export", "text": "Export"}
    assert found.step_index == 1


@pytest.mark.parametrize("change", [
    {"dom_mutations": 3}, {"navigations": 1}, {"requests": 1}, {"url_changed": True}, {"input_events": 1},
    {"dialogs": [{"type": "alert", "message": "hi"}]},
    {"overlays": [{"element": "div#modal", "area_pct": 40}]},
    {"clicked": {"element": "input#q", "editable": True}},
    {"probed": False}, {"action": "fill"}, {"probe_errors": ["probe: timeout"]},
    {"validation": [{"message": "Please fill out this field.", "field": "Email", "source": "native"}]},
])
def test_a_click_with_an_effect_is_not_dead(change: dict[str, Any]) -> None:
    assert dead_click(runs_of(rec(0), rec(1, **click(**change))), DEFAULTS) == []


def test_a_failed_click_is_not_dead_and_an_old_overlay_is_no_change() -> None:
    assert dead_click(runs_of(rec(0), rec(1, "failed", **click())), DEFAULTS) == []
    banner = [{"element": "div#cookie-banner", "area_pct": 10}]
    runs = runs_of(rec(0, signals={**PROBED, "overlays": banner}), rec(1, **click(overlays=banner)))
    assert one(dead_click(runs, DEFAULTS)).rule == "dead-click"


# --- covered-target -------------------------------------------------------------------------------------------
COVERED = ("cannot click 'expense.submit' (#submit-expense): another element covers it — "
           '<div id="cookie-banner" class="banner">…</div> intercepts pointer events')


def test_covered_target_names_the_intercepting_element() -> None:
    record = rec(0, "failed", text='I click "expense.submit"', target="expense.submit", error=COVERED,
                 error_kind="covered", signals={**PROBED, "overlays": [{"element": "div#cookie-banner.banner",
                                                                         "text": "We use cookies", "area_pct": 20}]})
    found = one(covered_target(runs_of(record), DEFAULTS))
    assert found.severity == "high"
    assert found.message == ('“I click "expense.submit"” failed: <div id="cookie-banner" class="banner">…</div> '
                             'covers it and takes the click meant for "expense.submit"')
    assert found.evidence["intercepting"] == '<div id="cookie-banner" class="banner">…</div>'
    assert found.evidence["overlays"] == [{"element": "div#cookie-banner.banner", "role": None,
                                           "text": "We use cookies", "area_pct": 20.0}]
    assert covered_target(runs_of(rec(0, "failed", error="Timeout 5000ms", error_kind="timeout")), DEFAULTS) == []


def test_intercepting_element_from_a_subtree() -> None:
    error = ('  -  <span class="x">OK</span> from <div id="modal" role="dialog">…</div> subtree '
             "intercepts pointer events")
    assert intercepting_element(error) == ('<span class="x">OK</span>', '<div id="modal" role="dialog">…</div>')
    assert intercepting_element("no such thing") == (None, None)


# --- a11y-violation --------------------------------------------------------------------------------------------
def scan(*violations: dict[str, Any], state: str = "/expenses|Expenses") -> dict[str, Any]:
    return {"signals": {**PROBED, "a11y": {"state": state, "url": "http://app/expenses", "engine": "axe-core 4.10",
                                            "violations": list(violations)}}}


CONTRAST = {"id": "color-contrast", "impact": "serious", "help": "Elements must meet minimum color contrast",
            "help_url": "https://dequeuniversity.com/rules/axe/4.10/color-contrast", "count": 3,
            "nodes": [{"target": "#total", "html": "<span id=total>"}]}


def test_a11y_one_finding_per_rule_with_severity_by_impact() -> None:
    violations = [CONTRAST, {"id": "label", "impact": "critical", "count": 1},
                  {"id": "region", "impact": "moderate", "count": 2}, {"id": "tabindex", "impact": "minor", "count": 1}]
    findings = a11y_violation(runs_of(rec(0, text='I open "expenses"', **scan(*violations))), DEFAULTS)
    assert [(f.evidence["axe_rule"], f.severity) for f in findings] == [
        ("color-contrast", "high"), ("label", "high"), ("region", "medium"), ("tabindex", "low")]
    contrast = findings[0]
    assert contrast.message == ('“I open "expenses"”: accessibility rule color-contrast (serious) fails on 3 '
                                "elements of http://app/expenses: Elements must meet minimum color contrast")
    assert contrast.evidence["nodes"] == [{"target": "#total", "html": "<span id=total>"}]
    assert contrast.evidence["help_url"] == "https://dequeuniversity.com/rules/axe/4.10/color-contrast"
    assert contrast.evidence["state"] == "/expenses|Expenses"
    assert contrast.evidence["count"] == 3
    assert len({f.id for f in findings}) == 4  # the axe rule tells them apart
    assert a11y_violation(runs_of(rec(0, **scan())), DEFAULTS) == []


# --- longer-journey --------------------------------------------------------------------------------------------
def journey_with(loads: int, steps: int, repeat: int = 0) -> list[StepRecord]:
    return [rec(i, repeat=repeat, signals={"navigations": 1 if i < loads else 0}) for i in range(max(loads, steps))]


def test_longer_journey_against_expected() -> None:
    settings = ScenarioSettings(expected=Expected(page_loads=4, steps=12))
    found = one(longer_journey(runs_of(*journey_with(9, 9)), settings))
    assert found.severity == "high"
    assert found.step_index is None
    assert found.message == "The journey took 9 page loads against 4 expected (2.2x)"
    assert found.evidence["page_loads"] == {"value": 9, "baseline": 4, "ratio": 2.25, "thresholds": [1.5, 2.0]}
    assert "steps" not in found.evidence  # 9 steps: fewer than expected
    assert longer_journey(runs_of(*journey_with(2, 2)), ScenarioSettings(expected=Expected(page_loads=1))) == []
    assert longer_journey(runs_of(*journey_with(9, 9)), DEFAULTS) == []  # nothing to compare with


def test_longer_journey_against_a_baseline() -> None:
    base = ScenarioFigures(status="passed", runs=1, time_ms=1000.0, steps=10, page_loads=3, wait_ms=0.0, errors=0)
    found = one(longer_journey(runs_of(*journey_with(5, 16)), DEFAULTS, base, "run-0"))
    assert found.severity == "medium"
    assert found.message == ("The journey took 5 page loads against 3 in baseline run run-0 (1.7x) and 16 steps "
                             "against 10 in baseline run run-0 (1.6x), 600 ms longer")
    assert found.impact_ms == 600.0
    assert found.repeats == [0]


# --- all rules, score, ranking ------------------------------------------------------------------------------------
def test_every_rule_is_registered() -> None:
    assert {rule.id for rule in REGISTRY} == set(RULES)


def test_steps_not_run_produce_nothing() -> None:
    bad = {"duration_ms": 9000, "budget_ms": 100, "target": "x",
           "signals": {**PROBED, "wait_ms": 9000, "console_errors": ["boom"], "page_errors": ["err"],
                       "failed_requests": [{"url": "http://a/b", "status": 500}], "action": "click",
                       "validation": [{"message": "no", "source": "native"}],
                       "a11y": scan(CONTRAST)["signals"]["a11y"]}}
    for status in ("skipped", "not_run"):
        assert judge(runs_of(rec(0, status, **bad)), DEFAULTS) == []
    assert judge(runs_of(rec(0, "passed", **bad)), DEFAULTS) != []


def test_disabled_rules_do_not_fire() -> None:
    runs = runs_of(rec(0), rec(1, **click()))
    assert [f.rule for f in judge(runs, DEFAULTS)] == ["dead-click"]
    assert judge(runs, ScenarioSettings(disabled=frozenset({"dead-click"}))) == []


def test_summary_score_is_the_sum_of_its_breakdown() -> None:
    records = [
        rec(0, repeat=0, duration_ms=3000, budget_ms=1000, signals={"navigations": 1, "wait_ms": 100}),
        rec(1, repeat=0, duration_ms=200, **failing({"url": "http://app/favicon.ico", "status": 404},
                                                    {"url": "http://app/api", "status": 404}, wait_ms=50)),
        rec(2, repeat=0, duration_ms=300, **shown({"message": "Bad date", "field": "date"})),
        rec(3, "not_run", repeat=0, duration_ms=None),
        rec(0, repeat=1, duration_ms=2600, budget_ms=1000, signals={"navigations": 2, "wait_ms": 300}),
        rec(1, repeat=1, duration_ms=200, signals={"console_errors": ["oops"]}),
        rec(2, repeat=1, duration_ms=300),
        rec(3, repeat=1, duration_ms=400, **click()),
    ]
    runs = runs_of(*records)
    findings = judge(runs, DEFAULTS)
    summary = summarise(runs, DEFAULTS, findings)
    assert summary.score == pytest.approx(sum(part.points for part in summary.breakdown))
    assert summary.score == pytest.approx(10 + 1.5 + 1.5 + 1.5 + 5)
    assert [p.rule for p in summary.breakdown] == ["over-budget", "dead-click", "console-error", "failed-request",
                                                   "refused-input"]
    assert summary.findings == {"high": 2, "medium": 3, "low": 0}
    assert summary.status == "incomplete"  # repeat 0's last step did not run, and none failed or skipped
    assert summary.runs == 2
    assert summary.time_ms == pytest.approx((3500 + 3500) / 2)
    assert summary.steps == 3  # median-low of 3 and 4 executed steps
    assert summary.page_loads == 1  # median-low of 1 and 2
    assert summary.wait_ms == pytest.approx((150 + 300) / 2)
    assert summary.errors == 1  # the favicon is ignored
    assert summary.refused_inputs == 1


def test_figures_status_of_failed_repeats() -> None:
    runs = runs_of(rec(0, repeat=0), rec(0, "failed", repeat=1), rec(1, "skipped", repeat=1))
    assert figures(runs, DEFAULTS).status == "failed"
    assert figures(runs_of(rec(0), rec(1, "skipped")), DEFAULTS).status == "skipped"


def test_ranking_severity_then_points_then_impact() -> None:
    def f(name: str, severity: str, points: float, impact: float | None) -> Finding:
        return Finding(id=name, rule="over-budget", severity=severity, title="", message="", journey="j",  # type: ignore[arg-type]
                       feature_file="f", scenario="s", points=points, impact_ms=impact)

    ranked = rank([f("a", "medium", 3, 5000), f("b", "high", 5, None), f("c", "high", 10, 10),
                   f("d", "medium", 3, 9000), f("e", "low", 1, 99999), f("g", "high", 10, 20)])
    assert [x.id for x in ranked] == ["g", "c", "b", "d", "a", "e"]


def test_finding_ids_are_stable_and_distinct() -> None:
    runs = runs_of(rec(0))
    other = runs_of(rec(0, example={"method": "card"}))
    assert finding_id("dead-click", runs, 1) == finding_id("dead-click", runs_of(rec(0)), 1)
    assert len({finding_id("dead-click", runs, 1), finding_id("dead-click", runs, 2),
                finding_id("dead-click", other, 1), finding_id("console-error", runs, 1),
                finding_id("a11y-violation", runs, 1, "label")}) == 5
    assert len(finding_id("dead-click", runs, 1)) == 12


# --- audit_run on a run folder -------------------------------------------------------------------------------------
def test_audit_run_writes_a_readable_deterministic_findings_file(tmp_path: Path) -> None:
    records = [*scenario("Submit an expense", 1), rec(4, **click()),
               rec(0, scenario="Search", signals={"wait_ms": 2600}),
               rec(1, scenario="Search", duration_ms=2400, budget_ms=1000),
               *[rec(i, scenario="Pay", example={"method": "card"}, **scan(CONTRAST)) for i in range(2)],
               rec(0, scenario="Pay", example={"method": "cash"}, **scan(CONTRAST))]
    run_dir = run_folder(tmp_path / "run", records)
    assert read_findings(run_dir) is None
    first = audit_run(run_dir)
    path = write_findings(run_dir, first)
    assert path == run_dir / FINDINGS_JSON
    again = FindingsFile.model_validate_json(path.read_text(encoding="utf-8"))
    assert read_findings(run_dir) == again
    assert json.loads(path.read_text())["run_id"] == "run-1"
    assert again.thresholds["lcp_ms"] == [2500.0, 4000.0]  # no profile found: the defaults
    assert [(f.rule, f.severity, f.scenario) for f in again.findings] == [
        ("over-budget", "high", "Search"), ("a11y-violation", "high", "Pay"),
        ("dead-click", "high", "Submit an expense"), ("long-wait", "medium", "Search")]
    assert again.findings[1].step_index == 0 and again.findings[1].example == {"method": "card"}  # scanned once
    assert [j.scenario for j in again.journeys] == ["Pay", "Pay", "Search", "Submit an expense"]
    assert [j.score for j in again.journeys] == [10.0, 0.0, 13.0, 10.0]
    second = audit_run(run_dir)
    assert [f.id for f in second.findings] == [f.id for f in first.findings]
    assert second.model_dump(exclude={"generated_at"}) == first.model_dump(exclude={"generated_at"})


def test_audit_run_reads_the_profile_beside_the_features(tmp_path: Path) -> None:
    app_dir = tmp_path / "journeys" / "mini"
    app_dir.mkdir(parents=True)
    (app_dir / "app.yaml").write_text("name: mini\nfriction:\n  thresholds:\n    wait_ms: [100, 200]\n")
    records = [rec(0, signals={"wait_ms": 150})]
    run_dir = run_folder(tmp_path / "run", records, app="mini", features=[str(app_dir / "x.feature")])
    found = audit_run(run_dir)
    assert [(f.rule, f.severity) for f in found.findings] == [("long-wait", "medium")]
    assert found.thresholds["wait_ms"] == [100.0, 200.0]
    assert audit_run(run_dir, FrictionSettings()).findings == []  # given settings win
    (app_dir / "app.yaml").write_text("name: mini\nfriction:\n  thresholds:\n    wait_ms: [3, 1]\n")
    assert audit_run(run_dir).findings == []  # a broken profile: defaults, the audit goes on


def test_a_baseline_run_drives_longer_journey(tmp_path: Path) -> None:
    baseline = run_folder(tmp_path / "base", scenario("Submit an expense", 1), run_id="run-0")
    current = run_folder(tmp_path / "now", scenario("Submit an expense", 4) + scenario("New one", 4))
    found = audit_run(current, baseline_dir=baseline)
    assert found.baseline_run == "run-0"
    longer = one([f for f in found.findings if f.rule == "longer-journey"])
    assert longer.severity == "high"
    assert longer.scenario == "Submit an expense"
    assert longer.message.startswith("The journey took 4 page loads against 1 in baseline run run-0 (4.0x)")
    assert audit_run(current).findings == []  # without a baseline nor an expectation: nothing to compare
