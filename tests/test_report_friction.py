"""The friction section of the HTML report, built from a hand-written run folder and findings.json (no browser)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from harness.contracts.records import (
    FINDINGS_JSON,
    Finding,
    FindingsFile,
    JourneyFriction,
    PageLoad,
    RunInfo,
    ScorePart,
    StepArtifacts,
    StepRecord,
    StepSignals,
)
from harness.report import build_report
from harness.report.html.friction_evidence import evidence_blocks
from harness.runfolder.io import append_record, write_run_info
from tests.support.report_checks import assert_only_our_scripts, shows_image

FEATURE = "features/checkout.feature"
SCRIPT_XSS = "<script>alert(1)</script>"
IMG_XSS = "<img src=x onerror=alert(2)>"
SHOT = "artifacts/pay-card-r0/step-04.png"
PAY_STEPS = ["I open the shop", 'I click "Export"', 'I fill "email" with "nope"', "I submit the order"]


def png() -> bytes:
    """A valid 2x2 grey PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def record(scenario: str, example: dict[str, str], repeat: int, index: int, text: str, line: int,
           **extra: object) -> StepRecord:
    return StepRecord(
        run_id="r1", app="shop", journey="Checkout", feature_file=FEATURE, scenario=scenario,
        scenario_line=10 if scenario == "Pay" else 30, example=example, repeat=repeat,
        test_id=f"{FEATURE}::{scenario}[{example}]", step_index=index, keyword="When", text=text, line=line,
        status="passed", started_at="2026-11-26T19:05:01+00:00", duration_ms=100.0 + 10 * index, **extra,
    )


def write_run(folder: Path) -> None:
    folder.mkdir()
    write_run_info(folder, RunInfo(
        run_id="r1", app="shop", base_url="http://shop.test", harness_version="0",
        started_at="2026-11-26T19:05:00+00:00", ended_at="2026-11-26T19:06:00+00:00", status="complete"))
    card = {"method": "card"}
    for repeat, lcp in ((0, 2400.0), (1, 2600.0)):
        load = PageLoad(url="http://shop.test/", ttfb_ms=80.0, lcp_ms=lcp)
        signals = [StepSignals(probed=True, page_load=load, bytes=120_000), StepSignals(interaction_ms=240.0),
                   StepSignals(), StepSignals()]
        for i, text in enumerate(PAY_STEPS):
            shot = StepArtifacts(screenshot=SHOT) if i == 3 and repeat == 0 else StepArtifacts()
            append_record(folder, record("Pay", card, repeat, i, text, 12 + i, signals=signals[i], artifacts=shot))
    for i, text in enumerate(["I open the catalogue", "I open a product"]):
        append_record(folder, record("Browse", {}, 0, i, text, 31 + i,
                                     signals=StepSignals(page_load=PageLoad(url="http://shop.test/p", lcp_ms=900.0))))
    (folder / SHOT).parent.mkdir(parents=True)
    (folder / SHOT).write_bytes(png())


def finding(rule: str, severity: str, title: str, step: int | None, points: float, **extra: object) -> Finding:
    fields: dict[str, object] = {"id": f"{rule}:checkout:pay:card:{step}", "repeats": [0, 1], "runs": 2} | extra
    return Finding(
        rule=rule, severity=severity, title=title, journey="Checkout", feature_file=FEATURE, scenario="Pay",
        scenario_line=10, example={"method": "card"}, step_index=step,
        step_text=PAY_STEPS[step] if step is not None else None, step_line=12 + step if step is not None else None,
        points=points, **fields,
    )


