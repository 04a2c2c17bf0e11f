"""Checks shared by the report tests: only our own scripts run, and embedded screenshots are the run's."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

from bs4 import BeautifulSoup
from PIL import Image, ImageChops, ImageStat

from harness.report.html.assets import chart_library, report_script


def executed_scripts(soup: BeautifulSoup) -> list[str]:
    """The text of every script element the browser would run (JSON data blocks are not run)."""
    return [s.string or "" for s in soup.find_all("script") if s.get("type") != "application/json"]


def assert_only_our_scripts(html: str) -> None:
    """Only the report's own script and the chart library run, and the CSP allows exactly them."""
    soup = BeautifulSoup(html, "html.parser")
    ours = report_script().text
    library = chart_library()
    allowed = {ours} | ({library.text} if library else set())
    scripts = executed_scripts(soup)
    assert ours in scripts and set(scripts) <= allowed and len(scripts) == len(set(scripts))
    csp = soup.select_one('meta[http-equiv="Content-Security-Policy"]')["content"]
    hashes = sorted("'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
                    for s in scripts)
    directive = next(d.strip() for d in csp.split(";") if d.strip().startswith("script-src"))
    assert sorted(directive.split()[1:]) == hashes and "default-src 'none'" in csp
    data = [s for s in soup.find_all("script") if s.get("type") == "application/json"]
    assert all("<" not in (s.string or "") for s in data)  # JSON blocks cannot close their element
    assert html.count("<script") == len(scripts) + len(data)


def shows_image(src: str, path: Path) -> bool:
    """Whether a ``data:`` URI shows the image file at ``path`` (maybe shrunk and re-encoded)."""
    head, _, payload = src.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        return False
    with Image.open(io.BytesIO(base64.b64decode(payload))) as shown, Image.open(path) as original:
        expected = original.convert("RGB")
        expected.thumbnail(shown.size)
        if expected.size != shown.size:
            return False
        difference = ImageStat.Stat(ImageChops.difference(shown.convert("RGB"), expected)).mean
    return max(difference) < 12  # lossy encoding moves pixels a little, a different picture a lot
