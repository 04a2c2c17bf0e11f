"""The regressions section of the HTML report, from a comparison of two hand-written run folders (no browser)."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from harness.compare.build import build_comparison
from harness.contracts.comparison import COMPARISON_JSON
from harness.report import build_report
from harness.runfolder.comparison import write_comparison
from harness.runfolder.history import register, resolve
from harness.spec.regressions import RegressionConfig
from tests.support.regression_runs import HOSTILE, write_run


def test_the_section_ranks_the_change_with_its_chart_and_escapes_the_app(tmp_path: Path) -> None:
    history = tmp_path / "history"
    for name, slow, when in (("r1", 0.0, "2026-11-26T10:00:00+00:00"), ("r2", 0.0, "2026-11-26T11:00:00+00:00"),
                             ("r3", 300.0, "2026-11-26T12:00:00+00:00")):
        register(write_run(tmp_path / name, name, {"r1": 1, "r2": 2, "r3": 3}[name], slow, when), history)
    comparison = build_comparison(resolve("last", history, exclude=["r3"]), resolve(str(tmp_path / "r3"), history)[0],
                                  RegressionConfig(), history=history, baseline_spec="last")
    write_comparison(tmp_path / "r3", comparison)
    html = build_report(tmp_path / "r3").read_text()
    assert "<img src=x" not in html and "<script>x</script>" not in html and "<b>r2</b>" not in html
    soup = BeautifulSoup(html, "html.parser")
    section = soup.find(id="regressions")
    assert section is not None and "The regression gate fails the build" in section.get_text()
    rows = [row for row in section.select("table.rg-changes tbody tr") if row.th]
    # the journey, its scenario and the step each got ~300 ms slower: ranked by that, nothing else listed
    assert [row.th.get_text() for row in rows] == ["Shop <script>x</script>", "Shop <script>x</script> › Buy",
                                                  f"Shop <script>x</script> › Buy › step 2: {HOSTILE}"]
    assert all("slower" in row.get_text() for row in rows)
    charts = section.select("svg.chart")
    assert len(charts) >= 3 and charts[2]["role"] == "img" and HOSTILE in charts[2]["aria-label"]
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))  # every chart's ids are its own in the page
    trends = [row.th.get_text() for row in section.select("h3 ~ div table tbody tr") if row.th and row.find("svg")]
    assert "Shop <script>x</script>" in trends  # the journey's sparkline over r1, r2, r3
    assert soup.find("nav").find("a", href="#p-regressions") is not None


def test_an_unreadable_comparison_is_a_notice(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "r1", "r1", 1, 0.0, "2026-11-26T10:00:00+00:00")
    (folder / COMPARISON_JSON).write_text("{not json")
    section = BeautifulSoup(build_report(folder).read_text(), "html.parser").find(id="regressions")
    assert section is not None and "could not be read" in section.get_text()
