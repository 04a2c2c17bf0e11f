"""Guide files, verdicts, guides.json and the fixes patch: plain data, no browser."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.guides import GuideStepCheck
from harness.errors import HarnessError, SpecError, SpecErrors
from harness.guides.fixes import fixes_patch
from harness.guides.results import GuideOutline, guide_status, parse_fail_on, summarise
from harness.guides.status import DEFAULT_FAIL_ON, classify, text_matches
from harness.spec.guide_baseline import Baseline, load_baseline, save_baseline
from harness.spec.guides import is_plain_css, load_guide, load_guides
from harness.spec.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
GOOD = """\
id: tour
title: A tour
user: employee
page: expenses
steps:
  - id: one
    target: "#a"
    text: Search
  - id: two
    page: /other
    target: role=button[name="Save"]
  - id: three
    after: {feature: x.feature, step: I click "Save"}
    target: "#dialog"
  - id: floating
    title: Welcome
"""


@pytest.fixture
def profile() -> Any:
    return load_profile("demo", ROOT)


def _write(tmp_path: Path, text: str, name: str = "g.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_good_guide_loads_with_lines(tmp_path: Path, profile: Any) -> None:
    guide = load_guide(_write(tmp_path, GOOD), profile)
    assert [s.id for s in guide.steps] == ["one", "two", "three", "floating"]
    assert [s.line for s in guide.steps] == [6, 9, 12, 15]
    assert guide.step_page(guide.steps[0]) == "expenses" and guide.step_page(guide.steps[1]) == "/other"
    assert guide.step_page(guide.steps[2]) is None
    assert guide.steps[2].after is not None
    assert guide.steps[2].after.matches("features/demo/x.feature", "any", 'I click "Save"')
    assert not guide.steps[2].after.matches("features/demo/xx.feature", "any", 'I click "Save"')


@pytest.mark.parametrize(("text", "message", "line"), [
    (GOOD.replace('target: "#a"', 'target: "#a["'), "step 'one'", 7),
    (GOOD.replace("id: two", "id: one"), "used twice", 9),
    (GOOD.replace("user: employee", "user: nobody"), "unknown user 'nobody'", 3),
    (GOOD.replace("page: /other", "page: nowhere"), "unknown page 'nowhere'", 10),
    (GOOD.replace("    page: /other\n", "    page: /other\n    after: {feature: a, step: b}\n"), "not both", 9),
    (GOOD.replace("id: tour", "id: my tour"), "not a valid id", 1),
    (GOOD.replace("    title: Welcome\n", "    title: Welcome\n    colour: red\n"), "colour", 17),
    ("id: t\nsteps: []\n", "steps", 2),
    ("id: t\nsteps:\n  - {id: a, target: '#x'}\n", "has no page", 3),
    ("- not a mapping\n", "must be a mapping", 1),
    ("id: t\nsteps: [\n", "invalid YAML", 3),
])
def test_bad_guides_name_file_and_line(tmp_path: Path, profile: Any, text: str, message: str, line: int) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(SpecError) as caught:
        load_guide(path, profile)
    assert message in caught.value.message
    assert caught.value.file == str(path) and caught.value.line == line


def test_css_guides_refuse_playwright_selectors(tmp_path: Path) -> None:
    text = "id: t\npage: /\nselector_format: css\nsteps:\n  - {id: a, target: 'text=Save'}\n"
    with pytest.raises(SpecError, match="not plain CSS") as caught:
        load_guide(_write(tmp_path, text))
    assert caught.value.line == 5
    assert is_plain_css("#main > a.b[href='/x']:not(.c)") and not is_plain_css('role=button[name="x"]')
    assert not is_plain_css("button:has-text('Save')") and not is_plain_css("#a >> text=b")


def test_a_folder_reports_every_bad_file_and_duplicate_ids(tmp_path: Path, profile: Any) -> None:
    _write(tmp_path, GOOD, "a.yaml")
    _write(tmp_path, GOOD, "b.yaml")
    _write(tmp_path, "id: x\nsteps: nope\n", "c.yaml")
    with pytest.raises(SpecErrors) as caught:
        load_guides(tmp_path, profile)
    messages = [str(e) for e in caught.value.errors]
    assert any("c.yaml:2" in m for m in messages)
    assert any("'tour' is also used by" in m for m in messages)
    with pytest.raises(SpecErrors, match="unknown guide 'zzz'"):
        load_guides(tmp_path, profile, only=["zzz"])
    with pytest.raises(SpecErrors, match="no guides folder"):
        load_guides(tmp_path / "missing", profile)


def test_the_demo_guides_load(profile: Any) -> None:
    guides = load_guides(ROOT / "journeys" / "demo" / "guides", profile)
    assert sum(len(g.steps) for g in guides) >= 20
    for guide in guides:
        baseline = load_baseline(ROOT / "journeys" / "demo" / "guides", guide.id)
        assert baseline is not None and set(baseline.steps) == {s.id for s in guide.steps}


def test_baselines_round_trip(tmp_path: Path) -> None:
    fp = {"tag": "button", "id": "go", "visible": True}
    save_baseline(tmp_path, Baseline("g", {"s": {"target": "#go", "fingerprint": fp, "screenshot": "g/s.png"}},
                                     {"app": "demo"}))
    loaded = load_baseline(tmp_path, "g")
    assert loaded is not None and loaded.fingerprint("s", "#go") == fp and loaded.meta["app"] == "demo"
    assert loaded.fingerprint("other", "#go") is None and loaded.fingerprint("s", None) is None
    (tmp_path / "baseline" / "bad.json").write_text("{")
    with pytest.raises(SpecError, match="unreadable"):
        load_baseline(tmp_path, "bad")


# --- verdicts ----------------------------------------------------------------------------
def obs(**kw: Any) -> dict[str, Any]:
    base = {"count": 1, "visible": True, "offscreen": False, "covered_by": None, "disabled": False,
            "text": "Save", "name": "Save", "error": None, "fingerprint": None}
    return {**base, **kw}


@pytest.mark.parametrize(("observation", "kwargs", "status"), [
    (obs(), {"page_error": "HTTP 500"}, "page_error"),
    (None, {"target": None}, "ok"),
    (obs(count=0), {}, "missing"),
    (obs(error="bad selector"), {}, "missing"),
    (obs(count=3), {}, "ambiguous"),
    (obs(visible=False), {}, "hidden"),
    (obs(offscreen=True), {}, "offscreen"),
    (obs(covered_by={"tag": "div", "id": "banner", "text": "cookies"}), {}, "covered"),
    (obs(disabled=True), {}, "disabled"),
    (obs(disabled=True), {"baseline": {"disabled": True}}, "ok"),
    (obs(text="Store", name="Store"), {"expected_text": "save"}, "text_changed"),
    (obs(text="  Save\n changes "), {"expected_text": "save CHANGES"}, "ok"),
    (obs(count=2, visible=False), {}, "ambiguous"),
])
def test_one_status_the_first_that_applies(observation: Any, kwargs: dict[str, Any], status: str) -> None:
    args = {"target": "#save", **kwargs}
    assert classify(observation, **args).status == status


def test_drift_needs_a_baseline_and_a_different_element() -> None:
    same = {"tag": "button", "id": "save", "classes": ["btn"], "text": "Save", "role": "button", "name": "Save",
            "attributes": {"type": "submit"}, "path": [{"tag": "form", "id": "f", "classes": [], "index": 1},
                                                       {"tag": "button", "id": "save", "classes": ["btn"], "index": 1}],
            "box": {"x": 10, "y": 10, "width": 80, "height": 30}, "viewport": {"width": 1280, "height": 720},
            "neighbours": ["Cancel"], "visible": True}
    other = {"tag": "a", "id": "help", "classes": ["nav-link"], "text": "Help centre", "role": "link",
             "name": "Help centre", "attributes": {"href": "/help"},
             "path": [{"tag": "nav", "id": "top", "classes": [], "index": 1},
                      {"tag": "a", "id": "help", "classes": ["nav-link"], "index": 3}],
             "box": {"x": 1100, "y": 5, "width": 90, "height": 20}, "viewport": {"width": 1280, "height": 720},
             "neighbours": ["Home"], "visible": True}
    assert classify(obs(fingerprint=same), target="#x", baseline=same).status == "ok"
    verdict = classify(obs(fingerprint=other), target="#x", baseline=same)
    assert verdict.status == "drifted" and verdict.similarity is not None and verdict.similarity < 0.5
    assert classify(obs(fingerprint=other), target="#x").status == "ok"


def _placed(selector_format: str, library: str | None = None) -> Any:
    from harness.collect.guide_check import PlacedStep
    from harness.spec.guides import Guide

    guide = Guide.model_validate({"id": "tour", "page": "/", "selector_format": selector_format,
                                  "source": {"library": library} if library else None,
                                  "steps": [{"id": "save", "target": ".save", "text": "Save"}]})
    return PlacedStep(guide, guide.steps[0], 0, "http://app/")


@pytest.mark.parametrize(("library", "runtime"), [("shepherd", "Shepherd"), ("introjs", "Intro.js"),
                                                  ("driverjs", "Driver.js"), (None, "querySelector")])
def test_css_guides_attach_to_the_first_of_several_matches(library: str | None, runtime: str) -> None:
    from harness.collect.guide_check import verdict_of

    verdict, warning = verdict_of(_placed("css", library), obs(count=3))
    assert verdict.status == "ok"
    assert warning == (f".save matches 3 elements; {runtime}/querySelector attaches to the first"
                       if library else ".save matches 3 elements; querySelector attaches to the first")
    # the first match is judged like any step's element: hidden, covered, text changed...
    assert verdict_of(_placed("css", library), obs(count=2, visible=False))[0].status == "hidden"
    covered = obs(count=2, covered_by={"tag": "div", "id": "banner"})
    assert verdict_of(_placed("css", library), covered)[0].status == "covered"
    assert verdict_of(_placed("css", library), obs(count=2, text="Store", name="Store"))[0].status == "text_changed"
    # one match, no match, a page that failed: no warning
    assert verdict_of(_placed("css", library), obs())[1] is None
    assert verdict_of(_placed("css", library), obs(count=0))[0].status == "missing"
    assert verdict_of(_placed("css", library), obs(count=2), page_error="HTTP 500") == (
        classify(obs(count=2), target=".save", page_error="HTTP 500"), None)


def test_a_baseline_records_each_good_step_on_its_own() -> None:
    """Class 7 of issue 15: one ambiguous step no longer blocks the baseline of the others."""
    from harness.collect.guide_check import PlacedStep, baseline_entry
    from harness.spec.guides import Guide

    guide = Guide.model_validate({"id": "g", "page": "/", "steps": [
        {"id": "good", "target": "#save"}, {"id": "twice", "target": ".row"}, {"id": "off", "target": "#field"},
        {"id": "floating"}]})
    placed = {s.id: PlacedStep(guide, s, n, "http://app/") for n, s in enumerate(guide.steps)}
    fp = {"tag": "button", "id": "save", "text": "Save", "visible": True}
    entry, status, _ = baseline_entry(placed["good"], obs(fingerprint=fp), None)
    assert status == "recorded" and entry == {"target": "#save", "fingerprint": fp, "screenshot": None}
    assert baseline_entry(placed["twice"], obs(count=2), None)[:2] == (None, "ambiguous")
    # a control disabled on the good version is recorded (a tour may explain it before it is enabled)
    disabled = baseline_entry(placed["off"], obs(disabled=True, fingerprint={**fp, "disabled": True}), None)
    assert disabled[1] == "recorded" and disabled[0] is not None and disabled[0]["fingerprint"]["disabled"]
    assert baseline_entry(placed["floating"], None, None)[:2] == (
        {"target": None, "fingerprint": None, "screenshot": None}, "recorded")
    assert baseline_entry(placed["good"], obs(fingerprint=fp), "HTTP 500") == (None, "page_error", "HTTP 500")


def test_playwright_guides_stay_strict() -> None:
    from harness.collect.guide_check import verdict_of

    verdict, warning = verdict_of(_placed("playwright"), obs(count=3))
    assert verdict.status == "ambiguous" and warning is None


def test_a_warning_is_written_only_when_set() -> None:
    step = GuideStepCheck.model_validate({"guide": "g", "step": "s", "status": "ok"})
    assert "warning" not in step.model_dump(mode="json")
    step.warning = "x matches 2 elements; Shepherd/querySelector attaches to the first"
    line = GuideStepCheck.model_validate_json(step.model_dump_json())
    assert line.warning == step.warning and line.result().warning == step.warning


def test_text_matches_looks_at_text_name_placeholder_and_title() -> None:
    assert text_matches("search", {"text": "", "placeholder": "Search expenses"})
    assert text_matches("Close", {"text": "", "title": "close"})
    assert not text_matches("Close", {"text": "Open"})


# --- guides.json ---------------------------------------------------------------------------
def test_failure_policy_parsing() -> None:
    assert parse_fail_on(None) == DEFAULT_FAIL_ON and "drifted" in DEFAULT_FAIL_ON and "ok" not in DEFAULT_FAIL_ON
    assert parse_fail_on("missing, hidden") == ("missing", "hidden")
    assert parse_fail_on("never") == ()
    assert parse_fail_on("default,-drifted") == tuple(s for s in DEFAULT_FAIL_ON if s != "drifted")
    assert "drifted" in parse_fail_on("all") and "ok" not in parse_fail_on("all")
    with pytest.raises(HarnessError, match="unknown guide status 'broken'"):
        parse_fail_on("missing,broken")


def _result(guide: str, step: str, status: str, **kw: Any) -> GuideStepCheck:
    return GuideStepCheck.model_validate({"guide": guide, "step": step, "status": status, "target": f"#{step}",
                                          "message": status, "suggestion": None, **kw})


def test_summary_counts_and_policy() -> None:
    results = [_result("a", "s1", "ok"), _result("a", "s2", "drifted"), _result("b", "s1", "missing"),
               _result("b", "s1", "ok"), _result("c", "s1", "ok")]
    guides = [GuideOutline(g, g.upper(), f"{g}.yaml", ("s1", "s2") if g == "a" else ("s1",)) for g in ("a", "b", "c")]
    lenient = tuple(s for s in DEFAULT_FAIL_ON if s != "drifted")  # a team that takes drifts as warnings
    data = summarise(results, guides, fail_on=lenient, app="demo")
    assert data.status == "failed" and data.app == "demo" and data.schema_version == 1
    assert [g.status for g in data.guides] == ["warning", "broken", "intact"]
    assert data.guides[1].steps[0].status == "missing"  # the worst of two checks of one step
    assert data.totals == {"guides": 3, "steps": 4, "missing": 1, "drifted": 1, "ok": 2,
                           "guides_warning": 1, "guides_broken": 1, "guides_intact": 1}
    assert summarise(results, guides, fail_on=()).status == "passed"
    assert [g.status for g in summarise(results, guides, fail_on=DEFAULT_FAIL_ON).guides] == \
        ["broken", "broken", "intact"]
    assert guide_status(["ok", "drifted"], ["drifted"]) == "broken"


# --- the fixes patch ------------------------------------------------------------------------
def test_fixes_patch_applies_with_git_and_keeps_comments(tmp_path: Path) -> None:
    guide = tmp_path / "journeys" / "demo" / "guides" / "g.yaml"
    guide.parent.mkdir(parents=True)
    original = ("# my comment\nid: g\npage: /\nsteps:\n  - id: a\n    target: '#old'   # keep me\n"
                "  - id: b\n    target: \"#heading\"\n    text: Hello\n  - id: c\n    target: '#weak'\n")
    guide.write_text(original)
    results = [
        _result("g", "a", "missing", target="#old",
                suggestion={"target": 'role=button[name="Go \\"now\\""]', "score": 0.8, "reasons": ["same text"]}),
        _result("g", "b", "text_changed", target="#heading",
                suggestion={"target": "#heading", "score": 0.9, "reasons": ["same id"], "text": "Welcome back"}),
        _result("g", "c", "missing", target="#weak", suggestion={"target": "#x", "score": 0.3, "reasons": []}),
    ]
    patch = fixes_patch(results, {"g": guide}, tmp_path, min_score=0.5).text
    assert patch.startswith("--- a/journeys/demo/guides/g.yaml\n+++ b/journeys/demo/guides/g.yaml")
    assert "#x" not in patch  # below the threshold: not proposed
    assert guide.read_text() == original  # nothing changed in place
    (tmp_path / "fix.patch").write_text(patch)
    subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, check=True)
    loaded = load_guide(guide)
    assert loaded.steps[0].target == 'role=button[name="Go \\"now\\""]'
    assert loaded.steps[1].target == "#heading" and loaded.steps[1].text == "Welcome back"
    assert loaded.steps[2].target == "#weak"
    fixed = guide.read_text()
    assert fixed.startswith("# my comment\n") and "repaired (missing, score 0.80: same text)" in fixed
