"""Files a journey may upload: from its features' folders and the app's files folder, nowhere else.

An upload sends a file of this machine to the app under test, so a feature cannot name just any
file. ``I upload "<file>" to "<target>"`` looks for the name beside the feature file, then in the
app's files folder (``files/`` beside app.yaml, or the profile's ``files_dir:``); the file found,
symbolic links followed, must lie under the feature's folder, a features path the run was given,
or the app's files folder. ``harness check`` refuses any other with the step's file and line, and
the step refuses it again when it runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harness.errors import SpecError
from harness.spec.profile import AppProfile

FILES_DIR = "files"
"""The app's files folder beside app.yaml, unless the profile's ``files_dir:`` names another."""


def files_folder(profile: AppProfile) -> Path:
    """The app's files folder: ``files_dir:`` (relative to app.yaml), else ``files/`` beside it."""
    return profile.folder / (profile.files_dir or FILES_DIR)


def upload_folders(feature_file: Path, profile: AppProfile | None, paths: Iterable[str | Path] = ()) -> list[Path]:
    """The folders uploads may come from, symbolic links resolved.

    Args:
        feature_file: The feature whose step uploads.
        profile: The app profile (its files folder).
        paths: The features paths the run was given (a file stands for its folder).
    """
    folders = [feature_file.parent]
    for raw in paths:
        path = Path(raw)
        folders.append(path if path.is_dir() else path.parent)
    if profile is not None:
        folders.append(files_folder(profile))
    return list(dict.fromkeys(folder.resolve() for folder in folders))


def resolve_upload(name: str, feature_file: Path, profile: AppProfile | None,
                   paths: Iterable[str | Path] = ()) -> Path:
    """The file to upload for ``name``: beside the feature, else in the app's files folder; resolved.

    Raises:
        SpecError: No such file there, or the file found lies outside :func:`upload_folders` (an
            absolute path, ``..``, a symbolic link out). The message only: the caller names the step.
    """
    folders = upload_folders(feature_file, profile, paths)
    outside: Path | None = None
    for base in [feature_file.parent, *([files_folder(profile)] if profile is not None else [])]:
        candidate = base / name
        if not candidate.is_file():
            continue
        real = candidate.resolve()
        if any(real.is_relative_to(folder) for folder in folders):
            return real
        outside = outside or real
    places = ", ".join(str(folder) for folder in folders)
    if outside is not None:
        raise SpecError(f"file to upload {name!r} is outside the folders files may be uploaded from ({places}; "
                        "symbolic links followed): put it beside the feature or in the app's files folder")
    raise SpecError(f"file to upload not found: {name!r} (looked beside the feature and in the app's files folder; "
                    f"files may be uploaded from {places})")
