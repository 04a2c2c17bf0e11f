"""Gherkin features: find, parse (with pytest-bdd's own parser) and check them before a run.

Checking a suite before it runs turns "unknown step", "unknown target", "unknown page or
user", "missing upload file" and "bad selector" into one message each with file and
line, instead of a failure minutes into a run.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.parser import Feature, FeatureParser, Step
from pytest_bdd.steps import StepFunctionContext

from harness.compat import step_registry
from harness.errors import SpecError, SpecErrors
from harness.spec.profile import AppProfile
from harness.spec.tables import table_shape
from harness.spec.targets import UnknownTarget, classify_target
from harness.spec.uploads import resolve_upload

STEP_MODULE_GLOBS = ("steps/*.py", "*_steps.py")


@dataclass(frozen=True, slots=True)
class ScenarioRun:
    """One concrete scenario: a Scenario, or one Examples row of a Scenario Outline."""

    feature: Feature
    name: str
    line: int
    example: dict[str, str]
    steps: list[Step]


def feature_files(paths: Iterable[str | Path]) -> list[Path]:
    """Return the ``.feature`` files named by ``paths`` (files, or folders searched recursively).

    Raises:
        SpecError: When a path does not exist or holds no feature file.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(path.rglob("*.feature"))
            if not files:
                raise SpecError("no .feature files in this folder", path)
            found.extend(files)
        elif path.is_file():
            if path.suffix != ".feature":
                raise SpecError("not a .feature file", path)
            found.append(path)
        else:
            raise SpecError("no such file or folder", path)
    return list(dict.fromkeys(p.resolve() for p in found))


FEATURE_ENCODING = "utf-8-sig"
"""UTF-8, with or without the byte-order mark some Windows editors save (the run reads them alike)."""


def parse_feature(path: Path) -> Feature:
    """Parse one feature file.

    Raises:
        SpecError: On a Gherkin syntax error, with its line.
    """
    try:
        text = path.read_text(encoding=FEATURE_ENCODING)
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason})", path) from None
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        raise SpecError("empty feature file: it needs a 'Feature:' line and at least one scenario", path, 1)
    try:
        feature = FeatureParser(str(path.parent), path.name, FEATURE_ENCODING).parse()
    except GherkinParseError as exc:
        raise SpecError(f"invalid Gherkin: {gherkin_reason(exc.message)}", path, exc.line) from None
    except AttributeError:
        raise SpecError("invalid Gherkin: no 'Feature:' found", path, 1) from None
    if not feature.scenarios:
        raise SpecError("the feature has no scenario", path, feature.line_number)
    return feature