FINDINGS = [
    finding("failed-request", "high", "Failed request", 3, 8.0, impact_ms=1500.0, screenshot=SHOT,
            message="Submitting the order got HTTP 503 from /api/pay.",
            evidence={"requests": [{"method": "POST", "url": "http://shop.test/api/pay", "status": 503,
                                    "failure": None, "repeats": [0, 1]}], "count": 1}),
    finding("dead-click", "medium", "Dead click", 1, 4.5, repeats=[0],
            message=f'Clicking "{SCRIPT_XSS}" changed nothing {IMG_XSS}',
            evidence={"target": f"Export {SCRIPT_XSS}", "selector": "#export", "url": "http://shop.test/",
                      "clicked": {"element": "button#export", "text": IMG_XSS}}),
    finding("console-error", "medium", "Console error", 3, 3.5, message="2 console errors.",
            evidence={"page_errors": [], "console_errors": ["TypeError: pay is undefined", f"Uncaught {SCRIPT_XSS}"],
                      "count": 2}),
    finding("refused-input", "medium", "Refused input", 2, 3.0, message="The app refused the e-mail address.",
            evidence={"messages": [{"field": "Email", "message": "Enter a valid e-mail address",
                                    "source": "error-text"}], "count": 1}),
    finding("slow-page-load", "medium", "Slow page load", 0, 2.0, message="The page took 2.5 s to show.",
            evidence={"lcp_ms": {"median": 2500.0, "thresholds": [2000, 4000], "values": {"0": 2400.0, "1": 2600.0}},
                      "url": "http://shop.test/", "lcp_element": "img.hero"}),
    finding("a11y-violation", "low", "Accessibility", 0, 1.0, id="a11y:color-contrast",
            message="Accessibility rule color-contrast fails on 1 element.",
            evidence={"axe_rule": "color-contrast", "impact": "serious", "help": "Enough contrast",
                      "help_url": "javascript:alert(3)", "count": 1, "state": "/ · Shop",
                      "nodes": [{"target": "a.footer", "html": '<a class="footer" onclick="alert(4)">Terms</a>'}]}),
    finding("a11y-violation", "low", "Accessibility", 0, 1.0, id="a11y:label", message="Form fields lack labels.",
            evidence={"violations": [
                {"id": "label", "impact": "critical", "help": "Form fields have labels",
                 "help_url": "https://dequeuniversity.com/rules/axe/4.10/label", "count": 7,
                 "nodes": [{"target": f"input#f{n}", "html": f'<input id="f{n}">'} for n in range(6)]}]}),
    finding("longer-journey", "low", "Longer journey", None, 0.5, message="The journey took 4 steps against 3.",
            evidence={"baseline": "r0", "steps": {"value": 4, "baseline": 3, "ratio": 1.33, "thresholds": [1.2, 1.5]},
                      "time_ms": {"value": 460.0, "baseline": 300.0}}),
]
RULES = [f.rule for f in FINDINGS]


def write_findings(folder: Path) -> None:
    parts = [ScorePart(finding=f.id, rule=f.rule, severity=f.severity, step_index=f.step_index, points=f.points)
             for f in FINDINGS]
    ff = FindingsFile(
        run_id="r1", app="shop", generated_at="2026-11-26T19:07:00+00:00",
        thresholds={"lcp_ms": [2500, 4000], "budget_ratio": [1.2, 2.0]}, findings=FINDINGS,
        journeys=[
            JourneyFriction(journey="Checkout", feature_file=FEATURE, scenario="Pay", scenario_line=10,
                            example={"method": "card"}, runs=2, status="passed", time_ms=460.0, steps=4,
                            page_loads=1, wait_ms=35.0, errors=3, refused_inputs=1,
                            findings={"high": 1, "medium": 4, "low": 3}, score=23.5, breakdown=parts),
            JourneyFriction(journey="Checkout", feature_file=FEATURE, scenario="Browse", scenario_line=30,
                            status="passed", time_ms=210.0, steps=2, page_loads=2),
        ])
    (folder / FINDINGS_JSON).write_text(ff.model_dump_json(indent=1), encoding="utf-8")


def text_of(node: Tag | BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True))


def soup_of(folder: Path) -> BeautifulSoup:
    return BeautifulSoup(build_report(folder).read_text(encoding="utf-8"), "html.parser")


def cells(table: Tag) -> list[list[str]]:
    return [[text_of(c) for c in tr.find_all(["th", "td"])] for tr in table.select("tbody tr")]


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    folder = tmp_path / "run"
    write_run(folder)
    write_findings(folder)
    return folder


@pytest.fixture()
def soup(run: Path) -> BeautifulSoup:
    return soup_of(run)


