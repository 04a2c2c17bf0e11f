"""similarity, rank and fingerprint_diff (harness/guides/similarity.py) on literal fingerprints.

The calibration cases are real: fingerprints recorded by harness/collect/anchor_probe.js in
Chromium (1280x720) for the demo guides' anchors on Spendly 1.8 and the elements they became on
2.0, and likewise on the Django admin test site, 4.2 -> 5.2 (tests/fixtures/django_admin), with
the strongest wrong candidates of those pages. Only the v1 table row is rebuilt by hand from
the 1.8 template (no guide anchors a row). Paths are written CSS-like: ``tag#id.class:index``.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from harness.guides.similarity import (
    DRIFT_BELOW,
    NESTED_TIE,
    SUGGEST_MIN,
    fingerprint_diff,
    rank,
    similarity,
)

VIEWPORT = {"width": 1280, "height": 720}
_NODE = re.compile(r"^(?P<tag>[a-z][a-z0-9-]*)(?:#(?P<id>[^.:]+))?(?P<classes>(?:\.[^.:]+)*)(?::(?P<index>\d+))?$")


def path_nodes(path: str) -> list[dict[str, Any]]:
    """``html > body > `` plus the nodes of a CSS-like path."""
    nodes: list[dict[str, Any]] = [{"tag": "html", "id": None, "classes": [], "index": 1},
                                   {"tag": "body", "id": None, "classes": [], "index": 1}]
    for part in path.split(" > "):
        match = _NODE.match(part)
        assert match, part
        nodes.append({"tag": match["tag"], "id": match["id"], "classes": [c for c in match["classes"].split(".") if c],
                      "index": int(match["index"] or 1)})
    return nodes


def fp(path: str, *, text: str = "", role: str | None = None, name: str | None = None,
       attributes: dict[str, str] | None = None, box: tuple[int, int, int, int] | None = None,
       neighbours: tuple[str, ...] = (), visible: bool = True) -> dict[str, Any]:
    """A fingerprint as docs/guides.md describes it; tag, id and classes are the path's last node."""
    nodes = path_nodes(path)
    last = nodes[-1]
    return {"tag": last["tag"], "id": last["id"], "classes": list(last["classes"]), "text": text, "role": role,
            "name": name, "attributes": attributes or {}, "path": nodes,
            "box": dict(zip(("x", "y", "width", "height"), box, strict=True)) if box else None,
            "viewport": VIEWPORT, "neighbours": list(neighbours), "visible": visible}


def score(old: dict[str, Any], new: dict[str, Any]) -> float:
    return similarity(old, new).score


# --- the demo app, Spendly 1.8 -> 2.0 -------------------------------------------------------------
LOGIN_V1 = fp("main#main.container > section.login-box > form#login-form > button#login-button.btn.btn-primary",
              text="Sign in", role="button", name="Sign in", attributes={"type": "submit"}, box=(482, 289, 82, 39),
              neighbours=("Password", "Sign in to Spendly"))
LOGIN_V2 = fp("div.shell.shell--public > div.shell__main > main#main.content > section.auth-card > form#login-form"
              " > button#signin-btn.button.button--primary.button--block", text="Sign in", role="button",
              name="Sign in", attributes={"type": "submit"}, box=(472, 363, 336, 41),
              neighbours=("Password", "Welcome back"))
COOKIE_MANAGE_V2 = fp("div#cookie-banner.cookie-banner:2 > div.cookie-banner__actions"
                      " > button#cookie-manage.button.button--ghost", text="Manage", role="button", name="Manage",
                      attributes={"type": "button"}, box=(1044, 648, 102, 41), neighbours=("Accept",))
HEADING_V1 = fp("main#main.container > section.login-box > h1", text="Sign in to Spendly", role="heading",
                name="Sign in to Spendly", box=(482, 72, 316, 38), neighbours=("Username Password Sign in",))
HEADING_V2 = fp("div.shell.shell--public > div.shell__main > main#main.content > section.auth-card > h1",
                text="Welcome back", role="heading", name="Welcome back", box=(472, 125, 336, 43),
                neighbours=("Username Password Sign in",))
SEARCH_V1 = fp("main#main.container > div.toolbar > form#expense-search-form > input#expense-search",
               role="searchbox", name="Search expenses",
               attributes={"name": "q", "type": "search", "placeholder": "Search expenses", "value": ""},
               box=(174, 126, 288, 39), neighbours=("Search expenses", "Search", "My expenses"))
