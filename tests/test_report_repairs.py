"""Journey repairs and healed steps in every output (issue 18), from hand-written run folders (no browser).

A failed step on a UI-map target shows its repair (old → suggested selector with its evidence, or
why there is none) in report.html's Failures tab, summary.md and junit.xml; a step healed by
``--heal`` makes its scenario flaky (healed) in report.html, summary.md, junit.xml, the Allure
results and steps.csv, all from ``harness.outcomes``. App text in a repair is escaped everywhere.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from junitparser import Failure, JUnitXml
from lxml import etree
from markdown_it import MarkdownIt

from harness.outcomes import exit_code, scenarios, totals
from harness.report import build_report, load_run
from harness.report.allure.meta import HEAL_MARK, categories
from harness.report.allure.results import write_allure_results
from harness.report.junit.write import build_junit
from harness.report.markdown.summary import render_run_summary
from harness.report.outputs import write_outputs
from harness.report.tabular.csv_export import ENCODING, write_steps_csv
from harness.runfolder.io import read_records
from tests.support.junit_schema import schema_errors
from tests.support.repair_runs import (
    ALT,
    CONTROL,
    HEALED_NEW,
    HEALED_OLD,
    LINK,
    NEW,
    OLD,
    REASON,
    XSS,
    healed_run,
    repair_run,
)
from tests.support.report_checks import assert_only_our_scripts


def _text(node: Tag | None) -> str:
    assert node is not None
    return " ".join(node.get_text(" ").split())


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    return repair_run(tmp_path / "run")


@pytest.fixture()
def healed_dir(tmp_path: Path) -> Path:
    return healed_run(tmp_path / "healed")


def _soup(folder: Path) -> tuple[str, BeautifulSoup]:
    html = build_report(folder).read_text(encoding="utf-8")
    return html, BeautifulSoup(html, "html.parser")


# report.html ------------------------------------------------------------------------------------------------------


def test_a_failure_with_a_suggestion_shows_old_and_new_selector_reasons_alternatives_and_diff(run_dir: Path) -> None:
    _, soup = _soup(run_dir)
    pay = next(a for a in soup.select("#failure-list article.failure") if "Pay" in _text(a.h3))
    repair = pay.select_one(".repair")
    assert repair is not None and "checkout.pay" in _text(repair.select_one(".rp-head"))
    assert "cause: missing" in _text(repair.select_one(".rp-head"))
    change = repair.select_one(".sg-change")
    assert change is not None
    assert change.select_one("code.old").string == OLD and change.select_one("code.new").string == NEW
    assert "score 0.91" in _text(repair.select_one(".sg-head"))
    assert [_text(li) for li in repair.select("ul.reasons li")] == [REASON, f"reason {XSS} {LINK} {CONTROL}"]
    assert ALT in _text(repair.select_one("ul.alts")) and "score 0.62" in _text(repair.select_one("ul.alts"))
    rows = [[_text(c) for c in tr.select("th, td")] for tr in repair.select("table.diff tbody tr")]
    assert rows[0] == ["id", "old: pay", "new: pay-now"]
    assert "harness repair RUN_DIR --write-fixes" in _text(repair) and "ui-map-fixes.patch" in _text(repair)


def test_a_failure_without_a_suggestion_shows_why(run_dir: Path) -> None:
    _, soup = _soup(run_dir)
    export = next(a for a in soup.select("#failure-list article.failure") if "Export" in _text(a.h3))
    repair = export.select_one(".repair")
    assert repair is not None and repair.select_one(".suggest") is None
    assert "(not a selector problem)" in _text(repair.select_one(".rp-head"))
    assert _text(repair.select_one(".nosuggest")).startswith("No suggestion: covered by div.cookie-banner")
    assert "--write-fixes" not in _text(repair)  # the patch has nothing for it


def test_app_text_in_a_repair_is_escaped_in_the_html(run_dir: Path) -> None:
    html, soup = _soup(run_dir)
    assert_only_our_scripts(html)
    assert XSS not in html and "&lt;script&gt;alert(&#39;repair&#39;)&lt;/script&gt;" in html
    note = next(a for a in soup.select("#failure-list article.failure") if "Export" in _text(a.h3))
    assert XSS in note.select_one(".nosuggest").get_text()  # shown as text, in the note ...
    assert f"Pay {XSS}" in _text(soup.select_one("#f1 table.diff"))  # ... the diff ...
    assert any(XSS in li.get_text() for li in soup.select("#f1 ul.reasons li"))  # ... and the reasons
    assert not any(a.get("href", "").startswith(("http", "javascript")) for a in soup.select("main a"))


def test_a_healed_scenario_is_flaky_healed_and_its_repair_says_it_was_applied(run_dir: Path) -> None:
    _, soup = _soup(run_dir)
    case = next(c for c in soup.select("details.case") if c.select_one("summary h4").string == "Search")
    assert [_text(b) for b in case.select("summary .badge")] == ["⚠ FLAKY", "✚ HEALED"]
    assert case["data-status"].split() == ["flaky", "healed"] and "st-flaky" in case["class"]
    assert "Flaky (healed)" in _text(case.select_one(".case-meta"))
    row = case.select_one("tr.st-healed")
    assert row is not None and "healed" in _text(row.select_one(".st"))
    link = row.select_one("a.rp-link")
    assert link is not None
    healed = soup.select_one(link["href"])
    assert healed is not None and "healed" in healed["class"] and healed.find_parent(id="p-failures")
    repair = healed.select_one(".repair.healed")
    assert repair is not None and "Applied at run time by --heal" in _text(repair.select_one(".rp-applied"))
    assert repair.select_one("code.old").string == HEALED_OLD and repair.select_one("code.new").string == HEALED_NEW
    # the healed step is not a failure, and no other step is shown healed
    assert not any("Search" in _text(a.h3) for a in soup.select("#failure-list article.failure"))
    assert len(case.select("tr.st-healed")) == 1 and len(soup.select("#healed article")) == 1
    slow = next(tr for tr in soup.select("#slowest tr.st-healed"))  # among the slowest steps too, marked healed
    assert "(healed)" in _text(slow.select_one(".slow-note"))


def test_overview_tabs_and_filters_count_healed(run_dir: Path) -> None:
    _, soup = _soup(run_dir)
    cards = _text(soup.select_one("#p-overview .cards"))
    assert "⚠ 1 flaky (1 healed)" in cards and "7 passed · 1 healed · 2 failed · 2 not run" in cards
    assert _text(soup.select_one("#tab-failures")) == "Failures 2 · 1 healed"
    options = [_text(o) for o in soup.select('form[data-filters="journey-list"] select[data-filter="status"] option')]
    assert "flaky (healed) (1)" in options and "flaky (1)" in options


def test_a_run_that_only_healed_says_so_and_fails_nothing(healed_dir: Path) -> None:
    _, soup = _soup(healed_dir)
    assert "No step failed" in _text(soup.select_one("#failure-list"))
    assert "Healed steps (1)" in _text(soup.select_one("#healed-h"))
    journeys = {_text(tr.th).split(" ")[0]: _text(tr.select_one(".badge")) for tr in soup.select("#overview tbody tr")}
    assert journeys == {"Search": "⚠ FLAKY"}


def test_repairs_come_back_from_steps_parquet(run_dir: Path) -> None:
    write_outputs(run_dir, strict=True)
    (run_dir / "steps.jsonl").unlink()
    data = load_run(run_dir)
    assert data.source == "steps.parquet" and data.bad_lines == 0
    repaired = [r for r in data.records if r.repair is not None]
    assert [(r.status, r.repair.target) for r in repaired if r.repair] == [
        ("failed", "checkout.pay"), ("failed", "expenses.export"), ("healed", "search.box")]
    _, soup = _soup(run_dir)
    assert soup.select_one("#f1 code.new").string == NEW and soup.select_one("#h1 .repair.healed")


# summary.md -------------------------------------------------------------------------------------------------------


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n###", start + len(title))
    return text[start:end if end >= 0 else None]


def test_summary_md_lists_each_repair_and_the_healed_steps(run_dir: Path) -> None:
    text = render_run_summary(run_dir)
    assert text is not None
    repairs = _section(text, "#### UI-map repairs for the failed steps")
    pay = next(line for line in repairs.splitlines() if "checkout.pay" in line)
    assert f"`{OLD}` → `{NEW}` (score 0.91)" in pay and "(missing)" in pay and "Checkout › Pay, step 2" in pay
    assert f"why: {REASON};" in repairs and f"alternatives: `{ALT}` (0.62)" in repairs
    assert "changed from the baseline: id `pay` → `pay-now`" in repairs
    export = next(line for line in repairs.splitlines() if "expenses.export" in line)
    assert "(covered)" in export and "`#export`: no suggestion: covered by div.cookie-banner" in export
    assert "`harness repair RUN_DIR --write-fixes` writes" in repairs and "`ui-map-fixes.patch`" in repairs
    healed = _section(text, "### Healed steps")
    assert f"| `search.box` | `{HEALED_OLD}` → `{HEALED_NEW}` (score 0.88) |" in healed
    assert "fix the UI map" in healed
    assert "Flaky (healed): 1 scenario passed only because `--heal` repaired" in text
    assert "| scenarios | 4 | 1 | 1 | 2 | 0 | 0 |" in text


def test_app_text_in_a_repair_is_harmless_in_the_summary(run_dir: Path) -> None:
    text = render_run_summary(run_dir)
    assert text is not None
    assert XSS not in text.replace(f"`Pay {XSS}`", "")  # only inside a code span (the diff's value), never as HTML
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text
    assert LINK not in text and "\\[click me\\]" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = [child for t in tokens for child in (t.children or [])]
    assert not {t.type for t in inline} & {"link_open", "image"} and not any(t.type == "html_block" for t in tokens)
    assert {t.content for t in inline if t.type == "html_inline"} == {"<sub>", "</sub>"}  # only our own
    assert CONTROL not in text


def test_summary_md_of_a_healed_run_passes_with_healing_named(healed_dir: Path) -> None:
    text = render_run_summary(healed_dir)
    assert text is not None
    verdict = "✅ **Every journey passed**, 1 scenario only on a retry or by healing (flaky; 1 healed: fix the UI map)"
    assert verdict in text
    assert "### Failures" not in text and "### Healed steps" in text


# junit.xml --------------------------------------------------------------------------------------------------------


def test_junit_passes_a_healed_case_and_says_it_was_healed(healed_dir: Path) -> None:
    path = build_junit(healed_dir)
    assert path is not None and schema_errors(path) == []
    xml = JUnitXml.fromfile(str(path))
    assert (xml.tests, xml.failures, xml.errors) == (2, 0, 0)
    [suite] = list(xml)
    case = next(c for c in suite if c.name == "Search")
    assert case.is_passed and not any(isinstance(r, Failure) for r in case.result)
    assert "\nOutcome: flaky\nHealed: 1 of 1 replays passed only by healing a step (--heal)" in case.system_out
    assert f"{HEALED_OLD} → {HEALED_NEW}" in case.system_out
    props = [(p.name, p.value) for p in suite.properties()]
    assert ("healed", f"Search: search.box: {HEALED_OLD} → {HEALED_NEW} (replay #1, step 2)") in props
    [flaky] = etree.parse(str(path)).getroot().iter("flakyFailure")
    assert flaky.get("type") == "healed" and f"search.box: {HEALED_OLD} → {HEALED_NEW}" in flaky.get("message")


def test_junit_failure_text_has_the_repair_and_stays_valid(run_dir: Path) -> None:
    path = build_junit(run_dir)
    assert path is not None and schema_errors(path) == []
    failures = {f.getparent().get("name"): f for f in etree.parse(str(path)).getroot().iter("failure")}
    pay = failures["Pay"]
    assert pay.get("message").endswith(f"; suggested selector for checkout.pay: {NEW}")
    assert f"UI-map repair: checkout.pay (missing): {OLD} → {NEW} (score 0.91)" in pay.text
    assert f"because {REASON}" in pay.text and f"or: {ALT} (score 0.62)" in pay.text
    assert "fix the UI map: harness repair RUN_DIR --write-fixes" in pay.text
    export = failures["Export"]
    assert "suggested selector" not in export.get("message")
    assert "UI-map repair: expenses.export (covered): no suggestion: covered by div.cookie-banner" in export.text
    assert "\x1b" not in path.read_text(encoding="utf-8")  # a control character XML cannot hold is U+FFFD


# Allure -----------------------------------------------------------------------------------------------------------


def _results(folder: Path) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in (json.loads(p.read_text()) for p in sorted(folder.glob("*-result.json")))}


def test_allure_marks_a_healed_replay_passed_flaky_and_healed(healed_dir: Path, tmp_path: Path) -> None:
    folder = write_allure_results(healed_dir, tmp_path / "allure")
    assert folder is not None
    search = _results(folder)["Search"]
    assert search["status"] == "passed" and search["statusDetails"]["flaky"] is True
    assert search["statusDetails"]["message"].startswith(f"{HEAL_MARK} step 2: search.box: {HEALED_OLD} → ")
    params = {p["name"]: p for p in search["parameters"]}
    assert params["healed"]["value"] == f"step 2: search.box: {HEALED_OLD} → {HEALED_NEW}"
    assert params["healed"]["excluded"] is True
    step = search["steps"][1]
    assert step["status"] == "passed" and step["statusDetails"]["message"].startswith(HEAL_MARK)
    assert "flaky" not in (_results(folder)["Browse"].get("statusDetails") or {})
    healed_category = next(c for c in categories() if c["name"].startswith("Healed"))
    assert healed_category["flaky"] is True and "passed" in healed_category["matchedStatuses"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    write_allure_results(healed_dir, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # written again: nothing changes


def test_allure_marks_a_live_result_of_a_healed_replay(healed_dir: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    live.mkdir()
    result = {"uuid": "u-search", "name": "Search", "status": "passed", "historyId": "h", "fullName": "f:Search",
              "steps": [{"name": f"When step {i}", "status": "passed"} for i in range(3)],
              "labels": [{"name": "harness_test_id", "value": "Search[0]"}, {"name": "harness_repeat", "value": "0"},
                         {"name": "harness_attempt", "value": "0"}]}
    (live / "u-search-result.json").write_text(json.dumps(result))
    write_allure_results(healed_dir, live)
    search = json.loads((live / "u-search-result.json").read_text())
    assert search["status"] == "passed" and search["statusDetails"]["flaky"] is True
    assert search["statusDetails"]["message"].count(HEAL_MARK) == 1
    assert search["steps"][1]["statusDetails"]["message"].startswith(f"{HEAL_MARK} search.box: {HEALED_OLD}")


# steps.csv, totals ------------------------------------------------------------------------------------------------


def test_steps_csv_has_the_repairs_and_the_healed_step(run_dir: Path) -> None:
    frame = pd.read_csv(write_steps_csv(run_dir), encoding=ENCODING, keep_default_na=False)
    repaired = frame[frame["repair_cause"] != ""].set_index("scenario")
    assert repaired.loc["Pay", ["status", "repair_selector"]].tolist() == ["failed", NEW]
    assert float(repaired.loc["Pay", "repair_score"]) == 0.91
    assert repaired.loc["Export", "repair_note"].startswith("covered by div.cookie-banner")
    healed = repaired.loc["Search"]
    assert (healed["status"], healed["replay_status"], healed["outcome"]) == ("healed", "passed", "flaky")
    assert healed["repair_selector"] == HEALED_NEW and str(healed["repair_healed"]) == "True"


def test_totals_and_exit_code_of_a_healed_run(healed_dir: Path) -> None:
    records, _ = read_records(healed_dir)
    counts = totals(records)
    assert (counts["scenarios_healed"], counts["scenarios_flaky"], counts["steps_healed"]) == (1, 1, 1)
    assert counts["scenarios_passed"] == 1 and counts["steps_passed"] == 5  # a healed step is never passed
    assert exit_code(s.outcome for s in scenarios(records)) == 0  # --heal is opt-in forgiveness


def test_every_output_of_a_healed_run_says_healed(healed_dir: Path) -> None:
    write_outputs(healed_dir, strict=True)
    for name in ("report.html", "junit.xml", "summary.md"):
        assert "healed" in (healed_dir / name).read_text(encoding="utf-8").lower(), name
    frame = pd.read_csv(healed_dir / "steps.csv", encoding=ENCODING)
    assert "healed" in set(frame["status"])
    shutil.rmtree(healed_dir / "allure-results", ignore_errors=True)
