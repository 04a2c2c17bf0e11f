"""The friction designed into Spendly 2.0, and its absence in 1.8, in real Chromium.

Each problem listed in ``friction_on_v2`` (harness/demo/changes.yaml) is checked here on its
page with Playwright and the demo server directly, with no harness probe: the failing chart
request, the console error, the refused ticket title, the icon-only button (axe-core), the
export button that lost its handler, the blocking live filter and the late promo banner. Each
must happen within one step of a journey: before the page's load event, or synchronously in
the handler of the event the step fires.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from harness.collect.a11y import axe_source
from harness.demo import DemoServer, load_changes
from tests.support.servers import both_demo_versions

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("demo-friction")]

PASSWORDS = {"alice": "alice-demo-pw", "mario": "mario-demo-pw"}
VIEWPORT = {"width": 1280, "height": 800}  # the journeys' viewport (harness/plugin.py)
LONG_TITLE = "VPN drops every 10 minutes"
SERIOUS = ("serious", "critical")

# Records, from before the app's own scripts, what the checks below read back.
RECORDER = """(() => {
  const seen = window.__seen = {shifts: [], events: [], longTasks: [], consoleErrors: []};
  const observe = (type, push, extra) => new PerformanceObserver((list) => list.getEntries().forEach(push))
    .observe(Object.assign({type, buffered: true}, extra || {}));
  observe('layout-shift', (e) => seen.shifts.push({start: e.startTime, value: e.value, input: e.hadRecentInput,
    sources: (e.sources || []).map((s) => s.node ? s.node.nodeName.toLowerCase() : '')}));
  observe('event', (e) => seen.events.push({name: e.name, duration: e.duration}), {durationThreshold: 16});
  observe('longtask', (e) => seen.longTasks.push(e.duration));
  const error = console.error;
  console.error = function (...args) {
    seen.consoleErrors.push({readyState: document.readyState, text: args.join(' ')});
    return error.apply(this, args);
  };
})();"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[int, DemoServer]]:
    with both_demo_versions() as running:
        yield running


@dataclass
class Tab:
    """A signed-in page and what it saw: console errors, uncaught errors, requests and HTTP errors."""

    page: Any
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def clear(self) -> None:
        for seen in (self.console_errors, self.page_errors, self.requests, self.failed):
            seen.clear()

    def open(self, path: str) -> None:
        """Open a page and wait for its load event (as the journeys' open step does)."""
        response = self.page.goto(self.url + path, wait_until="load")
        assert response is not None and response.ok, path

    def seen(self) -> dict[str, Any]:
        """What the recorder saw in the current document: two frames later (Event Timing entries wait
        for a paint), plus time for the performance observers' callbacks, which run as idle tasks."""
        return self.page.evaluate("""() => new Promise((resolve) => requestAnimationFrame(() =>
            requestAnimationFrame(() => setTimeout(() => resolve(window.__seen), 250))))""")


def _tab(browser: Any, server: DemoServer, user: str | None = "alice") -> Tab:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(script=RECORDER)
    page = context.new_page()
    page.set_default_timeout(5000)
    tab = Tab(page, server.url)
    page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
    page.on("request", lambda r: tab.requests.append(r.url))
    page.on("response", lambda r: tab.failed.append((r.status, r.url)) if r.status >= 400 else None)
    if user:
        tab.open("/login")
        page.fill("#username", user)
        page.fill("#password", PASSWORDS[user])
        page.click("form#login-form button[type=submit]")
        page.wait_for_url("**/home", wait_until="load")
    tab.clear()
    return tab


OpenTab = Callable[..., Tab]


@pytest.fixture
def open_tab(browser: Any) -> Iterator[OpenTab]:
    """Open signed-in tabs (``open_tab(server, user="alice")``); every one is closed after the test."""
    opened: list[Tab] = []

    def open_(server: DemoServer, user: str | None = "alice") -> Tab:
        opened.append(_tab(browser, server, user))
        return opened[-1]

    yield open_
    for tab in opened:
        tab.page.context.close()


def _load_event_start(tab: Tab) -> float:
    return tab.page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventStart")


