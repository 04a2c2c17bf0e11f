"""selector_candidates and the escaping helpers (harness/guides/repair.py) on literal fingerprints.

Plain-CSS candidates are checked with soupsieve (the CSS engine of BeautifulSoup) against small
HTML documents holding the fingerprinted element: they must parse and select it. Playwright's
quoted strings are checked against a port of its parser's unescaping.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import soupsieve
from bs4 import BeautifulSoup

from harness.guides.repair import (
    ROBUSTNESS,
    core_name,
    css_escape_identifier,
    css_string,
    playwright_string,
    selector_candidates,
    stable_id,
)
from harness.guides.similarity import is_generated_id, is_stable_class, is_utility_class
from tests.support.fingerprints import (
    ADD_ICON_52,
    FILTER_52,
    HEADER_52,
    LOGIN_V2,
    NEW_FAB_V2,
    PURPOSE_V2,
    SEARCH_V2,
    SITE_NAME_52,
    fp,
    path_nodes,
)

AWKWARD = ['plain', 'say "hi"', "back\\slash", "it's", "1st", "-1x", "-", "a b", "tab\there", "new\nline", "é-ü_ß",
           "😀 emoji", ":r1:", "a.b#c[d]", "", "\x7f", "x\x00y", "--custom", "_x"]


def _css_unescape(text: str) -> str:
    """CSS escapes back to characters (hex escapes with their optional space, then ``\\c``)."""
    def replace(match: re.Match[str]) -> str:
        if match["hex"]:
            return chr(int(match["hex"], 16))
        return match["char"]
    return re.sub(r"\\(?:(?P<hex>[0-9a-fA-F]{1,6}) ?|(?P<char>.))", replace, text, flags=re.DOTALL)


def _playwright_unquote(quoted: str) -> str:
    """Playwright's readQuotedString: a backslash makes the next character literal."""
    assert quoted[0] == quoted[-1] == '"'
    out, i, body = [], 0, quoted[1:-1]
    while i < len(body):
        if body[i] == "\\":
            i += 1
        else:
            assert body[i] != '"', f"unescaped quote in {quoted!r}"
        out.append(body[i])
        i += 1
    return "".join(out)


@pytest.mark.parametrize(("value", "escaped"), [
    ("foo", "foo"), ("123", "\\31 23"), ("1st-step", "\\31 st-step"), ("-1", "-\\31 "), ("-", "\\-"),
    ("--a", "--a"), ("a b", "a\\ b"), ('a"b', 'a\\"b'), ("a\\b", "a\\\\b"), ("é-ü", "é-ü"), ("\x00", "\ufffd"),
    ("a\nb", "a\\a b"), (":r1:", "\\:r1\\:"), ("a.b#c", "a\\.b\\#c"), ("_x", "_x"), ("\x7f", "\\7f "),
    ("😀", "😀"), ("", ""),
])
def test_css_escape_identifier_follows_css_escape(value: str, escaped: str) -> None:
    assert css_escape_identifier(value) == escaped


@pytest.mark.parametrize("value", AWKWARD)
def test_css_escapes_round_trip(value: str) -> None:
    expected = value.replace("\x00", "\ufffd")
    assert _css_unescape(css_escape_identifier(value)) == expected
    quoted = css_string(value)
    assert quoted[0] == quoted[-1] == '"'
    assert _css_unescape(quoted[1:-1]) == expected
    assert not re.search(r'(?<!\\)"', quoted[1:-1])  # every inner quote is escaped


@pytest.mark.parametrize(("value", "quoted"), [('say "hi"', '"say \\"hi\\""'), ("a\\b", '"a\\\\b"'),
                                               ("new\nline", '"new\\a line"'), ("ü", '"ü"')])
def test_css_string(value: str, quoted: str) -> None:
    assert css_string(value) == quoted


@pytest.mark.parametrize("value", AWKWARD)
def test_playwright_strings_round_trip(value: str) -> None:
    assert _playwright_unquote(playwright_string(value)) == value
    assert playwright_string('Say "hi" \\ now') == '"Say \\"hi\\" \\\\ now"'


@pytest.mark.parametrize("value", ["ember123", "react-select-3-input", ":r1:", "«r2»", ":R2d6:", "mui-12",
                                   "headlessui-menu-button-3", "ext-gen1234", "yui_3_5_1_2", "j_idt45", "ui-id-7",
                                   "row-1234567", "a8f3c2d1e9b0", "btn-x7k2p9", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
                                   "12", "radix-:r3:", "mat-input-0", "__BVID__42"])
