"""The built-in step library, in English and French, for any Given/When/Then keyword.

``"<target>"`` is a UI-map name from ``app.yaml``, else a Playwright selector, else an
accessible name, label, placeholder or text. Every step gets the scenario's
:class:`~harness.collect.journey.Journey` through the ``journey`` fixture; custom steps
written the pytest-bdd way can ask for it too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from playwright.sync_api import expect
from pytest_bdd import parsers, step

from harness.collect.journey import Journey, StepFailure
from harness.errors import SpecError, SpecErrors
from harness.spec.features import load_suite, step_definitions
from harness.spec.guides import load_app_guides
from harness.spec.profile import AppProfile
from harness.spec.tables import TableShape, takes_table
from harness.spec.uploads import resolve_upload

if TYPE_CHECKING:
    from playwright.sync_api import Locator
    from pytest_bdd.parser import Feature
    from pytest_bdd.steps import StepFunctionContext

F = TypeVar("F", bound=Callable[..., object])

Q = r'"(?P<{}>[^"]*)"'
TARGET, TEXT, VALUE = Q.format("target"), Q.format("text"), Q.format("value")

#: Every phrase of the library, for ``harness steps`` and the docs: (english, french, meaning).
CATALOGUE: list[tuple[str, str, str]] = []


def humanize(pattern: str) -> str:
    """Turn a step's regular expression into the phrase a feature writer types."""
    text = pattern.replace('\\"', '"')
    text = re.sub(r'"\(\?P<(\w+)>\[\^"\]\*\)"', r'"<\1>"', text)
    text = re.sub(r"\(\?:([^()]*)\)\?", r"[\1]", text)
    text = re.sub(r"\(\?:([^()|]*)\|([^()]*)\)", r"\1", text)
    return text.replace("\\s?", " ").replace(":?", ":").replace("ée?", "é(e)").replace("\\'", "'")


def phrases(english: str, french: str | list[str], meaning: str) -> Callable[[F], F]:
    """Register a step under its English and French phrasings (regular expressions)."""
    french_list = [french] if isinstance(french, str) else french

    def decorate(func: F) -> F:
        for pattern in [english, *french_list]:
            func = cast(F, step(parsers.re(pattern), stacklevel=2)(func))
        CATALOGUE.append((humanize(english), humanize(french_list[0]), meaning))
        return func

    return decorate


def _check(journey: Journey, expectation: Callable[[float], None], message: str, kind: str = "assertion") -> None:
    """Wait for an ``expect`` (given its timeout) patiently (:meth:`Journey.patiently`); a failure names ``kind``."""
    try:
        journey.patiently(expectation)
    except AssertionError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else ""
        raise StepFailure(f"{message}" + (f" — {detail}" if detail else ""), kind) from None


# --- navigation and login ---------------------------------------------------------------
@phrases(r'I open (?:the )?"(?P<page>[^"]*)"(?: page)?', r"j'ouvre (?:la page )?\"(?P<page>[^\"]*)\"",
         "Open a page: a name from pages: in app.yaml, a path or a URL.")
def open_page(journey: Journey, page: str) -> None:
    journey.open(page)


@phrases(r'I am logged in as "(?P<user>[^"]*)"', r'je suis connectée? en tant que "(?P<user>[^"]*)"',
         "Be logged in as a user of app.yaml (logs in once per worker, then reuses the session).")
def logged_in(journey: Journey, user: str) -> None:
    journey.login(user, reuse=True)


@phrases(r'I log in as "(?P<user>[^"]*)"', r'je me connecte en tant que "(?P<user>[^"]*)"',
         "Log in through the login form now.")
def log_in(journey: Journey, user: str) -> None:
    journey.login(user, reuse=False)


@phrases(r'I log in as "(?P<user>[^"]*)" with password "(?P<password>[^"]*)"',
         r'je me connecte en tant que "(?P<user>[^"]*)" avec le mot de passe "(?P<password>[^"]*)"',
         "Try to log in with a given password (for refused-login journeys).")
def log_in_with(journey: Journey, user: str, password: str) -> None:
    journey.login(user, password=password, reuse=False)


# --- actions ----------------------------------------------------------------------------
def _click_trial(loc: Locator, timeout: float) -> None:
    loc.click(trial=True, timeout=timeout)


@phrases(rf"I click (?:on )?{TARGET}", rf"je clique sur {TARGET}", "Click a target.")
def click(journey: Journey, target: str) -> None:
    journey.act(target, "click", lambda loc: loc.click(timeout=journey.timeout_ms), trial=_click_trial)


@phrases(rf"I double-click {TARGET}", rf"je double-clique sur {TARGET}", "Double-click a target.")
def double_click(journey: Journey, target: str) -> None:
    journey.act(target, "double-click", lambda loc: loc.dblclick(timeout=journey.timeout_ms),
                trial=lambda loc, timeout: loc.dblclick(trial=True, timeout=timeout))


