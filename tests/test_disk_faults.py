"""A run folder on a full disk or a read-only file system: real faults (tmpfs, a read-only bind mount).

What was measured survives whole, each output is attempted on its own, ``run.json`` is closed as well
as the disk allows and names what could not be written, the command says so once and exits non-zero,
and ``harness report RUN_DIR`` writes the rest once there is room again.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from harness.collect.config import CollectConfig
from harness.contracts.guides import GuideStepCheck
from harness.contracts.records import RUN_FILE, STEPS_JSONL, StepRecord
from harness.contracts.settings import SETTINGS_FILE, RunSettings
from harness.pipeline import end_of_run, finish_run
from harness.runfolder.files import append_line
from harness.runfolder.guides import append_guide_step
from harness.runfolder.settings import write_settings
from harness.spec.profile import load_profile
from tests.support.cli import cli
from tests.support.mounts import fill, read_only_view, small_disk
from tests.support.run_folders import records, run_info
from tests.support.servers import serve_folder
from tests.support.step_records import run_folder, scenario

OUTPUTS = ("steps.parquet", "targets.json", "findings.json", "report.html", "junit.xml", "summary.md", "steps.csv")
"""What the end of a run writes from its records (guides.csv and Allure results only with guides, --allure-dir)."""
NO_SPACE = "No space left on device"


def _records() -> list[StepRecord]:
    return scenario("Submit an expense", loads=2) + scenario("Approve it", loads=1)


def test_a_line_the_full_disk_cannot_hold_is_not_appended_at_all(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "1m") as disk:
        path = disk / STEPS_JSONL
        append_line(path, '{"first": 1}\n')
        fill(disk)  # the file keeps the free end of its block: 4 KB less a line
        line = json.dumps({"text": "x" * 3000}) + "\n"
        append_line(path, line)  # fits in what its block has left
        before = path.read_bytes()
        with pytest.raises(OSError) as caught:
            append_line(path, line)  # does not: the first part would fit, the rest would not
        assert caught.value.errno == errno.ENOSPC
        assert path.read_bytes() == before  # cut back: no half line
        assert [json.loads(line) for line in before.decode().splitlines()] == [{"first": 1}, {"text": "x" * 3000}]


def test_the_end_of_a_run_on_a_full_disk_keeps_the_records_and_closes_run_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.yaml").write_text("schema_version: 1\nname: nowhere-app\n")
    settings = RunSettings(app=str(tmp_path / "app.yaml"), guides=tmp_path / "no-guides")
    with small_disk(tmp_path / "disk") as disk:
        run_dir = run_folder(disk / "run", _records())
        write_settings(run_dir / SETTINGS_FILE, settings.model_copy(update={"out": run_dir}))
        append_guide_step(run_dir, GuideStepCheck.model_validate(  # a guide step checked inside a journey
            {"guide": "tour", "id": "save", "index": 0, "page": "/expenses", "status": "ok"}))
        steps = (run_dir / STEPS_JSONL).read_bytes()
        filler = fill(disk)
        cfg = CollectConfig(settings=settings, base_url="http://app", profile=load_profile(tmp_path / "app.yaml"),
                            run_dir=run_dir, run_id="run-1")
        info = end_of_run(cfg, exitstatus=0)  # the plugin's end of a run: no exception
        assert (run_dir / STEPS_JSONL).read_bytes() == steps
        saved = run_info(run_dir)  # closed in place: the disk had no room for a new copy
        assert saved.status == "complete" and saved.ended_at and saved.exit_code == 0
        assert saved.totals["scenarios_passed"] == 2
        for name in ("guides.json", *OUTPUTS, "history"):  # each attempted, each named with the OS error
            assert saved.unwritten.get(name) == NO_SPACE, (name, saved.unwritten)
        assert info.unwritten == saved.unwritten
        stderr = capsys.readouterr().err
        assert f"harness: report.html could not be written: {NO_SPACE}" in stderr
        assert "Traceback" not in stderr

        filler.unlink()  # room again
        done = cli("report", run_dir)
        assert done.returncode == 0, done.stdout + done.stderr
        for name in ("guides.json", "guides.csv", *OUTPUTS):
            assert (run_dir / name).is_file(), name
        assert (disk / "history" / "index.parquet").is_file()  # registered in its history after all
        assert run_info(run_dir).unwritten == {}
        assert len(records(run_dir)) == len(_records())


def test_the_end_of_a_run_in_a_read_only_folder_loses_nothing_and_report_closes_it_later(tmp_path: Path) -> None:
    run_dir = run_folder(tmp_path / "run", _records())
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    with read_only_view(run_dir, tmp_path / "read-only") as view:
        info = finish_run(view, exitstatus=0, history=view / "history")
    assert info.status == "complete" and info.totals["scenarios_passed"] == 2  # as it would have been written
    assert set(info.unwritten) == {RUN_FILE, *OUTPUTS, "history"}
    assert set(info.unwritten.values()) == {"Read-only file system"}
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before  # nothing written, nothing lost

    done = cli("report", run_dir)  # writable again
    assert done.returncode == 0, done.stdout + done.stderr
    saved = run_info(run_dir)
    assert saved.ended_at and saved.status == "incomplete"  # closed from its records; how it ended is unknown
    assert saved.totals["scenarios_passed"] == 2 and saved.unwritten == {}
    for name in OUTPUTS:
        assert (run_dir / name).is_file(), name


def test_a_comparison_after_a_run_on_a_full_disk_is_one_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from harness.cli.main import _compare_after_run

    baseline = run_folder(tmp_path / "baseline", _records(), run_id="run-0")
    with small_disk(tmp_path / "disk") as disk:
        run_dir = run_folder(disk / "run", _records())
        fill(disk)
        assert _compare_after_run(run_dir, str(baseline), str(tmp_path / "history"), None, json_out=False) == 2
    stderr = capsys.readouterr().err
    assert f"error: no comparison: its files could not be written: {NO_SPACE}" in " ".join(stderr.split())
    assert "Traceback" not in stderr


DISK_STEPS = '''"""A step that fills the disk of the run folder, as another process on the machine might."""
import os
from pathlib import Path

from pytest_bdd import step


@step("the disk of the run folder fills up")
def disk_fills_up():
    fd = os.open(Path(os.environ["HARNESS_RUN_DIR"]).parent / "filler", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            os.write(fd, bytes(65536))
    except OSError:
        pass
    finally:
        os.close(fd)
'''
SEE = '    Then I should see "Hello"\n'
FEATURE = ('Feature: Disk\n  Scenario: The disk fills up during the run\n    Given I open "/index.html"\n'
           "    When the disk of the run folder fills up\n" + SEE * 6)


@pytest.mark.e2e  # a real run in Chromium whose run folder's disk fills up after its second step
def test_a_run_whose_disk_fills_up_stops_with_every_record_whole_and_report_finishes_it(tmp_path: Path) -> None:
    site, features = tmp_path / "site", tmp_path / "features"
    site.mkdir()
    (site / "index.html").write_text('<!doctype html><html lang="en"><title>Disk</title><main>Hello</main></html>')
    features.mkdir()
    (features / "disk.feature").write_text(FEATURE)
    (features / "disk_steps.py").write_text(DISK_STEPS)
    (features / "app.yaml").write_text("schema_version: 1\nname: disk\n")
    with small_disk(tmp_path / "disk") as disk, serve_folder(site) as url:
        run_dir = disk / "run"
        done = cli("run", features, "--app", features / "app.yaml", "--base-url", url, "--out", run_dir,
                   "--history", "off", "--trace", "off", "--no-probes")
        assert done.returncode == 2, done.stdout + done.stderr
        message = " ".join(done.stderr.split())
        assert "Traceback" not in done.stderr + done.stdout
        assert f"the run stopped early: steps.jsonl could not be written: {NO_SPACE}" in message, done.stderr
        assert f"the end of the run could not write {', '.join(OUTPUTS)}: {NO_SPACE}." in message
        assert f"`harness report {run_dir}` writes the rest" in message
        assert (run_dir / STEPS_JSONL).read_bytes().endswith(b"\n")
        kept = records(run_dir)  # every line whole
        assert 2 <= len(kept) < 8 and kept[0].text == 'I open "/index.html"'
        info = run_info(run_dir)
        assert info.status == "errored" and info.ended_at and "steps.jsonl could not be written" in (info.error or "")
        assert info.unwritten.get("report.html") == NO_SPACE

        (disk / "filler").unlink()
        done = cli("report", run_dir)
        assert done.returncode == 0, done.stdout + done.stderr
        for name in OUTPUTS:
            assert (run_dir / name).is_file(), name
        assert run_info(run_dir).unwritten == {}
