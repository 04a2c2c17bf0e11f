"""Open a report in Chromium, visit every tab, and keep what a reader would see.

Used by the end-to-end tests (every section, no console error, no request beyond the file)
and by ``docs/report_screenshots.py`` (the README's pictures), so both see the report the
same way: its tabs clicked in order, each tab's charts drawn before its screenshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHART_WAIT_MS = 10_000


@dataclass
class TabVisit:
    """One tab as shown: its name, its screenshot and the charts drawn in it."""

    key: str
    label: str
    screenshot: Path | None
    charts_drawn: int
    charts_waiting: int
    """Charts in view but not drawn (charts further down are drawn when scrolled to)."""


@dataclass
class Visit:
    """A whole visit of a report."""

    tabs: list[TabVisit] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    """Console errors and warnings, and uncaught page errors."""
    requests: list[str] = field(default_factory=list)
    """Every URL the page asked for (the report itself first)."""


def wait_for_charts(page: Any, panel: str, timeout_ms: int = CHART_WAIT_MS) -> None:
    """Wait until every chart in the panel that is in view has been drawn."""
    page.wait_for_function(
        """(panel) => Array.from(document.querySelectorAll('#' + panel + ' [data-chart]')).every((el) => {
            if (el.getAttribute('data-drawn')) return true;
            const box = el.getBoundingClientRect();
            const shown = box.width > 0 && box.height > 0;
            return !shown || box.top > window.innerHeight + 300 || box.bottom < -300;
        })""", arg=panel, timeout=timeout_ms)


def visit_tabs(page: Any, report: Path, out_dir: Path | None = None, *, full_page: bool = False,
               prefix: str = "report") -> Visit:
    """Open ``report`` in ``page``, click each tab in turn and screenshot it.

    Args:
        page: A Playwright page (its viewport sets the screenshots' size).
        report: The report file.
        out_dir: Where screenshots go (``<prefix>-<tab>.png``); None takes none.
        full_page: Screenshot the whole page, not the viewport.
        prefix: File name prefix of the screenshots.

    Returns:
        What was seen: each tab, the console messages and the requests.
    """
    visit = Visit()
    page.on("console", lambda m: visit.console.append(f"{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: visit.console.append(f"pageerror: {e}"))
    page.on("request", lambda r: visit.requests.append(r.url))
    page.goto(Path(report).resolve().as_uri())
    page.wait_for_load_state("load")
    tabs = page.locator('[role="tab"]')
    for n in range(tabs.count()):
        tab = tabs.nth(n)
        tab.click()
        panel = tab.get_attribute("aria-controls") or ""
        page.wait_for_selector(f"#{panel}", state="visible")
        page.evaluate("window.scrollTo(0, 0)")
        wait_for_charts(page, panel)
        counts = page.evaluate(
            """(panel) => { const all = Array.from(document.querySelectorAll('#' + panel + ' [data-chart]'));
               const drawn = all.filter((el) => el.getAttribute('data-drawn'));
               const inView = all.filter((el) => { const box = el.getBoundingClientRect();
                 return box.width > 0 && box.height > 0 && box.top < window.innerHeight && box.bottom > 0; });
               return [drawn.length, inView.filter((el) => !el.getAttribute('data-drawn')).length]; }""", panel)
        key = panel.removeprefix("p-")
        shot = None
        if out_dir is not None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            shot = Path(out_dir) / f"{prefix}-{key}.png"
            page.screenshot(path=str(shot), full_page=full_page)
        visit.tabs.append(TabVisit(key=key, label=tab.inner_text().strip(), screenshot=shot,
                                   charts_drawn=counts[0], charts_waiting=counts[1]))
    return visit
