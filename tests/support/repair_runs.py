"""Run folders whose steps carry UI-map repairs, written by hand (no browser): failed steps with and without a
suggestion, and healed steps (``--heal``), with hostile app text in every field a repair shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.contracts.records import StepRecord
from tests.support.step_records import rec, run_folder

XSS = "<script>alert('repair')</script>"
LINK = "[click me](https://evil.example/steal)"
CONTROL = "\x1b[2J\x1b]8;;https://evil.example/\x07"
OLD = "#pay"
NEW = 'button[data-test="pay-now"]'
ALT = "form.checkout button.primary"
HEALED_OLD = "#search"
HEALED_NEW = 'input[name="q"]'
REASON = "same text “Pay now”"
NOTE = f"covered by div.cookie-banner {XSS} {LINK} {CONTROL}"


def suggestion(target: str = NEW, score: float = 0.91, reasons: list[str] | None = None) -> dict[str, Any]:
    """A suggested selector with reasons (one hostile) and an alternative."""
    return {"target": target, "css": target, "score": score,
            "reasons": reasons if reasons is not None else [REASON, f"reason {XSS} {LINK} {CONTROL}"],
            "alternatives": [{"target": ALT, "score": 0.62}]}


def repair(target: str = "checkout.pay", selector: str = OLD, cause: str = "missing", **fields: Any) -> dict[str, Any]:
    """A ``TargetRepair`` as a dict (suggestion, hostile diff, baseline by default)."""
    out: dict[str, Any] = {
        "target": target, "selector": selector, "cause": cause, "repairable": True, "suggestion": suggestion(),
        "baseline_run": "run-0", "baseline_at": "2026-01-01T00:00:00+00:00",
        "diff": [{"field": "id", "old": "pay", "new": "pay-now"}, {"field": "text", "old": "Pay", "new": f"Pay {XSS}"}],
    }
    return {**out, **fields}


def _steps(name: str, fail_at: int, status: str, repair_fields: dict[str, Any] | None, *, repeat: int = 0,
           error: str = "Timeout 5000 ms exceeded", kind: str = "missing", journey: str = "Checkout",
           target: str = "checkout.pay", selector: str = OLD) -> list[StepRecord]:
    """Three steps of one replay; step ``fail_at`` has ``status`` (failed or healed) and the repair."""
    out = []
    for i in range(3):
        if i < fail_at:
            step_status = "passed"
        elif i == fail_at:
            step_status = status
        else:
            step_status = "not_run" if status == "failed" else "passed"
        fields: dict[str, Any] = {}
        if i == fail_at:
            fields = {"target": target, "selector": selector, "repair": repair_fields}
            if status == "failed":
                fields.update(error=error, error_kind=kind)
        out.append(rec(i, step_status, repeat, scenario=name, journey=journey, test_id=f"{name}[{repeat}]",
                       duration_ms=None if step_status == "not_run" else 100.0 + i, scenario_steps=3, **fields))
    return out


def failed_with_suggestion(repeat: int = 0) -> list[StepRecord]:
    """A replay of "Pay" whose step 2 failed on ``checkout.pay``: a suggestion (#pay → the new button)."""
    return _steps("Pay", 1, "failed", repair(), repeat=repeat)


def failed_without_suggestion() -> list[StepRecord]:
    """A replay of "Export" whose step 2 failed as covered: no suggestion, a hostile note."""
    fields = repair(target="expenses.export", selector="#export", cause="covered", repairable=False,
                    suggestion=None, note=NOTE, diff=[])
    return _steps("Export", 1, "failed", fields, kind="covered", journey="Expenses", target="expenses.export",
                  selector="#export")


def healed(repeat: int = 0, name: str = "Search") -> list[StepRecord]:
    """A replay whose step 2 was healed: ``#search`` → ``input[name="q"]``, applied at run time."""
    fields = repair(target="search.box", selector=HEALED_OLD, healed=True,
                    suggestion=suggestion(HEALED_NEW, 0.88, ["same placeholder “Search”", f"hostile {XSS}"]))
    return _steps(name, 1, "healed", fields, repeat=repeat, journey="Search", target="search.box",
                  selector=HEALED_OLD)


def passed(name: str = "Browse", journey: str = "Search") -> list[StepRecord]:
    """A replay whose three steps passed."""
    return [rec(i, "passed", scenario=name, journey=journey, test_id=f"{name}[0]", scenario_steps=3)
            for i in range(3)]


def repair_run(path: Path) -> Path:
    """A run with a failure that has a suggestion, one without, a healed scenario and a passed one."""
    return run_folder(path, [*failed_with_suggestion(), *failed_without_suggestion(), *healed(), *passed()])


def healed_run(path: Path) -> Path:
    """A run whose only problem is a healed step (every scenario passed; "Search" passed only by healing)."""
    return run_folder(path, [*healed(), *passed()])
