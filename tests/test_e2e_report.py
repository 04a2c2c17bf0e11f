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
from playwright.sync_api import Browser, Locator, Page, expect

from harness.collect.a11y import RUN, TAGS, axe_source
from harness.report.html.snapshots import visit_tabs, wait_for_charts
from tests.support.builds import Run

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("report-e2e"), pytest.mark.timeout(900)]
TABS = ["overview", "journeys", "failures", "guides", "friction", "regressions", "trends"]
SELECTED_TAB = '[role="tab"][aria-selected="true"]'


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def report_of(report_runs: tuple[Run, Run]) -> Path:
    return report_runs[1].out / "report.html"


def expect_tab(page: Page, panel: str) -> None:
    """Wait until the selected tab is the one of ``panel`` (a link's tab opens on ``hashchange``)."""
    expect(page.locator(SELECTED_TAB)).to_have_attribute("aria-controls", panel)


def shown(page: Page, selector: str) -> list[Any]:
    return [el for el in page.query_selector_all(selector) if el.is_visible()]


def choose(page: Page, form: str, field: str, value: str) -> Locator:
    """Set one filter field; return the form's count line (assert on it with ``expect``)."""
    target = f'form[data-filters="{form}"] [data-filter="{field}"]'
    if field == "text":
        page.fill(target, value)
    else:
        page.select_option(target, value)
    return page.locator(f'form[data-filters="{form}"] output')


def test_every_tab_shows_its_section_and_draws_its_charts(report_runs: tuple[Run, Run], page: Page,
                                                          tmp_path: Path) -> None:
    report = report_of(report_runs)
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
    panels = page.locator('[role="tabpanel"]:visible')
    for key in TABS:
        page.click(f"#tab-{key}")
        expect(panels).to_have_count(1)
        expect(panels).to_have_id(f"p-{key}")


def test_charts_are_svg_with_words_and_patterns(report_runs: tuple[Run, Run], page: Page) -> None:
    page.goto(report_of(report_runs).as_uri())
    wait_for_charts(page, "p-overview")
    chart = page.locator("#p-overview [data-chart]")
    assert chart.get_attribute("role") == "img" and "Time per journey" in (chart.get_attribute("aria-label") or "")
    svg_text = chart.locator("svg").text_content() or ""
    assert "Sign in to Spendly" in svg_text and "Approve an expense" in svg_text and "waiting for the app" in svg_text
    assert page.locator("#p-overview [data-chart] svg pattern").count() >= 1  # the waiting part is hatched
    page.click("#tab-journeys")
    expect_tab(page, "p-journeys")
    wait_for_charts(page, "p-journeys")
    failed = page.locator('#journey-list details.case.st-failed[open]').first
    waterfall = failed.locator(".case-charts [data-chart]").first
    waterfall.scroll_into_view_if_needed()
    page.wait_for_function("(el) => el.getAttribute('data-drawn')", arg=waterfall.element_handle())
    words = waterfall.locator("svg").text_content() or ""
    assert "failed" in words and "1." in words and " ✗" in words  # legend, step names and a mark, not colour only


def test_journey_filters_by_journey_status_and_text(report_runs: tuple[Run, Run], page: Page) -> None:
    page.goto(report_of(report_runs).as_uri() + "#p-journeys")
    items = page.locator("#journey-list [data-filter-item]")
    visible = page.locator("#journey-list [data-filter-item]:visible")
    total = items.count()
    failed = page.locator('#journey-list [data-filter-item][data-status~="failed"]').count()
    assert 0 < failed < total
    count = choose(page, "journey-list", "status", "failed")
    expect(count).to_have_text(f"{failed} of {total} shown")
    expect(visible).to_have_count(failed)
    assert all("failed" in (el.get_attribute("data-status") or "").split() for el in visible.all())
    assert all(j.is_visible() == bool(j.query_selector("[data-filter-item]:not([hidden])"))
               for j in page.query_selector_all("#journey-list [data-filter-group]"))
    page.click('form[data-filters="journey-list"] button[type="reset"]')
    expect(visible).to_have_count(total)
    journey = page.locator('form[data-filters="journey-list"] [data-filter="journey"] option').nth(1)
    name = journey.get_attribute("value") or ""
    mine = page.locator(f'#journey-list [data-filter-item][data-journey~="{name}"]').count()
    assert 0 < mine < total
    choose(page, "journey-list", "journey", name)
    expect(visible).to_have_count(mine)
    assert {el.get_attribute("data-journey") for el in visible.all()} == {name}
    page.click('form[data-filters="journey-list"] button[type="reset"]')
    expect(visible).to_have_count(total)
    count = choose(page, "journey-list", "text", "NO SUCH SCENARIO")
    expect(visible).to_have_count(0)
    expect(count).to_have_text(f"0 of {total} shown")


