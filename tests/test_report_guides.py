"""The guide-health section of the HTML report, built from hand-written ``guides.json`` folders (no browser)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag

from harness.report import build_report
from tests.support.report_checks import assert_only_our_scripts, shows_image

FIXTURES = Path(__file__).parent / "fixtures"
GUIDES_ONLY = FIXTURES / "guides_only"
SCRIPT_XSS = "<script>alert('guide')</script>"
ATTR_XSS = '"><img src=x onerror=alert(7)>'


def soup_of(folder: Path) -> BeautifulSoup:
    return BeautifulSoup(build_report(folder).read_text(encoding="utf-8"), "html.parser")


def text_of(node: Tag | BeautifulSoup) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ", strip=True))


def guide(soup: BeautifulSoup, guide_id: str) -> Tag:
    for article in soup.select("article.guide"):
        if guide_id in text_of(article.h3):
            return article
    raise AssertionError(f"no guide {guide_id}")


def step_detail(soup: BeautifulSoup, guide_id: str, step_id: str) -> Tag:
    for detail in guide(soup, guide_id).select("div.gstep"):
        if step_id in text_of(detail.h4).split():
            return detail
    raise AssertionError(f"no detail for {guide_id}/{step_id}")


def dl_of(node: Tag) -> dict[str, str]:
    return {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in node.select("dl > dt")}


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    dest = tmp_path / "check"
    shutil.copytree(GUIDES_ONLY, dest)
    return dest


@pytest.fixture()
def soup(folder: Path) -> BeautifulSoup:
    return soup_of(folder)


def edit_guides(folder: Path, change: Any) -> None:
    path = folder / "guides.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_guides_only_folder_gives_a_guide_report(folder: Path, soup: BeautifulSoup) -> None:
    assert not (folder / "run.json").exists() and (folder / "report.html").is_file()
    text = text_of(soup)
    assert "Guide check report" in text and "version 2.0.0" in text and "2026-11-27 09:14:02 UTC" in text
    for absent in ("run.json is missing", "did not finish", "No step records", "Slowest steps", "Step timelines"):
        assert absent not in text
    assert soup.select_one("#overview") is None and soup.select_one("#timelines") is None
    assert text_of(soup.select_one("header .badge")) == "✗ FAILED"
    cards = {text_of(c.select_one(".k")): text_of(c) for c in soup.select(".card")}
    assert cards["Outcome"] == "Outcome ✗ 2 broken 1 of 4 guides intact"
    assert cards["Steps"] == "Steps 11 5 ok · 6 not ok"


def test_summary_line_counts_guides_and_steps(soup: BeautifulSoup) -> None:
    summary = text_of(soup.select_one("#guides .gsummary"))
    assert "4 guides: 2 broken · 1 warning · 1 intact." in summary
    assert ("11 steps: 1 missing · 1 ambiguous · 1 hidden · 1 covered · 1 text changed · 1 drifted · 5 ok"
            in summary)
    assert "A guide is broken when a step is page error, missing," in text_of(soup.select_one(".gpolicy"))


def test_step_badges_in_order_with_status_text_and_links(soup: BeautifulSoup) -> None:
    expected = {
        "new-expense": ["1 search ✗ MISSING", "2 new ✗ COVERED", "3 amount ✗ TEXT CHANGED",
                        "4 welcome ✓ OK · FLOATING"],
        "reports-tour": ["1 intro ✓ OK", "2 export ✗ HIDDEN", "3 filter ✗ AMBIGUOUS"],
        "profile-tour": ["1 avatar ⚠ DRIFTED", "2 save ✓ OK"],
        "onboarding": ["1 hello ✓ OK · FLOATING", "2 nav ✓ OK"],
    }
    statuses = {"new-expense": "✗ BROKEN", "reports-tour": "✗ BROKEN", "profile-tour": "⚠ WARNING",
                "onboarding": "✓ INTACT"}
    for guide_id, badges in expected.items():
        article = guide(soup, guide_id)
        assert text_of(article.select_one("h3 .badge")) == statuses[guide_id]
        links = article.select("ol.gsteps > li > a.sbadge")
        assert [text_of(a) for a in links] == badges
        for a in links:
            target = soup.find(id=a["href"].removeprefix("#"))
            assert a["href"].startswith("#") and target is not None and article in target.parents
    tones = [a["class"][1] for a in guide(soup, "profile-tour").select("a.sbadge")]
    assert tones == ["t-warn", "t-ok"]


def test_missing_step_detail_with_suggestion_diff_and_screenshots(soup: BeautifulSoup) -> None:
    detail = step_detail(soup, "new-expense", "search")
    assert text_of(detail.select_one(".reason")) == "MISSING — no element matches #expense-search"
    facts = dl_of(detail)
    assert facts["Page"] == "/expenses · http://127.0.0.1:8765/expenses"
    assert facts["Target"] == "#expense-search line 12" and detail.select_one("dd code").string == "#expense-search"
    assert facts["Matches"] == "0 elements" and facts["Similarity"].startswith("0.87")
    rows = [[text_of(c) for c in tr.find_all(["th", "td"])] for tr in detail.select("table.diff tbody tr")]
    assert rows == [["id", "old: expense-search", "new: q"],
                    ["classes", 'old: ["form-control"]', 'new: ["form-control", "search"]'],
                    ["box", 'old: {"x": 24, "y": 96}', 'new: {"x": 24, "y": 100}']]
    suggest = detail.select_one(".suggest")
    assert "score 0.87" in text_of(suggest.select_one(".sg-head"))
    codes = [c.string for c in suggest.select(".copyable pre code")]
    assert codes == ["#q", 'input[name="q"]', 'role=searchbox[name="Search"]']
    assert [text_of(li) for li in suggest.select("ul.reasons li")] == [
        "same tag input", "same name attribute q", "same placeholder", "same position (4 px)"]
    assert "score 0.86" in text_of(suggest.select_one("ul.alts"))
    shots = [img["src"] for img in detail.select(".shots img")]
    art = GUIDES_ONLY / "artifacts" / "guides" / "new-expense"
    assert len(shots) == 2
    assert shows_image(shots[0], art / "search.png") and shows_image(shots[1], art / "search.baseline.png")


def test_other_problem_steps(soup: BeautifulSoup) -> None:
    covered = dl_of(step_detail(soup, "new-expense", "new"))
    assert covered["Covered by"] == "<div#cookie-banner> “We use cookies”"
    changed = step_detail(soup, "new-expense", "amount")
    assert dl_of(changed)["Text"] == "Expected (guide) Amount Shown now Total (EUR)"
    assert [c.string for c in changed.select(".suggest code")] == ['label:has-text("Total")', 'label[for="amount"]']
    assert "As plain CSS" in text_of(changed.select_one(".suggest"))
    ambiguous = step_detail(soup, "reports-tour", "filter")
    assert dl_of(ambiguous)["Matches"] == "3 elements"
    assert ambiguous.select_one(".suggest") is None
    assert text_of(ambiguous.select_one(".nosuggest")).startswith("No selector suggested")
    hidden = step_detail(soup, "reports-tour", "export")
    assert hidden.select_one(".suggest code").string == '[data-testid="export-csv"]'
    drifted = step_detail(soup, "profile-tour", "avatar")
    assert "t-warn" in drifted["class"] and dl_of(drifted)["Similarity"].startswith("0.41")
    path_row = [text_of(td) for td in drifted.select("table.diff tr")[-1].find_all("td")]
    assert path_row == ["old: html > body > main#app.page > img#avatar.avatar[2]",
                        "new: html > body > main#app.page > button#avatar.btn.menu[2]"]
    assert text_of(drifted.select("table.diff tr")[-2]) == "attributes.alt old: Your photo new: (none)"
    assert len(soup.select("img")) == 8  # every evidence and baseline screenshot of the fixture, embedded


def test_ok_and_floating_steps_are_compact(soup: BeautifulSoup) -> None:
    onboarding = guide(soup, "onboarding")
    assert onboarding.select("div.gstep") == []
    rows = [[text_of(c) for c in tr.find_all(["td", "th"])] for tr in onboarding.select("table.gfine tbody tr")]
    assert rows == [["1", "Hello! hello", "floating on /", "✓ OK · FLOATING"],
                    ["2", "Navigation nav", "nav.main on /", "✓ OK"]]
    assert len(soup.select("div.gstep")) == 6 and len(soup.select("table.gfine tbody tr")) == 5


def test_copy_buttons_only_use_the_reports_own_script(folder: Path, soup: BeautifulSoup) -> None:
    buttons = soup.select("button.copy")
    assert len(buttons) == 7  # 3 + 2 + 1 + 1 selectors (a plain-CSS twin equal to the target is not repeated)
    for button in buttons:
        assert button.has_attr("hidden") and soup.find(id=button["data-copy"]).name == "code"
    assert_only_our_scripts(str(soup))
    for tag in soup.find_all(["link", "iframe", "object", "embed"]):
        pytest.fail(f"external resource tag <{tag.name}>")
    assert all(img["src"].startswith("data:image/") for img in soup.find_all("img"))


def test_hostile_guide_text_stays_text(folder: Path) -> None:
    hostile = f"{SCRIPT_XSS}{ATTR_XSS}"

    def poison(data: dict[str, Any]) -> None:
        step = data["guides"][0]["steps"][0]
        step["title"] = f"Find {hostile}"
        step["evidence"]["actual_text"] = f"Now {hostile}"
        step["suggestion"]["reasons"][0] = f"same {hostile}"
        step["suggestion"]["target"] = f"#q{ATTR_XSS}"
        data["guides"][1]["title"] = hostile
        data["guides"][1]["steps"][1]["status"] = f"weird{ATTR_XSS}"

    edit_guides(folder, poison)
    html = build_report(folder).read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert_only_our_scripts(html)
    assert not any(name.startswith("on") for tag in soup.find_all(True) for name in tag.attrs)
    assert all(img["src"].startswith("data:") for img in soup.find_all("img"))
    detail = step_detail(soup, "new-expense", "search")
    assert text_of(detail.h4).startswith(f"✗ MISSING Step 1: Find {hostile}")
    assert f"Now {hostile}" in dl_of(detail)["Text"]
    assert text_of(detail.select_one("ul.reasons li")) == f"same {hostile}"
    assert detail.select_one(".suggest code").string == f"#q{ATTR_XSS}"
    assert hostile in text_of(soup.select("article.guide")[1].h3)
    weird = soup.select("article.guide")[1].select("a.sbadge")[1]
    assert text_of(weird) == f"2 export ⚠ WEIRD{ATTR_XSS.upper()}" and weird["class"] == ["sbadge", "t-warn"]
    assert "&lt;script&gt;alert(&#39;guide&#39;)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(7)&gt;" in html


@pytest.mark.parametrize(("content", "message"), [
    ('{"guides": [', "guides.json is not valid JSON"),
    ("[1, 2]", "guides.json is not a JSON object."),
    ('{"guides": {"id": "x"}}', "guides.json has no list of guides."),
    (b"\xff\xfe{}", "guides.json could not be read (UnicodeDecodeError)."),
])
def test_malformed_guides_json_gives_a_banner(folder: Path, content: str | bytes, message: str) -> None:
    path = folder / "guides.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    soup = soup_of(folder)
    banner = soup.select_one("#guides .banner[role=alert]")
    assert banner is not None and "Guide results could not be shown." in text_of(banner)
    assert message in text_of(banner)
    assert soup.select("article.guide") == [] and text_of(soup.select_one("header .badge")) == "• UNKNOWN"


def test_invalid_guide_is_skipped_with_a_warning(folder: Path) -> None:
    def damage(data: dict[str, Any]) -> None:
        del data["guides"][1]["steps"][0]["status"]
        data["guides"][2]["steps"] = "nope"
        data["checked_at"] = 12

    edit_guides(folder, damage)
    soup = soup_of(folder)
    banners = [text_of(b) for b in soup.select("#guides .banner")]
    assert len(banners) == 3
    assert "Guide reports-tour in guides.json was skipped: steps.0.status: Field required." in banners[1]
    assert "Guide profile-tour in guides.json was skipped: steps: Input should be a valid list." in banners[2]
    assert "header fields are not as documented (checked_at: Input should be a valid string)" in banners[0]
    assert [text_of(a.h3) for a in soup.select("article.guide")] == [
        "✗ BROKEN Submit your first expense new-expense", "✓ INTACT Welcome aboard onboarding"]


def test_missing_optional_fields_are_tolerated(tmp_path: Path) -> None:
    (tmp_path / "guides.json").write_text(json.dumps({"guides": [
        {"id": "bare", "steps": [{"id": "one", "status": "missing", "target": "#gone"}, {"id": "two", "status": "ok"}]},
        {"id": "soft", "steps": [{"id": "three", "status": "drifted", "evidence": {"screenshot": "../outside.png"}}]},
    ]}), encoding="utf-8")
    (tmp_path.parent / "outside.png").write_bytes((GUIDES_ONLY / "artifacts/guides/new-expense/new.png").read_bytes())
    soup = soup_of(tmp_path)
    assert text_of(soup.select_one("header .badge")) == "✗ FAILED"  # status and policy derived: missing fails
    # the default policy fails every status but ok: the drifted guide is broken too
    assert [text_of(a.h3.select_one(".badge")) for a in soup.select("article.guide")] == ["✗ BROKEN", "✗ BROKEN"]
    assert [text_of(a) for a in soup.select("a.sbadge")] == ["1 one ✗ MISSING", "2 two ✓ OK · FLOATING",
                                                             "1 three ✗ DRIFTED"]
    assert "Screenshot not found in the folder: ../outside.png" in text_of(soup)
    assert soup.find_all("img") == []


def test_run_folder_with_steps_and_guides(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(FIXTURES / "run_basic", run)
    shutil.copytree(FIXTURES / "run_guides", run, dirs_exist_ok=True)
    soup = soup_of(run)
    text = text_of(soup)
    assert "Journey replay report" in text and "Failures (3)" in text and soup.select_one("#timelines")
    assert [a["href"] for a in soup.select("nav.toc a")] == ["#p-overview", "#p-journeys", "#p-failures", "#p-guides"]
    assert [text_of(t) for t in soup.select('[role="tab"]')] == ["Overview", "Journeys 3", "Failures 3", "Guides 1"]
    assert text_of(soup.select_one('nav.toc a[href="#p-guides"]')) == "Guides (1)"  # broken guides
    assert soup.select_one("#p-guides > section#guides") is not None
    cards = {text_of(c.select_one(".k")): text_of(c) for c in soup.select(".card")}
    assert cards["Guides intact"] == "Guides intact 0 / 1 1 broken · 0 warning · 0 intact"
    tour = guide(soup, "checkout-tour")
    assert [text_of(a) for a in tour.select("a.sbadge")] == ["1 cart ✓ OK", "2 pay ✗ DISABLED", "3 receipt ✗ OFFSCREEN"]
    pay = step_detail(soup, "checkout-tour", "pay")
    facts = dl_of(pay)
    assert facts["After"].startswith('checkout.feature › Pay with <method> › I choose "paypal" (')
    assert facts["Checked in"].startswith('features/demo/checkout.feature › Pay with <method> › I choose "paypal" (')
    for link in pay.select("dd a"):
        case = soup.find(id=link["href"].removeprefix("#"))
        assert link.string == "scenario in this run"
        assert case.name == "details" and "Pay with <method>" in text_of(case.summary)
    shot = FIXTURES / "run_guides" / "artifacts" / "guides" / "checkout-tour" / "pay.png"
    assert shows_image(pay.select_one(".shots img")["src"], shot)
    receipt = step_detail(soup, "checkout-tour", "receipt")  # checked by 'the guide ... is intact', absolute path
    case = soup.find(id=receipt.select_one("dd a")["href"].removeprefix("#"))
    assert "features/demo/checkout.feature" in text_of(case) and "Buy one item" in text_of(case.summary)
    assert receipt.select(".shots") == [] and receipt.select_one(".nosuggest") is None  # offscreen: not repairable
    ok_row = text_of(tour.select_one("table.gfine tbody tr"))
    assert ok_row.endswith('after demo/checkout.feature › I open "/cart" ✓ OK')


def test_run_folder_without_guides_has_no_guide_section(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(FIXTURES / "run_basic", run)
    soup = soup_of(run)
    assert soup.select_one("#guides") is None and soup.select_one('nav.toc a[href="#guides"]') is None
    assert "Guides" not in {text_of(c.select_one(".k")) for c in soup.select(".card")}