SEARCH_V2 = fp("div.shell > div.shell__main > main#main.content > form#expense-search-form.searchbar"
               " > input#q.searchbar__input", role="searchbox", name="Search expenses",
               attributes={"name": "q", "type": "search", "placeholder": "Search by purpose or category…", "value": ""},
               box=(252, 151, 512, 44), neighbours=("Search expenses", "Search", "My expenses"))
SEARCH_BUTTON_V2 = fp("div.shell > div.shell__main > main#main.content > form#expense-search-form.searchbar"
                      " > button.button.button--ghost", text="Search", role="button", name="Search",
                      attributes={"type": "submit"}, box=(772, 151, 93, 44), neighbours=("My expenses",))
NEW_V1 = fp("main#main.container > div.toolbar > a#new-expense.btn.btn-primary", text="New expense", role="link",
            name="New expense", attributes={"href": "/expenses/new"}, box=(975, 126, 131, 39),
            neighbours=("Search expenses Search", "My expenses"))
NEW_FAB_V2 = fp("div.shell > div.shell__main > main#main.content > a#fab-new-expense.fab.fab--new-expense",
                text="New expense", role="link", name="New expense", attributes={"href": "/expenses/new"},
                box=(1091, 524, 157, 52),
                neighbours=("DATE PURPOSE CATEGORY AMOUNT STATUS 2024-04-14 Design tool subscription Software",
                            "My expenses"))
NAV_EXPENSES_V2 = fp("div.shell > aside.sidebar > nav#main-nav.sidebar__nav > a#nav-expenses:2", text="Expenses",
                     role="link", name="Expenses", attributes={"href": "/expenses", "aria-current": "page"},
                     box=(16, 126, 188, 38), neighbours=("Home", "Tickets"))
DESCRIPTION_V1 = fp("main#main.container > form#expense-form.form > div.field > input#description", role="textbox",
                    name="Description", attributes={"name": "description", "type": "text", "maxlength": "120",
                                                    "required": "", "value": ""},
                    box=(198, 177, 592, 39), neighbours=("Description", "New expense"))
PURPOSE_V2 = fp("div.shell > div.shell__main > main#main.content > form#expense-form.form-card > div.field"
                " > input#purpose", role="textbox", name="Purpose",
                attributes={"name": "purpose", "type": "text", "maxlength": "120", "required": "", "value": ""},
                box=(278, 202, 629, 44), neighbours=("Purpose", "New expense"))
AMOUNT_V2 = fp("div.shell > div.shell__main > main#main.content > form#expense-form.form-card > div.field:2"
               " > input#amount", role="textbox", name="Amount (EUR)",
               attributes={"name": "amount", "type": "text", "inputmode": "decimal", "required": "", "value": ""},
               box=(278, 290, 629, 44), neighbours=("Amount (EUR)", "New expense"))
_ROW_TEXT = "2024-04-11 Train to Lyon Travel €86.00 Approved"
_ROW_NEAR = ("2024-04-14 Design tool subscription Software €15.00 Rejected",
             "2024-04-08 Laptop stand Office €39.90 Pending", "My expenses")
ROW_V1 = fp("main#main.container > table#expenses-table.table > tbody > tr.expense-row:2", text=_ROW_TEXT,
            role="row", name=_ROW_TEXT, attributes={"data-id": "1404"}, box=(174, 238, 932, 37), neighbours=_ROW_NEAR)
ROW_V2 = fp("div.shell > div.shell__main > main#main.content > table#expenses-table.exp-list > tbody"
            " > tr.exp-list__item:2", text=_ROW_TEXT, role="row", name=_ROW_TEXT, attributes={"data-id": "1404"},
            box=(252, 298, 996, 46), neighbours=_ROW_NEAR)
NEXT_ROW_V2 = fp("div.shell > div.shell__main > main#main.content > table#expenses-table.exp-list > tbody"
                 " > tr.exp-list__item:3", text="2024-04-08 Laptop stand Office €39.90 Pending", role="row",
                 name="2024-04-08 Laptop stand Office €39.90 Pending", attributes={"data-id": "1403"},
                 box=(252, 350, 996, 46), neighbours=(_ROW_TEXT, "2024-04-05 Team lunch Meals €64.00 Approved",
                                                      "My expenses"))

# --- the Django admin, 4.2 -> 5.2 ---------------------------------------------------------------
_HEADER_TEXT = ("Django administration WELCOME, ADMIN. VIEW SITE / CHANGE PASSWORD / LOG OUT "
                "Toggle theme (current theme: auto)")