def test_friction_and_guides_filter_by_severity_and_status(report_runs: tuple[Run, Run], page: Page) -> None:
    page.goto(report_of(report_runs).as_uri() + "#p-friction")
    options = page.locator('form[data-filters="friction-findings"] [data-filter="severity"] option')
    severities = [options.nth(i).get_attribute("value") or "" for i in range(1, options.count())]
    assert severities
    found = page.locator("#friction-findings article.finding:visible")
    for severity in severities:
        wanted = page.locator(f'#friction-findings article.finding[data-severity="{severity}"]').count()
        choose(page, "friction-findings", "severity", severity)
        expect(found).to_have_count(wanted)
        assert wanted and all(f.get_attribute("data-severity") == severity for f in found.all())
    page.click("#tab-guides")
    expect_tab(page, "p-guides")
    total = page.locator("#guide-list article.guide").count()
    guides = page.locator("#guide-list article.guide:visible")
    broken = page.locator('#guide-list article.guide[data-status="broken"]').count()
    choose(page, "guide-list", "status", "broken")
    expect(guides).to_have_count(broken)
    assert broken and all(g.get_attribute("data-status") == "broken" for g in guides.all())
    count = choose(page, "guide-list", "text", "#login-button")  # a target selector
    expect(count).to_have_text(f"1 of {total} shown")
    expect(guides).to_have_count(1)
    expect(guides).to_have_attribute("data-status", "broken")


def test_links_open_the_tab_that_holds_their_target(report_runs: tuple[Run, Run], page: Page) -> None:
    page.goto(report_of(report_runs).as_uri() + "#f1")
    expect_tab(page, "p-failures")
    expect(page.locator("#f1")).to_be_visible()
    case = page.get_attribute("#f1 h3 a", "href") or ""
    page.click("#f1 h3 a")
    expect_tab(page, "p-journeys")
    expect(page.locator(case)).to_be_visible()
    expect(page.locator(case)).to_have_js_property("open", True)
    page.click("#tab-overview")
    expect_tab(page, "p-overview")
    page.click("#p-overview #overview tbody a >> nth=0")
    expect_tab(page, "p-journeys")
    page.focus("#tab-journeys")
    page.keyboard.press("ArrowRight")
    expect_tab(page, "p-failures")
    page.keyboard.press("Home")
    expect_tab(page, "p-overview")


def test_failures_link_their_trace_and_say_how_to_open_it(report_runs: tuple[Run, Run], page: Page) -> None:
    run_dir = report_runs[1].out
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
    shot.scroll_into_view_if_needed()  # it loads lazily
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=shot.element_handle())
    full = page.locator("#failure-list figcaption a").first.get_attribute("href") or ""
    assert (run_dir / full).is_file()


def test_axe_finds_no_violation_on_any_tab(report_runs: tuple[Run, Run], page: Page) -> None:
    page.goto(report_of(report_runs).as_uri())
    page.evaluate(axe_source())
    for key in TABS:
        page.click(f"#tab-{key}")
        expect_tab(page, f"p-{key}")
        for details in page.query_selector_all(f"#p-{key} details:not([open])")[:20]:
            details.evaluate("(d) => { d.open = true; }")  # hidden content is not checked by axe
        wait_for_charts(page, f"p-{key}")
        result = json.loads(page.evaluate(RUN, [list(TAGS), 5]))
        assert result["violations"] == [], (key, [(v["id"], v["nodes"]) for v in result["violations"]])


def test_without_javascript_every_section_stacks(report_runs: tuple[Run, Run], browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(report_of(report_runs).as_uri())
    assert [p.get_attribute("id") for p in shown(page, '[role="tabpanel"]')] == [f"p-{k}" for k in TABS]
    assert page.is_visible("nav.toc") and not page.is_visible('[role="tablist"]')
    assert not page.is_visible("form.filters") and not page.is_visible("[data-chart]")
    context.close()
