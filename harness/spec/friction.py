"""The ``friction:`` section of an app profile: thresholds, ignore lists, disabled rules, per-journey overrides.

Every threshold is a ``[medium, high]`` pair: a figure over ``medium`` is a medium finding, a
figure at or over ``high`` a high one. Defaults follow web.dev's "good" / "poor" limits where
web.dev has one; the contract is in docs/friction.md.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

RULES: tuple[str, ...] = (
    "over-budget", "slow-page-load", "slow-interaction", "long-wait", "layout-shift", "blocking-scripts",
    "failed-request", "console-error", "refused-input", "dead-click", "covered-target", "longer-journey",
    "a11y-violation",
)
"""The rule ids ``disable:`` accepts; each rule, with its title and the rest, is a module of
``harness/friction/rules/`` (a test keeps the two lists equal)."""

DEFAULT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "lcp_ms": (2500.0, 4000.0),
    "ttfb_ms": (800.0, 1800.0),
    "load_ms": (3000.0, 6000.0),
    "interaction_ms": (200.0, 500.0),
    "cls": (0.1, 0.25),
    "tbt_ms": (200.0, 600.0),
    "wait_ms": (2000.0, 5000.0),
    "budget_ratio": (1.0, 2.0),
    "page_loads_ratio": (1.5, 2.0),
    "steps_ratio": (1.5, 2.0),
}
"""Threshold name -> (medium, high)."""

DEFAULT_IGNORE_REQUESTS = ("*/favicon.ico",)
DEFAULT_IGNORE_CONSOLE = ("Failed to load resource*",)

Pair = tuple[float, float]


def _unknown_threshold(name: str) -> str | None:
    """Say what is wrong with a threshold name, or ``None`` when it is known."""
    if name in DEFAULT_THRESHOLDS:
        return None
    close = difflib.get_close_matches(name, list(DEFAULT_THRESHOLDS), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(DEFAULT_THRESHOLDS)}"
    return f"unknown threshold {name!r} ({hint})"


def _known_names(value: Any, handler: ValidatorFunctionWrapHandler) -> dict[str, Pair]:
    """Reject unknown threshold names at their own key (so the error points at its line)."""
    if isinstance(value, dict):
        for name in value:
            problem = _unknown_threshold(str(name))
            if problem:
                error = InitErrorDetails(type=PydanticCustomError("unknown_threshold", "{problem}",
                                                                  {"problem": problem}),
                                         loc=(str(name),), input=value[name])
                raise ValidationError.from_exception_data("thresholds", [error])
    return handler(value)


def _pair_shape(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise PydanticCustomError("bad_pair", "write a threshold as [medium, high] (two numbers), not {value}",
                                  {"value": repr(value)})
    return value


def _pair(value: tuple[float, float]) -> tuple[float, float]:
    medium, high = value
    if medium < 0 or high < 0:
        raise PydanticCustomError("bad_pair", "thresholds must not be negative (got [{m}, {h}])",
                                  {"m": medium, "h": high})
    if medium > high:
        raise PydanticCustomError("bad_pair", "write [medium, high] with medium <= high (got [{m}, {h}])",
                                  {"m": medium, "h": high})
    return float(medium), float(high)


def _rule_id(rule: str) -> str:
    if rule not in RULES:
        raise PydanticCustomError("unknown_rule", "unknown rule {rule} (known rules: {known})",
                                  {"rule": repr(rule), "known": ", ".join(RULES)})
    return rule


ThresholdPair = Annotated[tuple[float, float], BeforeValidator(_pair_shape), AfterValidator(_pair)]
Thresholds = Annotated[dict[str, ThresholdPair], WrapValidator(_known_names)]
RuleId = Annotated[str, AfterValidator(_rule_id)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Expected(_Strict):
    """What a journey is expected to take, for ``longer-journey`` when no baseline run is given."""

    page_loads: int | None = Field(default=None, ge=0)
    steps: int | None = Field(default=None, ge=0)


class JourneyOverride(_Strict):
    """Settings for the journeys whose feature name, feature file or scenario name match a glob."""

    match: str
    thresholds: Thresholds = Field(default_factory=dict)
    """Merged over the app-wide thresholds."""
    disable: list[RuleId] = Field(default_factory=list)
    """Added to the app-wide disabled rules."""
    expected: Expected | None = None

    def matches(self, journey: str, feature_file: str, scenario: str) -> bool:
        """True when the glob matches the feature's name, its file (path or name) or the scenario's name."""
        names = (journey, feature_file, PurePosixPath(feature_file).name, scenario)
        return any(fnmatch.fnmatchcase(name, self.match) for name in names)


@dataclass(frozen=True)
class ScenarioSettings:
    """The settings in force for one scenario: plain data for the rules.

    Attributes:
        thresholds: Threshold name -> (medium, high), every name present.
        ignore_requests: Globs on the URL of failed requests to leave out.
        ignore_console: Globs on console and page error texts to leave out.
        disabled: Rule ids switched off.
        expected: The journey's expected page loads and steps, when its override says.
    """

    thresholds: dict[str, Pair] = field(default_factory=lambda: dict(DEFAULT_THRESHOLDS))
    ignore_requests: tuple[str, ...] = DEFAULT_IGNORE_REQUESTS
    ignore_console: tuple[str, ...] = DEFAULT_IGNORE_CONSOLE
    disabled: frozenset[str] = frozenset()
    expected: Expected | None = None

    def ignored_request(self, url: str) -> bool:
        """True when a failed request's URL matches an ignore glob."""
        return any(fnmatch.fnmatchcase(url, glob) for glob in self.ignore_requests)

    def ignored_console(self, text: str) -> bool:
        """True when a console or page error text matches an ignore glob."""
        return any(fnmatch.fnmatchcase(text, glob) for glob in self.ignore_console)


class FrictionSettings(_Strict):
    """A validated ``friction:`` section (every key optional)."""

    thresholds: Thresholds = Field(default_factory=dict)
    """Overrides of :data:`DEFAULT_THRESHOLDS`."""
    ignore_requests: list[str] = Field(default_factory=lambda: list(DEFAULT_IGNORE_REQUESTS))
    """Replaces the default list when given."""
    ignore_console: list[str] = Field(default_factory=lambda: list(DEFAULT_IGNORE_CONSOLE))
    """Replaces the default list when given."""
    disable: list[RuleId] = Field(default_factory=list)
    journeys: list[JourneyOverride] = Field(default_factory=list)
    """Per-journey overrides; the first that matches wins."""

    def app_thresholds(self) -> dict[str, Pair]:
        """The defaults merged with the app-wide thresholds."""
        return {**DEFAULT_THRESHOLDS, **self.thresholds}

    def override_for(self, journey: str, feature_file: str, scenario: str) -> JourneyOverride | None:
        """The first journey override that matches, if any."""
        return next((o for o in self.journeys if o.matches(journey, feature_file, scenario)), None)

    def for_scenario(self, journey: str, feature_file: str, scenario: str) -> ScenarioSettings:
        """The settings in force for one scenario: app-wide ones with its override merged over them."""
        override = self.override_for(journey, feature_file, scenario)
        thresholds = self.app_thresholds()
        disabled = set(self.disable)
        if override is not None:
            thresholds.update(override.thresholds)
            disabled.update(override.disable)
        return ScenarioSettings(thresholds=thresholds, ignore_requests=tuple(self.ignore_requests),
                                ignore_console=tuple(self.ignore_console), disabled=frozenset(disabled),
                                expected=override.expected if override else None)
