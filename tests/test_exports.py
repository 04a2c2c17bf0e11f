"""steps.csv, findings.csv, guides.csv, steps.parquet and summary.md from hand-built run folders, read back
with real readers (pandas, markdown-it-py); ``harness report`` rebuilds every output from saved data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from harness.audit.findings import audit_run
from harness.compare.gate import GatePolicy, evaluate
from harness.contracts.records import StepRecord
from harness.report.markdown.summary import render_run_summary, write_run_summary
from harness.report.outputs import write_outputs, writers
from harness.report.tabular.csv_export import (
    ENCODING,
    STEP_COLUMNS,
    cell_safe,
    write_findings_csv,
    write_guides_csv,
    write_steps_csv,
)
from harness.runfolder.comparison import write_comparison
from harness.runfolder.findings import write_findings
from harness.runfolder.io import FLAT_SIGNALS, read_records
from tests.support.cli import cli
from tests.support.comparisons import comparison_of, noise, step_rows
from tests.support.step_records import click, rec, run_folder

FIXTURES = Path(__file__).parent / "fixtures"
EVIL = 'see <img src=x onerror=alert(1)> | [click](http://evil.example) `code`\nsecond line'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _records() -> list[StepRecord]:
    ok = [rec(i, scenario="Submit", test_id="submit", duration_ms=100.0 * (i + 1)) for i in range(3)]
    failing = [rec(0, scenario="Pay", example={"method": "card | cash"}, test_id="pay", url="@SUM(A1)"),
               rec(1, "failed", scenario="Pay", example={"method": "card | cash"}, test_id="pay",
                   error=f"{FORMULA}\n{EVIL}", error_kind="assertion", text=EVIL, budget_ms=50.0, over_budget=True,
                   duration_ms=5000.0,
                   signals={"wait_ms": 120.0, "console_errors": ["-1 is not a number"],
                            "page_load": {"url": "http://app/pay", "ttfb_ms": 80.0, "lcp_ms": 900.0}})]
    retried = [rec(0, "failed", 1, scenario="Submit", test_id="submit", error="Timeout", error_kind="timeout"),
               *(rec(i, "passed", 1, scenario="Submit", test_id="submit", attempt=1) for i in range(4))]
    return [*ok, *failing, *retried, rec(3, scenario="Submit", test_id="submit", **click())]


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    folder = run_folder(tmp_path / "run", _records())
    write_findings(folder, audit_run(folder))
    guides = json.loads((FIXTURES / "guides_only" / "guides.json").read_text())
    step = guides["guides"][0]["steps"][0]
    step["message"] = EVIL
    step["suggestion"]["target"] = 'a[title="x|y"] >> `b`'
    (folder / "guides.json").write_text(json.dumps(guides))
    return folder


def test_steps_csv_has_one_flat_row_per_record_and_neutralises_formulas(run_dir: Path) -> None:
    path = write_steps_csv(run_dir)
    assert path is not None and path.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    frame = pd.read_csv(path, encoding=ENCODING)
    records, _ = read_records(run_dir)
    assert len(frame) == len(records) == 11 and list(frame.columns) == list(STEP_COLUMNS)
    assert frame["attempt"].tolist().count(1) == 4 and frame["duration_ms"].dtype == "float64"
    failed = frame[frame["status"] == "failed"].set_index("scenario").loc["Pay"]
    assert failed["error"].startswith("'=HYPERLINK(") and EVIL in failed["error"]  # kept whole, as text
    assert failed["example"] == "method=card | cash" and failed["keyword"] == "When"
    assert failed["ttfb_ms"] == 80.0 and failed["lcp_ms"] == 900.0 and failed["wait_ms"] == 120.0
    assert failed["console_errors"] == 1 and bool(failed["over_budget"]) and failed["budget_ms"] == 50.0
    assert frame.loc[frame["url"].notna(), "url"].iloc[0] == "'@SUM(A1)"
    assert cell_safe(-1.5) == -1.5 and cell_safe("-1") == "'-1" and cell_safe("a=b") == "a=b"


def test_findings_and_guides_csv_are_flat_and_in_order(run_dir: Path) -> None:
    findings = pd.read_csv(write_findings_csv(run_dir), encoding=ENCODING)
    assert findings["rule"].tolist()[0] == "dead-click"
    assert findings["rank"].tolist() == list(range(1, len(findings) + 1))
    guides = pd.read_csv(write_guides_csv(run_dir), encoding=ENCODING)
    assert len(guides) == 11 and guides["status"].tolist()[:3] == ["missing", "covered", "text_changed"]
    assert guides["suggestion"].iloc[0] == 'a[title="x|y"] >> `b`' and guides["message"].iloc[0] == EVIL


def test_steps_parquet_matches_steps_jsonl_with_typed_columns(run_dir: Path) -> None:
    write_outputs(run_dir, strict=True)
    frame = pd.read_parquet(run_dir / "steps.parquet")
    lines = [json.loads(line) for line in (run_dir / "steps.jsonl").read_text().splitlines()]
    assert len(frame) == len(lines)
    for column in ("run_id", "scenario", "step_index", "repeat", "attempt", "status", "duration_ms", "error"):
        assert [None if pd.isna(v) else v for v in frame[column]] == [line[column] for line in lines], column
    assert all(column in frame for column in FLAT_SIGNALS)
    assert str(frame["duration_ms"].dtype) == "float64" and str(frame["step_index"].dtype) == "int64"
    assert str(frame["ttfb_ms"].dtype) == "float64" and frame["ttfb_ms"].notna().sum() == 1
    assert json.loads(frame["example"].iloc[3]) == {"method": "card | cash"}


def _tables(text: str) -> list[list[list[str]]]:
    """Every table of a Markdown text, as rows of cell texts (header row first), by markdown-it-py."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[list[list[str]]] = []
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type == "inline" and tables and tables[-1] and token.level >= 4:
            tables[-1][-1].append(token.content)
    return tables


