"""The app profile: ``journeys/<app>/app.yaml``.

A profile names the app, its base URL, how to log in (credentials come from the
environment, with demo defaults), the users journeys log in as, named pages, the UI map
of named targets (a name → a Playwright selector with optional fallbacks) and per-step
time budgets.
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urljoin

from pydantic import BaseModel, ConfigDict, Field, field_validator

from harness.contracts.records import RunInfo
from harness.errors import SpecError
from harness.spec.friction import FrictionSettings
from harness.spec.regressions import CompareSettings, GatePolicy
from harness.spec.selectors import selector_error
from harness.spec.yamlfile import line_of, load_yaml, validate

PROFILE_FILE = "app.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EnvValue(_Strict):
    """A value read from an environment variable, with an optional default."""

    env: str
    default: str | None = None

    def resolve(self) -> str | None:
        """Return the variable's value, else the default."""
        return os.environ.get(self.env, self.default)


class User(_Strict):
    """A user journeys can log in as. Values are literals or ``{env: NAME, default: ...}``."""

    username: str | EnvValue
    password: str | EnvValue

    def credentials(self) -> tuple[str, str]:
        """Return (username, password), read from the environment where configured.

        Raises:
            SpecError: When a variable is unset and has no default.
        """
        values = []
        for field in ("username", "password"):
            raw = getattr(self, field)
            value = raw.resolve() if isinstance(raw, EnvValue) else raw
            if value is None:
                name = raw.env if isinstance(raw, EnvValue) else field
                raise SpecError(f"the environment variable {name} is not set and has no default")
            values.append(value)
        return values[0], values[1]

    def secrets(self) -> list[str]:
        """Return the values that must never appear in reports, logs or traces."""
        raw = self.password
        value = raw.resolve() if isinstance(raw, EnvValue) else raw
        return [value] if value else []


class Login(_Strict):
    """How to log in through the app's form. Fields name UI-map targets."""

    path: str = "/login"
    username: str
    password: str
    submit: str
    success_url_contains: str | None = None
    success_text: str | None = None
    landing: str | None = None
    """Where a reused session starts; defaults to ``success_url_contains`` when it is a path."""

    def landing_path(self) -> str:
        """Return the page a reused session opens."""
        if self.landing:
            return self.landing
        if self.success_url_contains and self.success_url_contains.startswith("/"):
            return self.success_url_contains
        return "/"


class Target(_Strict):
    """A named element of the app: a selector and fallbacks tried in order."""

    selector: str
    fallbacks: list[str] = Field(default_factory=list)
    description: str | None = None
    secret: bool | None = None
    """Whether what is typed into it is a secret (``None``: decided by its name and selectors,
    ``harness.spec.secrets.is_secret_target``)."""

    @property
    def selectors(self) -> list[str]:
        """The primary selector followed by the fallbacks."""
        return [self.selector, *self.fallbacks]


class StepBudget(_Strict):
    """A time budget for the steps whose text matches a glob."""

    step: str
    max_ms: float = Field(gt=0)


class Budgets(_Strict):
    """Per-step time budgets."""

    default_ms: float | None = Field(default=None, gt=0)
    steps: list[StepBudget] = Field(default_factory=list)

    def for_step(self, text: str) -> float | None:
        """Return the budget of a step: the first matching glob, else the default."""
        for budget in self.steps:
            if fnmatch.fnmatchcase(text, budget.step):
                return budget.max_ms
        return self.default_ms