HEADER_42 = fp("div#container > div#header", text=_HEADER_TEXT, box=(0, 0, 1280, 48),
               neighbours=("Site administration AUTHENTICATION AND AUTHORIZATION Groups Add Change Users Add",))
HEADER_52 = fp("div#container > header#header", text=_HEADER_TEXT, role="banner", box=(0, 0, 1280, 48),
               neighbours=("Site administration AUTHENTICATION AND AUTHORIZATION MODEL NAME ADD LINK CHANGE ",))
USER_TOOLS_52 = fp("div#container > header#header > div#user-tools:2",
                   text="WELCOME, ADMIN. VIEW SITE / CHANGE PASSWORD / LOG OUT Toggle theme (current theme: auto)",
                   box=(832, 13, 408, 23), neighbours=("Django administration",))
#: What ``#container > div:first-of-type`` selects on 5.2: the page body, no longer the header.
MAIN_52 = fp("div#container > div#main.main",
             text="Site administration AUTHENTICATION AND AUTHORIZATION MODEL NAME ADD LINK CHANGE OR VIEW LIST LINK "
                  "Groups Add Change Users Add Change LIBRARY MODEL NAME ADD LINK CHANGE OR VIEW LIST LINK Authors "
                  "Add Ch", box=(0, 48, 1280, 672),
             neighbours=("Django administration WELCOME, ADMIN. VIEW SITE / CHANGE PASSWORD / LOG OUT Togg",))
SITE_NAME_42 = fp("div#container > div#header > div#branding > h1#site-name", text="Django administration",
                  role="heading", name="Django administration", box=(530, 116, 200, 21),
                  neighbours=("Toggle theme (current theme: auto)",))
SITE_NAME_52 = fp("div#container > header#header > div#branding > div#site-name", text="Django administration",
                  box=(482, 116, 266, 28), neighbours=("Toggle theme (current theme: auto)",))
SITE_NAME_LINK_52 = fp("div#container > header#header > div#branding > div#site-name > a",
                       text="Django administration", role="link", name="Django administration",
                       attributes={"href": "/admin/"}, box=(482, 116, 266, 28))
_CONTENT_42 = "div#container > div#main.main.shifted:2 > div#content-start.content > div#content > div#content-main"
_CONTENT_52 = "div#container > div#main.main.shifted > main#content-start.content > div#content > div#content-main"
_FILTER_TEXT = ("By genre All Novel Poetry Essay By in print All Yes No By author All Italo Calvino Ursula K. Le Guin "
                "Wisława Szymborska")
_FILTER_NEAR = ("Action: --------- Delete selected books Mark selected books as out of print Go 0",
                "Select book to change")
FILTER_42 = fp(f"{_CONTENT_42} > div#changelist.module.filtered > div#changelist-filter:2",
               text=f"FILTER {_FILTER_TEXT}", box=(1000, 148, 240, 418), neighbours=_FILTER_NEAR)
FILTER_52 = fp(f"{_CONTENT_52} > div#changelist.module.filtered > nav#changelist-filter",
               text=f"FILTER Show counts {_FILTER_TEXT}", role="navigation", name="Filter",
               attributes={"aria-labelledby": "changelist-filter-header"}, box=(1000, 148, 240, 455),
               neighbours=_FILTER_NEAR)
RESULTS_52 = fp(f"{_CONTENT_52} > div#changelist.module.filtered > div.changelist-form-container"
                " > form#changelist-form > div.results:2",
                text="TITLE AUTHOR GENRE PUBLISHED IN PRINT Invisible Cities Italo Calvino Novel Nov. 1, 1972 Six "
                     "Memos for the Next Millennium Italo Calvino Essay Jan. 1, 1988 The Dispossessed Ursula K. Le "
                     "Guin Novel May ", box=(339, 251, 631, 253), neighbours=(*_FILTER_NEAR[:1], "6 books",
                                                                              _FILTER_NEAR[1]))
_FORM_42 = ("div#container > div#main.main.shifted:2 > div#content-start.content > div#content.colM"
            " > div#content-main > form#book_form > div")
_FORM_52 = ("div#container > div#main.main.shifted > main#content-start.content > div#content.colM"
            " > div#content-main > form#book_form > div")
_AUTHOR = ("fieldset.module.aligned > div.form-row.field-author:2 > div > div.flex-container"
           " > div.related-widget-wrapper")
