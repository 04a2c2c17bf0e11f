"""The browser code report.html embeds: ECharts (from npm) and the report's own script.

ECharts is installed by ``make setup`` (``npm ci --prefix harness/report/html/assets``); the report
embeds its ``common`` build (line, bar and scatter charts with the aria and decal features)
inline, so the file works offline and under a Content-Security-Policy that allows only these
two scripts by hash.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ASSETS = Path(__file__).parent / "assets"
ECHARTS = ASSETS / "node_modules" / "echarts" / "dist" / "echarts.common.min.js"
REPORT_JS = ASSETS / "report.js"
INSTALL_HINT = "run `make setup`, or `npm ci --prefix harness/report/html/assets`"


@dataclass(frozen=True)
class Script:
    """One inline script and the CSP source that allows exactly it."""

    text: str
    hash: str


def _script(text: str) -> Script:
    # "</script" cannot occur in a script element; neither file has it, and this keeps it so
    text = text.replace("</script", "<\\/script")
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return Script(text=text, hash=f"sha256-{digest}")


@cache
def report_script() -> Script:
    """The report's own script: tabs, filters, lazy charts, expand/collapse and copy buttons."""
    return _script(REPORT_JS.read_text(encoding="utf-8"))


@cache
def chart_library() -> Script | None:
    """ECharts, or None when it is not installed (the report then shows its tables alone)."""
    try:
        return _script(ECHARTS.read_text(encoding="utf-8"))
    except OSError:
        return None
