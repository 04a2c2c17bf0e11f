"""The HTML report, built from a hand-written run folder (no browser)."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from harness.report import build_report, load_run
from tests.support.report_checks import assert_only_our_scripts, shows_image

FIXTURE = Path(__file__).parent / "fixtures" / "run_basic"
XSS = "<script>alert(1)</script>"


class Page(HTMLParser):
    """Collects what the tests look at: scripts, images, text, headings, attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.imgs: list[dict[str, str | None]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "img":
            self.imgs.append(dict(attrs))
        if tag == "script":
            self.scripts.append("")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "script":
            self.scripts[-1] += data
        else:
            self.text.append(data)

    @property
    def all_text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.text))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "run"
    shutil.copytree(FIXTURE, dest)
    (dest / "report.html").unlink(missing_ok=True)
    return dest


@pytest.fixture()
def report(run_dir: Path) -> tuple[str, Page]:
    html = build_report(run_dir).read_text(encoding="utf-8")
    return html, parse(html)


def test_writes_report_html_by_default(run_dir: Path, tmp_path: Path) -> None:
    assert build_report(run_dir) == run_dir / "report.html"
    out = build_report(run_dir, tmp_path / "elsewhere.html")
    assert out == tmp_path / "elsewhere.html" and out.stat().st_size > 1000


def test_load_run_groups_scenario_runs() -> None:
    data = load_run(FIXTURE)
    assert data.info.app_title == "Demo Store"
    assert data.source == "steps.jsonl"
    assert len(data.records) == 36
    assert len(data.scenario_runs) == 10
    paypal = [r for r in data.scenario_runs if r.example == {"method": "paypal"} and r.repeat == 0]
    assert len(paypal) == 1 and paypal[0].status == "failed"
    assert [s.step_index for s in paypal[0].steps] == [0, 1, 2, 3]


def test_header_and_all_journeys(report: tuple[str, Page]) -> None:
    _, page = report
    text = page.all_text
    for expected in ("Demo Store", "2.3.1 (build 481)", "http://127.0.0.1:8765", "chromium 131.0.6778.85",
                     "2026-11-26 19:05:01 UTC", "Checkout", "Sign in", "Support tickets"):
        assert expected in text
    headings = [a.get("id") for t, a in page.tags if t == "h3"]
    assert len([h for h in headings if h and re.fullmatch(r"j\d+-h", h)]) == 3
    # the replay of "Sign in as admin" cut short after its first step is incomplete, not passed
    assert "6 passed · 3 failed · 1 other" in text


def test_step_durations_and_timeline(report: tuple[str, Page]) -> None:
    html, page = report
    text = page.all_text
    # "Buy one item" step 1 ran 812.4 and 905.1 ms: median, min and max are shown
    assert "859 ms" in text and "812 ms – 905 ms" in text
    assert "5,003 ms" in text  # the paypal timeout
    bars = re.findall(r'class="bar[^"]*" style="margin-left:([\d.]+)%;width:([\d.]+)%"', html)
    assert len(bars) == 19  # one per step of each scenario case (4 + 4 + 4 + 3 + 4)
    assert all(0 <= float(m) <= 100 and 0 <= float(w) <= 100 for m, w in bars)
    assert "over budget" in text and "⚠" in text
    assert "failed 1/2, passed 1/2" in text


def test_failures_have_screenshot_and_trace(report: tuple[str, Page]) -> None:
    _, page = report
    text = page.all_text
    assert "Failures (3)" in text
    shots = [i["src"] for i in page.imgs if (i.get("src") or "").startswith("data:image/")]
    assert len(shots) == 2  # the third screenshot path escapes the run folder and is ignored
    assert any(shows_image(src, FIXTURE / "artifacts" / "checkout-pay-paypal-r0" / "step-01.png") for src in shots)
    assert "playwright show-trace artifacts/checkout-pay-paypal-r0/trace.zip" in text
    assert "TimeoutError: Locator.click: Timeout 5000ms exceeded." in text
    assert "timeout" in text and "more lines not shown" in text
    assert "Screenshot not found in the folder: ../../../../etc/passwd" in text
    assert all(not (i.get("src") or "").startswith(("http", "file", "/", ".")) for i in page.imgs)


def test_hostile_text_is_escaped(report: tuple[str, Page]) -> None:
    html, page = report
    assert_only_our_scripts(html)  # our own script and the chart library, nothing from the run
    assert "<img src=x" not in html and "onerror=alert" not in html.replace("onerror=alert(4)&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = page.all_text
    assert f"Open ticket {XSS}" in text  # scenario name, as text
    assert f'I fill "title" with "{XSS}"' in text  # step text
    assert f'AssertionError: expected text "{XSS}"' in text  # error
    assert "<img src=x onerror=alert(4)>" in text  # page error
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)


def test_report_is_self_contained(report: tuple[str, Page]) -> None:
    html, page = report
    for tag, attrs in page.tags:
        if tag in ("link", "iframe", "object", "embed"):
            pytest.fail(f"external resource tag <{tag}>")
        assert (attrs.get("src") or "data:").split(":")[0] not in ("http", "https", "file")
    assert "@import" not in html and "url(http" not in html


def test_truncated_last_line_is_tolerated_and_reported(report: tuple[str, Page]) -> None:
    data = load_run(FIXTURE)
    assert data.truncated_tail and data.bad_lines == 0
    assert "The last line of steps.jsonl was incomplete" in report[1].all_text


def test_incomplete_run_banner(report: tuple[str, Page], run_dir: Path) -> None:
    _, page = report
    assert "The run did not finish (status: incomplete); 36 steps recorded." in page.all_text
    info = json.loads((run_dir / "run.json").read_text())
    info.update(status="complete", ended_at="2026-11-26T19:06:01.000+00:00")
    (run_dir / "run.json").write_text(json.dumps(info))
    text = parse(build_report(run_dir).read_text()).all_text
    assert "did not finish" not in text and "1.0 min" not in text and "1 min 00 s" in text


def test_parquet_fallback(run_dir: Path) -> None:
    rows = []
    for line in (run_dir / "steps.jsonl").read_text().splitlines()[:-1]:
        row = json.loads(line)
        row["navigations"] = row["signals"]["navigations"]  # flat duplicates, as the collector writes them
        row["failed_requests"] = len(row["signals"]["failed_requests"])
        for key in ("example", "tags", "signals", "artifacts"):
            row[key] = json.dumps(row[key])
        rows.append(row)
    (run_dir / "steps.jsonl").unlink()
    pd.DataFrame(rows).to_parquet(run_dir / "steps.parquet", index=False)
    data = load_run(run_dir)
    assert data.source == "steps.parquet" and not data.truncated_tail
    assert len(data.records) == 36 and len(data.scenario_runs) == 10
    failed = [r for r in data.records if r.status == "failed" and r.artifacts.trace]
    assert failed[0].signals.failed_requests[0].status == 503
    assert all(r.duration_ms is None for r in data.records if r.status == "not_run")
    page = parse(build_report(run_dir).read_text())
    assert "Failures (3)" in page.all_text and "records from steps.parquet" in page.all_text


def test_empty_run_folder(tmp_path: Path) -> None:
    page = parse(build_report(tmp_path).read_text())
    assert "No step records were found" in page.all_text
    assert "run.json is missing" in page.all_text
