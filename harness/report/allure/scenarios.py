"""An Allure result for a scenario run, built from its step records when allure-pytest-bdd wrote none.

allure-pytest-bdd writes a scenario's result when its test ends; a scenario whose set-up failed,
or a run killed half way, leaves step records in ``steps.jsonl`` without a result. The report
stage fills those gaps from the records, with the same labels as the live results.
"""

from __future__ import annotations

import json

from allure_commons.model2 import Label, Parameter, Status, StatusDetails, TestResult, TestStepResult
from allure_commons.utils import md5

from harness.contracts.allure import LABEL_ATTEMPT, LABEL_REPEAT, LABEL_RUN_ID, LABEL_TEST_ID, severity
from harness.contracts.records import StepRecord
from harness.outcomes import ReplayStatus
from harness.report.allure.files import millis, stable_uuid

STATUS = {"passed": Status.PASSED, "healed": Status.PASSED, "failed": Status.FAILED, "skipped": Status.SKIPPED,
          "not_run": Status.SKIPPED}
"""A step's status as Allure's: a healed step passed (``--heal``); its result says it was healed (``results``)."""
REPLAY_STATUS = {"passed": Status.PASSED, "failed": Status.FAILED, "skipped": Status.SKIPPED,
                 "incomplete": Status.BROKEN}
"""A replay's status (``harness.outcomes``) as Allure's: a replay that did not finish is ``broken``."""
INCOMPLETE_MESSAGE = "incomplete: the run stopped before this scenario run finished"


def scenario_result(steps: list[StepRecord], epic: str, status: ReplayStatus) -> TestResult:
    """The Allure result of one scenario run (one test id, repeat and attempt), from its records in step order.

    ``status``: the attempt's status as ``harness.outcomes`` judges it (``judge_steps``).
    """
    first = steps[0]
    full_name = f"{first.feature_file}:{first.scenario}"
    example = [Parameter(name=k, value=v) for k, v in first.example.items()]
    replay = Parameter(name="replay", value=json.dumps(first.repeat + 1), excluded=True)
    result = TestResult(
        uuid=stable_uuid(f"{first.run_id}/scenario/{first.test_id}/{first.repeat}/{first.attempt}"),
        name=first.scenario, fullName=full_name, testCaseId=md5(full_name),
        historyId=f"{md5(full_name)}.{md5(*(p.value for p in sorted(example, key=lambda p: p.name)))}",
        status=REPLAY_STATUS[status], parameters=[*example, replay],
    )
    for record in steps:
        start = millis(record.started_at)
        stop = start + round(record.duration_ms) if start is not None and record.duration_ms is not None else start
        step = TestStepResult(name=f"{record.keyword} {record.text}", status=STATUS[record.status], start=start,
                              stop=stop)
        if record.error:
            step.statusDetails = StatusDetails(message=record.error)
        result.steps.append(step)
    times = [t for s in result.steps for t in (s.start, s.stop) if t is not None]
    result.start, result.stop = (min(times), max(times)) if times else (None, None)
    failed = next((r for r in steps if r.status == "failed"), None)
    if failed is not None:
        result.statusDetails = StatusDetails(message=failed.error or "failed")
    elif status == "incomplete":
        result.statusDetails = StatusDetails(message=INCOMPLETE_MESSAGE)
    labels = {"epic": epic, "feature": first.journey, "story": first.scenario, "severity": severity(first.tags),
              "framework": "pytest-bdd", LABEL_RUN_ID: first.run_id, LABEL_TEST_ID: first.test_id,
              LABEL_REPEAT: str(first.repeat), LABEL_ATTEMPT: str(first.attempt)}
    result.labels = [Label(name=k, value=v) for k, v in labels.items()]
    result.labels += [Label(name="tag", value=tag) for tag in first.tags]
    return result