ADD_ICON_42 = fp(f"{_FORM_42} > {_AUTHOR} > a#add_id_author.related-widget-wrapper-link.add-related:2 > img",
                 role="img", name="Add", attributes={"src": "/static/admin/img/icon-addlink.svg", "alt": "Add"},
                 box=(721, 219, 13, 13))
ADD_ICON_52 = fp(f"{_FORM_52} > {_AUTHOR} > a#add_id_author.related-widget-wrapper-link.add-related:2 > img",
                 role="presentation", attributes={"src": "/static/admin/img/icon-addlink.svg", "alt": "",
                                                  "width": "24", "height": "24"}, box=(734, 206, 24, 24))
CHANGE_ICON_52 = fp(f"{_FORM_52} > {_AUTHOR} > a#change_id_author.related-widget-wrapper-link.change-related > img",
                    role="presentation", attributes={"src": "/static/admin/img/icon-changelink.svg", "alt": "",
                                                     "width": "24", "height": "24"}, box=(700, 206, 24, 24))
SHOW_TOGGLE_42 = fp(f"{_FORM_42} > fieldset.module.aligned.collapse.collapsed:2 > h2"
                    " > a#fieldsetcollapser0.collapse-toggle", text="Show", role="link", name="Show",
                    attributes={"href": "#"}, box=(471, 470, 35, 15))
SUMMARY_52 = fp(f"{_FORM_52} > fieldset.module.aligned.collapse:2 > details > summary", text="Catalogue details",
                name="Catalogue details", box=(339, 461, 901, 33))
TODAY_LINK_52 = fp(f"{_FORM_52} > fieldset.module.aligned > div.form-row.field-published:4 > div > div.flex-container"
                   " > p.date > span.datetimeshortcuts > a", text="Today", role="link", name="Today",
                   attributes={"href": "#"}, box=(639, 355, 38, 15))
DETAILS_H2_42 = fp(f"{_FORM_42} > fieldset.module.aligned.collapse.collapsed:2 > h2", text="Catalogue details (Show)",
                   role="heading", name="Catalogue details (Show)", box=(340, 462, 899, 31),
                   neighbours=("ISBN:", "Change book"))
DETAILS_H2_52 = fp(f"{_FORM_52} > fieldset.module.aligned.collapse:2 > details > summary"
                   " > h2#fieldset-0-1-heading.fieldset-heading", text="Catalogue details", role="heading",
                   name="Catalogue details", box=(362, 470, 114, 15))
DETAILS_52 = fp(f"{_FORM_52} > fieldset.module.aligned.collapse:2 > details", text="Catalogue details", role="group",
                box=(339, 461, 901, 33), neighbours=("Change book",))
FIELDSET_52 = fp(f"{_FORM_52} > fieldset.module.aligned.collapse:2", text="Catalogue details", role="group",
                 name="Catalogue details", attributes={"aria-labelledby": "fieldset-0-1-heading"},
                 box=(339, 461, 901, 33), neighbours=("Title: Author: --------- Italo Calvino Ursula K. Le Guin "
                                                      "Wisława Szymborska Genr", "Delete", "Change book"))

#: (case, baseline, the element it became, the strongest wrong candidates of that page).
SAME_ELEMENT = [
    ("login button renamed", LOGIN_V1, LOGIN_V2, [COOKIE_MANAGE_V2, HEADING_V2]),
    ("search box renamed", SEARCH_V1, SEARCH_V2, [SEARCH_BUTTON_V2]),
    ("rows restyled (BEM)", ROW_V1, ROW_V2, [NEXT_ROW_V2]),
    ("new expense became a FAB", NEW_V1, NEW_FAB_V2, [NAV_EXPENSES_V2]),
    ("description relabelled purpose", DESCRIPTION_V1, PURPOSE_V2, [AMOUNT_V2]),
    ("heading reworded", HEADING_V1, HEADING_V2, [LOGIN_V2]),
    ("div#header became header", HEADER_42, HEADER_52, [USER_TOOLS_52, MAIN_52]),
    ("h1#site-name became div", SITE_NAME_42, SITE_NAME_52, [SITE_NAME_LINK_52]),
    ("filter panel became nav", FILTER_42, FILTER_52, [RESULTS_52]),
    ("icon lost its alt text", ADD_ICON_42, ADD_ICON_52, [CHANGE_ICON_52]),
]


