"""Regenerate the README's screenshots of the report from a real run of the demo.

Replays the demo app v1, then v2 against it as the baseline (three replays each, one
history), opens the v2 report in Chromium and screenshots every tab into ``docs/img/``:

    .venv/bin/python docs/report_screenshots.py        # or: make screenshots

It takes about three minutes; run it after changing the report so the README shows it as it is.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from harness.collect.browser import launch_options, resolve_browser
from harness.report.html.snapshots import visit_tabs

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "img"


def demo(*args: str) -> None:
    """Run ``harness demo`` with ``args``; exit code 1 (problems found) is expected for v2."""
    done = subprocess.run([sys.executable, "-m", "harness.cli", "demo", *args], cwd=ROOT, check=False,
                          capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"harness demo {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def main() -> None:
    """Run the demo twice and screenshot the second report's tabs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNG files go")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        history = str(work / "history")
        demo("--out", str(work / "v1"), "--repeat", str(args.repeat), "--history", history)
        demo("--version", "2", "--out", str(work / "v2"), "--repeat", str(args.repeat), "--history", history,
             "--baseline", str(work / "v1"), "--step-timeout", "4000")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**launch_options(resolve_browser()))
            page = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
            visit = visit_tabs(page, work / "v2" / "report.html", args.out)
            browser.close()
    if visit.console:
        sys.exit("the report logged: " + "; ".join(visit.console))
    for tab in visit.tabs:
        print(f"{tab.screenshot}  ({tab.label}, {tab.charts_drawn} charts)")


if __name__ == "__main__":
    main()
