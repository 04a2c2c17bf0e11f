"""Hand-written pytest-bdd steps for ``features/form.feature``, with Playwright and no harness.

What a team would write without the harness: a UI map of CSS selectors, one browser per session
(launched with the harness's flags, given by the bench), a fresh context and page per scenario,
and one step definition per phrase, each doing the one natural Playwright call. A step's time is
taken with pytest-bdd's hooks, from ``pytest_bdd_before_step_call`` to ``pytest_bdd_after_step``
(as the harness's recorder does), and written as JSON when the session ends.

Environment (set by the bench): ``VSB_BASE_URL``, ``VSB_REPLAYS`` (replays of each scenario),
``VSB_OUT`` (the JSON file), ``VSB_LAUNCH`` (``chromium.launch`` keyword arguments as JSON).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from pytest_bdd import given, parsers, then, when

BASE_URL = os.environ.get("VSB_BASE_URL", "http://127.0.0.1:8766")
REPLAYS = int(os.environ.get("VSB_REPLAYS", "1"))
PAGES = {"form": "/form.html", "details": "/details.html", "review": "/review.html"}
UI = {
    "profile.first_name": "#first-name", "profile.last_name": "#last-name", "profile.email": "#email",
    "profile.phone": "#phone", "profile.age": "#age", "profile.bio": "#bio", "profile.country": "#country",
    "profile.contact_email": "#contact-email", "prefs.panel": "#prefs-panel", "prefs.newsletter": "#newsletter",
    "prefs.weekly": "#weekly", "prefs.theme": "#theme", "prefs.plan": "#plan",
    "prefs.show_summary": "#show-summary", "prefs.summary": "#summary", "delivery.street": "#street",
    "delivery.city": "#city", "delivery.postcode": "#postcode", "delivery.speed": "#speed",
    "delivery.gift": "#gift", "delivery.add_note": "#add-note", "delivery.note": "#note",
    "delivery.estimate": "#estimate", "delivery.estimate_box": "#estimate-box", "review.confirm": "#confirm",
    "review.status": "#status",
}
TIMINGS: list[dict[str, Any]] = []
_started: dict[str, float] = {}


def target(page: Page, name: str) -> Locator:
    """A UI-map name's selector, else the element showing that text (a label, a button, a link)."""
    return page.locator(UI[name]) if name in UI else page.get_by_text(name, exact=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the session."""
    with sync_playwright() as pw:
        launched = pw.chromium.launch(headless=True, **json.loads(os.environ.get("VSB_LAUNCH", "{}")))
        yield launched
        launched.close()


@pytest.fixture(autouse=True, params=range(REPLAYS), ids=[f"r{i}" for i in range(REPLAYS)])
def replay(request: pytest.FixtureRequest) -> int:
    """Each scenario ``VSB_REPLAYS`` times."""
    return int(request.param)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context and page per scenario."""
    context = browser.new_context(base_url=BASE_URL, viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@given(parsers.parse('I open "{name}"'))
@when(parsers.parse('I open "{name}"'))
def open_page(page: Page, name: str) -> None:
    page.goto(PAGES.get(name, name))


@when(parsers.parse('I fill "{name}" with "{value}"'))
def fill(page: Page, name: str, value: str) -> None:
    target(page, name).fill(value)


@when(parsers.parse('I select "{option}" from "{name}"'))
def select(page: Page, option: str, name: str) -> None:
    target(page, name).select_option(label=option)


@when(parsers.parse('I check "{name}"'))
def check(page: Page, name: str) -> None:
    target(page, name).check()


@when(parsers.parse('I click "{name}"'))
def click(page: Page, name: str) -> None:
    target(page, name).click()


@then(parsers.parse('I should see "{text}"'))
def see(page: Page, text: str) -> None:
    expect(page.get_by_text(text).first).to_be_visible()


@then(parsers.parse('"{name}" should contain "{text}"'))
def contains(page: Page, name: str, text: str) -> None:
    expect(target(page, name)).to_contain_text(text)


def pytest_bdd_before_step_call(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                                step_func: Any, step_func_args: dict[str, Any]) -> None:
    _started[request.node.nodeid] = time.perf_counter()


def pytest_bdd_after_step(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: dict[str, Any]) -> None:
    started = _started.pop(request.node.nodeid)
    ms = (time.perf_counter() - started) * 1000
    TIMINGS.append({"test_id": request.node.nodeid, "keyword": step.keyword.strip(), "text": step.name,
                    "at": started, "ms": ms, "status": "passed"})


def pytest_bdd_step_error(request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
                          step_func: Any, step_func_args: dict[str, Any], exception: Exception) -> None:
    TIMINGS.append({"test_id": request.node.nodeid, "keyword": step.keyword.strip(), "text": step.name,
                    "ms": None, "status": "failed", "error": str(exception).splitlines()[0][:300]})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    out = os.environ.get("VSB_OUT")
    if out:
        Path(out).write_text(json.dumps({"steps": TIMINGS}))
