"""Where uploaded files may come from: the features' folders and the app's files folder (no browser)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.collect.journey import StepFailure
from harness.collect.steps import upload
from harness.errors import SpecError
from harness.spec.profile import load_profile
from harness.spec.uploads import resolve_upload

APP = "schema_version: 1\nname: a\nbase_url: http://127.0.0.1:9\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """features/sub/f.feature, features/shared.txt, app/app.yaml with app/files/receipt.png, and secret.txt outside."""
    (tmp_path / "features" / "sub").mkdir(parents=True)
    (tmp_path / "features" / "sub" / "f.feature").write_text("Feature: F\n")
    (tmp_path / "features" / "sub" / "beside.txt").write_text("beside")
    (tmp_path / "features" / "shared.txt").write_text("shared")
    (tmp_path / "app" / "files").mkdir(parents=True)
    (tmp_path / "app" / "app.yaml").write_text(APP)
    (tmp_path / "app" / "files" / "receipt.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("secret")
    return tmp_path


def _resolve(project: Path, name: str, paths: tuple[Path, ...] = ()) -> Path:
    profile = load_profile(project / "app" / "app.yaml")
    return resolve_upload(name, project / "features" / "sub" / "f.feature", profile, paths)


def test_files_beside_the_feature_and_in_the_app_files_folder_are_uploaded(project: Path) -> None:
    assert _resolve(project, "beside.txt") == project / "features" / "sub" / "beside.txt"
    assert _resolve(project, "receipt.png") == project / "app" / "files" / "receipt.png"


def test_a_features_path_given_to_the_run_is_a_folder_files_may_come_from(project: Path) -> None:
    with pytest.raises(SpecError, match="outside the folders"):
        _resolve(project, "../shared.txt")
    assert _resolve(project, "../shared.txt", (project / "features",)) == project / "features" / "shared.txt"


@pytest.mark.parametrize("name", ["../../secret.txt", "{project}/secret.txt", "link.txt", "../../app/app.yaml"])
def test_a_file_outside_those_folders_is_refused(project: Path, name: str) -> None:
    (project / "features" / "sub" / "link.txt").symlink_to(project / "secret.txt")
    with pytest.raises(SpecError, match="is outside the folders files may be uploaded from") as caught:
        _resolve(project, name.format(project=project), (project / "features",))
    assert str(project / "app" / "files") in caught.value.message  # says where files may come from


def test_a_symbolic_link_to_a_file_inside_those_folders_is_followed(project: Path) -> None:
    (project / "features" / "sub" / "link.png").symlink_to(project / "app" / "files" / "receipt.png")
    assert _resolve(project, "link.png") == project / "app" / "files" / "receipt.png"


def test_the_step_refuses_a_file_from_elsewhere_when_it_runs(project: Path) -> None:
    journey = SimpleNamespace(feature_file=project / "features" / "sub" / "f.feature", upload_paths=(),
                              profile=load_profile(project / "app" / "app.yaml"))
    with pytest.raises(StepFailure, match="'/etc/passwd' is outside the folders") as caught:
        upload(journey, "/etc/passwd", "x")  # type: ignore[arg-type]
    assert caught.value.kind == "config"