def articles(soup: BeautifulSoup) -> list[Tag]:
    return soup.select("#friction article.finding")


def fd(soup: BeautifulSoup, rank: int) -> Tag:
    """The finding ranked ``rank`` (from 1), checked to be the rule the file put there."""
    found = soup.select_one(f"#friction article.finding#fd{rank}")
    assert found is not None and text_of(found.select_one("h4 .mono")) == RULES[rank - 1]
    return found


def case_of(soup: BeautifulSoup, scenario: str) -> Tag:
    return next(d for d in soup.select("details.case") if text_of(d.select_one("summary h4")) == scenario)


def case_rows(soup: BeautifulSoup, scenario: str) -> list[Tag]:
    return case_of(soup, scenario).select("table.steps tbody tr")


def test_section_lists_findings_in_rank_order_with_severity_words(soup: BeautifulSoup) -> None:
    section = soup.select_one("section#friction")
    assert section is not None and text_of(section.h2) == "Friction (8 findings)"
    toc = [text_of(a) for a in soup.select("nav.toc a")]
    assert toc[-1] == "Friction (8)" and soup.select_one('nav.toc a[href="#p-friction"]') is not None
    assert section.parent["id"] == "p-friction" and section.parent["role"] == "tabpanel"
    filters = soup.select_one('form[data-filters="friction-findings"]')
    severities = [o["value"] for o in filters.select('select[data-filter="severity"] option')]
    assert severities[0] == "" and set(severities[1:]) <= {"high", "medium", "low"} and len(severities) > 1
    found = articles(soup)
    assert [a["id"] for a in found] == [f"fd{n}" for n in range(1, 9)]
    assert [text_of(a.select_one("h4 .mono")) for a in found] == RULES
    assert [text_of(a.select_one("h4 .badge")) for a in found] == [
        "▲ HIGH", "◆ MEDIUM", "◆ MEDIUM", "◆ MEDIUM", "◆ MEDIUM", "▽ LOW", "▽ LOW", "▽ LOW"]
    assert [text_of(a.select_one("h4 .rank")) for a in found] == [f"#{n}" for n in range(1, 9)]
    cards = {text_of(c.select_one(".k")): text_of(c) for c in soup.select(".card")}
    assert cards["Friction findings"] == "Friction findings 8 1 high · 4 medium · 3 low"


def test_finding_details_where_occurrences_impact(soup: BeautifulSoup) -> None:
    first = fd(soup, 1)
    where = re.sub(r"\s+", " ", first.select_one(".where").get_text()).strip()
    assert where == "Checkout › Pay (method = card) › Step 4: I submit the order — features/checkout.feature:15"
    assert text_of(first.select_one(".fmsg")) == "Submitting the order got HTTP 503 from /api/pay."
    facts = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in first.select("dl > dt")}
    assert facts == {"Occurred": "in 2 of 2 repeats (#1, #2)", "Time lost": "1.5 s",
                     "Points": "+8 to the scenario's friction score"}
    assert "Occurred in 1 of 2 repeats (#1)" in text_of(fd(soup, 2).dl)
    row = soup.find(id=first.select_one(".where a[href$='-st4']")["href"][1:])
    assert row.name == "tr" and "I submit the order" in text_of(row)
    case_link = first.select_one(".where a")["href"]
    assert case_link == "#" + case_of(soup, "Pay")["id"]
    whole = fd(soup, 8).select_one(".where")
    assert "› the whole scenario — features/checkout.feature:10" in text_of(whole)


