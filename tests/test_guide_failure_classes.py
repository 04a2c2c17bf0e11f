"""The guide check's failure classes of issue 15, on fingerprints recorded from real apps, without a browser.

``tests/fixtures/recorded/unseen_apps.json`` holds, per step, the baseline fingerprint recorded on the
old version and the strongest candidates of the checked page on the new version (Flask-Admin 1.6.1 ->
2.2.1, Swagger UI 3.52.5 -> 5.35.0, the Django admin 4.2 -> 5.2), as ``harness/collect/anchor_probe.js``
recorded them in Chromium: ``own`` is the element the step's selector selects now, ``expected`` the one
the answer key names. Made by ``bench/corpus_snapshot.py`` and ``bench/corpus_offline.py --export``.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from harness.guides.repair import selector_candidates, vocabulary
from harness.guides.similarity import DRIFT_BELOW, SUGGEST_MIN, is_stable_class, rank, similarity
from harness.guides.status import DEFAULT_FAIL_ON, classify, names_its_element
from tests.support import ROOT
from tests.support.fingerprints import DESCRIPTION_V1, PURPOSE_V2, fp

RECORDED = ROOT / "tests" / "fixtures" / "recorded" / "unseen_apps.json"


@cache
def _cases() -> dict[str, Any]:
    return json.loads(RECORDED.read_text(encoding="utf-8"))["cases"]


def case(name: str) -> dict[str, Any]:
    """A recorded step (``corpus:guide/step``)."""
    return _cases()[name]


def observation(fp: dict[str, Any]) -> dict[str, Any]:
    """What the probe reports for a unique, visible, uncovered element with this fingerprint."""
    return {"count": 1, "visible": True, "offscreen": False, "covered_by": None, "disabled": bool(fp.get("disabled")),
            "fingerprint": fp, "text": fp.get("text"), "name": fp.get("name")}


def verdict(name: str, *, element: str = "own", with_candidates: bool = True, target: str | None = None) -> Any:
    c = case(name)
    fp = c["candidates"][c[element]]
    return classify(observation(fp), target=target or c["target"], expected_text=c["text"], baseline=c["baseline"],
                    candidates=c["candidates"] if with_candidates else None)


def top(name: str) -> int | None:
    c = case(name)
    ranked = rank(c["baseline"], c["candidates"])
    return ranked[0].index if ranked else None


# --- class 1: a positional selector now lands on another element ------------------------------------
def test_a_positional_selector_on_another_menu_is_drifted_although_it_scores_over_the_old_threshold() -> None:
    """Flask-Admin: ``#admin-navbar-collapse > ul:nth-child(2)`` was the right-hand links, now the main menu."""
    c = case("flask_admin:dashboard/help-links")
    own, right = c["candidates"][c["own"]], c["candidates"][c["expected"]]
    assert similarity(c["baseline"], own).score >= DRIFT_BELOW  # the old rule said ok
    found = verdict("flask_admin:dashboard/help-links")
    assert found.status == "drifted"
    assert "another element of the page" in found.message and f"({similarity(c['baseline'], right).score:.2f})" \
        in found.message
    # without the page's other elements, its text changed entirely under a positional selector: drifted too
    alone = verdict("flask_admin:dashboard/help-links", with_candidates=False)
    assert alone.status == "drifted" and 'became "Dashboard Tickets People"' in alone.message


def test_a_pasted_wrong_repair_is_not_called_ok_by_the_next_check() -> None:
    """Had a repair pointed at the main menu by a class selector, the re-check still sees the better element."""
    again = verdict("flask_admin:dashboard/help-links", target="ul.navbar-nav.mr-auto")
    assert again.status == "drifted" and "another element of the page" in again.message


def test_an_element_below_the_drift_threshold_is_drifted() -> None:
    found = verdict("swagger_ui:browse/path")
    assert found.status == "drifted" and found.similarity is not None and found.similarity < DRIFT_BELOW


def test_the_same_control_under_a_wrapper_change_stays_ok() -> None:
    """``.nav-tabs .active`` marked the <li> on 1.6.1, the <a> in it on 2.2.1: the same tab (no false alarm)."""
    found = verdict("flask_admin:new-ticket/create-tab")
    assert found.status == "ok", found.message


def test_a_relabelled_control_named_by_its_selector_stays_ok_and_says_so() -> None:
    """The demo's Description field became Purpose: with ``#purpose`` that is a relabel, told, not a failure."""
    obs = observation(PURPOSE_V2)
    named = classify(obs, target="#purpose", baseline=DESCRIPTION_V1, candidates=[PURPOSE_V2])
    assert named.status == "ok" and "became" in named.message
    positional = classify(obs, target="form > textarea:nth-of-type(1)", baseline=DESCRIPTION_V1,
                          candidates=[PURPOSE_V2])
    assert positional.status == "drifted"
    assert names_its_element("#purpose") and names_its_element('role=textbox[name="Purpose"]')
    assert not names_its_element("form > textarea:nth-of-type(1)")
    assert not names_its_element("#admin-navbar-collapse > ul:nth-child(2)")  # an id names the container only


