"""The HTML report of a run folder: one self-contained ``report.html`` for app owners.

The names below are loaded when first used (jinja2 and the report's views are not loaded by
``import harness.report.outputs``, say, for the names of the outputs).

Example:
    >>> from harness.report import build_report
    >>> build_report(Path("reports/20261126-190501-demo"))  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harness.report.html.build import build_report, render
    from harness.report.load import RunData, ScenarioRun, load_run

__all__ = ["RunData", "ScenarioRun", "build_report", "load_run", "render"]
_HOME = {"build_report": "harness.report.html.build", "render": "harness.report.html.build",
         "RunData": "harness.report.load", "ScenarioRun": "harness.report.load", "load_run": "harness.report.load"}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