@phrases(rf"I hover over {TARGET}", rf"je survole {TARGET}", "Move the mouse over a target.")
def hover(journey: Journey, target: str) -> None:
    journey.act(target, "hover", lambda loc: loc.hover(timeout=journey.timeout_ms),
                trial=lambda loc, timeout: loc.hover(trial=True, timeout=timeout))


@phrases(rf"I fill {TARGET} with {VALUE}", rf"je remplis {TARGET} avec {VALUE}", "Type a value into a field.")
def fill(journey: Journey, target: str, value: str) -> None:
    journey.act(target, "fill", lambda loc: loc.fill(value, timeout=journey.timeout_ms))


FIELDS_TABLE = TableShape(columns=("field", "value"), headers=(("field", "value"), ("champ", "valeur")),
                          target_column=0)
"""The table of ``I fill in:``: one row per field, with an optional header row (English or French)."""


@phrases(r"I fill in:?", r"je remplis\s?:?", "Fill several fields from a table | field | value |.")
@takes_table(FIELDS_TABLE)
def fill_table(journey: Journey, datatable: list[list[str]]) -> None:
    problem = FIELDS_TABLE.problem(datatable)  # checked before the run; a step called otherwise is told too
    if problem is not None:
        raise StepFailure(problem, "config")
    for target, value in FIELDS_TABLE.rows(datatable):
        journey.act(target, "fill", functools.partial(_fill, value=value, timeout=journey.timeout_ms))


@phrases(rf'I select "(?P<option>[^"]*)" (?:from|in) {TARGET}',
         rf'je sélectionne "(?P<option>[^"]*)" dans {TARGET}', "Choose an option of a select box by its label.")
def select(journey: Journey, option: str, target: str) -> None:
    def choose(loc: object) -> None:
        try:
            loc.select_option(label=option, timeout=journey.timeout_ms)  # type: ignore[attr-defined]
        except Exception as exc:
            if "did not find some options" in str(exc) or "Timeout" in str(exc):
                raise StepFailure(f"{target!r} has no option {option!r}", "missing") from None
            raise

    journey.act(target, "select in", choose)


@phrases(rf"I check {TARGET}", rf"je coche {TARGET}", "Tick a checkbox or radio button.")
def check(journey: Journey, target: str) -> None:
    journey.act(target, "check", lambda loc: loc.check(timeout=journey.timeout_ms),
                trial=lambda loc, timeout: loc.check(trial=True, timeout=timeout))


@phrases(rf"I uncheck {TARGET}", rf"je décoche {TARGET}", "Untick a checkbox.")
def uncheck(journey: Journey, target: str) -> None:
    journey.act(target, "uncheck", lambda loc: loc.uncheck(timeout=journey.timeout_ms),
                trial=lambda loc, timeout: loc.uncheck(trial=True, timeout=timeout))


@phrases(r'I press "(?P<key>[^"]*)"', r'j\'appuie sur "(?P<key>[^"]*)"', "Press a key (Enter, Tab, Escape...).")
def press(journey: Journey, key: str) -> None:
    before = journey.signals.navigations
    journey.notes.action = "press"
    journey.page.keyboard.press(key)
    journey.settle(before)


@phrases(rf'I press "(?P<key>[^"]*)" in {TARGET}', rf'j\'appuie sur "(?P<key>[^"]*)" dans {TARGET}',
         "Press a key in a field.")
def press_in(journey: Journey, key: str, target: str) -> None:
    journey.act(target, "press a key in", lambda loc: loc.press(key, timeout=journey.timeout_ms))


@phrases(rf'I upload "(?P<file>[^"]*)" to {TARGET}', rf'je joins "(?P<file>[^"]*)" à {TARGET}',
         "Attach a file (beside the feature, or in the app's files folder; no other) to a file input.")
def upload(journey: Journey, file: str, target: str) -> None:
    try:  # checked before the run; refused here too, should the file have changed since
        path = resolve_upload(file, Path(journey.feature_file), journey.profile, journey.upload_paths)
    except SpecError as exc:
        raise StepFailure(exc.message, "config") from None
    journey.act(target, "upload to", lambda loc: loc.set_input_files(path, timeout=journey.timeout_ms),
                trial=lambda loc, timeout: loc.wait_for(state="attached", timeout=timeout), needs="attached")


# --- checks -----------------------------------------------------------------------------
@phrases(rf"I wait for {TEXT}", rf"j'attends {TEXT}", "Wait until a text appears.")
def wait_for_text(journey: Journey, text: str) -> None:
    try:
        journey.page.get_by_text(text).first.wait_for(state="visible", timeout=journey.timeout_ms)
    except Exception:
        raise StepFailure(f"{text!r} did not appear within {journey.timeout_ms:.0f} ms",
                          "text_not_found") from None


