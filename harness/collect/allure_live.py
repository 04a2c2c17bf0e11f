"""Allure labels while the journeys run, on top of allure-pytest-bdd (active only with ``--alluredir``).

allure-pytest-bdd writes one Allure result per scenario run (steps, timings, Examples values as
parameters). This plugin adds what it cannot know: epic = the app, feature = the journey,
story = the scenario, severity from the tags, and ``harness_*`` labels (run id, test id, repeat, attempt)
that let the report stage find the result of each scenario run again (see
``harness/report/allure/results.py``). A replay index (``--harness-repeat``) becomes an
*excluded* parameter: every replay of a scenario shares one Allure history id, so Allure shows
the replays of a scenario as one test case with its other replays under "Retries" (and marks it
flaky when they disagree) instead of N separate test cases.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from harness.compat import allure_step, allure_test_case, patch_allure_title_path
from harness.contracts.allure import (
    LABEL_ATTEMPT,
    LABEL_REPEAT,
    LABEL_RUN_ID,
    LABEL_TEST_ID,
    REPEAT_PARAMETER,
    severity,
)

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, Scenario

    from harness.collect.config import CollectConfig



def allure_dir(config: pytest.Config) -> Path | None:
    """The folder allure-pytest-bdd writes into (``--alluredir``), or ``None`` when Allure is off."""
    value = getattr(config.option, "allure_report_dir", None)
    return Path(value).resolve() if value else None


def register(config: pytest.Config, cfg: CollectConfig) -> None:
    """Add the labels plugin when allure-pytest-bdd is active in this pytest run."""
    if allure_dir(config) is None or config.pluginmanager.has_plugin("harness-allure"):
        return
    _patch_title_path(cfg)
    config.pluginmanager.register(AllureLabels(cfg), "harness-allure")


def _patch_title_path(cfg: CollectConfig) -> None:
    """Features outside pytest's rootdir get their path relative to the project folder."""
    root = cfg.profile.folder.parent.parent if cfg.profile.source is not None else Path.cwd()

    def title_path(feature: Feature) -> list[str]:
        path = Path(feature.filename)
        with contextlib.suppress(ValueError):
            path = path.relative_to(root)
        return [*path.parts[:-1], feature.name or path.stem]

    patch_allure_title_path(title_path)


class AllureLabels:
    """Adds the harness's labels to the Allure result allure-pytest-bdd opened for a scenario run."""

    def __init__(self, cfg: CollectConfig) -> None:
        self.cfg = cfg

    @pytest.hookimpl(trylast=True)  # after allure-pytest-bdd opened the result
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest, feature: Feature,
                                   scenario: Scenario) -> None:
        from allure_commons.model2 import Label

        item = request.node
        callspec = getattr(item, "callspec", None)
        repeat = int(callspec.params.get(REPEAT_PARAMETER, 0)) if callspec else 0
        attempt = max(0, int(getattr(item, "execution_count", 1) or 1) - 1)
        tags = set(scenario.tags) | set(feature.tags)
        labels = {
            "epic": self.cfg.profile.title or self.cfg.profile.name,
            "feature": feature.name or Path(feature.filename).stem,
            "story": scenario.name,
            "severity": severity(tags),
            LABEL_RUN_ID: self.cfg.run_id,
            LABEL_TEST_ID: item.nodeid,
            LABEL_REPEAT: str(repeat),
            LABEL_ATTEMPT: str(attempt),
        }
        with allure_test_case(item) as result:
            if result is None:
                return
            result.labels = [label for label in result.labels if label.name not in labels]
            result.labels.extend(Label(name=name, value=value) for name, value in labels.items())
            for parameter in result.parameters:
                if parameter.name == REPEAT_PARAMETER:
                    parameter.name, parameter.value, parameter.excluded = "replay", json.dumps(repeat + 1), True

    @pytest.hookimpl(trylast=True)  # after allure-pytest-bdd added the step's arguments
    def pytest_bdd_before_step_call(self, request: pytest.FixtureRequest, feature: Feature, scenario: Scenario,
                                    step: Any, step_func: Any, step_func_args: dict[str, Any]) -> None:
        """Keep the step's own arguments as parameters; drop the fixtures (the journey object, say)."""
        keep = {name for name, value in step_func_args.items() if isinstance(value, str | int | float | bool)}
        with allure_step(request.config, step) as result:
            if result is not None:
                result.parameters = [p for p in result.parameters if p.name in keep]
