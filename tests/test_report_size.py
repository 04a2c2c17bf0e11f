"""Issue 6's size aim on a synthetic run: 100 journeys × 10 replays give a report well under 10 MB (no browser).

How fast it opens and is written is measured in ``bench/report_scale.py``, never asserted here.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup

from harness.report import build_report
from harness.report.html.images import BUDGET_BYTES
from tests.support.synthetic_run import make_run

LIMIT = 8 * 1024 * 1024
"""Well under the issue's 10 MB."""


def test_a_run_of_100_journeys_times_10_replays_gives_a_report_well_under_10_mb(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run", journeys=100, repeats=10, seed=6)
    html = build_report(tmp_path / "run").read_text(encoding="utf-8")
    assert len(html.encode()) < LIMIT
    images = re.findall(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", html)
    assert images and sum(map(len, images)) <= BUDGET_BYTES  # screenshots within the budget...
    soup = BeautifulSoup(html, "html.parser")
    assert all(f.select("figure img") for f in soup.select("#failure-list article.failure"))  # failures come first
    linked = [p for p in soup.select("p.muted") if "image budget is spent" in p.get_text()]
    assert linked  # ...later evidence is linked to its file, not dropped
    assert len(soup.select("#journey-list section.journey")) == 100
    assert len(soup.select("#journey-list details.case")) == run.cases