@pytest.mark.parametrize(("old", "new", "others"), [c[1:] for c in SAME_ELEMENT], ids=[c[0] for c in SAME_ELEMENT])
def test_calibration_the_element_it_became_is_proposed_and_not_drifted(old: dict[str, Any], new: dict[str, Any],
                                                                      others: list[dict[str, Any]]) -> None:
    found = score(old, new)
    assert found >= SUGGEST_MIN
    assert found >= DRIFT_BELOW
    assert all(score(old, other) < found for other in others)
    ranked = rank(old, [*others, new])
    assert ranked[0].index == len(others)
    assert ranked[0].score == pytest.approx(found)


def test_calibration_relabelled_field_beats_the_next_field_but_the_next_is_not_proposed() -> None:
    assert score(DESCRIPTION_V1, AMOUNT_V2) < SUGGEST_MIN < score(DESCRIPTION_V1, PURPOSE_V2)
    assert [r.index for r in rank(DESCRIPTION_V1, [AMOUNT_V2, PURPOSE_V2])] == [1]


@pytest.mark.parametrize(("old", "found"), [(HEADER_42, MAIN_52), (LOGIN_V1, COOKIE_MANAGE_V2),
                                            (SEARCH_V1, SEARCH_BUTTON_V2), (ADD_ICON_42, ADD_ICON_52)],
                         ids=["first div is now the page body", "another button", "the button next to it", "same"])
def test_calibration_drift(old: dict[str, Any], found: dict[str, Any]) -> None:
    """A selector that now selects another element reports drift; the same element does not."""
    assert (score(old, found) < DRIFT_BELOW) is (found is not ADD_ICON_52)


def test_calibration_a_redesigned_widget_is_not_guessed() -> None:
    """collapse.js's "Show" link became the fieldset's <summary>: nothing is alike enough to propose."""
    candidates = [SUMMARY_52, TODAY_LINK_52, DETAILS_H2_52, FIELDSET_52]
    assert score(SHOW_TOGGLE_42, SUMMARY_52) < 0.3
    assert rank(SHOW_TOGGLE_42, candidates) == []
    assert max(score(SHOW_TOGGLE_42, c) for c in candidates) < SUGGEST_MIN


def _moved(fingerprint: dict[str, Any], dx: int = 0, dy: int = 0, **changes: Any) -> dict[str, Any]:
    """A copy moved by (dx, dy) with other top-level fields (and the last path node) changed."""
    copy = {**fingerprint, **changes, "path": [dict(n) for n in fingerprint["path"]]}
    for key in ("id", "classes"):
        if key in changes:
            copy["path"][-1][key] = changes[key]
    box = fingerprint["box"]
    copy["box"] = {**box, "x": box["x"] + dx, "y": box["y"] + dy}
    return copy


@pytest.mark.parametrize("changes", [{"classes": ["button", "button--primary"]}, {"dy": 12},
                                     {"id": "signin-btn"},
                                     {"classes": ["button", "button--primary"], "id": "signin-btn", "dx": 9, "dy": 12}],
                         ids=["class renamed", "moved 12 px", "id renamed", "all three"])
def test_cosmetic_changes_keep_the_same_element_above_0_7(changes: dict[str, Any]) -> None:
    assert score(LOGIN_V1, _moved(LOGIN_V1, **changes)) >= 0.7


def test_another_element_of_the_same_kind_elsewhere_scores_below_0_5() -> None:
    forgot = fp("main#main.container > section.login-box > p.muted > button#forgot.btn.btn-link",
                text="Forgot your password?", role="button", name="Forgot your password?",
                attributes={"type": "button"}, box=(482, 420, 180, 24), neighbours=("Demo accounts",))
    assert score(LOGIN_V1, forgot) < 0.5
    assert score(LOGIN_V1, COOKIE_MANAGE_V2) < 0.5
    assert score(NEW_V1, NAV_EXPENSES_V2) < 0.5
    assert score(SEARCH_V1, SEARCH_BUTTON_V2) < 0.5


@pytest.mark.parametrize(("old", "new"), [(LOGIN_V1, ROW_V2), (SEARCH_V1, HEADING_V2), (HEADER_42, ADD_ICON_52),
                                          (ROW_V1, LOGIN_V2), (NEW_V1, FILTER_52)],
                         ids=["button/row", "input/heading", "header/icon", "row/button", "link/panel"])