def test_score_is_the_sum_of_its_linked_parts(soup: BeautifulSoup) -> None:
    table = soup.select_one("#friction table.friction")
    pay, browse = table.select("tbody tr")
    assert text_of(pay.th) == "Checkout › Pay method = card"
    assert pay.th.a["href"] == "#" + case_of(soup, "Pay")["id"]
    assert cells(table)[0][1:9] == [
        "✓ PASSED 2 runs", "460 ms median", "4", "1", "35 ms", "3", "1", "1 high · 4 medium · 3 low"]
    score = float(text_of(pay.select_one(".score-v")))
    parts = pay.select("li.part")
    points = [float(text_of(p.select_one(".pts"))) for p in parts]
    assert score == 23.5 and sum(points) == score and len(parts) == len(FINDINGS)
    assert text_of(pay.select_one("details.parts summary")) == "8 parts = 23.5"
    assert pay.select_one("details.parts").has_attr("open") is False  # more than 6 parts: collapsed
    assert text_of(parts[0]) == "failed-request · step 4 · +8"
    assert text_of(parts[-1]) == "longer-journey · scenario · +0.5"
    assert [p.a["href"] for p in parts] == [f"#fd{n}" for n in range(1, 9)]
    for part in parts:
        target = soup.find(id=part.a["href"].removeprefix("#"))
        assert target is not None and target.name == "article" and "finding" in target["class"]
        assert text_of(target.select_one("h4 .mono")) == text_of(part.select_one(".mono"))
        assert f"+{text_of(part.select_one('.pts')).lstrip('+')} to the scenario" in text_of(target.dl)
    assert text_of(browse.select_one(".score-v")) == "0" and browse.select("li.part") == []
    assert "⚠" not in text_of(pay.select_one("td.score"))


def test_a_score_that_is_not_its_parts_says_so(run: Path) -> None:
    path = run / FINDINGS_JSON
    ff = FindingsFile.model_validate_json(path.read_text())
    ff.journeys[0].score = 25.0
    ff.journeys[1].score = 3.0
    path.write_text(ff.model_dump_json())
    pay, browse = soup_of(run).select("#friction table.friction tbody tr")
    assert "⚠ the parts add up to 23.5, not 25" in text_of(pay.select_one("td.score"))
    assert "⚠ no breakdown given" in text_of(browse.select_one("td.score"))


def test_waterfall_rows_carry_badges_on_their_steps(soup: BeautifulSoup) -> None:
    pay = case_rows(soup, "Pay")
    badges = [[text_of(a) for a in row.select("a.fbadge")] for row in pay]
    assert badges == [["◆ MEDIUM · Slow page load", "▽ LOW · Accessibility", "▽ LOW · Accessibility"],
                      ["◆ MEDIUM · Dead click"], ["◆ MEDIUM · Refused input"],
                      ["▲ HIGH · Failed request", "◆ MEDIUM · Console error"]]
    hrefs = [[a["href"] for a in row.select("a.fbadge")] for row in pay]
    assert hrefs == [["#fd5", "#fd6", "#fd7"], ["#fd2"], ["#fd4"], ["#fd1", "#fd3"]]
    case = case_of(soup, "Pay")
    assert [row["id"] for row in pay] == [f"{case['id']}-st{n}" for n in range(1, 5)]
    assert all(row.select("a.fbadge") == [] for row in case_rows(soup, "Browse"))
    meta = case.select_one(".case-meta")
    assert [a["href"] for a in meta.select("a.fbadge")] == ["#fd8"]
    assert "Friction on the whole scenario: ▽ LOW · Longer journey" in text_of(meta)


def test_waterfall_rows_show_step_vitals(soup: BeautifulSoup) -> None:
    pay = case_rows(soup, "Pay")
    assert text_of(pay[0].select_one(".vitals")) == "LCP 2,500 ms · TTFB 80 ms · bytes 120.0 kB"
    assert text_of(pay[1].select_one(".vitals")) == "interaction 240 ms"
    assert pay[2].select_one(".vitals") is None
    assert text_of(case_rows(soup, "Browse")[0].select_one(".vitals")) == "LCP 900 ms"


def evidence(finding: Tag) -> dict[str, Tag]:
    return {re.sub(r" \(\d+\)$", "", text_of(d.summary)): d for d in finding.select("details.ev")}


