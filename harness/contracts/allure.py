"""The labels that tie an Allure result to its scenario run: written live, read by the report stage."""

from __future__ import annotations

SEVERITIES = ("blocker", "critical", "normal", "minor", "trivial")
LABEL_RUN_ID = "harness_run_id"
LABEL_TEST_ID = "harness_test_id"
LABEL_REPEAT = "harness_repeat"
LABEL_ATTEMPT = "harness_attempt"
REPEAT_PARAMETER = "harness_repeat"


def severity(tags: set[str] | list[str]) -> str:
    """The Allure severity a scenario's tags give (``@critical``, ``@severity:minor``...); ``normal`` by default."""
    found = []
    for tag in tags:
        name = tag.lower().lstrip("@")
        for prefix in ("severity:", "severity_", "severity="):
            name = name.removeprefix(prefix)
        if name in SEVERITIES:
            found.append(name)
    return min(found, key=SEVERITIES.index) if found else "normal"
