"""Accessibility: axe-core on every distinct page state a journey reaches, once per state.

axe-core comes from the ``axe-playwright-python`` package, which ships Deque's ``axe.min.js``;
it is injected into the page only when a new state needs a scan. A state is the URL (path
and query keys), the title, the open dialogs and the visible top headings, as the in-page
probe describes it. States are remembered per worker, so repeats and later scenarios reaching
the same state do not scan it again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from harness.contracts.records import A11yScan

if TYPE_CHECKING:
    from playwright.sync_api import Page

TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
"""The rule sets run: WCAG 2.x levels A and AA (not axe's best-practice rules, which are opinions)."""
MAX_NODES = 5

RUN = """async ([tags, maxNodes]) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const clip = (s, n) => String(s || '').slice(0, n);
  return JSON.stringify({
    engine: 'axe-core ' + (result.testEngine && result.testEngine.version || axe.version),
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: clip(v.help, 200), help_url: clip(v.helpUrl, 300), count: v.nodes.length,
      nodes: v.nodes.slice(0, maxNodes).map((n) => ({target: clip(n.target.join(' '), 200), html: clip(n.html, 300)})),
    })),
  });
}"""


@cache
def axe_source() -> str:
    """The axe-core script shipped by ``axe-playwright-python``."""
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class AxeScanner:
    """Scans page states with axe-core, each state once.

    Attributes:
        seen: The states already scanned by this worker.
    """

    seen: set[str] = field(default_factory=set)

    def scan_new_state(self, page: Page, state: str) -> A11yScan | None:
        """Scan the page when ``state`` was not scanned before; ``None`` when it was.

        A scan that fails returns an :class:`A11yScan` carrying the error, and the state is not
        marked as seen, so a later step may try again.
        """
        if state in self.seen:
            return None
        started = time.perf_counter()
        scan = A11yScan(state=state, url=page.url)
        try:
            if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
                page.evaluate(axe_source())
            data = json.loads(page.evaluate(RUN, [list(TAGS), MAX_NODES]))
        except Exception as exc:
            text = str(exc).strip()
            scan.error = (text.splitlines()[0] if text else type(exc).__name__)[:300]
            return scan
        finally:
            scan.duration_ms = round((time.perf_counter() - started) * 1000, 1)
        self.seen.add(state)
        scan.engine = data.get("engine", "")
        scan.violations = data.get("violations", [])
        return A11yScan.model_validate(scan.model_dump())
