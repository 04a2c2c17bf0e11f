"""What is secret in a run, decided before it starts from the features and the app profile alone.

The secrets of a run (:func:`run_secrets`) are, in this order (their labels, ``[redacted-N]``):

1. every value the features type into a secret field, in the order the run reads the features
   (a value typed in a step as written, or from an Examples column feeding the step, once per
   rendered row);
2. the passwords of the profile's ``users:`` (from the environment, or literal).

A field is secret (:func:`is_secret_target`) when it is the login form's password target, a
UI-map target marked ``secret: true`` (``secret: false`` says a name is not secret), or, for a
target not marked either way, when its name, its selectors or the target as written name a
password (:data:`SECRET_WORDS`: ``password``, ``passwd``, ``passphrase``, ``mot de passe``,
``secret``).

A step types a value into a field when its arguments say so, the way the built-in library names
them (custom steps that name theirs alike are covered too): a ``target`` and a ``value``
(``I fill "<target>" with "<value>"``), a ``password`` (typed into the login form's password
field), or a data table of ``field | value`` rows for a step function that takes ``datatable``.
Every process of a run (the ``harness`` command, the pytest controller, each xdist worker)
computes the same set from the same files.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from harness.errors import HarnessError
from harness.redaction import Secrets
from harness.spec.features import feature_files, find_definition, parse_feature, scenario_runs, step_definitions

if TYPE_CHECKING:
    from pytest_bdd.parser import Feature, Step
    from pytest_bdd.steps import StepFunctionContext

    from harness.spec.profile import AppProfile

SECRET_WORDS = re.compile(r"passw(?:or)?d|passphrase|mot[\s_-]*de[\s_-]*passe|secret", re.IGNORECASE)
"""A target whose name, selector or written form matches is secret unless the UI map says ``secret: false``."""


def is_secret_target(written: str, profile: AppProfile | None) -> bool:
    """Whether what is typed into ``written`` (a UI-map name, a selector or a label) is a secret."""
    if profile is not None:
        if profile.login is not None and written == profile.login.password:
            return True
        target = profile.targets.get(written)
        if target is not None:
            if target.secret is not None:
                return target.secret
            return any(SECRET_WORDS.search(text) for text in (written, *target.selectors))
    return bool(SECRET_WORDS.search(written))


def typed_values(step: Step, profile: AppProfile | None,
                 definitions: Sequence[StepFunctionContext]) -> Iterator[tuple[str, str]]:
    """The ``(target, value)`` pairs a (rendered) step types; the login form's password field for a ``password``."""
    context = find_definition(step, definitions)
    if context is None:
        return
    args = context.parser.parse_arguments(step.name) or {}
    target, value, password = args.get("target"), args.get("value"), args.get("password")
    if isinstance(target, str) and isinstance(value, str):
        yield target, value
    if isinstance(password, str):  # a login step's password: the login form's (a profile without one: by its name)
        yield (profile.login.password if profile is not None and profile.login is not None else "password"), password
    if step.datatable is not None and "datatable" in inspect.signature(context.step_func).parameters:
        for row in step.datatable.raw():
            if len(row) >= 2:
                yield str(row[0]), str(row[1])


def run_secrets(profile: AppProfile, features: Sequence[Feature],
                definitions: Sequence[StepFunctionContext] | None = None) -> Secrets:
    """The secrets of a run of ``features`` (see the module's docstring for what and in which order).

    Args:
        profile: The app profile (the UI map, the login form, the users).
        features: The run's features, parsed, in the order the run reads them.
        definitions: The step definitions; default: every one registered (the built-in library once
            ``harness.collect.steps`` is imported, and the custom step modules imported so far).
    """
    definitions = step_definitions() if definitions is None else definitions
    typed = [value for feature in features for run in scenario_runs(feature) for step in run.steps
             for target, value in typed_values(step, profile, definitions) if is_secret_target(target, profile)]
    return Secrets([*typed, *profile.secrets()])


def secrets_of_paths(profile: AppProfile, paths: Sequence[str | Path]) -> Secrets:
    """:func:`run_secrets` of the features under ``paths``; a feature that cannot be read adds nothing.

    For a process that has not parsed the features itself (the pytest plugin, a report rebuilt later).
    """
    files: list[Path] = []
    for path in paths:
        try:
            files.extend(feature_files([path]))
        except HarnessError:
            continue
    features = []
    for path in dict.fromkeys(files):
        try:
            features.append(parse_feature(path))
        except HarnessError:
            continue
    return run_secrets(profile, features)
