"""The Journey's actions in real Chromium, without a whole run: sessions, hidden targets, waits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from harness.collect import journey as journey_module
from harness.collect import steps
from harness.collect.journey import Journey, StepFailure
from harness.collect.signals import SignalLog
from harness.plugin.recorder import slug as _slug
from harness.spec.profile import load_profile
from tests.support import ROOT
from tests.support.servers import serve_folder

PLAYGROUND = ROOT / "tests" / "fixtures" / "steps"
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("journey")]


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_folder(PLAYGROUND / "site", delays={"/slow.json": 3.0}) as url:
        yield url


@pytest.fixture
def journey(browser: Browser, site: str) -> Iterator[Journey]:
    context = browser.new_context(base_url=site)
    signals = SignalLog()
    signals.attach(context)
    page = context.new_page()
    yield Journey(page=page, context=context, profile=load_profile(PLAYGROUND / "app.yaml"), base_url=site,
                  feature_file=PLAYGROUND / "steps_en.feature", signals=signals, timeout_ms=2_000)
    context.close()


def test_a_stored_session_brings_back_cookies_and_local_storage(journey: Journey, site: str) -> None:
    state = {"cookies": [{"name": "sid", "value": "abc", "url": site}],
             "origins": [{"origin": site, "localStorage": [{"name": "token", "value": "t-123"}]}]}
    journey._restore_session(state)
    journey.open("playground")
    assert journey.page.evaluate("() => localStorage.getItem('token')") == "t-123"
    assert journey.page.evaluate("() => document.cookie") == "sid=abc"


def test_hidden_means_hidden_through_every_fallback(journey: Journey) -> None:
    journey.open("playground")
    profile = journey.profile
    profile.targets["page.either"] = profile.targets["page.secret"].model_copy(
        update={"selector": "#no-such-element", "fallbacks": ["#secret"]})
    steps.hidden(journey, "page.either")  # neither the primary nor the fallback shows
    profile.targets["page.either"].fallbacks.append("h1")  # a fallback that does show
    with pytest.raises(StepFailure, match=r"expected 'page\.either' to be hidden"):
        steps.hidden(journey, "page.either")


def test_waits_add_up_over_the_actions_of_one_step(journey: Journey, monkeypatch: pytest.MonkeyPatch) -> None:
    journey.open("playground")
    ticks = iter(range(1000))  # a clock that moves one second each time it is read

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return float(next(ticks))

    monkeypatch.setattr(journey_module, "time", Clock)
    steps.fill_table(journey, [["field", "value"], ["form.name", "Ada"], ["Email address", "a@b.c"]])
    # each row: read at start, after the wait, after the action -> 1 s waiting and 1 s acting
    assert journey.notes.wait_ms == 2000 and journey.notes.action_ms == 2000


def test_a_missing_target_says_what_was_tried(journey: Journey) -> None:
    journey.open("playground")
    with pytest.raises(StepFailure) as caught:
        steps.click(journey, "#absent")
    assert caught.value.kind == "missing" and "'#absent' not found" in str(caught.value)
    assert journey.notes.wait_ms is not None  # the time spent looking is kept


def test_artifact_folders_stay_unique_for_long_names() -> None:
    long = "x" * 200
    assert _slug(long + "[r0]") != _slug(long + "[r1]")
    assert len(_slug(long)) < 100 and Path(_slug("a/b c")).name == _slug("a/b c")


# --- waits that end once the page has settled (harness.collect.settle) -------------------------
@pytest.fixture
def patient(journey: Journey) -> Journey:
    journey.timeout_ms = 20_000  # far longer than any wait below: a wait that ends says why
    return journey


def test_a_target_absent_from_a_settled_page_fails_without_waiting_the_whole_timeout(patient: Journey) -> None:
    patient.open("/settle.html")
    with pytest.raises(StepFailure) as caught:
        steps.click(patient, "#absent")
    assert caught.value.kind == "missing"
    assert "once the page had settled" in str(caught.value) and "after 20000 ms" not in str(caught.value)


def test_a_covered_target_on_a_settled_page_fails_with_its_reason_without_waiting_the_timeout(patient: Journey) -> None:
    patient.open("/settle.html?veil")
    with pytest.raises(StepFailure) as caught:
        steps.click(patient, "#veiled")
    assert caught.value.kind == "covered" and "once the page had settled" in str(caught.value)


@pytest.mark.parametrize("how", ["request", "spinner"])
def test_a_target_that_comes_after_3_s_of_a_busy_page_is_waited_for(patient: Journey, how: str) -> None:
    # a request in flight, or a spinner's animation: the page is not settled, so the wait goes on
    patient.open(f"/settle.html?{how}")
    steps.click(patient, "#from-request" if how == "request" else "#from-timer")
    assert patient.notes.wait_ms is not None and patient.notes.wait_ms > 0
