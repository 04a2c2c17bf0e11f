"""Guide checks as Allure test results: one result per guide, one step per guide step (from ``guides.json``).

A guide with a step the policy fails on is ``failed``, with a message that starts with
:data:`harness.report.allure.meta.GUIDE_MARK` so the "Broken guide" category holds it; each
broken step says why and, when the harness found one, the repaired selector it suggests.
"""

from __future__ import annotations

import json
from pathlib import Path

from allure_commons.model2 import Attachment, Label, Parameter, Status, StatusDetails, TestResult, TestStepResult
from allure_commons.utils import md5

from harness.contracts.guides import GuideResult, GuidesFile, GuideStepResult
from harness.guides.results import fail_on_of, no_suggestion_reason
from harness.report.allure.files import ResultsFolder, millis, stable_uuid
from harness.report.allure.meta import GUIDE_MARK
from harness.runfolder.guides import read_guides

GUIDES_FEATURE = "In-app guides"


def _step_line(step: GuideStepResult) -> str:
    """Why a guide step is not ok, and the suggested repair."""
    text = f"{step.status}: {step.message or ''}".strip()
    suggestion = step.suggestion
    if suggestion and suggestion.target:
        text += f"\nsuggested selector: {suggestion.target} (score {suggestion.score or 0:.2f})"
    elif step.status != "ok":
        text += f"\nno repair suggested: {no_suggestion_reason(step)}"
    return text


def guide_result(guide: GuideResult, checks: GuidesFile, app: str, run_id: str,
                 folder: ResultsFolder, run_dir: Path) -> TestResult:
    """The Allure result of one checked guide."""
    fail_on = set(fail_on_of(checks))
    start = millis(checks.checked_at)
    steps: list[TestStepResult] = []
    broken: list[str] = []
    for position, step in enumerate(guide.steps):
        index = step.index if step.index is not None else position
        failed = step.status in fail_on
        name = f"{index + 1}. {step.title or step.id} — {step.target}"
        shown = TestStepResult(name=name, status=Status.FAILED if failed else Status.PASSED, start=start, stop=start)
        shown.parameters = [Parameter(name="status", value=step.status),
                            Parameter(name="page", value=str(step.page))]
        if step.status != "ok":
            shown.statusDetails = StatusDetails(message=_step_line(step))
        if failed:
            broken.append(f"step {index + 1} ({step.target}): {_step_line(step)}")
        shot = step.evidence.screenshot
        if failed and shot and (run_dir / shot).is_file():
            key = f"{run_id}/guide/{guide.id}/{index}/screenshot"
            shown.attachments.append(Attachment(name="guide step screenshot", type="image/png",
                                                source=folder.copy(run_dir / shot, key, "png")))
        steps.append(shown)
    uuid = stable_uuid(f"{run_id}/guide/{guide.id}")
    full_name = f"guides/{guide.file or guide.id}:{guide.id}"
    result = TestResult(uuid=uuid, name=f"Guide: {guide.title or guide.id}", fullName=full_name,
                        testCaseId=md5(full_name), historyId=md5(full_name),
                        status=Status.FAILED if broken else Status.PASSED, steps=steps, start=start,
                        stop=(start or 0) + int(checks.duration_ms or 0) if start else None)
    if broken:
        result.statusDetails = StatusDetails(message=f"{GUIDE_MARK} {len(broken)} step(s) fail the guide policy\n"
                                             + "\n".join(broken))
    result.labels = [Label(name="epic", value=app), Label(name="feature", value=GUIDES_FEATURE),
                     Label(name="story", value=guide.title or guide.id),
                     Label(name="severity", value="critical" if broken else "normal"),
                     Label(name="tag", value="guide"), Label(name="suite", value=GUIDES_FEATURE)]
    body = json.dumps({"guide": guide.id, "file": guide.file, "status": guide.status,
                       "steps": [s.model_dump(mode="json", exclude={"evidence"}) for s in guide.steps]},
                      indent=2, ensure_ascii=False)
    result.attachments.append(Attachment(name="guide check", type="application/json",
                                         source=folder.text(body, f"{run_id}/guide/{guide.id}/check", "json")))
    return result


def write_guide_results(run_dir: Path, folder: ResultsFolder, app: str, run_id: str) -> int:
    """Write one Allure result per guide of ``guides.json`` (none when the run has no guides); return how many."""
    read = read_guides(run_dir)
    if read is None or read.error is not None:  # the HTML report says why
        return 0
    for guide in read.file.guides:
        folder.write_result(guide_result(guide, read.file, app, run_id, folder, run_dir))
    return len(read.file.guides)
