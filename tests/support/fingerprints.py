"""Element fingerprints for the similarity and repair tests, written CSS-like: ``tag#id.class:index``.

The calibration cases are real: fingerprints recorded by harness/collect/anchor_probe.js in
Chromium (1280x720) for the demo guides' anchors on Spendly 1.8 and the elements they became on
2.0, and likewise on the Django admin test site, 4.2 -> 5.2 (tests/fixtures/django_admin), with
the strongest wrong candidates of those pages. Only the v1 table row is rebuilt by hand from
the 1.8 template (no guide anchors a row).
"""

from __future__ import annotations

import re
from typing import Any

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
