"""Comparison verdicts, outcomes, the gate and summary.md on literal step tables (no browser)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from harness.compare.gate import evaluate
from harness.compare.outcomes import finding_changes, guide_changes, status_changes
from harness.compare.samples import collect
from harness.contracts.comparison import Comparison
from harness.contracts.guides import GuidesFile
from harness.contracts.records import Finding
from harness.report.html.regress_view import regressions_view
from harness.report.markdown.comparison import md, render_summary
from harness.spec.regressions import CompareSettings, GatePolicy
from tests.support.comparisons import SETTINGS, compared_rows, comparison_of, noise, step_rows


def _compare(base_rows: list[dict], cand_rows: list[dict], settings: CompareSettings = SETTINGS):
    base, cand, compared = compared_rows(base_rows, cand_rows, settings)
    return base, cand, compared.changes


def _change(changes, text: str | None, metric: str = "duration_ms", level: str = "step"):
    return next(c for c in changes if c.where.level == level and c.where.text == text and c.metric == metric)


def test_a_real_slowdown_is_slower_and_noise_is_unchanged() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500), "save": noise(2, 300)})
    cand = step_rows("c", "Submit", {"open": [v + 150 for v in noise(3, 500)], "save": noise(4, 300)})
    _, _, changes = _compare(base, cand)
    opened = _change(changes, "open")
    assert opened.verdict == "slower" and opened.q_value is not None and opened.q_value < 0.01
    assert opened.change_low is not None and opened.change_high is not None
    assert opened.change_low < 150 < opened.change_high and 0.2 < opened.ratio < 0.4
    assert opened.baseline is not None and opened.baseline.n == 10 and len(opened.baseline.values) == 10
    assert _change(changes, "save").verdict == "unchanged"
    assert changes[0] is opened or changes[0].where.level != "step"  # slower changes come first
    assert [c.verdict for c in changes[:2]] == ["slower", "slower"]  # the step and its scenario's total
    assert _change(changes, None, level="scenario").verdict == "slower"
    assert not [c for c in changes if c.metric == "requests"]  # 3 requests every time on both sides: left out


def test_a_significant_change_under_the_minimum_effect_is_not_called() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 100, spread=0.005)})
    cand = step_rows("c", "Submit", {"open": noise(2, 104, spread=0.005)})  # +4 ms, +4%: real but tiny
    _, _, changes = _compare(base, cand)
    opened = _change(changes, "open")
    assert opened.q_value is not None and opened.q_value < 0.05
    assert opened.verdict == "unchanged" and "under the minimum" in opened.why
    loose = CompareSettings(min_effect_ms=1, min_effect_pct=1)
    assert _change(_compare(base, cand, loose)[2], "open").verdict == "slower"


def test_too_few_values_new_and_removed() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500), "gone": [10.0]}, repeats=3)
    cand = step_rows("c", "Submit", {"open": noise(2, 900), "added": [10.0]}, repeats=3)
    _, _, changes = _compare(base, cand)
    assert _change(changes, "open").verdict == "insufficient_data"  # 3 values: nothing can be told
    assert _change(changes, "gone").verdict == "removed" and _change(changes, "added").verdict == "new"
    assert _change(changes, "added").candidate is not None and _change(changes, "added").baseline is None


def test_failed_steps_are_statuses_not_timings() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500), "save": noise(2, 300)})
    cand = step_rows("c", "Submit", {"open": noise(3, 500), "save": [5000.0]}, failed={"save": set(range(10))})
    base_s, cand_s, changes = _compare(base, cand)
    save = [c for c in changes if c.where.text == "save" and c.metric == "duration_ms"]
    # no passed replay of it is left to time; it ran, so it is not "removed": its failure is an outcome
    assert save and save[0].verdict == "insufficient_data" and "never passed in the candidate" in save[0].why
    assert not any(c.where.level == "scenario" and c.verdict == "slower" for c in changes)
    (status,) = status_changes(base_s, cand_s)
    assert (status.kind, status.baseline, status.candidate) == ("new_failure", "passing", "broken")
    assert status.step == "step 2: save" and status.error_kind == "timeout" and len(status.failed_repeats) == 10


def test_flaky_is_kept_apart_from_broken() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500)})
    flaky = step_rows("c", "Submit", {"open": noise(2, 500)}, failed={"open": {2, 7}})
    base_s, cand_s, _ = _compare(base, flaky)
    (status,) = status_changes(base_s, cand_s)
    assert (status.kind, status.candidate, status.failed_repeats) == ("new_flaky", "flaky", [2, 7])
    fixed = status_changes(cand_s, base_s)
    assert [s.kind for s in fixed] == ["fixed"]
    assert status_changes(base_s, base_s) == []


def test_pooled_baseline_runs_add_up_and_journey_totals_need_every_scenario() -> None:
    base = step_rows("b1", "Submit", {"open": noise(1, 500)}, repeats=3) + step_rows("b2", "Submit",
                                                                                     {"open": noise(2, 500)}, repeats=3)
    base += step_rows("b1", "Approve", {"open": noise(3, 200)}, repeats=3, failed={"open": {0}})
    samples = collect(pd.DataFrame(base))
    step = samples.values[("step", "Expenses", "expenses.feature", "Submit", "", 0, "open")]["duration_ms"]
    assert step.size == 6
    journey = samples.values[("journey", "Expenses", "expenses.feature", "", "", -1, "")]["duration_ms"]
    assert journey.size == 2  # repeats 1 and 2 of run b1 (all scenarios passed); b2 ran one scenario only


def _finding(fid: str, severity: str = "high") -> Finding:
    return Finding(id=fid, rule="dead-click", severity=severity, title="Dead click", message="nothing happened",
                   journey="Expenses", feature_file="expenses.feature", scenario="Export", step_index=2,
                   step_text='I click "export"')


def test_new_and_resolved_findings() -> None:
    changes = finding_changes([[_finding("a"), _finding("b")], [_finding("c")]], [_finding("b"), _finding("c"),
                                                                                  _finding("d", "medium")])
    assert [(c.kind, c.id) for c in changes] == [("new", "d"), ("resolved", "a")]


def _guides(statuses: dict[str, str]) -> GuidesFile:
    return GuidesFile.model_validate({"policy": {"fail_on": ["missing", "ambiguous", "hidden"]}, "guides": [
        {"id": "tour", "steps": [{"id": k, "status": v, "message": f"{k} is {v}",
                                  "suggestion": {"target": "#new"} if v != "ok" else None}
                                 for k, v in statuses.items()]}]})


def test_guide_steps_broken_repaired_and_still_broken() -> None:
    changes = guide_changes(_guides({"a": "ok", "b": "missing", "c": "hidden", "d": "drifted"}),
                            _guides({"a": "missing", "b": "ok", "c": "hidden", "d": "drifted"}))
    assert [(g.kind, g.step, g.suggestion) for g in changes] == [("broken", "a", "#new"), ("still_broken", "c", "#new"),
                                                               ("repaired", "b", None)]


def test_the_gate_fails_on_what_the_policy_names_and_explains_it() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500), "save": noise(2, 300)})
    cand = step_rows("c", "Submit", {"open": [v * 1.3 for v in noise(3, 500)], "save": noise(4, 300)})
    comparison = comparison_of(base, cand, findings=finding_changes([[]], [_finding("x", "medium")]))
    verdict = evaluate(comparison, GatePolicy(slowdown_pct=20))
    # the step is 30% slower; its scenario and journey only ~19% (the other step did not move)
    assert verdict.failed and verdict.reasons[0].startswith("Significant slowdowns of 20% or more (1)")
    assert "Expenses › Submit › step 1: open: duration +2" in "\n".join(verdict.reasons)  # +26%: HL on the noise
    assert not evaluate(comparison, GatePolicy(slowdown_pct=40)).failed  # +30% is under 40%
    assert evaluate(comparison, GatePolicy(slowdown_pct=None, findings="medium")).failed
    assert not evaluate(comparison, GatePolicy(slowdown_pct=None)).failed  # the new finding is only medium


def test_the_gate_explanation_fits_one_screen() -> None:
    steps = {f"step {i}": noise(i, 400) for i in range(70)}
    # 30 of 70 steps twice as slow: the run as a whole did not move (the median step did not)
    doubled = {k: [v * 2 for v in vs] if i < 30 else noise(100 + i, 400) for i, (k, vs) in enumerate(steps.items())}
    comparison = comparison_of(step_rows("b", "S", steps), step_rows("c", "S", doubled))
    verdict = evaluate(comparison, GatePolicy())
    # 30 steps, the scenario and the journey
    assert verdict.failed and len(verdict.reasons) <= 10 and "... and 24 more" in verdict.reasons[-1]


def test_every_step_alike_slower_is_the_run_wide_shift_and_fails_the_gate_on_its_own() -> None:
    steps = {f"step {i}": noise(i, 400) for i in range(20)}
    doubled = {k: [v * 2 for v in vs] for k, vs in steps.items()}
    comparison = comparison_of(step_rows("b", "S", steps), step_rows("c", "S", doubled))
    (whole,) = [r for r in comparison.run_wide if r.metric == "duration_ms"]
    assert whole.steps == 20 and 1.9 < whole.low <= whole.factor <= whole.high < 2.1 and whole.verdict == "slower"
    # the steps are each slower as measured; the scenario and journey are in line with the run
    assert {c.where.level for c in comparison.changes if c.verdict == "slower"} == {"step"}
    total = next(c for c in comparison.changes if c.where.level == "scenario")
    assert total.verdict == "unchanged" and "in line with the run-wide +100%" in total.why
    verdict = evaluate(comparison, GatePolicy(slowdown_pct=None))
    assert verdict.failed and verdict.reasons[0] == "Every step alike 50% slower or more (1):"
    assert not evaluate(comparison, GatePolicy(slowdown_pct=None, run_wide_pct=None)).failed
    assert not evaluate(comparison, GatePolicy(slowdown_pct=None, run_wide_pct=150)).failed
    said = "The run as a whole is slower: duration of the median step +100% (interval +"
    assert md(said) in render_summary(comparison) and regressions_view(comparison).run_wide.startswith(said)


def test_summary_md_escapes_what_the_app_shows() -> None:
    hostile = 'see <img src=x onerror=alert(1)> | [click](http://evil.example) `code`'
    base = step_rows("b", "Submit", {hostile: noise(1, 500)})
    cand = step_rows("c", "Submit", {hostile: [v + 300 for v in noise(2, 500)]})
    comparison = comparison_of(base, cand)
    comparison.gate = evaluate(comparison, GatePolicy())
    text = render_summary(comparison)
    assert "<img" not in text and "](http" not in text and "&lt;img src=x onerror=alert\\(1\\)&gt;" in text
    assert "❌ **Regressions fail the build**" in text and "| **slower** |" in text
    assert md("a|b\nc") == "a\\|b c"


def test_comparison_json_round_trips() -> None:
    comparison = comparison_of(step_rows("b", "S", {"open": noise(1, 500)}),
                               step_rows("c", "S", {"open": noise(2, 700)}))
    again = Comparison.model_validate_json(comparison.model_dump_json())
    assert again == comparison and json.loads(comparison.model_dump_json())["changes"][0]["verdict"] == "slower"


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_a_and_a_on_many_steps_calls_nothing(seed: int) -> None:
    # 200 steps with the same distribution on both sides: the correction keeps false alarms away
    rng = np.random.default_rng(seed)
    steps_b = {f"s{i}": list(300 * rng.lognormal(0, 0.2, 10)) for i in range(200)}
    steps_c = {f"s{i}": list(300 * rng.lognormal(0, 0.2, 10)) for i in range(200)}
    _, _, changes = _compare(step_rows("b", "S", steps_b), step_rows("c", "S", steps_c))
    assert not [c for c in changes if c.verdict in ("slower", "faster")]


def test_a_replay_that_passes_only_on_a_retry_is_flaky_and_timed_by_its_last_attempt() -> None:
    base = step_rows("b", "Submit", {"open": noise(1, 500)})
    cand = step_rows("c", "Submit", {"open": noise(2, 500)})
    for repeat in (3, 6):  # these replays failed first, then passed on their retry
        first = next(r for r in cand if r["repeat"] == repeat)
        cand.append({**first, "attempt": 1})
        first.update(status="failed", error_kind="timeout", error="Timeout 5000 ms", duration_ms=5000.0)
    base_s, cand_s, changes = _compare(base, cand)
    (status,) = status_changes(base_s, cand_s)
    assert (status.kind, status.failed_repeats, status.retried_repeats) == ("new_flaky", [], [3, 6])
    assert status.outcome() == "passes only on a retry in 2/10" and status.error_kind == "timeout"
    opened = _change(changes, "open")
    assert opened.candidate is not None and opened.candidate.n == 10 and opened.candidate.high < 5000


def test_a_slow_drift_over_the_runs_is_flagged_and_a_steady_step_is_not() -> None:
    from harness.compare.trends import trends

    rows = []
    for run in range(10):  # "open" gets 6% slower every run; "save" stays put
        rows += step_rows(f"r{run}", "Submit", {"open": noise(run, 400 * 1.06 ** run), "save": noise(100 + run, 300)})
    series = trends(pd.DataFrame(rows), [f"r{run}" for run in range(10)], SETTINGS)
    by_text = {(s.where.level, s.where.text): s for s in series}
    drifting = by_text[("step", "open")]
    assert drifting.drifting and drifting.ratio is not None and 0.45 < drifting.ratio < 0.75
    assert len(drifting.values) == 10 and drifting.values[0] is not None and drifting.values[0] < drifting.values[-1]
    assert not by_text[("step", "save")].drifting
    assert by_text[("scenario", None)].drifting  # the scenario holds the drifting step


def test_a_step_that_does_two_things_is_compared_action_by_action() -> None:
    # a login fills the form (900 ms) in some replays and restores the session (100 ms) in others;
    # the candidate had more form logins, which pooled would look like a slowdown
    def login_rows(run: str, forms: int, seed: int) -> list[dict]:
        rows = step_rows(run, "Submit", {"I am logged in": noise(seed, 100)}, repeats=12)
        for row, ms in zip(rows[:forms], noise(seed + 50, 900, n=forms), strict=True):
            row.update(action="login", duration_ms=ms)
        for row in rows[forms:]:
            row["action"] = "open"
        return rows

    _, _, changes = _compare(login_rows("b", 6, 1), login_rows("c", 6 + 4, 2))
    steps = [c for c in changes if c.where.level == "step" and c.metric == "duration_ms"]
    assert sorted(c.where.variant for c in steps) == ["login", "open"]
    assert all(c.verdict in ("unchanged", "insufficient_data") for c in steps)
    assert "step 1: I am logged in [as login]" in next(c for c in steps if c.where.variant == "login").where.label()


def _machine(seed: int, factor: float, fixed: dict[str, float], cpu: dict[str, float]) -> dict[str, list[float]]:
    """Step durations of a run on a machine ``factor`` times as slow: server time fixed, client time scaled."""
    rng = np.random.default_rng(seed)
    return {text: list(fixed.get(text, 0) + cpu[text] * factor * rng.lognormal(0, 0.05, 10)) for text in cpu}


CPU = {f"step {i}": 60.0 + 40 * i for i in range(12)}
SERVER = {"step 3": 500.0}


def test_a_slower_machine_moves_the_totals_but_no_total_is_called_for_it() -> None:
    # the candidate ran on a machine 20% slower: every step's client time is 20% longer, the
    # server's 500 ms on step 3 is not; the scenario total is significantly ~+15% slower
    _, _, compared = compared_rows(step_rows("b", "S", _machine(1, 1.0, SERVER, CPU)),
                               step_rows("c", "S", _machine(2, 1.2, SERVER, CPU)))
    assert 1.15 < compared.run_wide["duration_ms"].factor < 1.25
    total = _change(compared.changes, None, level="scenario")
    assert total.q_value is not None and total.q_value < 0.05 and total.ratio is not None and total.ratio > 0.1
    assert total.verdict == "unchanged" and "in line with the run-wide +2" in total.why
    assert _change(compared.changes, None, level="journey").verdict == "unchanged"
    # without the run-wide check the same figures are called slower
    _, _, plain = compared_rows(step_rows("b", "S", _machine(1, 1.0, SERVER, CPU)),
                            step_rows("c", "S", _machine(2, 1.2, SERVER, CPU)), CompareSettings(run_wide=False))
    assert _change(plain.changes, None, level="scenario").verdict == "slower"


def test_a_total_that_stands_out_from_the_run_wide_shift_is_still_called() -> None:
    slow = {**SERVER, "step 3": 1500.0}  # one step's server time +1 s on a machine 10% slower
    _, _, compared = compared_rows(step_rows("b", "S", _machine(1, 1.0, SERVER, CPU)),
                               step_rows("c", "S", _machine(2, 1.1, slow, CPU)))
    assert _change(compared.changes, "step 3").verdict == "slower"
    assert _change(compared.changes, None, level="scenario").verdict == "slower"


def test_the_run_wide_shift_needs_enough_steps_and_ignores_counts() -> None:
    few = {f"step {i}": noise(i, 400) for i in range(4)}
    doubled = {k: [v * 2 for v in vs] for k, vs in few.items()}
    _, _, compared = compared_rows(step_rows("b", "S", few), step_rows("c", "S", doubled))
    assert compared.run_wide == {}  # 4 steps < run_wide_min_steps: totals are judged as measured
    assert _change(compared.changes, None, level="scenario").verdict == "slower"
    many = {f"step {i}": noise(i, 400) for i in range(8)}
    _, _, compared = compared_rows(step_rows("b", "S", many), step_rows("c", "S", many))
    assert set(compared.run_wide) == {"duration_ms"} and "requests" not in compared.run_wide