def test_generated_ids_are_rejected(value: str) -> None:
    assert is_generated_id(value)
    assert stable_id(value) is None
    element = fp("main#main > form#f > input", attributes={"name": "q"})
    element["id"] = element["path"][-1]["id"] = value
    kinds = [c.kind for c in selector_candidates(element)]
    assert "id" not in kinds and "attribute" in kinds


@pytest.mark.parametrize("value", ["login-button", "q", "site-name", "changelist-filter", "id_form-0-name",
                                   "add_id_author", "fieldsetcollapser0", "nav-expenses", "h2-title", "step2",
                                   "signin-btn", "user-menu", "id_username", "fieldset-0-1-heading"])
def test_hand_written_ids_are_kept(value: str) -> None:
    assert not is_generated_id(value)
    assert stable_id(value) == value


def test_state_and_generated_classes_are_not_stable() -> None:
    unstable = ["active", "is-open", "has-error", "css-1x2y3z", "sc-AxjAm", "jsx-123", "ng-touched",
                "Button_primary__3xK9z", "ember-view", "collapsed"]
    stable = ["btn", "btn-primary", "exp-list__item", "button--primary", "fab--new-expense", "collapse-toggle"]
    assert not any(is_stable_class(c) for c in unstable)
    assert all(is_stable_class(c) for c in stable)


def _selectors(fingerprint: dict[str, Any], selector_format: str = "playwright") -> list[str]:
    return [c.selector for c in selector_candidates(fingerprint, selector_format=selector_format)]


def test_candidates_follow_playwright_best_practice_order() -> None:
    element = fp("main#main > form#login-form > div.actions > button#save.btn.btn-primary.active", text="Save",
                 role="button", name="Save", attributes={"data-testid": "save-button", "type": "submit",
                                                         "name": "save", "title": "Save the form"},
                 box=(10, 10, 80, 30))
    candidates = selector_candidates(element)
    assert [(c.kind, c.selector) for c in candidates] == [
        ("test-id", '[data-testid="save-button"]'),
        ("role", 'role=button[name="Save"]'),
        ("id", "#save"),
        ("attribute", 'button[name="save"]'),
        ("attribute", 'button[title="Save the form"]'),
        ("class", "button.btn"),
        ("class", "button.btn-primary"),
        ("class", "button.btn.btn-primary"),
        ("scoped", '#login-form button[type="submit"]'),
        ("text", 'text="Save"'),
        ("path", "#login-form > div:nth-of-type(1) > button:nth-of-type(1)"),
    ]
    assert [c.rank for c in candidates] == sorted(c.rank for c in candidates)
    assert all(c.rank == ROBUSTNESS[c.kind] for c in candidates)


def test_role_selectors_escape_quotes_and_need_role_and_name() -> None:
    quoted = fp("main#main > button.x", text='Say "hi" \\ now', role="button", name='Say "hi" \\ now')
    assert 'role=button[name="Say \\"hi\\" \\\\ now"]' in _selectors(quoted)
    assert 'text="Say \\"hi\\" \\\\ now"' in _selectors(quoted)
    shouted = fp("main#main > a.historylink", text="HISTORY", role="link", name="HISTORY")
    assert _selectors(shouted)[0] == 'role=link[name="HISTORY"i]'  # text-transform: the DOM says "History"
    assert not [s for s in _selectors(shouted) if s.startswith("text=")]
    for role, name in (("button", None), (None, "Save"), ("presentation", "Save"), ("generic", "Save"),
                       ("not-a-role", "Save"), ("button", "x" * 81)):
        element = fp("main#main > button.x", role=role, name=name)
        assert not [s for s in _selectors(element) if s.startswith("role=")]


def test_label_like_attributes() -> None:
    assert _selectors(SEARCH_V2)[:4] == ['role=searchbox[name="Search expenses"]', "#q", 'input[name="q"]',
                                         '[placeholder="Search by purpose or category…"]']
    link = fp("main#main > nav > a.help", text="Help", role="link", name="Help",
              attributes={"href": "/help/a\"b", "aria-label": "Open help"})
    assert '[aria-label="Open help"]' in _selectors(link)
    assert 'a[href="/help/a\\"b"]' in _selectors(link)
    # a query string follows the data and the page's state (record ids, return URLs): never a selector
    for href in ("#", "javascript:void(0)", "/x" * 100, "/admin/ticket/edit/?id=3&url=%2Fadmin%2Fticket%2F"):
        element = fp("main#main > nav > a.help", attributes={"href": href})
        assert not [s for s in _selectors(element) if s.startswith("a[href")]
    assert 'img[alt="Add"]' in _selectors(fp("main#main > a#add > img", attributes={"alt": "Add", "src": "/a.svg"}))
    assert "label[for=\"q\"]" in _selectors(fp("main#main > form#f > label", text="Search", attributes={"for": "q"}))