def _inline(tokens: list[Token]) -> list[Token]:
    return [child for t in tokens for child in (t.children or [])]


def test_summary_md_holds_the_run_guides_findings_and_regressions_in_parseable_tables(run_dir: Path) -> None:
    comparison = comparison_of(step_rows("b", "Submit", {EVIL: noise(1, 500)}),
                             step_rows("c", "Submit", {EVIL: [v + 300 for v in noise(2, 500)]}))
    comparison.gate = evaluate(comparison, GatePolicy())
    write_comparison(run_dir, comparison)
    path = write_run_summary(run_dir)
    text = path.read_text(encoding="utf-8")
    tables = _tables(text)
    outcome = tables[0]
    assert outcome[0] == ["", "total", "passed", "flaky", "failed", "skipped", "incomplete"]
    # Submit passed only on a retry: flaky, not passed as well (harness.outcomes); Pay failed
    assert outcome[1:] == [["journeys", "1", "0", "0", "1", "0", "0"], ["scenarios", "2", "0", "1", "1", "0", "0"],
                           ["scenario runs", "3", "2", "–", "1", "0", "0"]]
    failures = tables[1]
    assert failures[0] == ["journey", "scenario", "failed runs", "failing step", "where", "error"]
    assert len(failures) == 2 and all(len(row) == 6 for row in failures)  # pipes in app text split no cell
    assert failures[1][2] == "1/1" and failures[1][4] == "journeys/demo/expenses.feature:5"
    guides = next(t for t in tables if t[0][-1] == "suggested selector")
    assert len(guides) == 7 and all(len(row) == 5 for row in guides)
    assert guides[1][4] == "`a[title=\"x|y\"] >> 'b'` (0.87)"  # the escaped pipe stays in its cell
    findings = next(t for t in tables if t[0][0] == "severity")
    assert findings[1][:2] == ["high", "Dead click"]
    slowest = next(t for t in tables if t[0][0] == "step")
    assert slowest[1][3] == "50 ms" and slowest[1][4] == "over in 1/1"
    assert "## Regressions: what changed since the baseline" in text and "❌ **Regressions fail the build**" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    inline = _inline(tokens)
    assert not {t.type for t in inline} & {"link_open", "image"} and not any(t.type == "html_block" for t in tokens)
    assert {t.content for t in inline if t.type == "html_inline"} == {"<sub>", "</sub>"}  # only our own footnotes
    assert "<img" not in text and "](http" not in text and "Submit" in text


def test_summary_md_of_a_guide_check_alone(tmp_path: Path) -> None:
    folder = tmp_path / "guides"
    shutil.copytree(FIXTURES / "guides_only", folder)
    text = render_run_summary(folder)
    assert text is not None and text.startswith("## adoption-harness: guides of demo")
    assert len(_tables(text)[0]) == 7
    (tmp_path / "empty").mkdir()
    assert render_run_summary(tmp_path / "empty") is None


def _without_timestamps(name: str, path: Path) -> object:
    if name == "steps.parquet":
        return pd.read_parquet(path).to_json(orient="records")
    text = path.read_text(encoding="utf-8")
    if name == "report.html":
        return [line for line in text.splitlines() if "generated 20" not in line and "Audited 20" not in line]
    return text


def test_harness_report_rebuilds_every_output_from_saved_data(run_dir: Path, tmp_path: Path) -> None:
    first = cli("report", run_dir)
    assert first.returncode == 0, first.stderr
    # Allure results are written only for a run made with --allure-dir, into its folder (tests/test_allure_results.py)
    names = [name for name, _ in writers() if name != "allure-results"]
    assert names[:5] == ["report.html", "junit.xml", "summary.md", "steps.parquet", "steps.csv"]
    before = {name: _without_timestamps(name, run_dir / name) for name in names}
    copy = tmp_path / "copy"
    shutil.copytree(run_dir, copy)
    for name in [*names, "findings.json"]:
        (copy / name).unlink()
    again = cli("report", copy)
    assert again.returncode == 0, again.stderr
    for name in names:
        assert f"  {copy / name}" in again.stdout.splitlines(), again.stdout
        assert _without_timestamps(name, copy / name) == before[name], name
    assert f"  {copy / 'findings.json'}" in again.stdout and again.stdout.startswith("Wrote 8 files in ")