def test_a_wholly_different_element_scores_below_0_3(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert score(old, new) < 0.3


@pytest.mark.parametrize("fingerprint", [LOGIN_V1, SEARCH_V2, ROW_V1, HEADER_52, ADD_ICON_42, SUMMARY_52])
def test_an_element_is_identical_to_itself(fingerprint: dict[str, Any]) -> None:
    result = similarity(fingerprint, fingerprint)
    assert result.score == pytest.approx(1.0)
    assert set(result.parts.values()) == {1.0}
    assert result.reasons


# --- missing values ----------------------------------------------------------------------------------
def test_features_missing_on_both_sides_are_left_out() -> None:
    old, new = {"tag": "a", "text": "Home"}, {"tag": "a", "text": "Homes"}
    bare = similarity(old, new)
    assert set(bare.parts) == {"tag", "text"}
    empty = {"id": None, "classes": [], "role": None, "name": None, "attributes": {}, "path": [], "box": None,
             "neighbours": []}
    padded = similarity({**old, **empty}, {**new, **empty})
    assert padded.parts == bare.parts
    assert padded.score == pytest.approx(bare.score)
    assert similarity({"tag": "button", "text": "Save"}, {"tag": "button", "text": "Save"}).score == 1.0


def test_a_feature_present_on_one_side_only_disagrees() -> None:
    old = {"tag": "button", "text": "Save", "id": "save"}
    result = similarity(old, {"tag": "button", "text": "Save"})
    assert result.parts["id"] == 0.0
    assert result.score < 1.0
    gained = similarity({"tag": "button", "text": "Save"}, {"tag": "button", "text": "Save", "role": "button"})
    assert gained.parts["role"] == 0.0


def test_generated_ids_and_state_classes_are_not_evidence() -> None:
    old = {"tag": "button", "text": "Save", "id": "ember123", "classes": ["btn", "active"]}
    new = {"tag": "button", "text": "Save", "id": "ember456", "classes": ["btn"]}
    result = similarity(old, new)
    assert "id" not in result.parts
    assert result.parts["classes"] == 1.0


def test_boxes_without_area_and_empty_fingerprints_are_tolerated() -> None:
    old = {"tag": "a", "text": "Help", "box": {"x": 0, "y": 0, "width": 0, "height": 0}}
    result = similarity(old, {"tag": "a", "text": "Help", "box": {"x": 5, "y": 5, "width": 40, "height": 20}})
    assert "position" not in result.parts and "size" not in result.parts
    assert similarity({}, {}).score == 0.0
    assert fingerprint_diff({}, {}) == []


def test_missing_viewport_uses_the_default_one() -> None:
    old = {"tag": "a", "text": "Help", "box": {"x": 100, "y": 100, "width": 40, "height": 20}}
    near = similarity(old, {"tag": "a", "text": "Help", "box": {"x": 112, "y": 100, "width": 40, "height": 20}})
    far = similarity(old, {"tag": "a", "text": "Help", "box": {"x": 900, "y": 600, "width": 40, "height": 20}})
    assert near.parts["position"] > 0.9 > 0.1 > far.parts["position"]


# --- reasons ---------------------------------------------------------------------------------------
def test_reasons_name_the_strongest_agreements() -> None:
    old = {"tag": "input", "id": "q", "role": "searchbox", "name": "Search", "attributes": {"name": "q"},
           "box": {"x": 100, "y": 100, "width": 200, "height": 30}}
    new = {**old, "box": {"x": 112, "y": 100, "width": 200, "height": 30}}
    reasons = similarity(old, new).reasons
    assert set(reasons[:2]) == {'same accessible name "Search"', "same id q"}
    assert "same name attribute q" in reasons and "same role searchbox" in reasons
    assert len(reasons) == 5
    moved = similarity({"tag": "button", "text": "Save changes", "box": old["box"]},
                       {"tag": "button", "text": "Save change", "box": new["box"]}).reasons
    assert moved == ("text 96% alike", "same tag button", "moved 12 px", "same size")
    unlike = similarity({"tag": "button", "text": "Save"}, {"tag": "button", "text": "Save the form"})
    assert unlike.reasons == ("same tag button",)  # 47% alike is no reason


def test_reasons_of_a_renamed_element() -> None:
    reasons = similarity(LOGIN_V1, LOGIN_V2).reasons
    assert reasons[0] == 'same text "Sign in"'
    assert 'same accessible name "Sign in"' not in reasons  # said once, as the text
    assert "same role button" in reasons
    header = similarity(HEADER_42, HEADER_52).reasons
    assert "same id header" in header
    tbody = {"tag": "tbody", "id": None, "classes": ["rows"], "index": 1}
    restyled = {**ROW_V1, "path": [*ROW_V1["path"][:-2], tbody, ROW_V1["path"][-1]]}
    assert "same DOM path except 1 level" in similarity(ROW_V1, restyled).reasons


# --- rank --------------------------------------------------------------------------------------------
def test_rank_never_returns_an_invisible_candidate() -> None:
    hidden = {**LOGIN_V1, "visible": False}
    unknown = {k: v for k, v in LOGIN_V1.items() if k != "visible"}
    ranked = rank(LOGIN_V1, [hidden, unknown, LOGIN_V2, COOKIE_MANAGE_V2], minimum=0.0)
    assert [r.index for r in ranked] == [2, 3]
    assert rank(LOGIN_V1, [hidden]) == []


def test_rank_orders_limits_and_thresholds() -> None:
    candidates = [HEADING_V2, COOKIE_MANAGE_V2, LOGIN_V2, SEARCH_V2, ROW_V2, AMOUNT_V2]
    everything = rank(LOGIN_V1, candidates, minimum=0.0, limit=100)
    assert [r.index for r in everything][:2] == [2, 1]
    assert len(everything) == len(candidates)
    rounded = [round(r.score, 2) for r in everything]  # equal at 2 decimals: a tie, broken by tag, role, size
    assert rounded == sorted(rounded, reverse=True)
    assert [r.index for r in rank(LOGIN_V1, candidates, minimum=0.0, limit=2)] == [2, 1]
    assert [r.index for r in rank(LOGIN_V1, candidates)] == [2]
    assert rank(LOGIN_V1, candidates, minimum=0.99) == []
    assert rank(LOGIN_V1, candidates, limit=0) == []
    for r in everything:
        same = similarity(LOGIN_V1, candidates[r.index])
        assert (r.score, r.parts, r.reasons) == (pytest.approx(same.score), same.parts, same.reasons)


def test_rank_prefers_the_element_to_its_wrappers() -> None:
    """On 5.2 the fieldset's <h2> sits in <summary> in <details>: the wrappers took its box and text."""
    wrappers = [DETAILS_52, SUMMARY_52, FIELDSET_52]
    assert all(score(DETAILS_H2_42, w) > score(DETAILS_H2_42, DETAILS_H2_52) for w in wrappers[:2])
    assert score(DETAILS_H2_42, DETAILS_H2_52) > score(DETAILS_H2_42, DETAILS_52) - NESTED_TIE
    ranked = rank(DETAILS_H2_42, [*wrappers, DETAILS_H2_52], minimum=0.0)
    assert ranked[0].index == 3


def test_rank_does_not_prefer_a_child_that_is_less_like_the_baseline() -> None:
    """A button's inner <span> shares its text and box but not its tag and role: the button stays first."""
    button = fp("main#main > form#f > button#save.btn", text="Save", role="button", name="Save",
                box=(10, 10, 80, 30))
    span = fp("main#main > form#f > button#save.btn > span.label", text="Save", box=(20, 15, 60, 20))
    old = {**button, "id": "save-button", "path": path_nodes("main#main > form#f > button#save-button.btn")}
    assert [r.index for r in rank(old, [span, button], minimum=0.0)] == [1, 0]


def test_rank_breaks_exact_ties_toward_the_smaller_box() -> None:
    old = {"tag": "div", "text": "Total 42.00", "classes": ["total"]}
    inner = {**old, "visible": True, "box": {"x": 10, "y": 10, "width": 100, "height": 20}}
    outer = {**old, "visible": True, "box": {"x": 0, "y": 0, "width": 400, "height": 60}}
    assert score(old, inner) == score(old, outer)
    assert [r.index for r in rank(old, [outer, inner])] == [1, 0]
    assert [r.index for r in rank(old, [inner, outer])] == [0, 1]


def _page(rows: int) -> list[dict[str, Any]]:
    """A long list page: rows with cells and links, plus the demo elements above."""
    rng = random.Random(3)
    words = ("taxi", "hotel", "lunch", "train", "ticket", "licence", "dinner", "parking", "course", "book")
    out = [LOGIN_V2, COOKIE_MANAGE_V2, HEADING_V2, SEARCH_V2, SEARCH_BUTTON_V2, NEW_FAB_V2, NAV_EXPENSES_V2]
    table = "div.shell > div.shell__main > main#main.content > table#expenses-table.exp-list > tbody"
    for row in range(1, rows + 1):
        text = " ".join(rng.sample(words, 3))
        y = 200 + 46 * row
        out.append(fp(f"{table} > tr.exp-list__item:{row}", text=f"2024-04-{row % 28 + 1:02d} {text} Travel",
                      role="row", name=text, attributes={"data-id": str(row)}, box=(252, y, 996, 46),
                      visible=rng.random() > 0.1))
        out.append(fp(f"{table} > tr.exp-list__item:{row} > td:2 > a", text=text, role="link", name=text,
                      attributes={"href": f"/expenses/{row}"}, box=(430, y + 12, 160, 20)))
    return out


@pytest.mark.parametrize("old", [LOGIN_V1, SEARCH_V1, ROW_V1, NEW_V1, HEADING_V1],
                         ids=["button", "input", "row", "link", "heading"])
def test_rank_pruning_keeps_the_exhaustive_result(old: dict[str, Any]) -> None:
    """The cheap bounds never drop a candidate the exhaustive scoring would have kept."""
    candidates = _page(150)
    exhaustive = {i: similarity(old, c).score for i, c in enumerate(candidates) if c["visible"]}
    for minimum in (0.0, 0.3, SUGGEST_MIN):
        ranked = rank(old, candidates, minimum=minimum, limit=5)
        eligible = {i: s for i, s in exhaustive.items() if s >= minimum}
        assert len(ranked) == min(5, len(eligible))
        assert all(r.score == pytest.approx(exhaustive[r.index]) for r in ranked)
        if ranked:
            dropped = max((s for i, s in eligible.items() if i not in {r.index for r in ranked}), default=0.0)
            assert dropped <= min(r.score for r in ranked) + NESTED_TIE + 0.01


# --- fingerprint_diff --------------------------------------------------------------------------------
def test_diff_of_the_django_header() -> None:
    assert fingerprint_diff(HEADER_42, HEADER_52) == [
        {"field": "tag", "old": "div", "new": "header"},
        {"field": "role", "old": None, "new": "banner"},
        {"field": "path", "old": "div#container > div#header", "new": "div#container > header#header"},
        {"field": "neighbours", "old": list(HEADER_42["neighbours"]),
         "new": [HEADER_52["neighbours"][0].strip()]},
    ]


def test_diff_of_a_renamed_and_moved_button() -> None:
    diff = {d["field"]: d for d in fingerprint_diff(LOGIN_V1, LOGIN_V2)}
    assert set(diff) == {"id", "classes", "path", "box", "neighbours"}
    assert diff["id"] == {"field": "id", "old": "login-button", "new": "signin-btn"}
    assert diff["classes"]["new"] == ["button", "button--primary", "button--block"]
    assert diff["path"]["old"] == "main#main.container > section.login-box > form#login-form > button#login-button" \
        ".btn.btn-primary"
    assert diff["box"]["old"] == LOGIN_V1["box"]


def test_diff_of_attributes_added_removed_and_changed() -> None:
    diff = fingerprint_diff(ADD_ICON_42, ADD_ICON_52)
    attributes = [d for d in diff if d["field"].startswith("attributes.")]
    assert attributes == [{"field": "attributes.alt", "old": "Add", "new": ""},
                          {"field": "attributes.height", "old": None, "new": "24"},
                          {"field": "attributes.width", "old": None, "new": "24"}]
    assert {"field": "name", "old": "Add", "new": None} in diff
    assert {"field": "role", "old": "img", "new": "presentation"} in diff
    path = next(d for d in diff if d["field"] == "path")
    assert path["old"].startswith("div#container > div#main.main.shifted:nth-of-type(2) > div#content-start")
    assert path["old"].endswith(" > … > img") and path["new"].endswith(" > … > img")
    removed = fingerprint_diff({"tag": "a", "attributes": {"title": "Help"}}, {"tag": "a", "attributes": {}})
    assert removed == [{"field": "attributes.title", "old": "Help", "new": None}]


def test_diff_ignores_small_moves_whitespace_and_class_order() -> None:
    old = {"tag": "button", "text": "Sign  in", "classes": ["a", "b"], "box": {"x": 10, "y": 10, "width": 80,
                                                                             "height": 30}}
    new = {"tag": "button", "text": "Sign in", "classes": ["b", "a"], "box": {"x": 13, "y": 11, "width": 80,
                                                                            "height": 31}}
    assert fingerprint_diff(old, new) == []
    moved = fingerprint_diff(old, {**new, "box": {"x": 30, "y": 10, "width": 80, "height": 30}})
    assert [d["field"] for d in moved] == ["box"]
    assert fingerprint_diff(old, {**old, "id": "go"}) == [{"field": "id", "old": None, "new": "go"}]
    assert fingerprint_diff({**old, "disabled": False}, {**old, "disabled": True}) == [
        {"field": "disabled", "old": False, "new": True}]