def test_text_selectors_only_for_short_texts_of_non_fields() -> None:
    assert 'text="New expense"' in _selectors(NEW_FAB_V2)
    assert not [s for s in _selectors(fp("main#main > p.intro", text="x" * 41)) if s.startswith("text=")]
    assert not [s for s in _selectors(fp("main#main > form#f > input.q", text="typed")) if s.startswith("text=")]


def test_paths_are_short_and_anchored_on_a_stable_id() -> None:
    deep = fp("main#main > div.a > div.b > div.c > div.d > div.e > span", text="x" * 60)
    assert not [c for c in selector_candidates(deep) if c.kind in ("scoped", "path")]  # anchor 6 levels up
    generated = fp("main#main > div#ember412 > div.row:3 > span", text="x" * 60)
    assert _selectors(generated)[-2:] == ["#main span", "#main > div:nth-of-type(1) > div:nth-of-type(3) > "
                                                       "span:nth-of-type(1)"]
    escaped = fp("div#1st\\ step > ul > li:4")
    escaped["path"][2]["id"] = "1st step"
    assert _selectors(escaped)[-1] == "#\\31 st\\ step > ul:nth-of-type(1) > li:nth-of-type(4)"
    assert not any(s.startswith(("html", "body")) for s in _selectors(deep))


def test_css_format_is_plain_css_only() -> None:
    for fingerprint in (LOGIN_V2, SEARCH_V2, NEW_FAB_V2, PURPOSE_V2, HEADER_52, ADD_ICON_52, FILTER_52):
        selectors = _selectors(fingerprint, "css")
        assert selectors
        for selector in selectors:
            assert not selector.startswith(("role=", "text=", "xpath=", "internal:"))
            assert ":has-text" not in selector and ">>" not in selector
            soupsieve.compile(selector)
    with pytest.raises(ValueError, match="selector format"):
        selector_candidates(LOGIN_V2, selector_format="xpath")


@pytest.mark.parametrize(("fingerprint", "expected"), [
    (LOGIN_V2, "#signin-btn"), (SEARCH_V2, "#q"), (NEW_FAB_V2, "#fab-new-expense"), (PURPOSE_V2, "#purpose"),
    (HEADER_52, "#header"), (SITE_NAME_52, "#site-name"), (FILTER_52, "#changelist-filter"),
    (ADD_ICON_52, "#add_id_author img"),
], ids=["signin", "search", "fab", "purpose", "header", "site-name", "filter", "icon"])
def test_the_answer_keys_selectors_are_among_the_candidates(fingerprint: dict[str, Any], expected: str) -> None:
    """The selectors the demo's and the Django admin's answer keys name for the repaired elements."""
    assert expected in _selectors(fingerprint)
    assert expected in _selectors(fingerprint, "css")


def _element_html(tag: str, attributes: dict[str, str], inner: str = "") -> str:
    attrs = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in attributes.items())
    return f"<{tag}{attrs}>{inner}</{tag}>"


@pytest.mark.parametrize("value", [v for v in AWKWARD if v and "\x00" not in v and "\x7f" not in v])
def test_css_candidates_select_the_element_with_awkward_values(value: str) -> None:
    attributes = {"id": value, "class": "btn", "name": value, "data-testid": value, "aria-label": value,
                  "placeholder": value, "title": value, "type": "text"}
    target = _element_html("input", attributes)
    page = (f'<html><body><main id="main"><form id="{html.escape(value)}-form" class="f">'
            f'<input name="other" class="btn"><div class="field">{target}</div></form></main></body></html>')
    soup = BeautifulSoup(page, "html.parser")
    element = soup.find("input", attrs={"data-testid": value})
    fingerprint = {"tag": "input", "id": value, "classes": ["btn"], "role": "textbox", "name": value,
                   "attributes": {k: v for k, v in attributes.items() if k not in ("id", "class")},
                   "path": [*path_nodes("main#main"), {"tag": "form", "id": f"{value}-form", "classes": ["f"],
                                                       "index": 1},
                            {"tag": "div", "id": None, "classes": ["field"], "index": 1},
                            {"tag": "input", "id": value, "classes": ["btn"], "index": 1}]}
    candidates = selector_candidates(fingerprint, selector_format="css")
    assert len(candidates) >= 8
    for candidate in candidates:
        assert element in soupsieve.select(candidate.selector, soup), candidate
        if candidate.kind in ("test-id", "id", "attribute"):  # these name it alone
            assert soupsieve.select(candidate.selector, soup) == [element], candidate