def gherkin_reason(message: str) -> str:
    """The telling part of a Gherkin parser message: its last line, without the ``(line:col):`` prefix."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    if not lines:
        return "syntax error"
    return re.sub(r"^\(\d+:\d+\):\s*", "", lines[-1])


def scenario_runs(feature: Feature) -> list[ScenarioRun]:
    """Expand a feature into concrete scenarios (one per Examples row for an Outline)."""
    runs: list[ScenarioRun] = []
    for template in feature.scenarios.values():
        contexts = [ctx for examples in template.examples for ctx in examples.as_contexts()] or [{}]
        for ctx in contexts:
            rendered = template.render(ctx)
            runs.append(ScenarioRun(feature, template.name, template.line_number, dict(ctx), rendered.steps))
    return runs


def step_modules(paths: Iterable[str | Path]) -> list[Path]:
    """Find custom step modules beside the features: ``steps/*.py`` and ``*_steps.py``."""
    modules: list[Path] = []
    for raw in paths:
        base = Path(raw)
        base = base if base.is_dir() else base.parent
        for pattern in STEP_MODULE_GLOBS:
            modules.extend(sorted(base.rglob(pattern)))
    return [m for m in dict.fromkeys(p.resolve() for p in modules) if m.name != "__init__.py"]


def import_step_module(path: Path) -> object:
    """Import a custom step module by path (once), so its step definitions register.

    Raises:
        SpecError: When the module fails to import, naming the line of the error where known.
    """
    name = "harness_custom_steps_" + "_".join(path.with_suffix("").parts[-3:]).replace("-", "_")
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecError("cannot import this step module", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise SpecError(f"syntax error in step module: {exc.msg}", path, exc.lineno) from None
    except Exception as exc:
        del sys.modules[name]
        raise SpecError(f"step module failed to import: {type(exc).__name__}: {exc}", path) from None
    return module


def step_definitions() -> list[StepFunctionContext]:
    """Every step definition registered with pytest-bdd so far.

    The built-in library registers itself when ``harness.collect.steps`` is imported (its
    :func:`~harness.collect.steps.load_journeys` is the entry point); custom modules register in
    :func:`load_suite`.
    """
    return step_registry()


def find_definition(step: Step, definitions: Sequence[StepFunctionContext]) -> StepFunctionContext | None:
    """Return the definition that pytest-bdd would use for ``step``, if any."""
    for context in definitions:
        if context.type not in (None, step.type):
            continue
        if context.parser.is_matching(step.name):
            return context
    return None


def check_features(features: Sequence[Feature], profile: AppProfile | None,
                   definitions: Sequence[StepFunctionContext], paths: Sequence[str | Path] = ()) -> list[SpecError]:
    """Check every step of every scenario; return one error per problem (empty when all is well).

    ``paths`` are the features paths of the run: files may be uploaded from them (:mod:`harness.spec.uploads`).
    """
    errors: dict[tuple[str, int | None, str], SpecError] = {}
    for feature in features:
        for template in feature.scenarios.values():
            if _is_outline(template.keyword, feature.language) and not any(ex.examples for ex in template.examples):
                problem = f"Scenario Outline {template.name!r} has no Examples rows: its <placeholders> would run as-is"
                errors.setdefault((feature.filename, template.line_number, problem),
                                  SpecError(problem, feature.filename, template.line_number))
        for run in scenario_runs(feature):
            for step in run.steps:
                for problem, line in _step_problems(step, feature, profile, definitions, bool(run.example), paths):
                    key = (feature.filename, line, problem)
                    errors.setdefault(key, SpecError(problem, feature.filename, line))
    return list(errors.values())


def _step_problems(step: Step, feature: Feature, profile: AppProfile | None,
                   definitions: Sequence[StepFunctionContext], outline: bool,
                   paths: Sequence[str | Path]) -> list[tuple[str, int]]:
    """Each problem of one step, with its line (the step's, or its data table's)."""
    unfilled = re.findall(r"<([\w -]+)>", step.name) if outline else []
    if unfilled:
        return [(f"<{unfilled[0]}> is not a column of the Examples table", step.line_number)]
    context = find_definition(step, definitions)
    if context is None:
        problem = f"unknown step: {step.keyword.strip()} {step.name!r} (see `harness steps` for the step library)"
        return [(problem, step.line_number)]
    table_problem = _table_problem(step, context)
    if table_problem is not None:
        return [table_problem]
    return [(problem, step.line_number) for problem in _argument_problems(step, feature, profile, context, paths)]


def _table_problem(step: Step, context: StepFunctionContext) -> tuple[str, int] | None:
    """A data table missing, or of the wrong width, for a step that declared its table (``I fill in:``)."""
    shape = table_shape(context.step_func)
    if shape is None:
        return None
    table = step.datatable
    problem = shape.problem(table.raw() if table is not None else None)
    if problem is None:
        return None
    return f"{step.keyword.strip()} {step.name!r}: {problem}", table.location.line if table else step.line_number


def _table_targets(step: Step, context: StepFunctionContext) -> list[str]:
    """The targets a step's data table names: its declared target column (else its first, past a header)."""
    if step.datatable is None or "datatable" not in _param_names(context):
        return []
    rows = step.datatable.raw()
    shape = table_shape(context.step_func)
    if shape is None:
        return [str(row[0]) for row in rows[1:] if row]
    if shape.target_column is None:
        return []
    return [row[shape.target_column] for row in shape.rows(rows)]


def _argument_problems(step: Step, feature: Feature, profile: AppProfile | None, context: StepFunctionContext,
                       paths: Sequence[str | Path]) -> list[str]:
    """Targets, pages, users and uploads a step names that do not exist."""
    args = context.parser.parse_arguments(step.name) or {}
    problems: list[str] = []
    targets = [args["target"]] if isinstance(args.get("target"), str) else []
    targets.extend(_table_targets(step, context))
    for target in targets:
        try:
            classify_target(target, profile)
        except UnknownTarget as exc:
            problems.append(str(exc))
    if profile is not None:
        page = args.get("page")
        if isinstance(page, str) and page not in profile.pages and not page.startswith(("/", "http")):
            problems.append(f"unknown page {page!r}: not in pages: of {profile.source} and not a path")
        user = args.get("user")
        if isinstance(user, str) and user not in profile.users:
            known = ", ".join(sorted(profile.users)) or "none"
            problems.append(f"unknown user {user!r} (users in the app profile: {known})")
        elif isinstance(user, str):
            try:
                profile.users[user].credentials()
            except SpecError as exc:
                problems.append(f"user {user!r}: {exc.message}")
        if "user" in args and profile.login is None:
            problems.append("this step logs in, but the app profile has no login: section")
    upload = args.get("file")
    if isinstance(upload, str):
        try:
            resolve_upload(upload, Path(feature.filename), profile, paths)
        except SpecError as exc:
            problems.append(exc.message)
    return problems


def _is_outline(keyword: str, language: str) -> bool:
    """Tell a Scenario Outline (``Scenario Template``, ``Plan du scénario``...) from a Scenario."""
    from gherkin.dialect import Dialect

    dialect = Dialect.for_name(language) or Dialect.for_name("en")
    assert dialect is not None  # English is always there
    return keyword.strip() in {k.strip() for k in dialect.scenario_outline_keywords}


def _param_names(context: StepFunctionContext) -> set[str]:
    import inspect

    return set(inspect.signature(context.step_func).parameters)


def load_suite(paths: Sequence[str | Path], profile: AppProfile) -> list[Feature]:
    """Parse and check every feature under ``paths``, with the custom steps beside them.

    Raises:
        SpecErrors: Every problem found, each with its file and line.
    """
    features: list[Feature] = []
    errors: list[SpecError] = []
    for path in feature_files(paths):
        try:
            features.append(parse_feature(path))
        except SpecError as exc:
            errors.append(exc)
    for module in step_modules(paths):
        import_step_module(module)
    errors.extend(check_features(features, profile, step_definitions(), paths))
    if errors:
        raise SpecErrors(errors)
    return features