def test_failed_request_and_console_evidence(soup: BeautifulSoup) -> None:
    requests = evidence(fd(soup, 1))["Requests"]
    assert [text_of(th) for th in requests.select("thead th")] == ["Method", "URL", "Status / failure", "Repeats"]
    assert cells(requests.table) == [["POST", "http://shop.test/api/pay", "503", "#1, #2"]]
    console = evidence(fd(soup, 3))
    assert list(console) == ["Console errors"]  # the empty page_errors list is left out, the count is its size
    assert text_of(console["Console errors"].summary) == "Console errors (2)"
    assert console["Console errors"].pre.get_text() == f"TypeError: pay is undefined\nUncaught {SCRIPT_XSS}"


def test_figures_validation_and_generic_evidence(soup: BeautifulSoup) -> None:
    refused = evidence(fd(soup, 4))
    assert list(refused) == ["Messages"]
    assert cells(refused["Messages"].table) == [["Email", "Enter a valid e-mail address", "error-text"]]
    load = evidence(fd(soup, 5))
    figures = load["Measured against thresholds"].table
    assert [text_of(th) for th in figures.select("thead th")] == ["Figure", "Measured", "Threshold", "Per repeat"]
    assert cells(figures) == [["LCP", "2,500 ms", "medium > 2,000 ms · high ≥ 4,000 ms", "#1 2,400 ms · #2 2,600 ms"]]
    assert cells(load["Other figures"].table) == [["URL", "http://shop.test/"], ["LCP element", "img.hero"]]
    journey = cells(evidence(fd(soup, 8))["Measured against thresholds"].table)
    assert journey == [["Steps", "4 (1.33x of baseline)", "medium > 1.2x · high ≥ 1.5x", "3"],
                       ["Time", "460 ms", "–", "300 ms"]]
    generic = evidence(fd(soup, 2))["Other figures"].table
    assert cells(generic) == [["Target", f"Export {SCRIPT_XSS}"], ["Selector", "#export"], ["URL", "http://shop.test/"],
                              ["Clicked", f'{{"element": "button#export", "text": "{IMG_XSS}"}}']]
    assert generic.select_one("a")["href"] == "http://shop.test/"


def test_a11y_nodes_and_only_web_links(soup: BeautifulSoup) -> None:
    contrast = evidence(fd(soup, 6))
    assert list(contrast) == ["color-contrast (serious): Enough contrast", "Other figures"]
    nodes = contrast["color-contrast (serious): Enough contrast"]
    assert cells(nodes.table) == [["a.footer", '<a class="footer" onclick="alert(4)">Terms</a>']]
    assert nodes.select_one(".ev-link a") is None
    assert text_of(nodes.select_one(".ev-link")) == "Help: javascript:alert(3)"
    assert cells(contrast["Other figures"].table) == [["State", "/ · Shop"]]
    label = evidence(fd(soup, 7))["label (critical): Form fields have labels"]
    assert label.select_one(".ev-link a")["href"] == "https://dequeuniversity.com/rules/axe/4.10/label"
    assert not label.has_attr("open") and text_of(label.summary).endswith("(7)")  # long list: collapsed
    assert len(label.select("tbody tr")) == 6 and "… 1 more not shown." in text_of(label)
    assert not any(a["href"].strip().lower().startswith("javascript") for a in soup.find_all("a", href=True))
    assert soup.select_one("[onclick]") is None


def test_thresholds_in_force(soup: BeautifulSoup) -> None:
    block = soup.select("#friction > details.ev")[-1]
    assert text_of(block.summary) == "Thresholds in force (2)" and not block.has_attr("open")
    assert cells(block.table) == [["LCP", "medium > 2,500 ms · high ≥ 4,000 ms"],
                                  ["Budget ratio", "medium > 1.2x · high ≥ 2x"]]


def test_screenshot_is_embedded(run: Path, soup: BeautifulSoup) -> None:
    img = fd(soup, 1).select_one("figure img")
    assert shows_image(img["src"], run / SHOT)
    assert fd(soup, 2).select_one("img") is None


def test_hostile_text_stays_text(run: Path) -> None:
    html = build_report(run).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert_only_our_scripts(html)
    assert not any(img.get("src") == "x" for img in soup.find_all("img"))
    assert not any(name.startswith("on") for tag in soup.find_all(True) for name in tag.attrs)
    dead = fd(soup, 2)
    assert text_of(dead.select_one(".fmsg")) == f'Clicking "{SCRIPT_XSS}" changed nothing {IMG_XSS}'
    assert dead.select_one(".fmsg").find(True) is None  # no element inside the message, only text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html


