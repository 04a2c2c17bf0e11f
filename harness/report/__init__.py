"""The HTML report of a run folder: one self-contained ``report.html`` for app owners.

Example:
    >>> from harness.report import build_report
    >>> build_report(Path("reports/20261126-190501-demo"))  # doctest: +SKIP
"""

from __future__ import annotations

from harness.report.html.build import build_report, render
from harness.report.load import RunData, ScenarioRun, load_run

__all__ = ["RunData", "ScenarioRun", "build_report", "load_run", "render"]
