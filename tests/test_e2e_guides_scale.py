"""A 200-step guide on one generated page: every kind of breakage at once, checked through the CLI.

The page (served over real HTTP on 127.0.0.1) holds 40 ordinary cards (headings, labelled inputs,
selects, buttons, links; every fourth card in a scrolled container) and a set of troubled
elements: missing, duplicated, hidden, offscreen at ``left:-9999px``, covered by a fixed cookie
banner, disabled, showing other text, and a few that only look troubled (a corner overlap, a
label laid over its input, a sticky header button, the banner's own button). The real
``harness guides check`` must give every step exactly its expected status; the in-page probe
must observe every anchor the same whether it makes one round trip for all anchors or one per
anchor. No timing is asserted here (bench/guides_check.py measures).
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from harness.collect.anchors import Anchor, probe
from tests.support.cli import harness
from tests.support.servers import serve_folder

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("guides-scale")]

STEPS = 200
PAGE = "/scale.html"
VIEWPORT = {"width": 1280, "height": 720}


@dataclass(frozen=True, slots=True)
class Case:
    """One guide step and what the check must say about it.

    Attributes:
        id: Step id.
        target: Its selector (``None``: a floating step).
        text: Text the step expects its element to show.
        status: The expected status.
        html: Markup this case adds to the page's "trouble" area (``None``: the element lives
            elsewhere, or nowhere).
    """

    id: str
    target: str | None
    status: str
    text: str | None = None
    html: str | None = None


TROUBLE: list[Case] = [
    # missing: nothing matches (renamed ids, removed elements, Playwright selectors with no match)
    Case("missing-id", "#export-button", "missing", "Export"),
    Case("missing-class", ".toolbar .archive", "missing"),
    Case("missing-attr", 'input[name="promo-code"]', "missing"),
    Case("missing-nested", "#sec-3 form button.delete", "missing"),
    Case("missing-renamed", "#old-settings-link", "missing", "Settings",
         '<a id="settings-link" href="#settings">Settings</a>'),
    Case("missing-role", 'role=button[name="Publish report"]', "missing"),
    Case("missing-text", 'text="Open the vault"', "missing"),
    Case("missing-chain", '#sec-2 >> role=button[name="Archive"]', "missing"),
    # ambiguous: several elements match
    Case("dup-class", "button.bulk-action", "ambiguous", "Bulk edit",
         '<button class="bulk-action">Bulk edit</button><button class="bulk-action">Bulk edit</button>'),
    Case("dup-id", "#dup-field", "ambiguous", None,
         '<label>Code <input id="dup-field"></label><label>Code again <input id="dup-field"></label>'),
    Case("dup-links", 'a[href="#report"]', "ambiguous", "Report",
         '<a href="#report">Report</a> <a href="#report">Report (PDF)</a>'),
    Case("dup-role", 'role=button[name="Remove row"]', "ambiguous", None,
         "<button>Remove row</button><button>Remove row</button><button>Remove row</button>"),
    Case("dup-one-hidden", ".maybe-hidden", "ambiguous", None,
         '<span class="maybe-hidden" style="display:none">Tip</span><span class="maybe-hidden">Tip</span>'),
    Case("dup-heading", "#trouble h3.sub", "ambiguous", None,
         '<h3 class="sub">Part one</h3><h3 class="sub">Part two</h3>'),
    # hidden: one match, not visible
    Case("hidden-display", "#hidden-display", "hidden", None,
         '<button id="hidden-display" style="display:none">Undo</button>'),
    Case("hidden-visibility", "#hidden-visibility", "hidden", None,
         '<input id="hidden-visibility" style="visibility:hidden" aria-label="Secret">'),
    Case("hidden-attribute", "#hidden-attribute", "hidden", None,
         '<a id="hidden-attribute" href="#beta" hidden>Beta</a>'),
    Case("hidden-zero-size", "#hidden-zero-size", "hidden", None,
         '<div id="hidden-zero-size" style="width:0;height:0;overflow:hidden">Zero</div>'),
    Case("hidden-parent", "#hidden-parent button", "hidden", None,
         '<div id="hidden-parent" style="display:none"><button>Inside a hidden panel</button></div>'),
    Case("hidden-in-details", "#hidden-in-details", "hidden", None,
         '<details><summary>More options</summary><button id="hidden-in-details">Advanced</button></details>'),
    Case("hidden-and-disabled", "#hidden-and-disabled", "hidden", None,
         '<button id="hidden-and-disabled" disabled style="display:none">Retry</button>'),
    # offscreen: visible, but outside the page or clipped away
    Case("offscreen-left", "#offscreen-left", "offscreen", "Skip to content",
         '<a id="offscreen-left" href="#main" style="position:absolute;left:-9999px">Skip to content</a>'),
    Case("offscreen-left-input", "#offscreen-left-input", "offscreen", None,
         '<input id="offscreen-left-input" aria-label="Honeypot" style="position:absolute;left:-9999px;top:0">'),
    Case("offscreen-top", "#offscreen-top", "offscreen", None,
         '<button id="offscreen-top" style="position:absolute;top:-9999px">Up there</button>'),
    Case("offscreen-clipped", "#offscreen-clipped", "offscreen", None,
         '<div style="position:relative;overflow:hidden;width:200px;height:40px;border:1px solid #999">'
         '<button id="offscreen-clipped" style="position:absolute;left:420px;top:4px">Clipped</button></div>'),
    Case("offscreen-and-disabled", "#offscreen-and-disabled", "offscreen", None,
         '<button id="offscreen-and-disabled" disabled style="position:absolute;left:-9999px">Gone left</button>'),
    # disabled: visible, uncovered, not usable
    Case("disabled-button", "#disabled-button", "disabled", "Approve",
         '<button id="disabled-button" disabled>Approve</button>'),
    Case("disabled-input", "#disabled-input", "disabled", None,
         '<label for="disabled-input">Locked</label><input id="disabled-input" disabled value="42">'),
    Case("disabled-select", "#disabled-select", "disabled", None,
         '<select id="disabled-select" disabled><option>Only</option></select>'),
    Case("disabled-fieldset", "#disabled-fieldset textarea", "disabled", None,
         '<fieldset id="disabled-fieldset" disabled><legend>Notes</legend><textarea></textarea></fieldset>'),
    Case("disabled-aria-link", "#disabled-aria-link", "disabled", "Download",
         '<a id="disabled-aria-link" href="#download" aria-disabled="true">Download</a>'),
    Case("disabled-aria-parent", "#disabled-aria-parent button", "disabled", None,
         '<div id="disabled-aria-parent" aria-disabled="true"><button>Inside a disabled group</button></div>'),
    Case("disabled-and-text", "#disabled-and-text", "disabled", "Send now",
         '<button id="disabled-and-text" disabled>Send later</button>'),
    # text_changed: the right element, other words
    Case("text-button", "#text-button", "text_changed", "Save draft",
         '<button id="text-button">Store draft</button>'),
    Case("text-link", "#text-link", "text_changed", "Support", '<a id="text-link" href="#help">Help centre</a>'),
    Case("text-heading", "#text-heading", "text_changed", "Billing", '<h3 id="text-heading">Payments</h3>'),
    Case("text-placeholder", "#text-placeholder", "text_changed", "Search invoices",
         '<input id="text-placeholder" placeholder="Search orders">'),
    Case("text-label", "#text-label", "text_changed", "First name",
         '<label for="text-label">Given name</label><input id="text-label">'),
    Case("text-select", "#text-select", "text_changed", "Billing cycle",
         '<label for="text-select">Plan period</label>'
         '<select id="text-select"><option>Monthly</option><option>Yearly</option></select>'),
    # ok, although they look troubled
    Case("ok-corner-overlap", "#ok-corner-overlap", "ok", "Corner",
         '<span style="position:relative;display:inline-block"><button id="ok-corner-overlap">Corner</button>'
         '<i style="position:absolute;left:0;top:0;width:8px;height:8px;background:#c00"></i></span>'),
    Case("ok-label-over-input", "#ok-label-over-input", "ok", None,
         '<span style="position:relative;display:inline-block"><input id="ok-label-over-input">'
         '<label for="ok-label-over-input" style="position:absolute;left:0;top:0;right:0;bottom:0">Email</label>'
         "</span>"),
    Case("ok-text-in-value", "#ok-text-in-value", "ok", "Quarterly report",
         '<input id="ok-text-in-value" value="Quarterly report 2026">'),
    Case("ok-text-case", "#ok-text-case", "ok", "export   CSV", '<button id="ok-text-case">Export csv</button>'),
    Case("ok-sticky-menu", "#menu-button", "ok", "Menu"),
    Case("ok-cookie-accept", "#cookie-accept", "ok", "Accept cookies"),
    Case("ok-role", 'role=button[name="Save 4"]', "ok", "Save 4"),
    Case("ok-text-selector", 'text="Docs 7"', "ok", "Docs 7"),
    Case("ok-chain", '#sec-9 >> role=link[name="Docs 9"]', "ok", "Docs 9"),
    Case("ok-xpath", 'xpath=//section[@id="sec-11"]/h2', "ok", "Section 11"),
    Case("ok-floating-1", None, "ok"),
    Case("ok-floating-2", None, "ok"),
]

#: Buttons at the very bottom of the page, under the fixed cookie banner even when scrolled to the end.
COVERED: list[Case] = [
    *(Case(f"covered-{i}", f"#covered-{i}", "covered", f"Next {i}") for i in range(1, 5)),
    Case("covered-and-text", "#covered-and-text", "covered", "Finish"),
]


def card(i: int) -> tuple[str, list[Case]]:
    """An ordinary card: five fine anchors (every fourth card sits in a scrolled container)."""
    cases = [
        Case(f"s{i:02d}-heading", f"#sec-{i} > h2", "ok", f"Section {i}"),
        Case(f"s{i:02d}-field", f"#field-{i}", "ok"),
        Case(f"s{i:02d}-choice", f'select[name="choice-{i}"]', "ok"),
        Case(f"s{i:02d}-save", f'#form-{i} button[data-action="save"]', "ok", f"Save {i}"),
        Case(f"s{i:02d}-docs", f'#sec-{i} nav a[href="#docs-{i}"]', "ok", f"Docs {i}"),
    ]
    rows = "".join(f"<tr><td>Item {i}.{r}</td><td>{(i * 7 + r) % 90 + 10}.00</td></tr>" for r in range(3))
    html = f"""