# --- failing request ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_approvals_chart_request_fails_with_500_before_the_load_event_on_v2(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int) -> None:
    tab = open_tab(servers[version], "mario")
    tab.open("/approvals")
    if version == 1:
        assert tab.failed == [] and tab.console_errors == []
        assert tab.page.locator("#approvals-chart").count() == 0
        return
    [(status, url)] = tab.failed
    assert status == 500 and "/api/charts/approvals-by-week.png" in url
    timing = tab.page.evaluate("""(url) => {
        const entry = performance.getEntriesByName(url)[0];
        const nav = performance.getEntriesByType('navigation')[0];
        return {type: entry.initiatorType, end: entry.responseEnd, load: nav.loadEventStart,
                broken: document.querySelector('#approvals-chart img').naturalWidth === 0};
    }""", url)
    assert timing["type"] == "img" and timing["broken"]
    assert 0 < timing["end"] <= timing["load"]
    # Chromium logs the failed load too: the only console line of the step
    assert len(tab.console_errors) == 1 and "status of 500" in tab.console_errors[0]


# --- console error -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_tickets_page_logs_a_console_error_while_parsing_on_v2(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int) -> None:
    tab = open_tab(servers[version])
    tab.open("/tickets")
    logged = tab.page.evaluate("() => window.__seen.consoleErrors")
    assert tab.page_errors == [] and tab.failed == []
    if version == 1:
        assert tab.console_errors == [] and logged == []
        return
    assert tab.console_errors == ["[sla-badge] cannot compute ticket SLA: no SLA policy configured for "
                                  "this workspace"]
    assert logged == [{"readyState": "loading", "text": tab.console_errors[0]}]


# --- refused input -----------------------------------------------------------------------------


def _title_state(tab: Tab) -> dict[str, Any]:
    return tab.page.evaluate("""() => {
        const field = document.getElementById('ticket-title');
        const error = document.getElementById('ticket-title-error');
        return {invalid: field.getAttribute('aria-invalid'), describedby: field.getAttribute('aria-describedby'),
                error: error && error.checkVisibility() ? error.innerText : null,
                errorClass: error ? error.className : null,
                visibleErrors: [...document.querySelectorAll('[class*=error]')].filter((e) => e.checkVisibility())
                  .map((e) => e.innerText)};
    }""")


@pytest.mark.parametrize("version", [1, 2])
def test_ticket_title_is_refused_live_on_v2_but_the_form_still_submits(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int) -> None:
    tab = open_tab(servers[version])
    tab.open("/tickets/new")
    tab.page.fill("#ticket-title", LONG_TITLE)
    state = _title_state(tab)  # read at once: the check runs synchronously on the input event
    if version == 1:
        assert state["invalid"] is None and state["visibleErrors"] == []
    else:
        assert len(LONG_TITLE) == 26
        assert state["invalid"] == "true" and "ticket-title-error" in state["describedby"].split()
        assert state["error"] == "Title must be 20 characters or fewer" and "error" in state["errorClass"]
        assert state["visibleErrors"] == [state["error"]]
        tab.page.fill("#ticket-title", "VPN drops")
        assert _title_state(tab) | {"errorClass": None} == {
            "invalid": None, "describedby": None, "error": None, "errorClass": None, "visibleErrors": []}
        tab.page.fill("#ticket-title", LONG_TITLE)
        tab.page.click("#cookie-accept")  # the banner covers the submit button (cookie-banner)
    tab.page.select_option("#ticket-priority", label="High")
    tab.page.click("#create-ticket")
    tab.page.wait_for_url("**/tickets", wait_until="load")
    assert "created" in tab.page.inner_text("#flash")
    assert LONG_TITLE in tab.page.inner_text("#ticket-queue")


