"""Journey repairs on plain data: which failures a selector can repair, why not, and the targets' baselines."""

from __future__ import annotations

from pathlib import Path

from harness.collect.target_repair import _detail
from harness.contracts.records import RunInfo
from harness.contracts.targets import TARGETS_JSON
from harness.guides.targets import nothing_close, repairable, text_changed, why_not
from harness.runfolder.history import register, target_baselines
from harness.runfolder.io import append_record, write_run_info
from harness.runfolder.targets import merge_newest, read_targets, targets_of, write_targets
from tests.support.step_records import rec

BUTTON = {"tag": "button", "id": "save", "text": "Save", "classes": ["btn"], "selector": "#save"}


def test_only_a_selectors_failures_are_repairable() -> None:
    assert all(repairable(kind) for kind in ("missing", "ambiguous", "hidden", "text_changed"))
    assert not any(repairable(kind) for kind in ("covered", "disabled", "timeout", "assertion", None))


def test_why_no_repair_names_the_cause() -> None:
    covered = _detail("covered", "cannot click 'x' (#x): another element covers it — "
                                 '<div id="cookie-banner" class="c">…</div> intercepts pointer events')
    assert covered == '<div id="cookie-banner" class="c">…</div> receives the click'
    assert "cookie-banner" in why_not("covered", "ticket.submit", covered)
    assert "dismiss" in why_not("covered", "ticket.submit")
    assert "not on finding a UI-map target" in why_not("text_not_found", None)
    assert "disabled" in why_not("disabled", "expense.submit")
    assert "(page_error)" not in why_not("page_error", "x") and "load" in why_not("page_error", "x")


def test_nothing_close_names_the_closest_and_a_hidden_targets_likely_menu() -> None:
    note = nothing_close("approvals.approve", "hidden", 0.5, (0.38, "<button.toggle> 'Actions'"))
    assert "0.38" in note and "Actions" in note and "menu" in note
    assert "menu" not in nothing_close("x", "missing", 0.5, None)


def test_text_changed_is_the_same_element_with_other_words() -> None:
    assert text_changed([{"field": "text", "old": "New", "new": "Add"}])
    assert not text_changed([{"field": "text", "old": "New", "new": "Add"}, {"field": "id", "old": "a", "new": "b"}])
    assert not text_changed([{"field": "classes", "old": [], "new": ["x"]}])


def test_targets_json_keeps_each_targets_newest_passing_fingerprint() -> None:
    older = rec(0, fingerprints={"form.save": {**BUTTON, "text": "Old"}}, started_at="2026-01-01T00:00:01Z")
    newer = rec(1, fingerprints={"form.save": BUTTON}, started_at="2026-01-01T00:00:02Z", url="http://app/form")
    failed = rec(2, status="failed", fingerprints={"form.cancel": BUTTON}, started_at="2026-01-01T00:00:03Z")
    healed = rec(3, status="healed", fingerprints={"form.name": {"tag": "input"}}, started_at="2026-01-01T00:00:04Z")
    found = targets_of([newer, failed, older, healed])
    assert set(found.targets) == {"form.save", "form.name"}
    save = found.targets["form.save"]
    assert save.fingerprint["text"] == "Save" and save.selector == "#save" and "selector" not in save.fingerprint
    assert (save.run_id, save.url, save.step) == ("run-1", "http://app/form", "step 1")


def test_the_history_gives_each_target_the_newest_run_that_passed_it(tmp_path: Path) -> None:
    history = tmp_path / "history"
    runs = (("run-a", "2026-01-01T00:00:00+00:00", {"form.save": BUTTON, "form.name": {"tag": "input"}}),
            ("run-b", "2026-01-02T00:00:00+00:00", {"form.save": {**BUTTON, "id": "save2"}}))
    for run_id, started, prints in runs:
        folder = tmp_path / run_id
        folder.mkdir()
        write_run_info(folder, RunInfo(run_id=run_id, app="demo", base_url="http://app", harness_version="0",
                                       started_at=started, ended_at=started, status="complete", exit_code=0))
        append_record(folder, rec(0, run_id=run_id, fingerprints=prints, started_at=started))
        write_targets(folder)
        register(folder, history)
        assert (history / "runs" / run_id / TARGETS_JSON).is_file()
    baselines = target_baselines(history, "demo")
    save = baselines.targets["form.save"]
    assert save.run_id == "run-b" and save.fingerprint["id"] == "save2"
    assert baselines.targets["form.name"].run_id == "run-a"  # not in run-b: the last run that passed it
    assert target_baselines(history, "other").targets == {}
    assert target_baselines(tmp_path / "nowhere", "demo").targets == {}
    assert read_targets(tmp_path / "missing.json").targets == {}
    assert merge_newest([]).targets == {}