def test_drifted_fails_a_check_by_default() -> None:
    """Class 6: every drift measured on the corpora was the bubble on another control (bench/README.md)."""
    assert "drifted" in DEFAULT_FAIL_ON


# --- class 2: a wrapper against the element inside it -------------------------------------------------
@pytest.mark.parametrize("name", ["swagger_ui:overview/top-bar", "flask_admin:ticket-details/filter-label",
                                  "flask_admin:ticket-list/delete"])
def test_the_element_and_not_its_wrapper_or_its_content_ranks_first(name: str) -> None:
    """top-bar: <header class=topbar> over the <div> wrappers inside it (exact tag, no class in common);
    filter-label: the <label> over the <div> around it; delete: the first row's button, not the row."""
    assert top(name) == case(name)["expected"]


# --- class 3: semantic tag migrations -------------------------------------------------------------------
@pytest.mark.parametrize("name", ["django_admin:dashboard/content", "django_admin:dashboard/header",
                                  "swagger_ui:overview/title", "flask_admin:ticket-details/filter-label",
                                  "flask_admin:dashboard/menu-bar", "flask_admin:new-ticket/form",
                                  "swagger_ui:schemas/ticket", "flask_admin:dashboard/brand"])
def test_migrated_elements_rank_first_above_the_suggestion_threshold(name: str) -> None:
    """div -> main, div -> header, h2 -> h1, span -> label, navbar and form restyles, span -> strong."""
    c = case(name)
    ranked = rank(c["baseline"], c["candidates"])
    assert ranked and ranked[0].index == c["expected"] and ranked[0].score >= SUGGEST_MIN


@pytest.mark.parametrize("name", ["swagger_ui:overview/logo", "django_admin:edit-book/show-details"])
def test_an_element_sharing_too_little_gets_no_suggestion_rather_than_a_wrong_one(name: str) -> None:
    """<img> -> inline <svg>; a "Show" link -> a <summary> with another text: nothing is proposed."""
    assert top(name) is None


# --- class 4: brittle repair selectors ------------------------------------------------------------------
def test_repair_selectors_of_recorded_elements_avoid_utility_classes_and_positions() -> None:
    menu = case("flask_admin:dashboard/menu-bar")
    bar = menu["candidates"][menu["expected"]]
    assert {"navbar-dark", "navbar-expand-lg"} <= set(bar["classes"])
    classes = [c.selector for c in selector_candidates(bar) if c.kind == "class"]
    assert classes[0] == "nav.navbar" and not any("navbar-dark" in s or "expand" in s for s in classes)
    brand = case("flask_admin:dashboard/brand")
    assert selector_candidates(brand["candidates"][brand["expected"]])[0].selector == 'role=link[name="Helpdesk"]'
    delete = case("flask_admin:ticket-list/delete")
    words = vocabulary(delete["candidates"][delete["expected"]])
    assert words.classes and all(is_stable_class(c) for c in words.classes)
    assert "role" not in words.attributes and "type" not in words.attributes


def test_a_positional_step_into_a_list_whose_rows_moved_stays_ok() -> None:
    """"The first ticket" is a position: when the data's order changes, the row's new text is data, and the
    old row elsewhere in the list is no better element (no false alarm on a live list)."""
    row = "main#m > table.list > tbody > tr:{n} > td.subject"
    baseline = fp(row.format(n=1), text="Printer jam", role="cell", name="Printer jam", box=(10, 100, 300, 30))
    first = fp(row.format(n=1), text="VPN down", role="cell", name="VPN down", box=(10, 100, 300, 30))
    second = fp(row.format(n=2), text="Printer jam", role="cell", name="Printer jam", box=(10, 130, 300, 30))
    found = classify(observation(first), target="tbody tr:first-child td.subject", baseline=baseline,
                     candidates=[first, second])
    assert found.status == "ok" and 'became "VPN down"' in found.message
    # the same move outside a list (two different elements): the rival and text rules apply
    menu = fp("main#m > nav.side > a.help", text="Help", role="link", name="Help", box=(10, 100, 300, 30))
    other = fp("main#m > nav.side > a.status", text="Status page", role="link", name="Status page",
               box=(10, 100, 300, 30))
    moved = fp("main#m > nav.side > a.help:2", text="Help", role="link", name="Help", box=(10, 130, 300, 30))
    assert classify(observation(other), target="nav.side > a:first-child", baseline=menu,
                    candidates=[other, moved]).status == "drifted"
