"""The third-party internals the harness depends on, in one place.

pytest-bdd (8.1 to 9.0) and allure-pytest-bdd (2.16) expose no public API for what the harness
needs: the registry of step definitions (to check features before a run), the scenario a
test function was generated from (to record a scenario whose set-up failed), the Examples
row of a test item, and allure-pytest-bdd's listener (to add labels to the result it opened).
Nor does pytest for the file its terminal reporter writes to (to redact the run's secrets).
A new version that moves any of these breaks here, and only here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, ScenarioTemplate
    from pytest_bdd.steps import StepFunctionContext

EXAMPLE_PARAM = "_pytest_bdd_example"
"""The callspec parameter pytest-bdd stores a Scenario Outline's Examples row in."""


def step_registry() -> list[StepFunctionContext]:
    """Every step definition registered with pytest-bdd so far."""
    from pytest_bdd.steps import step_function_context_registry

    return list(step_function_context_registry.values())


def example_row(item: pytest.Item) -> dict[str, str]:
    """The Examples row a scenario item runs with (empty for a plain Scenario)."""
    callspec = getattr(item, "callspec", None)
    row = callspec.params.get(EXAMPLE_PARAM) if callspec else None
    return {str(k): str(v) for k, v in (row or {}).items()}


def scenario_template(item: pytest.Item) -> ScenarioTemplate | None:
    """The scenario pytest-bdd generated ``item``'s test function from, if any."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    func = getattr(item, "obj", None)
    return scenario_wrapper_template_registry.get(func) if func is not None else None


class _Filtered:
    """A text file whose every write passes through a function first; everything else is the file's."""

    def __init__(self, file: Any, through: Callable[[str], str]) -> None:
        self._file, self._through = file, through

    def write(self, text: str) -> int:
        return int(self._file.write(self._through(text)) or 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)


def filter_terminal(config: pytest.Config, through: Callable[[str], str]) -> bool:
    """Make every text pytest's terminal reporter writes (test ids, failures, summaries) pass through ``through``.

    pytest writes each test id, section title and traceback line in one write, so a value inside one is
    never split. Returns whether the reporter was found (``-p no:terminal`` has none).
    """
    writer = getattr(config.pluginmanager.getplugin("terminalreporter"), "_tw", None)
    if writer is None or not hasattr(writer, "_file"):
        return False
    if not isinstance(writer._file, _Filtered):
        writer._file = _Filtered(writer._file, through)
    return True


def patch_allure_title_path(fallback: Callable[[Feature], list[str]]) -> None:
    """Make allure-pytest-bdd's title path fall back to ``fallback`` where it raises.

    allure-pytest-bdd 2.16 takes a feature's path relative to pytest's rootdir and fails when the
    feature lives elsewhere (``harness run`` generates its test module in a temporary folder).
    """
    from allure_pytest_bdd import pytest_bdd_listener

    original = pytest_bdd_listener.get_title_path
    if getattr(original, "harness_patched", False):
        return

    def title_path(request: Any, feature: Feature) -> list[str]:
        try:
            return original(request, feature)
        except ValueError:
            return fallback(feature)

    title_path.harness_patched = True  # type: ignore[attr-defined]
    pytest_bdd_listener.get_title_path = title_path


def read_features_with_or_without_bom() -> None:
    """Make pytest-bdd read feature files saved with a UTF-8 byte-order mark (some Windows editors add one).

    pytest-bdd 8.1 to 9.0 open features as ``utf-8``, so the mark reaches the Gherkin parser,
    which rejects the first line; ``scenarios(..., encoding=)`` does not reach the reader
    (9.0 drops it). Its one reader is wrapped to read ``utf-8`` as ``utf-8-sig``.
    """
    from pytest_bdd import parser

    original = parser.get_gherkin_document
    if getattr(original, "harness_patched", False):
        return

    def read(abs_filename: str, encoding: str = "utf-8") -> Any:
        return original(abs_filename, "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding)

    read.harness_patched = True  # type: ignore[attr-defined]
    parser.get_gherkin_document = read


def _allure_listener(config: pytest.Config) -> Any:
    from allure_pytest_bdd.pytest_bdd_listener import PytestBDDListener

    return next((p for p in config.pluginmanager.get_plugins() if isinstance(p, PytestBDDListener)), None)


@contextlib.contextmanager
def allure_test_case(item: pytest.Item) -> Iterator[Any]:
    """The Allure test result allure-pytest-bdd opened for ``item`` (``None`` when there is none)."""
    listener = _allure_listener(item.config)
    if listener is None or item.nodeid not in listener.nodeid_to_uuid:
        yield None
        return
    with listener.lifecycle.update_test_case(uuid=listener.nodeid_to_uuid[item.nodeid]) as result:
        yield result


@contextlib.contextmanager
def allure_step(config: pytest.Config, step: Any) -> Iterator[Any]:
    """The Allure step result allure-pytest-bdd opened for a pytest-bdd ``step`` (``None`` when there is none)."""
    from allure_pytest_bdd.steps import get_step_uuid

    listener = _allure_listener(config)
    if listener is None:
        yield None
        return
    with listener.lifecycle.update_step(uuid=get_step_uuid(step)) as result:
        yield result
