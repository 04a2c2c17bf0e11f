"""The report's chart specs, screenshots and trends, on plain data (no browser)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image, ImageDraw

from harness.report import build_report, load_run
from harness.report.html.chart_specs import Charts, distribution, journey_time, waterfall
from harness.report.html.images import MAX_SIDE, Images
from harness.report.html.trends_view import trends_view
from harness.report.view import journey_views
from harness.runfolder.history import register
from harness.runfolder.io import write_run_info
from tests.support.regression_runs import HOSTILE, write_run
from tests.support.report_checks import assert_only_our_scripts, shows_image

FIXTURES = Path(__file__).parent / "fixtures"


def cases_of(folder: Path) -> list:
    return [c for j in journey_views(load_run(folder)) for c in j.cases]


def test_waterfall_bars_start_where_the_previous_steps_end_and_carry_their_kind() -> None:
    cases = cases_of(FIXTURES / "run_basic")
    for case in cases:
        spec = waterfall(case)
        assert spec is not None and spec["kind"] == "waterfall" and len(spec["steps"]) == len(case.steps)
        start = 0.0
        for bar, step in zip(spec["steps"], case.steps, strict=True):
            assert bar["start"] == pytest.approx(start, abs=0.2)
            assert bar["ms"] == pytest.approx(step.median_ms or 0, abs=0.1)
            assert bar["kind"] == ("over" if step.status == "passed" and step.over_count else step.status)
            assert bar["name"].startswith(f"{step.index + 1}. {step.keyword}")
            start += step.median_ms or 0.0
        assert case.title in spec["label"] and spec["height"] > 70
    kinds = {bar["kind"] for case in cases for bar in waterfall(case)["steps"]}
    assert {"passed", "failed", "not_run", "over"} <= kinds


def test_distribution_has_one_mark_per_replay_of_each_step_and_only_with_replays() -> None:
    cases = cases_of(FIXTURES / "run_basic")
    many = [c for c in cases if len(c.runs) > 1]
    assert many and all(distribution(c) is None for c in cases if len(c.runs) == 1)
    for case in many:
        spec = distribution(case)
        timed = sum(1 for s in case.steps for ms, _, _ in s.replays if ms is not None)
        assert len(spec["runs"]) == timed and spec["medians"] == [
            None if s.median_ms is None else round(s.median_ms, 1) for s in case.steps]
        assert {r[2] for r in spec["runs"]} <= {"passed", "failed", "not_run", "skipped"}
        assert all(0 <= r[0] < len(case.steps) and 0 <= r[3] < len(case.runs) for r in spec["runs"])


def test_journey_time_is_sorted_longest_first_and_splits_waiting_from_the_rest() -> None:
    journeys = journey_views(load_run(FIXTURES / "run_basic"))
    spec = journey_time(journeys)
    assert spec["totals"] == sorted(spec["totals"], reverse=True) and len(spec["cats"]) == len(journeys)
    wait, rest = (s["values"] for s in spec["series"])
    assert all(w + r == pytest.approx(t, abs=0.2) for w, r, t in zip(wait, rest, spec["totals"], strict=True))
    assert spec["cats"][0] in spec["label"]


def test_chart_data_is_json_that_cannot_break_out_of_its_script(tmp_path: Path) -> None:
    folder = write_run(tmp_path / "r1", "r1", 1, 0.0, "2026-11-26T10:00:00+00:00")
    html = build_report(folder).read_text(encoding="utf-8")
    assert_only_our_scripts(html)
    soup = BeautifulSoup(html, "html.parser")
    data = json.loads(soup.find("script", id="chart-data").string)
    ids = [el["data-chart"] for el in soup.select("[data-chart]")]
    assert sorted(ids) == sorted(data) and len(ids) == 3  # overview, waterfall, replay distribution
    assert all(el["role"] == "img" and el["aria-label"] == data[el["data-chart"]]["label"]
               for el in soup.select("[data-chart]"))
    names = data[soup.select_one("details.case [data-chart]")["data-chart"]]["steps"]
    assert names[1]["name"].startswith("2. When I open") and "<img" in names[1]["name"]  # text, for SVG text
    assert "<img src=x" not in soup.find("script", id="chart-data").string  # escaped as \u003c in the page


def png(path: Path, size: tuple[int, int], seed: int = 0) -> Path:
    """A page-like picture: a bar, boxes and lines of text."""
    rng = np.random.default_rng(seed)
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0], 60), fill=(30, 30, 60))
    for n in range(12):
        x, y = int(rng.integers(0, size[0] * 3 // 4)), int(rng.integers(60, size[1] * 3 // 4))
        tint = tuple(int(v) for v in rng.integers(150, 255, 3))
        draw.rectangle((x, y, x + size[0] // 8, y + size[1] // 12), outline=(90, 90, 90), fill=tint)
        draw.text((x + 10, y + 10), f"Field {n}: value {n * 7}", fill=(0, 0, 0))
    image.save(path)
    return path


def test_screenshots_shrink_and_stop_at_the_budget(tmp_path: Path) -> None:
    big = png(tmp_path / "big.png", (1600, 2400))
    png(tmp_path / "small.png", (240, 180), 1)
    images = Images(tmp_path)
    shot = images.shot("big.png")
    assert shot.src.startswith("data:image/webp;base64,") and shot.href == "big.png" and shows_image(shot.src, big)
    with Image.open(io.BytesIO(base64.b64decode(shot.src.split(",", 1)[1]))) as shown:
        assert shown.width <= MAX_SIDE[0] and shown.height <= MAX_SIDE[1]
    assert len(shot.src) < big.stat().st_size and images.used == len(shot.src)  # counted as it weighs in the page
    again = images.shot("big.png")
    assert again.src == shot.src and images.used == 2 * len(shot.src)  # shown twice, weighs twice in the page
    tight = Images(tmp_path, budget=len(shot.src) - 1)
    spent = tight.shot("big.png")
    assert spent.src is None and "budget" in spent.note and spent.href == "big.png"
    later = tight.shot("small.png")  # once one did not fit, later ones are linked without being decoded
    assert later.src is None and "budget" in later.note and later.href == "small.png"
    assert Images(tmp_path, budget=len(shot.src) - 1).shot("small.png").src is not None  # first come, first served
    assert Images(tmp_path).shot("../outside.png").note == "Screenshot not found in the folder: ../outside.png"
    (tmp_path / "notes.png").write_text("not a picture")
    assert "not an image" in Images(tmp_path).shot("notes.png").note
    assert Images(tmp_path).shot(None, "page closed").note == "No screenshot: page closed"
    assert Images(tmp_path).shot(None) is None


def test_trends_follow_the_history_up_to_this_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = tmp_path / "history"
    folders = []
    for n, slow in enumerate((0.0, 0.0, 300.0), start=1):
        folder = write_run(tmp_path / "runs" / f"r{n}", f"r{n}", n, slow, f"2026-11-26T1{n}:00:00+00:00")
        info = load_run(folder).info
        info.totals = {"scenarios": 10, "scenarios_failed": n - 1}
        write_run_info(folder, info)
        register(folder, history)
        folders.append(folder)
    charts = Charts()
    monkeypatch.setenv("HARNESS_HISTORY", str(history))
    view = trends_view(folders[1], load_run(folders[1]).info, charts)  # the second run sees two runs
    last = trends_view(folders[2], load_run(folders[2]).info, charts)
    first = trends_view(folders[0], load_run(folders[0]).info, Charts())
    assert first is None  # nothing to draw a trend from
    assert [r.run_id for r in view.runs] == ["r1", "r2"] and view.runs[-1].current
    assert [r.run_id for r in last.runs] == ["r1", "r2", "r3"]
    assert [r.passed_pct for r in last.runs] == [100.0, 90.0, 80.0]
    (name, times), = last.journeys
    assert name == "Shop <script>x</script>" and times[2] - times[1] == pytest.approx(300, abs=60)
    spec = charts.specs[last.time_chart]
    assert spec["kind"] == "lines" and spec["x"] == [r.started for r in last.runs]
    assert HOSTILE not in json.dumps(spec)  # journeys only, no step text
