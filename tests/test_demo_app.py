"""Tests of Spendly, the demo vendor app (both versions), and of its ground truth ``changes.yaml``."""

from __future__ import annotations

import io
import json
import re
import struct
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from harness.demo import DemoServer, create_app, load_changes
from harness.demo.app import (
    PROMO_SIZE,
    V2_PIXEL_DELAY_MS,
    V2_PROMO_DELAY_MS,
    V2_SEARCH_DELAY_MS,
    parse_path_latency,
)
from harness.demo.store import SEED_PENDING

ROOT = Path(__file__).resolve().parents[1]
FEATURES = ROOT / "features" / "demo"
PNG = (FEATURES / "files" / "receipt.png").read_bytes()
PDF = (FEATURES / "files" / "receipt.pdf").read_bytes()
KINDS = {"renamed_id", "renamed_class", "moved_button", "relabelled_field", "new_modal", "cookie_banner",
         "hidden_behind_menu", "slower_step", "reworded_text", "failing_request", "console_error",
         "stricter_validation", "unlabelled_button", "lost_handler", "slow_handler", "late_image"}
FRICTION_RULES = {"over-budget", "slow-page-load", "slow-interaction", "long-wait", "layout-shift", "blocking-scripts",
                  "failed-request", "console-error", "refused-input", "dead-click", "covered-target",
                  "a11y-violation", "longer-journey"}
SEVERITIES = ("low", "medium", "high")
PAGES = ["/home", "/expenses", "/expenses?q=taxi", "/expenses/new", "/tickets", "/tickets/new"]


def _client(app: Flask, user: str | None = "alice") -> FlaskClient:
    client = app.test_client()
    if user:
        password = {"alice": "alice-demo-pw", "mario": "mario-demo-pw"}[user]
        response = client.post("/login", data={"username": user, "password": password})
        assert response.status_code == 302 and response.location.endswith("/home")
    return client