def test_missing_findings_gives_no_section(run: Path) -> None:
    (run / FINDINGS_JSON).unlink()
    soup = soup_of(run)
    assert soup.select_one("#friction") is None and soup.select_one('nav.toc a[href="#friction"]') is None
    assert soup.select("a.fbadge") == [] and "Friction" not in text_of(soup.select_one(".cards"))
    assert "findings.json" not in text_of(soup) and soup.select("p.notice") == []
    assert text_of(case_rows(soup, "Pay")[0].select_one(".vitals")).startswith("LCP 2,500 ms")


@pytest.mark.parametrize(("content", "reason"), [
    ('{"run_id": "r1", "app": "shop", "findings": [', "Invalid JSON"),
    ('{"run_id": "r1", "app": "shop", "generated_at": "x", "findings": [{"id": 1}]}', "findings.0"),
])
def test_unreadable_findings_give_a_notice(run: Path, content: str, reason: str) -> None:
    (run / FINDINGS_JSON).write_text(content, encoding="utf-8")
    soup = soup_of(run)
    notices = [text_of(p) for p in soup.select("p.notice")]
    assert len(notices) == 1 and notices[0].startswith("ℹ findings.json is unreadable (")
    assert reason in notices[0] and notices[0].endswith("friction findings are not shown.")
    assert soup.select_one("#friction") is None and soup.select("a.fbadge") == []
    assert soup.select_one("#timelines") is not None


def test_findings_of_another_run_are_flagged(run: Path) -> None:
    path = run / FINDINGS_JSON
    path.write_text(path.read_text().replace('"run_id": "r1"', '"run_id": "r0"'))
    soup = soup_of(run)
    assert "findings.json belongs to run r0, not to this run (r1)." in text_of(soup.select_one("p.notice"))
    assert len(articles(soup)) == 8


@pytest.mark.parametrize(("rule", "given", "expected"), [
    ("over-budget", {"duration_ms": 1620.0, "budget_ms": 1000, "ratio": 1.62, "thresholds": [1.2, 2.0],
                     "values": {"0": 1500.0, "1": 1740.0}},
     [("Measured against thresholds", [["Duration", "1,620 ms", "1,000 ms", "#1 1,500 ms · #2 1,740 ms"],
                                       ["Ratio", "1.62x", "medium > 1.2x · high ≥ 2x", "–"]])]),
    ("slow-interaction", {"interaction_ms": 340.0, "thresholds": [200, 500], "values": {"0": 340.0},
                          "interaction_event": "click"},
     [("Measured against thresholds", [["Interaction", "340 ms", "medium > 200 ms · high ≥ 500 ms", "#1 340 ms"]]),
      ("Other figures", [["Interaction event", "click"]])]),
    ("covered-target", {"intercepting": "<div>", "subtree": None, "error": "TimeoutError: x\n  at y",
                        "overlays": [{"element": "div#cookie", "role": "dialog", "text": "Cookies", "area_pct": 31.5}]},
     [("Error", "TimeoutError: x\n  at y"),
      ("Overlays", [["div#cookie", "dialog", "Cookies", "32% of the viewport"]]),
      ("Other figures", [["Intercepting", "<div>"]])]),
    ("slow-lcp", {"lcp_ms": 4100, "lcp_threshold_ms": 2500,
                  "failed_requests": [{"url": "http://a/b", "failure": "net::ERR_FAILED"}]},
     [("Measured against thresholds", [["LCP", "4,100 ms", "2,500 ms"]]),
      ("Failed requests", [["GET", "http://a/b", "net::ERR_FAILED"]])]),
])
def test_evidence_shapes(rule: str, given: dict[str, object], expected: list[tuple[str, object]]) -> None:
    blocks = evidence_blocks(given, rule)
    shown = [(b.title, b.text if b.text is not None else [[c.text for c in row] for row in b.rows]) for b in blocks]
    assert shown == expected
