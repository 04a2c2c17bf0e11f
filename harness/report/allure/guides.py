"""Guide checks as Allure test results: one result per guide, one step per guide step (from ``guides.json``).

A guide with a step the policy fails on is ``failed``, with a message that starts with
:data:`harness.report.allure.meta.GUIDE_MARK` so the "Broken guide" category holds it; each
broken step says why and, when the harness found one, the repaired selector it suggests.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from allure_commons.model2 import Attachment, Label, Parameter, Status, StatusDetails, TestResult, TestStepResult
from allure_commons.utils import md5

from harness.report.allure.files import ResultsFolder, millis, stable_uuid
from harness.report.allure.meta import GUIDE_MARK

GUIDES_FEATURE = "In-app guides"
DEFAULT_FAIL_ON = ("page_error", "missing", "ambiguous", "hidden", "offscreen", "covered", "disabled", "text_changed")


def _step_line(step: dict[str, Any]) -> str:
    """Why a guide step is not ok, and the suggested repair."""
    text = f"{step.get('status')}: {step.get('message') or ''}".strip()
    suggestion = step.get("suggestion") or None
    if suggestion and suggestion.get("target"):
        text += f"\nsuggested selector: {suggestion['target']} (score {float(suggestion.get('score') or 0):.2f})"
    elif step.get("status") != "ok":
        text += "\nno repair suggested"
    return text


def guide_result(guide: dict[str, Any], checks: dict[str, Any], app: str, run_id: str,
                 folder: ResultsFolder, run_dir: Path) -> TestResult:
    """The Allure result of one checked guide."""
    fail_on = set((checks.get("policy") or {}).get("fail_on") or DEFAULT_FAIL_ON)
    start = millis(checks.get("checked_at"))
    steps: list[TestStepResult] = []
    broken: list[str] = []
    for step in guide.get("steps") or []:
        status = step.get("status") or "ok"
        failed = status in fail_on
        name = f"{int(step.get('index', 0)) + 1}. {step.get('title') or step.get('id') or ''} — {step.get('target')}"
        result = TestStepResult(name=name, status=Status.FAILED if failed else Status.PASSED, start=start, stop=start)
        result.parameters = [Parameter(name="status", value=status),
                             Parameter(name="page", value=str(step.get("page")))]
        if status != "ok":
            result.statusDetails = StatusDetails(message=_step_line(step))
        if failed:
            broken.append(f"step {int(step.get('index', 0)) + 1} ({step.get('target')}): {_step_line(step)}")
        shot = (step.get("evidence") or {}).get("screenshot")
        if failed and shot and (run_dir / shot).is_file():
            key = f"{run_id}/guide/{guide.get('id')}/{step.get('index')}/screenshot"
            result.attachments.append(Attachment(name="guide step screenshot", type="image/png",
                                                 source=folder.copy(run_dir / shot, key, "png")))
        steps.append(result)
    uuid = stable_uuid(f"{run_id}/guide/{guide.get('id')}")
    full_name = f"guides/{guide.get('file') or guide.get('id')}:{guide.get('id')}"
    result = TestResult(uuid=uuid, name=f"Guide: {guide.get('title') or guide.get('id')}", fullName=full_name,
                        testCaseId=md5(full_name), historyId=md5(full_name),
                        status=Status.FAILED if broken else Status.PASSED, steps=steps, start=start,
                        stop=(start or 0) + int(checks.get("duration_ms") or 0) if start else None)
    if broken:
        result.statusDetails = StatusDetails(message=f"{GUIDE_MARK} {len(broken)} step(s) fail the guide policy\n"
                                             + "\n".join(broken))
    result.labels = [Label(name="epic", value=app), Label(name="feature", value=GUIDES_FEATURE),
                     Label(name="story", value=str(guide.get("title") or guide.get("id"))),
                     Label(name="severity", value="critical" if broken else "normal"),
                     Label(name="tag", value="guide"), Label(name="suite", value=GUIDES_FEATURE)]
    body = json.dumps({"guide": guide.get("id"), "file": guide.get("file"), "status": guide.get("status"),
                       "steps": [{k: v for k, v in s.items() if k != "evidence"} for s in guide.get("steps") or []]},
                      indent=2, ensure_ascii=False)
    result.attachments.append(Attachment(name="guide check", type="application/json",
                                         source=folder.text(body, f"{run_id}/guide/{guide.get('id')}/check", "json")))
    return result


def write_guide_results(run_dir: Path, folder: ResultsFolder, app: str, run_id: str) -> int:
    """Write one Allure result per guide of ``guides.json`` (none when the run has no guides); return how many."""
    path = run_dir / "guides.json"
    if not path.is_file():
        return 0
    checks = json.loads(path.read_text(encoding="utf-8"))
    count = 0
    for guide in checks.get("guides") or []:
        folder.write_result(guide_result(guide, checks, app, run_id, folder, run_dir))
        count += 1
    return count
