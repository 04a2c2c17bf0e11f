"""Repair selectors in real Chromium: what ``harness.collect.guide_check.suggest`` proposes on a changed page.

A small "v1" page gives the baseline fingerprints (``anchors.candidates``, as a baseline records
them); its "v2" restyle is then searched with ``suggest`` exactly as ``harness guides check`` does,
and each suggestion is tried with Playwright: it must select the right element alone, in the DOM's
own letters (CSS ``text-transform`` does not leak into a name), without decorative glyphs, utility
classes or a lesser element elsewhere (issue 15, classes 2 and 4).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from harness.collect import anchors as probe_js
from harness.collect.guide_check import suggest

pytestmark = pytest.mark.e2e

V1 = """<html><body><nav id="top"><a href="/dates" class="back">All dates</a>
<button class="logout">Log out</button></nav>
<table class="list"><tbody>
<tr><td>Printer jam</td><td><button title="Delete record" class="btn btn-danger">x</button></td></tr>
<tr><td>VPN down</td><td><button title="Delete record" class="btn btn-danger">x</button></td></tr>
</tbody></table></body></html>"""
V2 = """<html><body><style>.up { text-transform: uppercase }</style>
<header class="bar pt-3 bg-body-tertiary"><a href="/dates/all" class="link mt-4">‹ All dates</a>
<button class="up logout-button d-flex">Log out</button></header>
<div class="table-responsive"><table class="table"><tbody>
<tr><td>Printer jam</td><td><form class="icon"><button title="Delete Record" class="btn">x</button></form></td></tr>
<tr><td>VPN down</td><td><form class="icon"><button title="Delete Record" class="btn">x</button></form></td></tr>
</tbody></table></div></body></html>"""


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context.new_page()
    context.close()


def _baselines(page: Page) -> dict[str, dict[str, Any]]:
    page.set_content(V1)
    found = probe_js.candidates(page)
    by = {"back": next(c for c in found if c["tag"] == "a"),
          "logout": next(c for c in found if c["tag"] == "button" and c["text"] == "Log out"),
          "first delete": next(c for c in found if c["attributes"].get("title") == "Delete record")}
    return by


def _same(page: Page, selector: str, css: str) -> bool:
    mine, theirs = page.locator(selector), page.locator(css)
    return mine.count() == 1 and theirs.count() == 1 and bool(
        mine.evaluate("(a, b) => a === b", theirs.element_handle()))


@pytest.mark.parametrize(("name", "selector_format", "wanted", "expected"), [
    ("logout", "playwright", 'role=button[name="Log out"]', "header button"),
    ("back", "playwright", r"role=link[name=/^\W*All dates\W*$/]", "header a"),
    ("first delete", "playwright", None, "tr:first-child button"),
    ("first delete", "css", None, "tr:first-child button"),
])
def test_suggestions_select_the_element_alone_with_robust_selectors(
        page: Page, name: str, selector_format: str, wanted: str | None, expected: str) -> None:
    baseline = _baselines(page)[name]
    page.set_content(V2)
    found = suggest(page, baseline, selector_format)
    assert found is not None
    if wanted:
        assert found.target == wanted
    assert _same(page, found.target, expected), found.target
    assert found.css is not None and _same(page, found.css, expected), found.css
    for utility in ("pt-3", "mt-4", "d-flex", "bg-body-tertiary"):
        assert utility not in found.target and utility not in found.css
    if selector_format == "css":
        assert not found.target.startswith(("role=", "text="))
    if name == "first delete":  # the rows' buttons are alike: only the row's position tells them apart
        assert "tr:nth-of-type(1)" in found.target, found.target