@phrases(rf"I should see {TEXT}", rf"je vois {TEXT}", "A text is visible on the page.")
def see(journey: Journey, text: str) -> None:
    shown = journey.page.get_by_text(text).first
    _check(journey, lambda timeout: expect(shown).to_be_visible(timeout=timeout),
           f"expected to see {text!r} on {journey.page.url}", "text_not_found")


@phrases(rf"I should not see {TEXT}", rf"je ne vois pas {TEXT}", "A text is not visible on the page.")
def not_see(journey: Journey, text: str) -> None:
    visible_text = journey.page.get_by_text(text).filter(visible=True)
    _check(journey, lambda timeout: expect(visible_text).to_have_count(0, timeout=timeout),
           f"did not expect to see {text!r} on {journey.page.url}")


@phrases(rf"{TARGET} should be visible", rf"{TARGET} est visible", "A target is visible.")
def visible(journey: Journey, target: str) -> None:
    resolved = journey.find(target)
    _check(journey, lambda timeout: expect(resolved.locator.first).to_be_visible(timeout=timeout),
           f"expected {target!r} to be visible", "hidden")


@phrases(rf"{TARGET} should be hidden", rf"{TARGET} est masquée?", "A target is hidden or absent.")
def hidden(journey: Journey, target: str) -> None:
    ref = journey.ref(target)
    selectors = ref.selectors or (f"text={target}",)
    journey.notes.target, journey.notes.selector = target, " | ".join(selectors)
    union = journey.page.locator(selectors[0])
    for selector in selectors[1:]:  # hidden means: neither the selector nor any fallback shows it
        union = union.or_(journey.page.locator(selector))
    shown = union.filter(visible=True)
    _check(journey, lambda timeout: expect(shown).to_have_count(0, timeout=timeout),
           f"expected {target!r} to be hidden")


@phrases(rf"{TARGET} should contain {TEXT}", rf"{TARGET} contient {TEXT}", "A target's text contains a text.")
def contains(journey: Journey, target: str, text: str) -> None:
    resolved = journey.find(target)
    first = resolved.locator.first
    _check(journey, lambda timeout: expect(first).to_contain_text(text, timeout=timeout),
           f"expected {target!r} to contain {text!r}", "text_changed")


@phrases(r'the URL should contain "(?P<fragment>[^"]*)"', r'l\'URL contient "(?P<fragment>[^"]*)"',
         "The page URL contains a fragment.")
def url_contains(journey: Journey, fragment: str) -> None:
    wanted = re.compile(re.escape(fragment))
    _check(journey, lambda timeout: expect(journey.page).to_have_url(wanted, timeout=timeout),
           f"expected the URL to contain {fragment!r}")


@phrases(rf"the page title should contain {TEXT}", rf"le titre de la page contient {TEXT}",
         "The page title contains a text.")
def title_contains(journey: Journey, text: str) -> None:
    wanted = re.compile(re.escape(text))
    _check(journey, lambda timeout: expect(journey.page).to_have_title(wanted, timeout=timeout),
           f"expected the page title to contain {text!r}")


# --- guides -----------------------------------------------------------------------------
@phrases(r'the guide "(?P<guide>[^"]*)" (?:is|should be) intact', r'le guide "(?P<guide>[^"]*)" est intact',
         "Every step of a guide that lives on the current page still attaches to its element.")
def guide_intact(journey: Journey, guide: str) -> None:
    if journey.guides is None:
        raise StepFailure(f"guide {guide!r}: this app has no guides folder", "config")
    try:
        placed = journey.guides.on_current_page(guide, journey.page.url)
    except LookupError as exc:
        raise StepFailure(str(exc.args[0]), "config") from None
    context = {"feature": str(journey.feature_file), "step": f'the guide "{guide}" is intact'}
    broken = journey.guides.broken(journey.guides.check(journey, placed, context))
    if broken:
        detail = "; ".join(f"{r.id}: {r.status} ({r.message})" for r in broken)
        raise StepFailure(f"guide {guide!r} is broken on this page — {detail}", "guide_broken")


def library() -> list[StepFunctionContext]:
    """The built-in step library and every custom step module imported so far."""
    return step_definitions()


def load_journeys(paths: Sequence[str | Path], profile: AppProfile, guides: Path | None = None) -> list[Feature]:
    """Parse and check the features under ``paths`` against this library and their custom steps, and the app's guides.

    The guides are the ones the journeys check (``guides``, default ``guides/`` beside app.yaml), so a
    broken guide stops a run before it starts, as a broken feature does.

    Raises:
        SpecErrors: Every problem found, each with its file and line.
    """
    errors: list[SpecError] = []
    features: list[Feature] = []
    try:
        features = load_suite(paths, profile)
    except SpecErrors as exc:
        errors.extend(exc.errors)
    try:
        load_app_guides(profile, guides)
    except SpecErrors as exc:
        errors.extend(exc.errors)
    if errors:
        raise SpecErrors(errors)
    return features


def _fill(locator: Locator, value: str, timeout: float) -> None:
    locator.fill(value, timeout=timeout)