# --- dead click --------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_export_button_answers_on_v1_and_is_dead_on_v2(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int) -> None:
    tab = open_tab(servers[version])
    page = tab.page
    tab.open("/expenses")
    button = page.locator("#export-csv")
    assert button.is_visible() and button.is_enabled() and button.inner_text() == "Export CSV"
    page.evaluate("""() => {
        window.__changes = {mutations: 0, clicks: 0};
        new MutationObserver((records) => { window.__changes.mutations += records.length; })
          .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
        document.getElementById('export-csv').addEventListener('click', () => { window.__changes.clicks += 1; });
    }""")
    tab.clear()
    url = page.url
    page.click("#export-csv")  # a real click: fails if anything covers the button
    if version == 1:
        status = page.locator("#export-status")
        assert status.is_visible() and "Your export is ready" in status.inner_text()  # synchronously
        assert page.evaluate("() => window.__changes.mutations") > 0
        href = status.locator("a").get_attribute("href")
        assert href == "/expenses/export.csv"
        csv = page.request.get(tab.url + href)
        assert csv.ok and csv.headers["content-type"].startswith("text/csv")
        assert "Taxi to airport" in csv.text() and csv.text().startswith("id,date,description,")
        return
    page.wait_for_timeout(600)  # longer than the harness's grace period for a click that changed nothing
    assert page.evaluate("() => window.__changes") == {"mutations": 0, "clicks": 1}
    assert tab.requests == [] and page.url == url
    assert page.get_by_text("Your export is ready").count() == 0
    assert page.locator("#export-status").is_hidden()


# --- slow interaction --------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
def test_search_box_input_handler_blocks_300_ms_on_v2(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int) -> None:
    tab = open_tab(servers[version])
    tab.open("/expenses")
    before = tab.seen()
    tab.page.fill("input[name=q]", "Taxi")
    seen = tab.seen()
    long_tasks = seen["longTasks"][len(before["longTasks"]):]
    inputs = [e["duration"] for e in seen["events"][len(before["events"]):]
              if e["name"] in ("beforeinput", "input")]
    shifts = seen["shifts"][len(before["shifts"]):]
    assert shifts == []  # highlighting matches moves nothing
    if version == 1:
        assert max(long_tasks, default=0) < 250 and max(inputs, default=0) < 250
        return
    assert max(long_tasks) >= 290
    assert inputs and max(inputs) >= 280
    rows = tab.page.locator("#expenses-table tbody tr.exp-list__item--match")
    assert rows.count() == 1 and "Taxi to airport" in rows.inner_text()
    assert tab.page.get_attribute("#q", "id") == "q" and tab.page.url.endswith("/expenses")


# --- layout shift ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("user", ["alice", "mario"])
def test_promo_banner_shifts_the_dashboard_before_the_load_event_on_v2(
        open_tab: OpenTab, servers: dict[int, DemoServer], version: int, user: str) -> None:
    tab = open_tab(servers[version], user)
    tab.open("/home")
    shifts = tab.seen()["shifts"]
    load = _load_event_start(tab)
    if version == 1:
        assert shifts == []
        return
    assert shifts and all(s["start"] < load and not s["input"] for s in shifts)
    assert 0.1 < sum(s["value"] for s in shifts) < 0.25
    assert "h1" in {node for s in shifts for node in s["sources"]}
    assert tab.failed == [] and tab.console_errors == []
    size = tab.page.evaluate("() => { const i = document.querySelector('img.promo-banner');"
                             " return [i.naturalWidth, i.naturalHeight, i.getAttribute('width')]; }")
    assert size == [960, 420, None]


# --- accessibility -----------------------------------------------------------------------------


def _axe(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN)
    return violations


