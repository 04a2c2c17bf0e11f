"""The ``friction:`` section of app.yaml: defaults, per-journey overrides, errors with file:line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.spec.friction import DEFAULT_THRESHOLDS, RULES, FrictionSettings
from harness.spec.profile import load_profile

HEAD = "schema_version: 1\nname: mini\nbase_url: http://127.0.0.1:9\n"

FULL = """\
friction:
  thresholds:
    lcp_ms: [2000, 3500]
    cls: [0.05, 0.2]
  ignore_requests: ["*/favicon.ico", "*/analytics/*"]
  ignore_console: ["Failed to load resource*"]
  disable: [layout-shift]
  journeys:
    - match: "Submit an expense*"
      thresholds: {wait_ms: [3000, 8000]}
      disable: [a11y-violation]
      expected: {page_loads: 4, steps: 12}
    - match: "tickets.feature"
      thresholds: {tbt_ms: [300, 900]}
    - match: "*"
      thresholds: {wait_ms: [1, 2]}
"""


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return path


def error_of(tmp_path: Path, body: str) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_profile(write(tmp_path, body))
    return caught.value


def test_no_section_means_defaults(tmp_path: Path) -> None:
    friction = load_profile(write(tmp_path, "")).friction
    assert friction.app_thresholds() == DEFAULT_THRESHOLDS
    assert DEFAULT_THRESHOLDS["lcp_ms"] == (2500.0, 4000.0)
    assert DEFAULT_THRESHOLDS["interaction_ms"] == (200.0, 500.0)
    assert friction.ignore_requests == ["*/favicon.ico"]
    assert friction.ignore_console == ["Failed to load resource*"]
    settings = friction.for_scenario("Any", "journeys/mini/any.feature", "Any scenario")
    assert settings.disabled == frozenset()
    assert settings.expected is None
    assert settings.thresholds == DEFAULT_THRESHOLDS
    assert settings.ignored_request("http://x/favicon.ico")
    assert not settings.ignored_request("http://x/api/favicon.json")
    assert settings.ignored_console("Failed to load resource: the server responded with a status of 404")


def test_app_wide_thresholds_merge_over_the_defaults(tmp_path: Path) -> None:
    friction = load_profile(write(tmp_path, FULL)).friction
    thresholds = friction.app_thresholds()
    assert thresholds["lcp_ms"] == (2000.0, 3500.0)
    assert thresholds["cls"] == (0.05, 0.2)
    assert thresholds["ttfb_ms"] == (800.0, 1800.0)
    assert friction.ignore_requests == ["*/favicon.ico", "*/analytics/*"]


def test_first_matching_journey_override_wins_and_merges(tmp_path: Path) -> None:
    friction = load_profile(write(tmp_path, FULL)).friction
    by_feature_name = friction.for_scenario("Submit an expense with a receipt", "journeys/mini/expense.feature",
                                            "Happy path")
    assert by_feature_name.thresholds["wait_ms"] == (3000.0, 8000.0)
    assert by_feature_name.thresholds["lcp_ms"] == (2000.0, 3500.0)  # the app-wide value still applies
    assert by_feature_name.disabled == frozenset({"layout-shift", "a11y-violation"})
    assert by_feature_name.expected is not None
    assert (by_feature_name.expected.page_loads, by_feature_name.expected.steps) == (4, 12)

    by_file = friction.for_scenario("Support", "journeys/mini/tickets.feature", "Open a ticket")
    assert by_file.thresholds["tbt_ms"] == (300.0, 900.0)
    assert by_file.thresholds["wait_ms"] == DEFAULT_THRESHOLDS["wait_ms"]  # "*" comes later: not applied
    assert by_file.disabled == frozenset({"layout-shift"})
    assert by_file.expected is None

    by_scenario = friction.for_scenario("Expenses", "journeys/mini/e.feature", "Submit an expense twice")
    assert by_scenario.thresholds["wait_ms"] == (3000.0, 8000.0)

    fallback = friction.for_scenario("Other", "journeys/mini/other.feature", "Other")
    assert fallback.thresholds["wait_ms"] == (1.0, 2.0)


def test_medium_above_high_names_the_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, "friction:\n  thresholds:\n    lcp_ms: [2500, 4000]\n    cls: [0.3, 0.1]\n")
    assert error.file is not None and error.file.endswith("app.yaml")
    assert error.line == 7
    assert "friction.thresholds.cls" in error.message
    assert "medium <= high" in error.message


def test_negative_and_malformed_pairs(tmp_path: Path) -> None:
    negative = error_of(tmp_path, "friction:\n  thresholds:\n    wait_ms: [-1, 10]\n")
    assert negative.line == 6
    assert "must not be negative" in negative.message
    single = error_of(tmp_path, "friction:\n  thresholds:\n    tbt_ms: [300]\n")
    assert single.line == 6
    assert "[medium, high]" in single.message


def test_unknown_threshold_suggests_the_closest_name(tmp_path: Path) -> None:
    error = error_of(tmp_path, "friction:\n  thresholds:\n    lcp_ms: [1, 2]\n    ttfb: [1, 2]\n")
    assert error.line == 7
    assert "unknown threshold 'ttfb'" in error.message
    assert "did you mean 'ttfb_ms'?" in error.message


def test_unknown_threshold_in_a_journey_override(tmp_path: Path) -> None:
    body = """\
    friction:
      journeys:
        - match: "*"
          thresholds:
            wait: [1, 2]
    """
    error = error_of(tmp_path, body)
    assert error.line == 8
    assert "friction.journeys.0.thresholds.wait" in error.message
    assert "did you mean 'wait_ms'?" in error.message


def test_unknown_rule_in_disable_lists_the_known_rules(tmp_path: Path) -> None:
    error = error_of(tmp_path, "friction:\n  disable:\n    - dead-click\n    - dead-clicks\n")
    assert error.line == 7
    assert "unknown rule 'dead-clicks'" in error.message
    assert "known rules: over-budget, slow-page-load" in error.message
    in_journey = error_of(tmp_path, "friction:\n  journeys:\n    - match: x\n      disable: [nope]\n")
    assert in_journey.line == 7
    assert "unknown rule 'nope'" in in_journey.message


def test_unknown_keys_and_bad_expected_name_their_line(tmp_path: Path) -> None:
    key = error_of(tmp_path, "friction:\n  threshold:\n    lcp_ms: [1, 2]\n")
    assert key.line == 5
    assert "friction.threshold" in key.message
    expected = error_of(tmp_path, "friction:\n  journeys:\n    - match: x\n      expected: {steps: -3}\n")
    assert expected.line == 7
    assert "friction.journeys.0.expected.steps" in expected.message


def test_every_rule_id_can_be_disabled(tmp_path: Path) -> None:
    rules = ", ".join(RULES)
    friction = load_profile(write(tmp_path, f"friction:\n  disable: [{rules}]\n")).friction
    assert set(friction.disable) == set(RULES)
    assert len(RULES) == 13


def test_settings_model_validates_without_a_file() -> None:
    settings = FrictionSettings.model_validate({"thresholds": {"budget_ratio": [1.2, 3]}})
    assert settings.app_thresholds()["budget_ratio"] == (1.2, 3.0)
