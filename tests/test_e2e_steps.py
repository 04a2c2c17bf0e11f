"""The built-in step library, every phrase in English and French, in real Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.collect.steps import library
from harness.spec.features import feature_files, find_definition, parse_feature, scenario_runs
from tests.support import ROOT
from tests.support.cli import harness
from tests.support.run_folders import records
from tests.support.servers import serve_folder

PLAYGROUND = ROOT / "tests" / "fixtures" / "steps"
#: Every feature the test suite runs in a browser: together they must use every built-in phrase.
RUN_FEATURES = [ROOT / "features" / "demo", PLAYGROUND, ROOT / "tests" / "fixtures" / "hostile",
                ROOT / "tests" / "fixtures" / "signals", ROOT / "tests" / "fixtures" / "guides_journey",
                ROOT / "tests" / "fixtures" / "probes"]


@pytest.fixture(scope="module")
def playground() -> Iterator[str]:
    with serve_folder(PLAYGROUND / "site") as url:
        yield url


def test_every_built_in_phrase_is_exercised_by_a_journey_the_tests_run() -> None:
    definitions = library()
    built_in = [d for d in definitions if d.step_func.__module__ == "harness.collect.steps"]
    used: set[str] = set()
    for feature in map(parse_feature, feature_files(RUN_FEATURES)):
        for run in scenario_runs(feature):
            for step in run.steps:
                for context in built_in:  # every phrasing the step matches, not only the first
                    if context.parser.is_matching(step.name):
                        used.add(context.parser.name)
                assert find_definition(step, definitions), step.name
    unused = sorted({d.parser.name for d in built_in} - used)
    assert unused == []


@pytest.mark.e2e
@pytest.mark.xdist_group("steps")
def test_every_step_works_in_both_languages(playground: str, tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = harness("run", str(PLAYGROUND), "--app", str(PLAYGROUND / "app.yaml"), "--base-url", playground,
                   "--out", str(out), "--step-timeout", "4000")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr
    steps = records(out)
    assert {r.journey for r in steps} == {"Every built-in step, in English",
                                          "Toutes les étapes intégrées, en français"}
    assert all(r.status == "passed" for r in steps)
    by_text = {}
    for record in steps:
        by_text.setdefault(record.text, record)
    # how each kind of target resolved
    assert by_text['I fill "form.name" with "Ada"'].selector == "#name"
    save = by_text['I click "form.save"']
    assert save.fallback_used and save.selector == "#save"
    assert by_text['I select "Green" from "Colour"'].selector == "label=Colour"
    assert by_text["I fill in:"].selector == "placeholder=Email address"
    assert by_text['I double-click "Double me"'].selector == "text=Double me"
    assert by_text['I click on "Second page"'].selector == 'role=link[name="Second page"]'
    assert by_text['I click on "Second page"'].signals.navigations == 1
    assert by_text['I uncheck "#terms"'].selector == "#terms"
    # wait and action are measured apart for actions on a target
    assert all(r.signals.wait_ms is not None and r.signals.action_ms is not None
               for r in steps if r.text.startswith(("I click", "I check", "je clique", "je coche")))
