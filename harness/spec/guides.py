"""In-app guide definitions (``journeys/<app>/guides/*.yaml``), validated with file:line errors.

A guide is an ordered list of steps, each anchored to an element of the app by a selector
(or floating, with no anchor). A step lives on a page, or ``after`` a journey step for
states only a journey reaches (an open dialog). The format is documented in docs/guides.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.errors import SpecError, SpecErrors
from harness.spec.profile import AppProfile
from harness.spec.selectors import selector_error
from harness.spec.yamlfile import line_of, load_yaml, validate

GUIDES_DIR = "guides"
BASELINE_DIR = "baseline"
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AfterStep(_Strict):
    """A journey step after which a guide step is checked (the state it lives in).

    Attributes:
        feature: The feature file's name or path under the features folder.
        scenario: The scenario's name; any scenario of the feature when omitted.
        step: The step's text as written, without its keyword.
    """

    feature: str
    scenario: str | None = None
    step: str

    def matches(self, feature_file: str, scenario: str, step_text: str) -> bool:
        """Whether a journey step being run is this one."""
        feature_ok = feature_file == self.feature or feature_file.endswith("/" + self.feature.lstrip("/"))
        return feature_ok and (self.scenario is None or self.scenario == scenario) and step_text == self.step

    def label(self) -> str:
        """``feature › scenario › step`` for messages."""
        return " › ".join(part for part in (self.feature, self.scenario, self.step) if part)


class GuideStep(_Strict):
    """One bubble of a guide.

    Attributes:
        id: Unique within the guide.
        target: The anchor's selector; ``None`` for a floating (centred) step.
        page: Where the step lives: a ``pages:`` name, a path or a URL.
        after: Or: the journey step after which it is shown.
        text: Text the anchor must still show (case- and whitespace-insensitive substring).
        title: The bubble's title, for reports.
        body: The bubble's text, for reports.
        line: Line of the step in its file (filled while loading).
    """

    id: str
    target: str | None = None
    page: str | None = None
    after: AfterStep | None = None
    text: str | None = None
    title: str | None = None
    body: str | None = None
    line: int | None = Field(default=None, exclude=True)

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"{value!r} is not a valid id (letters, digits, _ . -; no spaces)")
        return value

    @model_validator(mode="after")
    def _one_place(self) -> GuideStep:
        if self.page and self.after:
            raise ValueError("a step lives on a page or after a journey step, not both")
        return self


class Source(_Strict):
    """Where an imported guide came from."""

    library: str
    file: str | None = None


class Guide(_Strict):
    """A validated guide file.

    Attributes:
        id: Unique per app.
        title: Human title.
        user: The app.yaml user to log in as before visiting the guide's pages.
        page: Default page of the steps.
        selector_format: ``playwright`` (any Playwright selector) or ``css`` (the guide's
            runtime uses ``document.querySelector``, so repairs must be plain CSS).
        steps: The steps, in order.
        file: The YAML file (filled while loading).
    """

    schema_version: Literal[1] = 1
    id: str
    title: str | None = None
    user: str | None = None
    page: str | None = None
    selector_format: Literal["playwright", "css"] = "playwright"
    source: Source | None = None
    steps: list[GuideStep] = Field(min_length=1)
    file: Path | None = Field(default=None, exclude=True)

    @field_validator("id")
    @classmethod
    def _id_format(cls, value: str) -> str:
        return GuideStep._id_format(value)

    def step_page(self, step: GuideStep) -> str | None:
        """The page a step lives on (its own, else the guide's); ``None`` for ``after`` steps."""
        return None if step.after else (step.page or self.page)


def guides_dir(profile: AppProfile) -> Path:
    """``journeys/<app>/guides`` beside the profile."""
    return profile.folder / GUIDES_DIR


def load_guide(path: Path, profile: AppProfile | None = None) -> Guide:
    """Load and check one guide file.

    Raises:
        SpecError: With the file and line of the first problem.
    """
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise SpecError("a guide must be a mapping (id:, title:, steps: ...)", path, 1)
    guide = validate(Guide, data, path)
    steps = [step.model_copy(update={"line": line_of(data, ["steps", i])}) for i, step in enumerate(guide.steps)]
    guide = guide.model_copy(update={"steps": steps, "file": path})
    seen: set[str] = set()
    for i, step in enumerate(guide.steps):
        where = line_of(data, ["steps", i, "id"])
        if step.id in seen:
            raise SpecError(f"step id {step.id!r} is used twice in guide {guide.id!r}", path, where)
        seen.add(step.id)
        if step.target is not None:
            problem = selector_error(step.target)
            if problem:
                raise SpecError(f"step {step.id!r}: {problem}", path, line_of(data, ["steps", i, "target"]))
            if guide.selector_format == "css" and not is_plain_css(step.target):
                raise SpecError(f"step {step.id!r}: {step.target!r} is not plain CSS, but this guide's "
                                "selector_format is css", path, line_of(data, ["steps", i, "target"]))
        if guide.step_page(step) is None and step.after is None:
            raise SpecError(f"step {step.id!r} has no page: give the step or the guide a page:, or an after:",
                            path, line_of(data, ["steps", i]))
        page = guide.step_page(step)
        if profile and page and not page.startswith(("/", "http://", "https://")) and page not in profile.pages:
            raise SpecError(f"step {step.id!r}: unknown page {page!r} (not in the app's pages:, not a path)",
                            path, line_of(data, ["steps", i, "page"]) or line_of(data, ["page"]))
    if profile and guide.user and guide.user not in profile.users:
        known = ", ".join(sorted(profile.users)) or "none"
        raise SpecError(f"unknown user {guide.user!r} (app users: {known})", path, line_of(data, ["user"]))
    return guide


def load_app_guides(profile: AppProfile, folder: Path | None = None) -> list[Guide]:
    """The guides a run of the app checks inside its journeys: none without a guides folder.

    Args:
        profile: The app profile.
        folder: The guides folder (default: ``guides/`` beside app.yaml).

    Raises:
        SpecErrors: One error per bad file, with file and line (see :func:`load_guides`).
    """
    folder = folder or guides_dir(profile)
    return load_guides(folder, profile) if folder.is_dir() else []


def guide_files(folder: Path) -> list[Path]:
    """The guide files of a folder (``*.yaml``/``*.yml``), sorted."""
    return sorted(p for p in folder.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_guides(folder: Path, profile: AppProfile | None = None, only: list[str] | None = None) -> list[Guide]:
    """Load every guide of a folder, reporting every bad file at once.

    Args:
        folder: The guides folder.
        profile: The app profile, to check pages and users.
        only: Guide ids to keep (all when empty).

    Raises:
        SpecErrors: One error per bad file, with file and line; or when no guide is found.
    """
    if not folder.is_dir():
        raise SpecErrors([SpecError(f"no guides folder (expected {folder})")])
    guides: list[Guide] = []
    errors: list[SpecError] = []
    for path in guide_files(folder):
        try:
            guides.append(load_guide(path, profile))
        except SpecError as exc:
            errors.append(exc)
    ids: dict[str, Path] = {}
    for guide in guides:
        if guide.id in ids:
            errors.append(SpecError(f"guide id {guide.id!r} is also used by {ids[guide.id]}", guide.file, 1))
        ids.setdefault(guide.id, guide.file or folder)
    if only:
        unknown = [name for name in only if name not in ids]
        if unknown:
            errors.append(SpecError(f"unknown guide {', '.join(map(repr, unknown))} "
                                    f"(known: {', '.join(sorted(ids)) or 'none'})"))
        guides = [g for g in guides if g.id in only]
    if errors:
        raise SpecErrors(errors)
    if not guides:
        raise SpecErrors([SpecError(f"no guide files (*.yaml) in {folder}")])
    return guides


_PLAYWRIGHT_ONLY = re.compile(r"(^|\s)(css|xpath|text|role|id|data-testid|internal:[\w-]+|nth|visible)=|>>|"
                              r":(has-text|text|text-is|text-matches|visible|nth-match|right-of|left-of|above|"
                              r"below|near)\(|:visible\b|^//")


def is_plain_css(selector: str) -> bool:
    """Whether a selector is CSS that ``document.querySelectorAll`` understands."""
    import soupsieve

    if _PLAYWRIGHT_ONLY.search(selector.strip()):
        return False
    try:
        soupsieve.compile(selector)
    except Exception:  # soupsieve raises several error types for invalid CSS
        return False
    return True

