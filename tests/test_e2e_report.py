"""End to end in real Chromium: the report of a real run, read the way its readers read it.

The demo app v1 is replayed once, then v2 twice per scenario against it as the baseline, both into
one history, so the v2 report has every tab: overview, journeys, failures, guides, friction,
regressions and trends. The tests click through each tab, use the filters and links, run
axe-core on every tab, and check that the page asks for nothing beyond its own file.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from harness.browser import launch_options, resolve_browser
from harness.collect.a11y import RUN, TAGS, axe_source
from harness.report.snapshots import visit_tabs, wait_for_charts
from tests.support.cli import harness

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("report-e2e"), pytest.mark.timeout(900)]
TABS = ["overview", "journeys", "failures", "guides", "friction", "regressions", "trends"]
SUBSET = ("--tags", "@login or @approvals")
"""Sign-in journeys (pass on v2, with friction) and approvals (fails on v2): every tab, at a small cost."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("report")
    history = root / "history"
    v1, v2 = root / "v1", root / "v2"
    done = harness("demo", "--out", str(v1), "--history", str(history), *SUBSET)
    assert done.returncode == 0, done.stdout + done.stderr
    done = harness("demo", "--version", "2", "--out", str(v2), "--repeat", "2", "--history", str(history),
                   "--baseline", str(v1), "--step-timeout", "2000", *SUBSET)
    assert done.returncode == 1, done.stdout + done.stderr  # v2 breaks journeys and guides
    return v1, v2


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(**launch_options(resolve_browser()))
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def report_of(runs: tuple[Path, Path]) -> Path:
    return runs[1] / "report.html"


def selected_tab(page: Page) -> str:
    return page.get_attribute('[role="tab"][aria-selected="true"]', "aria-controls") or ""


def shown(page: Page, selector: str) -> list[Any]:
    return [el for el in page.query_selector_all(selector) if el.is_visible()]


def choose(page: Page, form: str, field: str, value: str) -> str:
    """Set one filter field, return the form's count line."""
    target = f'form[data-filters="{form}"] [data-filter="{field}"]'
    if field == "text":
        page.fill(target, value)
    else:
        page.select_option(target, value)
    return page.inner_text(f'form[data-filters="{form}"] output')


def test_every_tab_shows_its_section_and_draws_its_charts(runs: tuple[Path, Path], page: Page,
                                                          tmp_path: Path) -> None:
    report = report_of(runs)
    visit = visit_tabs(page, report, tmp_path, full_page=True)
    assert [t.key for t in visit.tabs] == TABS
    for tab in visit.tabs:
        assert tab.screenshot is not None and tab.screenshot.stat().st_size > 20_000, tab.key
        assert tab.charts_waiting == 0, tab.key
    drawn = {t.key: t.charts_drawn for t in visit.tabs}
    assert drawn["overview"] == 1 and drawn["trends"] == 2 and drawn["journeys"] >= 2, drawn
    assert visit.console == []
    assert visit.requests == [report.resolve().as_uri()]
    # each tab shows its own panel alone
    for key in TABS:
        page.click(f"#tab-{key}")
        assert [p.get_attribute("id") for p in shown(page, '[role="tabpanel"]')] == [f"p-{key}"]


def test_charts_are_svg_with_words_and_patterns(runs: tuple[Path, Path], page: Page) -> None:
    page.goto(report_of(runs).as_uri())
    wait_for_charts(page, "p-overview")
    chart = page.locator("#p-overview [data-chart]")
    assert chart.get_attribute("role") == "img" and "Time per journey" in (chart.get_attribute("aria-label") or "")
    svg_text = chart.locator("svg").text_content() or ""
    assert "Sign in to Spendly" in svg_text and "Approve an expense" in svg_text and "waiting for the app" in svg_text
    assert page.locator("#p-overview [data-chart] svg pattern").count() >= 1  # the waiting part is hatched
    page.click("#tab-journeys")
    wait_for_charts(page, "p-journeys")
    failed = page.locator('#journey-list details.case.st-failed[open]').first
    waterfall = failed.locator(".case-charts [data-chart]").first
    waterfall.scroll_into_view_if_needed()
    page.wait_for_function("(el) => el.getAttribute('data-drawn')", arg=waterfall.element_handle())
    words = waterfall.locator("svg").text_content() or ""
    assert "failed" in words and "1." in words and " ✗" in words  # legend, step names and a mark, not colour only