<section id="sec-{i}" class="card">
  <h2>Section {i}</h2>
  <p>What part {i} holds and who may change it.</p>
  <form id="form-{i}" class="row" onsubmit="return false">
    <label for="field-{i}">Field {i}</label><input id="field-{i}" name="field-{i}" placeholder="Value {i}">
    <label>Choice {i} <select name="choice-{i}"><option>First</option><option>Second</option></select></label>
    <button type="button" data-action="save">Save {i}</button><button type="button">Cancel</button>
  </form>
  <nav><a href="#docs-{i}">Docs {i}</a> <a href="#help-{i}">Help</a></nav>
  <table><tbody>{rows}</tbody></table>
</section>"""
    if i % 4 == 0:
        html = f'<div class="scroller">{html}<div style="height:240px"></div></div>'
    return html, cases


def scale_page() -> tuple[str, list[Case]]:
    """The page and the guide's 200 steps, in guide order (troubled steps spread among the fine ones)."""
    cards = [card(i) for i in range(1, 41)]
    troubled = TROUBLE + COVERED
    fine = [c for _, cases in cards for c in cases][: STEPS - len(troubled)]
    steps: list[Case] = []
    every = max(1, len(fine) // len(troubled))
    pending = list(troubled)
    for n, case in enumerate(fine):
        steps.append(case)
        if n % every == every - 1 and pending:
            steps.append(pending.pop(0))
    steps += pending
    trouble_html = "\n".join(f'<div class="trouble-row">{c.html}</div>' for c in TROUBLE if c.html)
    covered_html = "".join(f'<button id="{c.id}">{"Done" if c.id == "covered-and-text" else c.text}</button>'
                           for c in COVERED)
    html = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>200 guide steps</title>
<link rel="icon" href="data:,">
<style>
  body {{ font: 14px sans-serif; margin: 0; }}
  #topbar {{ position: sticky; top: 0; height: 48px; z-index: 50; background: #234; color: #fff;
             display: flex; align-items: center; gap: 12px; padding: 0 12px; }}
  main {{ display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; padding: 12px; }}
  .card {{ border: 1px solid #ccc; border-radius: 6px; padding: 8px; }}
  .scroller {{ height: 160px; overflow: auto; border: 2px solid #88a; }}
  .row {{ display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }}
  #trouble {{ padding: 12px; }}
  .trouble-row {{ margin: 10px 0; }}
  #bottom-row {{ height: 80px; display: flex; align-items: center; gap: 8px; padding: 0 12px; }}
  #cookie-banner {{ position: fixed; left: 0; right: 0; bottom: 0; height: 90px; z-index: 1000;
                    background: #333; color: #fff; display: flex; align-items: center; gap: 12px; padding: 0 12px; }}
</style></head>
<body>
<header id="topbar"><button id="menu-button">Menu</button><strong>Workspace</strong></header>
<main id="main">{"".join(html for html, _ in cards)}
</main>
<section id="trouble"><h2>Odd corners</h2>
{trouble_html}
</section>
<div style="height:400px"></div>
<div id="bottom-row">{covered_html}</div>
<div id="cookie-banner">We use cookies to keep you signed in. <button id="cookie-accept">Accept cookies</button></div>
</body></html>
"""
    return html, steps


def guide_yaml(steps: list[Case]) -> str:
    """The guide: every step on the one page."""
    lines = ["schema_version: 1", "id: big-tour", "title: Everything on one page", f"page: {PAGE}", "steps:"]
    for case in steps:
        lines += [f"  - id: {case.id}", f"    title: {json.dumps('Step ' + case.id)}"]
        if case.target is not None:
            lines.append(f"    target: {json.dumps(case.target)}")
        if case.text is not None:
            lines.append(f"    text: {json.dumps(case.text)}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Site:
    """The served page and its app folder."""

    url: str
    app_yaml: Path
    steps: list[Case]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("guides-scale")
    html, steps = scale_page()
    (folder / "www").mkdir()
    (folder / "www" / PAGE.lstrip("/")).write_text(html, encoding="utf-8")
    with serve_folder(folder / "www") as url:
        app = folder / "app"
        (app / "guides").mkdir(parents=True)
        (app / "app.yaml").write_text(f"schema_version: 1\nname: scale\nbase_url: {json.dumps(url)}\n",
                                      encoding="utf-8")
        (app / "guides" / "big-tour.yaml").write_text(guide_yaml(steps), encoding="utf-8")
        yield Site(url, app / "app.yaml", steps)


@pytest.fixture(scope="module")
def checked(site: Site, tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str],
                                                                            dict[str, Any]]:
    out = tmp_path_factory.mktemp("guides-scale-out")
    proc = harness("guides", "check", "--app", str(site.app_yaml), "--base-url", site.url, "--out", str(out), "--json")
    assert (out / "guides.json").is_file(), proc.stderr + proc.stdout
    return proc, json.loads((out / "guides.json").read_text(encoding="utf-8"))


def test_the_guide_has_200_steps_with_every_kind_of_trouble() -> None:
    _, steps = scale_page()
    assert len(steps) == STEPS
    assert len({c.id for c in steps}) == STEPS
    assert set(Counter(c.status for c in steps)) == {"ok", "missing", "ambiguous", "hidden", "offscreen", "covered",
                                                      "disabled", "text_changed"}


def test_the_cli_gives_every_step_its_expected_status(site: Site,
                                                      checked: tuple[subprocess.CompletedProcess[str],
                                                                     dict[str, Any]]) -> None:
    proc, data = checked
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == data
    [guide] = data["guides"]
    assert guide["id"] == "big-tour" and guide["status"] == "broken"
    got = {step["id"]: step["status"] for step in guide["steps"]}
    want = {case.id: case.status for case in site.steps}
    wrong = {key: f"got {got.get(key)}, expected {status}" for key, status in want.items() if got.get(key) != status}
    assert not wrong, json.dumps(wrong, indent=1)
    assert list(got) == [case.id for case in site.steps]
    counts = Counter(want.values())
    assert {k: v for k, v in data["totals"].items() if k in counts} == dict(counts)
    assert data["totals"]["steps"] == STEPS


def test_covered_steps_name_the_cookie_banner(checked: tuple[subprocess.CompletedProcess[str],
                                                             dict[str, Any]]) -> None:
    _, data = checked
    covered = [s for s in data["guides"][0]["steps"] if s["status"] == "covered"]
    assert len(covered) == len(COVERED)
    assert all(s["evidence"]["covered_by"]["id"] in ("cookie-banner", "cookie-accept") for s in covered), covered


def _observe(page: Page, url: str, anchors: list[Anchor], per_anchor: bool) -> dict[str, dict[str, Any]]:
    page.goto(url, wait_until="load")  # a fresh page: scrolled containers start where they were
    return probe(page, anchors, one_call_per_anchor=per_anchor)


def _differences(one: dict[str, dict[str, Any]], many: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key in sorted(set(one) | set(many)):
        a, b = one.get(key) or {}, many.get(key) or {}
        fields = sorted(f for f in set(a) | set(b) if a.get(f) != b.get(f))
        if "fingerprint" in fields:
            fp_a, fp_b = a.get("fingerprint") or {}, b.get("fingerprint") or {}
            fields.remove("fingerprint")
            fields += [f"fingerprint.{f}" for f in sorted(set(fp_a) | set(fp_b)) if fp_a.get(f) != fp_b.get(f)]
        if fields:
            found[key] = fields
    return found


def test_one_pass_and_one_call_per_anchor_observe_the_same(site: Site, browser: Browser) -> None:
    """Every anchor (fixed, sticky and unrendered ones included) is observed identically both ways."""
    anchors = [Anchor(c.id, c.target) for c in site.steps if c.target]
    page = browser.new_context(viewport=VIEWPORT).new_page()
    one = _observe(page, site.url + PAGE, anchors, per_anchor=False)
    many = _observe(page, site.url + PAGE, anchors, per_anchor=True)
    page.context.close()
    assert len(one) == len(many) == len(anchors) == STEPS - 2
    assert not _differences(one, many)
    assert one == many