class AppProfile(_Strict):
    """A validated ``app.yaml``."""

    schema_version: Literal[1] = 1
    name: str
    title: str | None = None
    base_url: str | None = None
    version_label: str | None = None
    login: Login | None = None
    users: dict[str, User] = Field(default_factory=dict)
    pages: dict[str, str] = Field(default_factory=dict)
    targets: dict[str, Target] = Field(default_factory=dict)
    budgets: Budgets = Field(default_factory=Budgets)
    friction: FrictionSettings = FrictionSettings()
    compare: CompareSettings | None = None
    """Overrides of the comparison's statistics (harness/spec/regressions.py)."""
    gate: GatePolicy | None = None
    """Overrides of what fails the build after a comparison."""
    files_dir: str | None = None
    """The app's files folder, relative to app.yaml and inside its folder (default ``files``): files
    journeys may upload (harness/spec/uploads.py)."""
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("files_dir")
    @classmethod
    def _files_dir_inside(cls, value: str | None) -> str | None:
        if value is not None and (PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts):
            raise ValueError(f"{value!r} must be a folder inside the app's folder (relative, without '..')")
        return value

    @field_validator("targets", mode="before")
    @classmethod
    def _targets_from_strings(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: {"selector": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @property
    def folder(self) -> Path:
        """The folder of the profile (guides, files and baselines live beside it)."""
        return self.source.parent if self.source else Path.cwd()

    def url_for(self, page: str, base_url: str) -> str:
        """The absolute URL of a ``pages:`` name, a path or a URL.

        Raises:
            ValueError: ``page`` is neither a known page name, a path nor a URL.
        """
        where = self.pages.get(page, page)
        if where.startswith(("http://", "https://")):
            return where
        if not where.startswith("/"):
            raise ValueError(f"unknown page {page!r}: not in pages: and not a path")
        return urljoin(base_url.rstrip("/") + "/", where.lstrip("/"))

    def namespaces(self) -> set[str]:
        """First segments of dotted UI-map names (``login`` for ``login.submit``)."""
        return {name.split(".", 1)[0] for name in self.targets if "." in name}

    def secrets(self) -> list[str]:
        """Every password the profile can resolve; with what the features type, a run's secrets
        (``harness.spec.secrets.run_secrets``)."""
        found: list[str] = []
        for user in self.users.values():
            found.extend(user.secrets())
        return [s for s in found if s]


def find_profile(app: str, root: Path | None = None) -> Path:
    """Return the path of an app's profile: a file path, or ``journeys/<app>/app.yaml``."""
    candidate = Path(app)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    if candidate.is_dir():
        return candidate / PROFILE_FILE
    return (root or Path.cwd()) / "journeys" / app / PROFILE_FILE


def load_profile(app: str | Path, root: Path | None = None) -> AppProfile:
    """Load and check an app profile.

    Args:
        app: An app name (``demo`` → ``journeys/demo/app.yaml``) or a path to a YAML file.
        root: The project folder that holds ``journeys/``; the working directory by default.

    Raises:
        SpecError: With the file and line of the first problem.
    """
    path = find_profile(str(app), root)
    if not path.is_file():
        raise SpecError(f"no app profile for {str(app)!r} (expected {path})", path if path.parent.is_dir() else None)
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise SpecError("an app profile must be a mapping (name:, base_url:, targets: ...)", path, 1)
    profile = validate(AppProfile, data, path)
    profile.source = path.resolve()
    _check_references(profile, data, path)
    return profile


def _check_references(profile: AppProfile, data: Any, path: Path) -> None:
    """Check selectors and the names the login section refers to."""
    for name, target in profile.targets.items():
        for i, selector in enumerate(target.selectors):
            problem = selector_error(selector)
            if problem:
                loc: list[str | int] = ["targets", name]
                if i and isinstance(data["targets"][name], dict):
                    loc += ["fallbacks", i - 1]
                raise SpecError(f"target {name!r}: {problem}", path, line_of(data, loc))
    if profile.login:
        from harness.spec.targets import UnknownTarget, classify_target

        for field in ("username", "password", "submit"):
            try:
                classify_target(getattr(profile.login, field), profile)
            except UnknownTarget as exc:
                raise SpecError(f"login.{field}: {exc}", path, line_of(data, ["login", field])) from None
    for page, where in profile.pages.items():
        if not (where.startswith("/") or where.startswith("http://") or where.startswith("https://")):
            raise SpecError(f"page {page!r}: {where!r} must be a path starting with / or a full URL",
                            path, line_of(data, ["pages", page]))


def profile_candidates(info: RunInfo) -> list[Path]:
    """Where the run's app profile may be: beside or above its features, then ``journeys/<app>/`` here."""
    found: list[Path] = []
    for feature in info.features:
        folder = Path(feature)
        folder = folder if folder.suffix != ".feature" else folder.parent
        for parent in [folder, *folder.parents][:4]:
            if (parent / PROFILE_FILE).is_file():
                found.append(parent / PROFILE_FILE)
                break
    found.append(Path.cwd() / "journeys" / info.app / PROFILE_FILE)
    return list(dict.fromkeys(found))