def _soup(html: bytes | str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def _expense_form(v2: bool = False, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"purpose" if v2 else "description": "Client dinner", "amount": "84.50",
                            "category": "Meals", "date": "2024-05-14", "confirm": "yes",
                            "receipt": (PNG, "receipt.png")}
    data.update(overrides)
    if data.get("receipt"):
        content, name = data["receipt"]
        data["receipt"] = (io.BytesIO(content), name)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(params=[1, 2], ids=["v1", "v2"])
def app(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Flask:
    for name in ("HARNESS_DEMO_LATENCY_MS", "HARNESS_DEMO_PATH_LATENCY", "DEMO_EMPLOYEE_USER",
                 "DEMO_EMPLOYEE_PASSWORD", "DEMO_MANAGER_USER", "DEMO_MANAGER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    application = create_app(request.param)
    application.config["DEMO_SLEEP"] = lambda _s: None
    return application


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the sleeps apps created afterwards ask for, without sleeping."""
    for name in ("HARNESS_DEMO_LATENCY_MS", "HARNESS_DEMO_PATH_LATENCY"):
        monkeypatch.delenv(name, raising=False)
    requested: list[float] = []
    monkeypatch.setattr("harness.demo.app.time.sleep", requested.append)
    return requested


# --- pages, versions, login -------------------------------------------------------------------------


def test_every_page_is_served(app: Flask) -> None:
    version = app.config["DEMO_VERSION"]
    employee, manager = _client(app, "alice"), _client(app, "mario")
    for path in PAGES:
        for client in (employee, manager):
            response = client.get(path)
            assert response.status_code == 200, path
            soup = _soup(response.data)
            assert soup.find("meta", attrs={"name": "app-version"})["content"] == ("1.8.2" if version == 1 else "2.0.0")
            assert f"Spendly {'1.8' if version == 1 else '2.0'}" in soup.get_text()
    assert manager.get("/approvals").status_code == 200
    assert employee.get("/approvals").status_code == 403
    assert employee.get("/expenses/1401").status_code == 200
    assert json.loads(app.test_client().get("/__version").data) == {
        "app": "spendly", "version": "1.8.2" if version == 1 else "2.0.0", "major": version}


def test_pages_need_login(app: Flask) -> None:
    client = app.test_client()
    response = client.get("/expenses/new")
    assert response.status_code == 302 and "/login?next=/expenses/new" in response.location
    assert client.get("/login").status_code == 200
    assert client.get("/").location.endswith("/login")


def test_login_wrong_password_shows_alert(app: Flask) -> None:
    response = app.test_client().post("/login", data={"username": "alice", "password": "nope"})
    assert response.status_code == 401
    alert = _soup(response.data).find(id="login-error")
    assert alert["role"] == "alert" and "Invalid username or password" in alert.get_text()


def test_login_follows_next_and_logout(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login?next=/tickets", data={"username": "mario", "password": "mario-demo-pw"})
    assert response.location.endswith("/tickets")
    assert _soup(client.get("/home").data).find(id="user-role").get_text() == "Manager"
    assert client.post("/logout").location.endswith("/login")
    assert client.get("/home").status_code == 302


def test_login_with_env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_EMPLOYEE_USER", "bob")
    monkeypatch.setenv("DEMO_EMPLOYEE_PASSWORD", "s3cret-Bob")
    monkeypatch.setenv("DEMO_MANAGER_PASSWORD", "m-pass")
    client = create_app(1).test_client()
    assert client.post("/login", data={"username": "alice", "password": "alice-demo-pw"}).status_code == 401
    assert client.post("/login", data={"username": "mario", "password": "mario-demo-pw"}).status_code == 401
    assert client.post("/login", data={"username": "bob", "password": "s3cret-Bob"}).status_code == 302
    assert "Taxi to airport" in client.get("/expenses?q=taxi").get_data(as_text=True)
    other = create_app(1).test_client()
    assert other.post("/login", data={"username": "mario", "password": "m-pass"}).status_code == 302


def test_nav_shows_approvals_to_managers_only(app: Flask) -> None:
    assert _soup(_client(app, "alice").get("/home").data).find(id="nav-approvals") is None
    assert _soup(_client(app, "mario").get("/home").data).find(id="nav-approvals") is not None


# --- expenses ---------------------------------------------------------------------------------------


def test_submit_expense_with_receipt(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    client = _client(app)
    response = client.post("/expenses/new", data=_expense_form(v2), content_type="multipart/form-data")
    assert response.status_code == 302 and re.search(r"/expenses/\d+$", response.location)
    page = client.get(response.location).get_data(as_text=True)
    soup = _soup(page)
    assert "Expense submitted for approval" in soup.find(id="flash").get_text()
    assert soup.find(id="expense-status").get_text() == "Pending"
    assert "receipt.png" in soup.find(id="expense-receipt").get_text()
    assert f"{len(PNG)} B" in soup.find(id="expense-receipt").get_text()
    receipt = client.get(response.location + "/receipt")
    assert receipt.data == PNG and receipt.mimetype == "image/png"


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"desc": ""}, "desc", "Enter a"),
    ({"amount": "0"}, "amount", "greater than 0"),
    ({"amount": "-5"}, "amount", "greater than 0"),
    ({"amount": "abc"}, "amount", "must be a number"),
    ({"amount": "120", "receipt": None}, "receipt", "A receipt is required for amounts over 25.00"),
    ({"receipt": (b"plain text", "notes.txt")}, "receipt", "PNG, JPG or PDF"),
    ({"receipt": (b"not a png", "fake.png")}, "receipt", "not a valid PNG"),
    ({"confirm": None}, "confirm-business", "business-related"),
])
def test_expense_validation_rerenders_with_errors(app: Flask, overrides: dict[str, Any], field: str,
                                                  message: str) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    desc = "purpose" if v2 else "description"
    overrides = {(desc if key == "desc" else key): value for key, value in overrides.items()}
    field = desc if field == "desc" else field
    response = _client(app).post("/expenses/new", data=_expense_form(v2, **overrides),
                                 content_type="multipart/form-data")
    assert response.status_code == 422
    soup = _soup(response.data)
    summary = soup.find(id="error-summary")
    assert summary["role"] == "alert" and message in summary.get_text()
    element = soup.find(id=field)
    assert element["aria-invalid"] == "true"
    error = soup.find(id=element["aria-describedby"].split()[0])
    assert error is not None and message in error.get_text()
    assert [tag["id"] for tag in soup.find_all(attrs={"aria-invalid": "true"})] == [field]


def test_small_expense_needs_no_receipt_and_accepts_pdf(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    client = _client(app)
    assert client.post("/expenses/new", data=_expense_form(v2, amount="12,50", receipt=None),
                       content_type="multipart/form-data").status_code == 302
    response = client.post("/expenses/new", data=_expense_form(v2, receipt=(PDF, "r.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 302


def test_search_finds_own_expenses(app: Flask) -> None:
    client = _client(app)
    soup = _soup(client.get("/expenses?q=TAXI").data)
    table = soup.find(id="expenses-table").get_text()
    assert "Taxi to airport" in table and "Laptop stand" not in table
    everything = _soup(client.get("/expenses").data).find(id="expenses-table").get_text()
    assert all(item in everything for item in ("Taxi to airport", "Team lunch", "Laptop stand"))
    assert "No expenses match" in client.get("/expenses?q=yacht").get_data(as_text=True)


# --- approvals --------------------------------------------------------------------------------------


def test_manager_approves_expense(app: Flask) -> None:
    client = _client(app, "mario")
    soup = _soup(client.get("/approvals").data)
    assert f"{SEED_PENDING + 3} expenses waiting" in soup.find(id="pending-total").get_text()
    first = soup.select_one("#approvals tbody tr:first-child")
    expense_id = first["data-id"]
    assert first.select_one(".approve") is not None and first.select_one(".reject") is not None
    response = client.post(f"/approvals/{expense_id}/approve")
    assert response.location.endswith("/approvals")
    after = _soup(client.get("/approvals").data)
    assert after.find(id="flash").get_text() == "Expense approved"
    assert after.select_one(f'tr[data-id="{expense_id}"]') is None
    assert _client(app, "alice").post(f"/approvals/{expense_id}/approve").status_code == 403


# --- tickets ----------------------------------------------------------------------------------------


def test_ticket_is_created_and_title_escaped(app: Flask) -> None:
    client = _client(app)
    response = client.post("/tickets/new", data={"title": "<script>alert(1)</script>", "priority": "Urgent",
                                                 "description": "x"})
    assert response.status_code == 302 and response.location.endswith("/tickets")
    html = client.get("/tickets").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    soup = _soup(html)
    assert re.fullmatch(r"Ticket #\d+ created", soup.find(id="flash").get_text())
    first = soup.select_one("#ticket-queue tbody tr:first-child")
    assert first.select_one(".ticket-title").get_text() == "<script>alert(1)</script>"
    assert "Urgent" in first.get_text()


def test_ticket_title_required(app: Flask) -> None:
    response = _client(app).post("/tickets/new", data={"title": " ", "priority": "Low"})
    assert response.status_code == 422
    assert _soup(response.data).find(id="ticket-title")["aria-invalid"] == "true"


# --- export and the friction designed into v2 -----------------------------------------------------


def test_expenses_export_csv(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    response = _client(app).get("/expenses/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=expenses.csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == f"id,date,{'purpose' if v2 else 'description'},category,amount,status"
    assert any("Taxi to airport" in line for line in lines) and not any("Bea Schulz" in line for line in lines)
    assert app.test_client().get("/expenses/export.csv").status_code == 302


def test_export_button_is_bound_in_v1_only(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    soup = _soup(_client(app).get("/expenses").data)
    button = soup.find(id="export-csv")
    assert button.name == "button" and button["type"] == "button" and button.get_text() == "Export CSV"
    assert button.find_parent("form") is None
    assert button.get("data-export-url") == (None if v2 else "/expenses/export.csv")
    assert soup.find(id="export-status").has_attr("hidden")
    script = (ROOT / "harness" / "demo" / "static" / "spendly.js").read_text()
    assert 'querySelectorAll("button[data-export-url]")' in script and "Your export is ready" in script


def test_v2_chart_endpoint_fails(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    manager = _client(app, "mario")
    soup = _soup(manager.get("/approvals").data)
    img = soup.select_one("#approvals-chart img")
    if not v2:
        assert img is None and manager.get("/api/charts/approvals-by-week.png").status_code == 404
        return
    assert img["alt"] and img["width"] and img["height"]
    assert manager.get(img["src"]).status_code == 500


def test_v2_markup_of_the_designed_friction(app: Flask) -> None:
    v2 = app.config["DEMO_VERSION"] == 2
    client = _client(app)
    tickets = _soup(client.get("/tickets").data)
    inline = [tag.get_text() for tag in tickets.find_all("script") if not tag.has_attr("src")]
    assert any("console.error(" in text for text in inline) == v2
    form = _soup(client.get("/tickets/new").data)
    title = form.find(id="ticket-title")
    help_button = form.find(id="ticket-help-toggle")
    if not v2:
        assert help_button is None and not title.has_attr("data-live-maxlength")
        assert form.find(id="ticket-title-error") is None
    else:
        assert help_button.name == "button" and help_button.svg is not None
        assert not help_button.get_text(strip=True) and not help_button.svg.find("title")
        assert not {"aria-label", "aria-labelledby", "title"} & set(help_button.attrs)
        assert title["data-live-maxlength"] == "20" and title["maxlength"] == "120"
        error = form.find(id=title["data-live-error"])
        assert error.has_attr("hidden") and "error" in error["class"][0]
        assert error.get_text() == "Title must be 20 characters or fewer"
    home = _soup(client.get("/home").data)
    promo = home.select_one("img.promo-banner")
    assert (promo is not None) == v2
    if v2:
        assert promo["alt"] and not promo.has_attr("width") and not promo.has_attr("height")
        pixel = home.select_one("img.impression-pixel")
        assert pixel["alt"] == "" and pixel["width"] == pixel["height"] == "1"


def test_v2_promo_banner_and_pixel_are_late(sleeps: list[float]) -> None:
    client = _client(create_app(2))
    sleeps.clear()
    banner = client.get("/media/promo/whats-new-2.png")
    assert banner.mimetype == "image/png" and banner.data.startswith(b"\x89PNG")
    assert struct.unpack(">II", banner.data[16:24]) == PROMO_SIZE
    pixel = client.get("/media/px.gif?c=whats-new-2")
    assert pixel.mimetype == "image/gif" and pixel.data.startswith(b"GIF89a")
    assert sleeps == [V2_PROMO_DELAY_MS / 1000, V2_PIXEL_DELAY_MS / 1000]
    assert V2_PIXEL_DELAY_MS > V2_PROMO_DELAY_MS
    assert create_app(1).test_client().get("/media/px.gif").status_code == 404


# --- latency ----------------------------------------------------------------------------------------


def test_v2_search_asks_for_the_extra_delay(sleeps: list[float]) -> None:
    for version in (1, 2):
        client = _client(create_app(version))
        sleeps.clear()
        response = client.get("/expenses?q=taxi")
        expected = V2_SEARCH_DELAY_MS if version == 2 else 0
        assert response.headers["X-Demo-Delay-Ms"] == str(expected)
        assert sleeps == ([expected / 1000] if expected else [])
        sleeps.clear()
        client.get("/expenses")
        client.get("/expenses?q=")
        assert sleeps == []


def test_latency_injection(sleeps: list[float], monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app(1, latency_ms=50, path_latency={"/tickets": 100}).test_client()
    client.get("/__version")
    client.get("/login?latency_ms=200")
    client.get("/tickets/new")
    client.get("/static/spendly.js")
    assert sleeps == [0.05, 0.25, 0.15]
    sleeps.clear()
    monkeypatch.setenv("HARNESS_DEMO_LATENCY_MS", "20")
    monkeypatch.setenv("HARNESS_DEMO_PATH_LATENCY", "/expenses=300, /tickets/new=150")
    client = create_app(2).test_client()
    response = client.get("/expenses/new")
    assert response.headers["X-Demo-Delay-Ms"] == "320"
    client.get("/tickets/new")
    client.get("/login")
    assert sleeps == [0.32, 0.17, 0.02]


def test_latency_can_be_limited_to_one_method(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("harness.demo.app.time.sleep", sleeps.append)
    client = _client(create_app(1, path_latency=parse_path_latency("get /tickets/new=150")))
    client.get("/tickets/new")
    client.post("/tickets/new", data={"title": "a form post is not delayed", "priority": "Low"})
    assert sleeps == [0.15]


def test_latency_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_path_latency("/a=1,,/b/c=20, POST /d=5") == {"/a": 1, "/b/c": 20, "POST /d": 5}
    with pytest.raises(ValueError, match="path-prefix"):
        parse_path_latency("expenses=300")
    monkeypatch.setenv("HARNESS_DEMO_LATENCY_MS", "fast")
    with pytest.raises(ValueError, match="HARNESS_DEMO_LATENCY_MS"):
        create_app(1)
    with pytest.raises(ValueError, match="version"):
        create_app(3)


def test_stores_are_separate() -> None:
    first, second = _client(create_app(1)), _client(create_app(1))
    first.post("/tickets/new", data={"title": "only in the first", "priority": "Low"})
    assert "only in the first" not in second.get("/tickets").get_data(as_text=True)


def test_demo_server_over_http() -> None:
    with DemoServer(version=2) as server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        with urllib.request.urlopen(server.url + "/__version", timeout=5) as response:
            assert json.loads(response.read())["version"] == "2.0.0"
        with urllib.request.urlopen(server.url + "/login", timeout=5) as response:
            assert 'content="2.0.0"' in response.read().decode()
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/__version", timeout=2)


# --- ground truth -----------------------------------------------------------------------------------


def _snapshots(version: int) -> dict[str, BeautifulSoup]:
    """Render every page of a version in the states journeys reach, keyed by path."""
    app = create_app(version)
    app.config["DEMO_SLEEP"] = lambda _s: None
    employee, manager = _client(app, "alice"), _client(app, "mario")
    pages = {path: _soup(employee.get(path).data) for path in PAGES}
    pages["/login"] = _soup(app.test_client().get("/login").data)
    pages["/login (error)"] = _soup(app.test_client().post("/login", data={"username": "x", "password": "y"}).data)
    pages["/approvals"] = _soup(manager.get("/approvals").data)
    pages["/home (manager)"] = _soup(manager.get("/home").data)
    pages["/expenses/new (errors)"] = _soup(employee.post("/expenses/new", data={"amount": "120"}).data)
    detail = employee.post("/expenses/new", data=_expense_form(version == 2), content_type="multipart/form-data")
    pages["/expenses/<id>"] = _soup(employee.get(detail.location).data)
    return pages


@pytest.fixture(scope="module")
def html() -> dict[int, dict[str, BeautifulSoup]]:
    return {1: _snapshots(1), 2: _snapshots(2)}


def _hidden(tag: Tag) -> bool:
    node: Tag | None = tag
    while node is not None and isinstance(node, Tag):
        if node.has_attr("hidden"):
            return True
        node = node.parent
    return False


def test_changes_yaml_shape() -> None:
    changes = load_changes()
    kinds = {change["kind"] for change in changes["changes"]}
    assert kinds == KINDS
    ids = [change["id"] for change in changes["changes"]]
    assert len(ids) == len(set(ids))
    for change in changes["changes"]:
        assert {"id", "kind", "page", "description", "v1_selector", "v2_selector", "breaks_selectors"} <= set(change)
        for broken in change["breaks_selectors"]:
            assert broken["how"] in ("missing", "hidden", "covered")
    for expected in changes["expected_on_v2"]:
        assert expected["outcome"] in ("passed", "failed")
        if expected["outcome"] == "failed":
            assert expected["failing_step"] and expected["reason"] in ("missing", "hidden", "covered", "text_not_found")
            assert expected["change"] in ids
    for finding in changes["friction_on_v2"]:
        assert {"rule", "severity", "feature", "scenario", "step", "change"} <= set(finding), finding
        assert finding["rule"] in FRICTION_RULES and finding["severity"] in SEVERITIES
        assert finding["change"] is None or finding["change"] in ids
    v1 = changes["friction_on_v1"]
    assert v1["max_severity"] in SEVERITIES
    for finding in v1["findings"]:
        assert finding["rule"] in FRICTION_RULES
        assert SEVERITIES.index(finding["severity"]) <= SEVERITIES.index(v1["max_severity"])


def test_changes_selectors_hold(html: dict[int, dict[str, BeautifulSoup]]) -> None:
    for change in load_changes()["changes"]:
        v1, v2 = html[1][change["page"]], html[2][change["page"]]
        if change["v1_selector"]:
            assert v1.select(change["v1_selector"]), change["id"]
        if change["v2_selector"]:
            assert v2.select(change["v2_selector"]), change["id"]
        for broken in change["breaks_selectors"]:
            selector, how = broken["selector"], broken["how"]
            assert v1.select(selector) and not _hidden(v1.select(selector)[0]), (change["id"], selector)
            found = v2.select(selector)
            if how == "missing":
                assert not found, (change["id"], selector)
            elif how == "hidden":
                assert found and all(_hidden(tag) for tag in found), (change["id"], selector)
            else:
                assert found and not _hidden(found[0]), (change["id"], selector)
                assert v2.select(broken["by"]) and not v1.select(broken["by"])
                assert found[0].find_parent(class_="form-actionbar") is not None


def test_changes_v2_elements_select_one_element_each_on_v2(html: dict[int, dict[str, BeautifulSoup]]) -> None:
    changes = load_changes()
    pages = {c["id"]: c["page"] for c in changes["changes"]}
    elements = {entry["target"]: (pages[c["id"]], entry["v2_element"])
                for c in changes["changes"] for entry in c["ui_map"]}
    assert len(elements) == 7 and all(css for _, css in elements.values())
    for target, (page, css) in elements.items():
        assert len(html[2][page].select(css)) == 1, (target, css)
    for repair in [*changes["journey_repairs"], *changes["fallback_repairs"]]:  # right: the ui_map's v2 element
        if repair["element"] is not None:
            assert repair["element"] == elements[repair["target"]][1], repair
        else:
            assert repair["why"], repair


def test_cookie_banner_and_actionbar_are_fixed_in_v2_css() -> None:
    css = (ROOT / "harness" / "demo" / "static" / "spendly-v2.css").read_text()
    for rule in (".cookie-banner", ".form-actionbar"):
        body = re.search(re.escape(rule) + r"\s*\{([^}]*)\}", css).group(1)
        assert "position: fixed" in body and "bottom: 0" in body
    banner = re.search(r"\.cookie-banner\s*\{([^}]*)\}", css).group(1)
    bar = re.search(r"\.form-actionbar\s*\{([^}]*)\}", css).group(1)
    height = int(re.search(r"height: (\d+)px", bar).group(1))
    assert int(re.search(r"min-height: (\d+)px", banner).group(1)) > height
    z = [int(re.search(r"z-index: (\d+)", body).group(1)) for body in (banner, bar)]
    assert z[0] > z[1]


def test_v1_ui_map_targets_exist(html: dict[int, dict[str, BeautifulSoup]]) -> None:
    from ruamel.yaml import YAML

    profile = YAML(typ="safe").load((ROOT / "journeys" / "demo" / "app.yaml").read_text())
    flash = _client(create_app(1))
    flash.post("/tickets/new", data={"title": "t", "priority": "Low"})
    pages = [*html[1].values(), _soup(flash.get("/tickets").data)]
    for name, target in profile["targets"].items():
        selectors = [target] if isinstance(target, str) else [target["selector"], *target.get("fallbacks", [])]
        for selector in selectors:
            if selector.startswith("role="):
                role_name = re.search(r'name="([^"]+)"', selector).group(1)
                assert any(page.find("a", string=role_name) for page in pages), name
                continue
            assert any(page.select(selector) for page in pages), (name, selector)
    v2_login = html[2]["/login"]
    assert not v2_login.select(profile["targets"]["login.submit"]["selector"])
    assert v2_login.select(profile["targets"]["login.submit"]["fallbacks"][0])


def test_expected_outcomes_cover_every_demo_scenario() -> None:
    from ruamel.yaml import YAML

    from harness.spec.features import feature_files, parse_feature, scenario_runs

    runs = {}
    for path in feature_files([FEATURES]):
        for run in scenario_runs(parse_feature(path)):
            runs[(path.name, run.name, tuple(sorted(run.example.items())))] = [step.name for step in run.steps]
    expected = load_changes()["expected_on_v2"]
    keys = [(e["feature"], e["scenario"], tuple(sorted((e.get("example") or {}).items()))) for e in expected]
    assert sorted(keys) == sorted(runs)
    profile_targets = {}
    profile = YAML(typ="safe").load((ROOT / "journeys" / "demo" / "app.yaml").read_text())
    for name, target in profile["targets"].items():
        profile_targets[name] = target if isinstance(target, str) else target["selector"]
    changes = {change["id"]: change for change in load_changes()["changes"]}
    for key, entry in zip(keys, expected, strict=True):
        steps = runs[key]
        if entry["outcome"] == "failed" and entry["reason"] == "text_not_found":
            # a page check fails: the step names no target, and the dead click before it is why
            assert entry["target"] is None and entry["failing_step"] in steps, key
            assert steps.index(entry["dead_click_step"]) < steps.index(entry["failing_step"]), key
            assert entry["change"] in changes
        elif entry["outcome"] == "failed":
            assert entry["failing_step"] in steps, key
            failing = steps.index(entry["failing_step"])
            assert entry["target"] in entry["failing_step"] or entry["failing_step"].endswith(":")
            selector = profile_targets[entry["target"]]
            broken = {b["selector"]: b["how"] for b in changes[entry["change"]]["breaks_selectors"]}
            assert broken.get(selector) == entry["reason"], key
            for earlier in steps[:failing]:
                assert entry["target"] not in earlier, (key, earlier)
        if "over_budget_step" in entry:
            assert entry["over_budget_step"] in steps


def test_friction_key_names_real_steps_of_the_demo_journeys() -> None:
    from harness.spec.features import feature_files, parse_feature, scenario_runs

    runs = {}
    for path in feature_files([FEATURES]):
        for run in scenario_runs(parse_feature(path)):
            runs[(path.name, run.name, tuple(sorted(run.example.items())))] = [step.name for step in run.steps]
    changes = load_changes()
    outcomes = {(e["feature"], e["scenario"], tuple(sorted((e.get("example") or {}).items()))): e
                for e in changes["expected_on_v2"]}
    for version, findings in ((2, changes["friction_on_v2"]), (1, changes["friction_on_v1"]["findings"])):
        seen = set()
        for finding in findings:
            key = (finding["feature"], finding["scenario"], tuple(sorted((finding.get("example") or {}).items())))
            steps = runs[key]
            assert steps.count(finding["step"]) == 1, (key, finding["step"])
            assert (key, finding["step"], finding["rule"]) not in seen, finding
            seen.add((key, finding["step"], finding["rule"]))
            outcome = outcomes[key]
            if version == 2 and outcome["outcome"] == "failed":  # a finding needs its step to run
                assert steps.index(finding["step"]) <= steps.index(outcome["failing_step"]), finding
    # v2 findings that no change made are v1's findings too (the journeys' own refusals)
    unchanged = {(f["rule"], f["severity"], f["feature"], f["scenario"], f["step"])
                 for f in changes["friction_on_v2"] if f["change"] is None}
    assert unchanged and unchanged <= {(f["rule"], f["severity"], f["feature"], f["scenario"], f["step"])
                                       for f in changes["friction_on_v1"]["findings"]}
    rules = {(f["rule"], f["severity"]) for f in changes["friction_on_v2"]}
    assert {("failed-request", "high"), ("console-error", "medium"), ("refused-input", "medium"),
            ("a11y-violation", "high"), ("dead-click", "high"), ("covered-target", "high"),
            ("over-budget", "medium"), ("slow-interaction", "medium")} <= rules
    # the existing answer keys agree with the friction key
    over = {(e["feature"], e["scenario"], e["over_budget_step"]) for e in changes["expected_on_v2"]
            if "over_budget_step" in e}
    assert over == {(f["feature"], f["scenario"], f["step"]) for f in changes["friction_on_v2"]
                    if f["rule"] == "over-budget"}
    # every change made for friction has its finding, on the page it changed
    friction_kinds = {"failing_request", "console_error", "stricter_validation", "unlabelled_button", "lost_handler",
                      "slow_handler", "late_image"}
    designed = {c["id"] for c in changes["changes"] if c["kind"] in friction_kinds}
    assert designed <= {f["change"] for f in changes["friction_on_v2"]}
    # the promo banner shifts every dashboard a v2 journey lands on
    landings = {(f["feature"], f["scenario"], tuple(sorted((f.get("example") or {}).items())), f["step"])
                for f in changes["friction_on_v2"] if f["rule"] == "layout-shift"}
    logins = {(k[0], k[1], k[2], step) for k, steps in runs.items() for step in steps
              if ("logged in as" in step or "connectée en tant que" in step
                  or ("log in as" in step and "password" not in step)
                  or ("me connecte" in step and "mot de passe" not in step))}
    assert landings == logins


@pytest.mark.e2e
def test_v2_breakages_in_chromium(browser: Browser) -> None:
    """In real Chromium: the banner intercepts the ticket button, Approve is hidden, the fallback signs in."""
    with DemoServer(version=2) as server:
        for user, password in (("alice", "alice-demo-pw"), ("mario", "mario-demo-pw")):
            page = browser.new_page()
            page.goto(server.url + "/login")
            page.fill("#username", user)
            page.fill("#password", password)
            assert page.locator("#login-button").count() == 0
            page.click("form#login-form button[type=submit]", timeout=5000)
            page.wait_for_url("**/home")
            if user == "alice":
                page.goto(server.url + "/tickets/new")
                page.fill("#ticket-title", "Covered?")
                with pytest.raises(PlaywrightError, match="intercepts pointer events"):
                    page.locator("#create-ticket").click(timeout=2000)
                page.click("#cookie-accept")
                page.locator("#create-ticket").click(timeout=2000)
                page.wait_for_url("**/tickets")
            else:
                page.goto(server.url + "/approvals")
                with pytest.raises(PlaywrightError, match="not visible"):
                    page.locator("#approvals tbody tr:first-child .approve").click(timeout=2000)
            page.close()