def _walk(open_tab: OpenTab, server: DemoServer) -> tuple[dict[str, list[dict[str, Any]]], Tab]:
    """axe-core (every rule, best practices included) on each page state the demo journeys reach."""
    v2 = server.version == 2
    found: dict[str, list[dict[str, Any]]] = {}
    public = open_tab(server, None)
    public.open("/login")
    found["/login"] = _axe(public.page)
    public.page.fill("#username", "alice")
    public.page.fill("#password", "not-the-password")
    public.page.click("form#login-form button[type=submit]")
    public.page.wait_for_selector("#login-error")
    found["/login (wrong password)"] = _axe(public.page)
    public.page.context.close()

    manager = open_tab(server, "mario")
    found["/home (manager)"] = _axe(manager.page)
    manager.open("/approvals")
    found["/approvals"] = _axe(manager.page)
    if v2:
        manager.page.click("#approvals tbody tr:first-child .row-actions__toggle")
        found["/approvals (actions menu)"] = _axe(manager.page)
    manager.page.click("#approvals tbody tr:first-child .approve")
    manager.page.wait_for_selector("#flash")
    found["/approvals (approved)"] = _axe(manager.page)
    manager.page.context.close()

    tab = open_tab(server, "alice")
    page = tab.page
    found["/home"] = _axe(page)
    for path in ("/expenses", "/expenses?q=Taxi", "/expenses?q=yacht", "/tickets", "/tickets/new", "/expenses/new"):
        tab.open(path)
        found[path] = _axe(page)
    tab.open("/expenses")
    page.fill("input[name=q]", "Taxi")
    found["/expenses (typed in the search box)"] = _axe(page)
    page.click("#export-csv")
    found["/expenses (export clicked)"] = _axe(page)
    tab.open("/tickets/new")
    page.fill("#ticket-title", LONG_TITLE)
    found["/tickets/new (title typed)"] = _axe(page)
    if v2:
        page.click("#cookie-accept")
        page.click("#ticket-help-toggle")
        found["/tickets/new (help open)"] = _axe(page)
    page.click("#create-ticket")
    page.wait_for_selector("#flash")
    found["/tickets (ticket created)"] = _axe(page)
    tab.open("/expenses/new")
    page.fill("#purpose" if v2 else "#description", "Conference ticket")
    page.fill("#amount", "120")
    page.check("#confirm-business")
    page.click("#submit-expense")
    if v2:
        page.wait_for_selector("#confirm-modal", state="visible")
        found["/expenses/new (confirmation dialog)"] = _axe(page)
        page.click("#modal-confirm")
    page.wait_for_selector("#error-summary")
    found["/expenses/new (errors)"] = _axe(page)
    page.set_input_files("#receipt", {"name": "receipt.png", "mimeType": "image/png",
                                      "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64})
    page.check("#confirm-business")
    page.click("#submit-expense")
    if v2:
        page.click("#modal-confirm")
    page.wait_for_selector("#expense-status")
    found["/expenses/<id> (submitted)"] = _axe(page)
    return found, tab


def _serious(found: dict[str, list[dict[str, Any]]]) -> set[tuple[str, str, str]]:
    return {(state, v["id"], v["impact"]) for state, violations in found.items() for v in violations
            if v["impact"] in SERIOUS}


def test_v1_journey_pages_have_no_serious_accessibility_violation_and_no_error(
        open_tab: OpenTab, servers: dict[int, DemoServer]) -> None:
    found, tab = _walk(open_tab, servers[1])
    assert len(found) == 18
    assert _serious(found) == set()
    minor = {(state, v["id"], v["impact"]) for state, vs in found.items() for v in vs}
    assert minor == set(), json.dumps(sorted(minor))  # none of any impact today: keep it that way
    # the employee's walk (the refused expense answers 422 by design) logs nothing else
    assert tab.page_errors == []
    assert [status for status, _ in tab.failed] == [422]
    assert len(tab.console_errors) == 1 and "status of 422" in tab.console_errors[0]


def test_v2_has_only_the_designed_accessibility_violation(open_tab: OpenTab,
                                                           servers: dict[int, DemoServer]) -> None:
    found, _ = _walk(open_tab, servers[2])
    assert len(found) == 21
    designed = {(state, "button-name", "critical")
                for state in ("/tickets/new", "/tickets/new (title typed)", "/tickets/new (help open)")}
    # known, not designed: 2.0's row menu is a role=menu holding forms, not menuitems; it is only
    # open after a click on "Actions", which no journey makes (the approve journey fails before)
    known = {("/approvals (actions menu)", "aria-required-children", "critical")}
    assert _serious(found) == designed | known
    [violation] = found["/tickets/new"]
    assert violation["nodes"] == ["#ticket-help-toggle"]
    everything = {(state, v["id"], v["impact"]) for state, vs in found.items() for v in vs}
    assert everything == designed | known, json.dumps(sorted(everything - designed - known))
    key = [f for f in load_changes()["friction_on_v2"] if f["rule"] == "a11y-violation"]
    assert [(f["step"], f["axe_rule"], f["impact"]) for f in key] == [
        ('I click "tickets.new"', "button-name", "critical")]