def test_journey_filters_by_journey_status_and_text(runs: tuple[Path, Path], page: Page) -> None:
    page.goto(report_of(runs).as_uri() + "#p-journeys")
    items = page.locator("#journey-list [data-filter-item]")
    total = items.count()
    count = choose(page, "journey-list", "status", "failed")
    visible = shown(page, "#journey-list [data-filter-item]")
    assert 0 < len(visible) < total and count == f"{len(visible)} of {total} shown"
    assert all("failed" in (el.get_attribute("data-status") or "").split() for el in visible)
    assert all(j.is_visible() == bool(j.query_selector("[data-filter-item]:not([hidden])"))
               for j in page.query_selector_all("#journey-list [data-filter-group]"))
    page.click('form[data-filters="journey-list"] button[type="reset"]')
    page.wait_for_function("() => document.querySelectorAll('#journey-list [data-filter-item][hidden]').length === 0")
    journey = page.locator('form[data-filters="journey-list"] [data-filter="journey"] option').nth(1)
    choose(page, "journey-list", "journey", journey.get_attribute("value") or "")
    assert {el.get_attribute("data-journey") for el in shown(page, "#journey-list [data-filter-item]")} == {
        journey.get_attribute("value")}
    page.click('form[data-filters="journey-list"] button[type="reset"]')
    choose(page, "journey-list", "text", "NO SUCH SCENARIO")
    assert shown(page, "#journey-list [data-filter-item]") == []
    assert page.inner_text('form[data-filters="journey-list"] output') == f"0 of {total} shown"


def test_friction_and_guides_filter_by_severity_and_status(runs: tuple[Path, Path], page: Page) -> None:
    page.goto(report_of(runs).as_uri() + "#p-friction")
    options = page.locator('form[data-filters="friction-findings"] [data-filter="severity"] option')
    severities = [options.nth(i).get_attribute("value") for i in range(1, options.count())]
    assert severities
    for severity in severities:
        choose(page, "friction-findings", "severity", severity or "")
        found = shown(page, "#friction-findings article.finding")
        assert found and all(f.get_attribute("data-severity") == severity for f in found)
    page.click("#tab-guides")
    total = page.locator("#guide-list article.guide").count()
    choose(page, "guide-list", "status", "broken")
    guides = shown(page, "#guide-list article.guide")
    assert guides and all(g.get_attribute("data-status") == "broken" for g in guides)
    assert choose(page, "guide-list", "text", "#login-button") == f"1 of {total} shown"  # a target selector
    assert [g.get_attribute("data-status") for g in shown(page, "#guide-list article.guide")] == ["broken"]


def test_links_open_the_tab_that_holds_their_target(runs: tuple[Path, Path], page: Page) -> None:
    page.goto(report_of(runs).as_uri() + "#f1")
    assert selected_tab(page) == "p-failures" and page.is_visible("#f1")
    case = page.get_attribute("#f1 h3 a", "href") or ""
    page.click("#f1 h3 a")
    assert selected_tab(page) == "p-journeys"
    assert page.is_visible(case) and page.get_attribute(case, "open") is not None
    page.click("#tab-overview")
    page.click("#p-overview #overview tbody a >> nth=0")
    assert selected_tab(page) == "p-journeys"
    page.focus("#tab-journeys")
    page.keyboard.press("ArrowRight")
    assert selected_tab(page) == "p-failures"
    page.keyboard.press("Home")
    assert selected_tab(page) == "p-overview"


def test_failures_link_their_trace_and_say_how_to_open_it(runs: tuple[Path, Path], page: Page) -> None:
    run_dir = runs[1]
    page.goto((run_dir / "report.html").as_uri() + "#p-failures")
    links = page.locator("#failure-list a[download]")
    assert links.count() >= 1
    href = links.first.get_attribute("href") or ""
    trace = run_dir / href
    assert trace.is_file() and "trace.trace" in zipfile.ZipFile(trace).namelist()
    command = page.locator("#failure-list .copyable code").first.inner_text()
    assert command == f"playwright show-trace {href}"
    shot = page.locator("#failure-list figure img").first
    assert (shot.get_attribute("src") or "").startswith("data:image/")
    assert shot.evaluate("(img) => img.complete && img.naturalWidth > 0") is True
    full = page.locator("#failure-list figcaption a").first.get_attribute("href") or ""
    assert (run_dir / full).is_file()


def test_axe_finds_no_violation_on_any_tab(runs: tuple[Path, Path], page: Page) -> None:
    page.goto(report_of(runs).as_uri())
    page.evaluate(axe_source())
    for key in TABS:
        page.click(f"#tab-{key}")
        for details in page.query_selector_all(f"#p-{key} details:not([open])")[:20]:
            details.evaluate("(d) => { d.open = true; }")  # hidden content is not checked by axe
        wait_for_charts(page, f"p-{key}")
        result = json.loads(page.evaluate(RUN, [list(TAGS), 5]))
        assert result["violations"] == [], (key, [(v["id"], v["nodes"]) for v in result["violations"]])


def test_without_javascript_every_section_stacks(runs: tuple[Path, Path], browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report_of(runs).as_uri())
    assert [p.get_attribute("id") for p in shown(page, '[role="tabpanel"]')] == [f"p-{k}" for k in TABS]
    assert page.is_visible("nav.toc") and not page.is_visible('[role="tablist"]')
    assert not page.is_visible("form.filters") and not page.is_visible("[data-chart]")
    context.close()
