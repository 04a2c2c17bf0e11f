"""How runs are compared and what fails the build: ``compare:`` and ``gate:`` settings.

They are read, in this order, each overriding the one before: the defaults below,
``[tool.harness.compare]`` / ``[tool.harness.gate]`` in the project's ``pyproject.toml``,
then ``compare:`` / ``gate:`` in ``journeys/<app>/app.yaml``. Both files are validated when a
command starts; a mistake is reported with its file and line. The contract is in
docs/regressions.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import SpecError
from harness.spec.pyproject import read_pyproject


class CompareSettings(BaseModel):
    """The statistics of a comparison.

    Attributes:
        alpha: False discovery rate of the Benjamini-Hochberg procedure over every test of a
            comparison: a change is significant when its adjusted p-value is below it.
        confidence: Level of the confidence intervals of the changes.
        min_effect_pct: Smallest relative change called slower or faster.
        min_effect_ms: Smallest absolute change of a time called slower or faster; a change
            must pass both minimums (and be significant).
        min_samples: Fewer values than this on either side gives ``insufficient_data``.
        run_wide: Call a journey or scenario total slower or faster only when its change also
            stands out from the shift every step shares (the median over steps of
            candidate/baseline, reported on its own): two runs of one version on one machine
            differ as a whole by 10-20%, which a total of many steps adds up to.
        run_wide_min_steps: Steps a metric must be measured on for its run-wide shift to be
            estimated (fewer: totals are judged as measured).
        trend_runs: How many past runs the trends show.
    """

    model_config = ConfigDict(extra="forbid")

    alpha: float = Field(default=0.05, gt=0, lt=0.5)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    min_effect_pct: float = Field(default=10.0, ge=0)
    min_effect_ms: float = Field(default=100.0, ge=0)
    min_samples: int = Field(default=5, ge=2)
    run_wide: bool = True
    run_wide_min_steps: int = Field(default=5, ge=3)
    trend_runs: int = Field(default=20, ge=3, le=1000)


class GatePolicy(BaseModel):
    """What fails the build (exit code 1) when a candidate is compared with its baseline.

    Attributes:
        new_failures: A scenario that passed in the baseline fails in every repeat now.
        new_flaky: A scenario that passed in the baseline fails in some repeats now.
        broken_guides: A guide step that was fine in the baseline is broken now.
        slowdown_pct: A significant slowdown of a journey, scenario or step duration of at
            least this many percent (``null``: slowdowns never fail the build).
        slowdown_metrics: Which metrics ``slowdown_pct`` applies to.
        run_wide_pct: A significant shift of every step's duration alike (the run-wide factor)
            of at least this many percent: an app-wide slowdown, or a much slower machine
            (``null``: never). Two runs on one CI machine differ as a whole by up to about 25%.
        findings: A new friction finding of this severity or worse (``never``: none does).
        drift: A slow drift over the trend's runs (a significant monotone trend above the
            minimum effect) fails the build too.
    """

    model_config = ConfigDict(extra="forbid")

    new_failures: bool = True
    new_flaky: bool = False
    broken_guides: bool = True
    slowdown_pct: float | None = Field(default=20.0, ge=0)
    slowdown_metrics: list[str] = Field(default_factory=lambda: ["duration_ms"])
    run_wide_pct: float | None = Field(default=50.0, ge=0)
    findings: Literal["high", "medium", "low", "never"] = "high"
    drift: bool = False

    @field_validator("slowdown_metrics")
    @classmethod
    def _known_metrics(cls, value: list[str]) -> list[str]:
        from harness.contracts.metrics import METRIC_BY_COLUMN

        unknown = [m for m in value if m not in METRIC_BY_COLUMN]
        if unknown:
            raise ValueError(f"unknown metric {unknown[0]!r} (known: {', '.join(METRIC_BY_COLUMN)})")
        return value


class RegressionConfig(BaseModel):
    """The settings in force, and where they came from."""

    compare: CompareSettings = Field(default_factory=CompareSettings)
    gate: GatePolicy = Field(default_factory=GatePolicy)
    sources: list[str] = Field(default_factory=list)


def _toml_line(text: str, section: str, key: str | None) -> int | None:
    """The line of ``key`` in ``[section]`` of a TOML text (or of the section header)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{section}]"), None)
    if start is None:
        return None
    if key is None:
        return start + 1
    for i in range(start + 1, len(lines)):
        if lines[i].lstrip().startswith("["):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


def _check(model: type[BaseModel], data: Any, where: str, line_for: Any, path: Path) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = str(first["loc"][0]) if first["loc"] else None
        hint = ""
        if first["type"] == "extra_forbidden":
            known = ", ".join(model.model_fields)
            hint = f" (known: {known})"
        raise SpecError(f"{where}{'.' + key if key else ''}: {first['msg']}{hint}", path, line_for(key)) from None


def from_pyproject(root: Path) -> tuple[dict[str, Any], dict[str, Any], Path | None]:
    """Read ``[tool.harness.compare]`` and ``[tool.harness.gate]`` of ``root/pyproject.toml``.

    Raises:
        SpecError: The file is not valid TOML, or a setting is unknown or out of range.
    """
    found_file = read_pyproject(root)
    if found_file is None:
        return {}, {}, None
    path, text, data = found_file
    harness = data.get("tool", {}).get("harness", {})
    compare, gate = harness.get("compare", {}), harness.get("gate", {})
    for name, model, section in (("compare", CompareSettings, compare), ("gate", GatePolicy, gate)):
        table = f"tool.harness.{name}"
        if not isinstance(section, dict):
            raise SpecError(f"[{table}] must be a table", path, _toml_line(text, "tool.harness", name))
        _check(model, section, f"[{table}] ", lambda key, t=table: _toml_line(text, t, key), path)
    return compare, gate, path


def load_config(root: Path | None = None, profile: Any = None, *, compare: dict[str, Any] | None = None,
                gate: dict[str, Any] | None = None) -> RegressionConfig:
    """Return the settings in force: defaults, then pyproject.toml, then the app profile, then ``compare``/``gate``.

    Args:
        root: The project folder (holds pyproject.toml); the working directory by default.
        profile: An ``AppProfile`` whose ``compare``/``gate`` sections (already validated) override.
        compare: Overrides from the command line.
        gate: Overrides from the command line.

    Raises:
        SpecError: A setting is unknown or out of range, with its file and line.
    """
    py_compare, py_gate, path = from_pyproject(root or Path.cwd())
    sources = [str(path)] if path and (py_compare or py_gate) else []
    merged_compare, merged_gate = dict(py_compare), dict(py_gate)
    if profile is not None:
        for merged, section in ((merged_compare, profile.compare), (merged_gate, profile.gate)):
            if section is not None:
                merged.update(section.model_dump(exclude_unset=True))
        if (profile.compare is not None or profile.gate is not None) and profile.source:
            sources.append(str(profile.source))
    merged_compare.update(compare or {})
    merged_gate.update(gate or {})
    return RegressionConfig(compare=CompareSettings.model_validate(merged_compare),
                            gate=GatePolicy.model_validate(merged_gate), sources=sources)