def test_candidates_of_a_bare_fingerprint() -> None:
    assert selector_candidates({}) == []
    assert _selectors({"tag": "button", "text": "Go"}) == ['text="Go"']
    assert _selectors({"tag": "button", "text": "Go"}, "css") == []


def test_utility_classes_are_neither_evidence_nor_selectors() -> None:
    """Class 4 of issue 15: a restyle changes `pt-3`, `bg-body-tertiary`...; a repair must not rely on them."""
    utilities = ["pt-3", "mt-4", "mb-n1", "px-md-2", "ms-auto", "bg-body-tertiary", "text-secondary-emphasis",
                 "text-center", "d-flex", "d-md-none", "bg-gray-100", "md:flex", "hover:bg-gray-100", "w-100",
                 "rounded", "shadow-sm", "border-0", "fw-bold", "col-md-6", "justify-content-between", "sr-only",
                 "visually-hidden", "font-weight-bold", "pull-right"]
    components = ["btn", "btn-primary", "navbar-brand", "nav-link", "form-control", "list-group-item",
                  "opblock-summary", "model-title", "icon-edit", "fa-pencil", "text-input", "row"]
    assert all(is_utility_class(c) and not is_stable_class(c) for c in utilities)
    assert not any(is_utility_class(c) for c in components)
    button = fp("main#main > div.px-3 > a.btn.btn-primary.mt-4.pt-3.text-center", text="Create",
                role="link", name="Create", attributes={"href": "/admin/ticket/new/"})
    classes = [s for s in _selectors(button) if "." in s and not s.startswith("role=")]
    assert classes and all("mt-4" not in s and "pt-3" not in s and "text-center" not in s for s in classes)
    assert classes[:3] == ["a.btn", "a.btn-primary", "a.btn.btn-primary"]  # fewest assumptions first


def test_role_names_drop_decorative_glyphs_and_never_follow_data() -> None:
    """Class 4: `‹ All dates` keeps its words, not its chevron; a name with a count or date is no selector."""
    back = fp("main#main > nav#date-nav > a.back", text="‹ All dates", role="link", name="‹ All dates",
              attributes={"href": "/admin/library/book/"})
    selectors = _selectors(back)
    assert selectors[0] == r"role=link[name=/^\W*All dates\W*$/]"
    assert not [s for s in selectors if s.startswith("text=")]
    nxt = fp("main#main > button.next", text="Next ›", role="button", name="Next ›")
    assert _selectors(nxt)[0] == r"role=button[name=/^\W*Next\W*$/]"
    odd = fp("main#main > button.x", text="a/b (c) ›", role="button", name="a/b (c) ›")
    assert _selectors(odd)[0] == r"role=button[name=/^\W*a\/b \(c\)\W*$/]"
    for name in ("Tickets (12)", "3 results", "Due 2026-12-05", "Page 2"):
        counted = fp("main#main > a.count", text=name, role="link", name=name)
        assert not [s for s in _selectors(counted) if s.startswith(("role=", "text="))], name
    assert core_name("« Back »") == "Back" and core_name("Log out") == "Log out"


def test_every_generated_selector_passes_the_guide_files_own_validation() -> None:
    """A pasted repair must load again: the spec's selector check accepts every form the repair writes."""
    from harness.spec.selectors import selector_error

    elements = [fp("main#main > nav#date-nav > a.back", text="‹ All dates", role="link", name="‹ All dates",
                   attributes={"href": "/admin/library/book/"}),
                fp("main#main > button.x", text="a/b (c) ›", role="button", name="a/b (c) ›"),
                fp("main#main > a.historylink", text="HISTORY", role="link", name="HISTORY"),
                LOGIN_V2, SEARCH_V2, NEW_FAB_V2, PURPOSE_V2, HEADER_52, ADD_ICON_52, FILTER_52]
    for element in elements:
        for selector in _selectors(element) + _selectors(element, "css"):
            assert selector_error(selector) is None, selector
