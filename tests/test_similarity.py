"""similarity, rank and fingerprint_diff (harness/guides/similarity.py) on literal fingerprints.

The calibration cases are real: fingerprints recorded by harness/collect/anchor_probe.js in
Chromium (1280x720) for the demo guides' anchors on Spendly 1.8 and the elements they became on
2.0, and likewise on the Django admin test site, 4.2 -> 5.2 (tests/fixtures/django_admin), with
the strongest wrong candidates of those pages. Only the v1 table row is rebuilt by hand from
the 1.8 template (no guide anchors a row). Paths are written CSS-like: ``tag#id.class:index``.
"""

from __future__ import annotations

import random
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
from tests.support.fingerprints import (
    ADD_ICON_42,
    ADD_ICON_52,
    AMOUNT_V2,
    COOKIE_MANAGE_V2,
    DESCRIPTION_V1,
    DETAILS_52,
    DETAILS_H2_42,
    DETAILS_H2_52,
    FIELDSET_52,
    FILTER_52,
    HEADER_42,
    HEADER_52,
    HEADING_V1,
    HEADING_V2,
    LOGIN_V1,
    LOGIN_V2,
    MAIN_52,
    NAV_EXPENSES_V2,
    NEW_FAB_V2,
    NEW_V1,
    PURPOSE_V2,
    ROW_V1,
    ROW_V2,
    SAME_ELEMENT,
    SEARCH_BUTTON_V2,
    SEARCH_V1,
    SEARCH_V2,
    SHOW_TOGGLE_42,
    SUMMARY_52,
    TODAY_LINK_52,
    fp,
    path_nodes,
)


def score(old: dict[str, Any], new: dict[str, Any]) -> float:
    return similarity(old, new).score


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


@pytest.mark.parametrize(("before", "after"), [("div", "main"), ("div", "nav"), ("div", "header"), ("h3", "summary"),
                                               ("a", "button"), ("ul", "nav"), ("input", "button"), ("b", "strong")])
def test_semantic_tag_migrations_score_between_a_family_and_the_same_tag(before: str, after: str) -> None:
    """Class 3 of issue 15: the common moves of a modern UI update keep most of the tag's evidence."""
    old, new = fp(f"main#m > {before}.x", text="Filter"), fp(f"main#m > {after}.x", text="Filter")
    assert similarity(old, new).parts["tag"] == similarity(new, old).parts["tag"] == 0.8
    assert similarity(fp("main#m > h2.x"), fp("main#m > span.x")).parts["tag"] == 0.5  # a family only
    assert similarity(fp("main#m > h3.x"), fp("main#m > img.x")).parts["tag"] == 0.0
