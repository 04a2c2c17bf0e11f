"""Spendly: a small expense and ticketing app standing in for a vendor SaaS, in two versions.

Version 1 (1.8.2) is what journeys were written against. Version 2 (2.0.0) is the same app
after a vendor UI update (see ``changes.yaml``): renamed ids and classes, a moved button, a
relabelled field, a confirmation modal, a cookie banner, a button hidden behind a menu and a
slower search; and friction that breaks no journey step by itself: a chart whose endpoint
answers HTTP 500, a widget that logs a console error, a stricter live check on the ticket
title, an icon-only button without a name, an export button that lost its click handler, a
live filter that blocks the main thread and a promo banner that pushes the dashboard down.

Latency can be injected for timing tests: ``latency_ms`` for every request, ``path_latency``
(path prefix → extra ms) for some, ``?latency_ms=N`` per request, or the environment
variables ``HARNESS_DEMO_LATENCY_MS`` and ``HARNESS_DEMO_PATH_LATENCY`` (``/expenses=300,/tickets/new=150``).
Static files are never delayed.
"""

from __future__ import annotations

import csv
import hmac
import io
import os
import struct
import time
import zlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any

from flask import (
    Flask,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from harness.demo.store import CATEGORIES, PRIORITIES, Receipt, Store, User

VERSIONS = {1: "1.8.2", 2: "2.0.0"}
V2_SEARCH_DELAY_MS = 1200
V2_PROMO_DELAY_MS = 300
"""The v2 dashboard's promo banner (an image without width/height) arrives this much later."""
V2_PIXEL_DELAY_MS = 600
"""The v2 dashboard's impression pixel answers this late, so the page's load event waits for it
and the banner's layout shift always happens before the load event."""
PROMO_SIZE = (960, 420)
RECEIPT_THRESHOLD = Decimal("25")
MAX_AMOUNT = Decimal("100000")
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
MAX_LATENCY_MS = 30_000
CONSENT_COOKIE = "spendly_consent"
RECEIPT_TYPES = {
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
}


def parse_path_latency(text: str | None) -> dict[str, int]:
    """Parse ``"/expenses=300,GET /tickets/new=150"`` into ``{"/expenses": 300, "GET /tickets/new": 150}``.

    An entry may start with an HTTP method: it then delays only that method's requests.

    Raises:
        ValueError: On an entry that is not ``[METHOD ]/prefix=milliseconds``.
    """
    result: dict[str, int] = {}
    for raw in (text or "").split(","):
        entry = raw.strip()
        if not entry:
            continue
        prefix, sep, ms = entry.partition("=")
        method, _, path = prefix.strip().rpartition(" ")
        if not sep or not path.startswith("/") or not ms.strip().isdigit() or (method and not method.isalpha()):
            raise ValueError(f"bad path latency {entry!r}: expected [METHOD ]/path-prefix=milliseconds")
        result[f"{method.upper()} {path}" if method else path] = int(ms.strip())
    return result


def demo_users() -> tuple[User, User]:
    """Return the (employee, manager) users, with credentials from the environment or defaults."""
    employee = User(os.environ.get("DEMO_EMPLOYEE_USER", "alice"),
                    os.environ.get("DEMO_EMPLOYEE_PASSWORD", "alice-demo-pw"), "employee", "Alice Martin")
    manager = User(os.environ.get("DEMO_MANAGER_USER", "mario"),
                   os.environ.get("DEMO_MANAGER_PASSWORD", "mario-demo-pw"), "manager", "Mario Rossi")
    return employee, manager


def _matches(key: str, method: str, path: str) -> bool:
    want, _, prefix = key.rpartition(" ")
    return path.startswith(prefix) and (not want or want == method.upper())


def request_delay_ms(version: int, latency_ms: int, path_latency: dict[str, int], path: str,
                     args: Any, method: str = "GET") -> int:
    """Return how long the server waits before answering a request, in milliseconds.

    Args:
        version: App version (2 makes expense search slower).
        latency_ms: Delay added to every request.
        path_latency: ``[METHOD ]path-prefix`` → extra delay; every match adds up.
        path: The request path.
        args: The query arguments (a mapping).
        method: The request's HTTP method.
    """
    if path.startswith("/static/"):
        return 0
    delay = latency_ms + sum(ms for key, ms in path_latency.items() if _matches(key, method, path))
    raw = args.get("latency_ms", "")
    if raw.isdigit():
        delay += int(raw)
    if version == 2 and path.rstrip("/") == "/expenses" and args.get("q", "").strip():
        delay += V2_SEARCH_DELAY_MS
    return min(delay, MAX_LATENCY_MS)


def _parse_amount(text: str) -> Decimal | None:
    """Return the amount typed in the form (``12,50`` or ``12.50``), or None when not a number."""
    try:
        value = Decimal(text.strip().replace(",", ".").replace("€", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _read_receipt(upload: FileStorage | None, errors: dict[str, str]) -> Receipt | None:
    """Read and check an uploaded receipt, recording a problem in ``errors``."""
    if upload is None or not upload.filename:
        return None
    ext = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
    data = upload.read(MAX_RECEIPT_BYTES + 1)
    if ext not in RECEIPT_TYPES:
        errors["receipt"] = "The receipt must be a PNG, JPG or PDF file"
        return None
    content_type, magics = RECEIPT_TYPES[ext]
    if not data:
        errors["receipt"] = "The receipt file is empty"
    elif len(data) > MAX_RECEIPT_BYTES:
        errors["receipt"] = "The receipt must be smaller than 5 MB"
    elif not data.startswith(magics):
        errors["receipt"] = f"The receipt is not a valid {ext.upper()} file"
    else:
        name = os.path.basename(upload.filename.replace("\\", "/"))[:120]
        return Receipt(name, content_type, data)
    return None


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour (the demo's stand-in for a marketing image)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 9))
            + chunk(b"IEND", b""))


PROMO_PNG = _png(*PROMO_SIZE, (91, 63, 209))
PIXEL_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
             b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def human_size(size: int) -> str:
    """Format a byte count: ``812 B``, ``1.4 KB``, ``2.0 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def create_app(version: int = 1, latency_ms: int = 0, path_latency: dict[str, int] | None = None) -> Flask:
    """Build a fresh Spendly app with its own in-memory data.

    Args:
        version: 1 (before the vendor update) or 2 (after it).
        latency_ms: Delay added to every request; ``HARNESS_DEMO_LATENCY_MS`` when 0.
        path_latency: Path prefix → extra delay, merged over ``HARNESS_DEMO_PATH_LATENCY``.

    Raises:
        ValueError: For an unknown version or a malformed latency setting.
    """
    if version not in VERSIONS:
        raise ValueError(f"unknown demo version {version!r}: expected 1 or 2")
    env_latency = os.environ.get("HARNESS_DEMO_LATENCY_MS", "").strip()
    if not latency_ms and env_latency:
        if not env_latency.isdigit():
            raise ValueError(f"HARNESS_DEMO_LATENCY_MS must be a whole number of milliseconds, not {env_latency!r}")
        latency_ms = int(env_latency)
    paths = {**parse_path_latency(os.environ.get("HARNESS_DEMO_PATH_LATENCY")), **(path_latency or {})}

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.urandom(24),
        MAX_CONTENT_LENGTH=MAX_RECEIPT_BYTES + 1024 * 1024,
        SESSION_COOKIE_NAME="spendly_session",
        SESSION_COOKIE_SAMESITE="Lax",
        DEMO_VERSION=version,
        DEMO_LATENCY_MS=latency_ms,
        DEMO_PATH_LATENCY=paths,
        DEMO_SLEEP=time.sleep,
    )
    employee, manager = demo_users()
    users = {employee.username: employee, manager.username: manager}
    store = Store.seeded(employee, manager)
    app.extensions["spendly_store"] = store
    v2 = version == 2
    desc_field = "purpose" if v2 else "description"
    desc_label = "Purpose" if v2 else "Description"

    def current_user() -> User | None:
        name = session.get("user")
        return users.get(name) if isinstance(name, str) else None

    def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user() is None:
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            return view(*args, **kwargs)
        return wrapper

    @app.before_request
    def _inject_latency() -> None:
        delay = request_delay_ms(version, app.config["DEMO_LATENCY_MS"], app.config["DEMO_PATH_LATENCY"],
                                 request.path, request.args, request.method)
        g.demo_delay_ms = delay
        if delay:
            app.config["DEMO_SLEEP"](delay / 1000)

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["X-Demo-Delay-Ms"] = str(getattr(g, "demo_delay_ms", 0))
        response.headers["X-App-Version"] = VERSIONS[version]
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {
            "v2": v2,
            "version": VERSIONS[version],
            "version_short": VERSIONS[version].rsplit(".", 1)[0],
            "user": current_user(),
            "show_cookie_banner": v2 and request.cookies.get(CONSENT_COOKIE) != "accepted",
            "desc_field": desc_field,
            "desc_label": desc_label,
        }

    @app.template_filter("money")
    def _money(value: Decimal) -> str:
        return f"€{value:,.2f}"

    @app.template_filter("size")
    def _size(value: int) -> str:
        return human_size(value)

    @app.get("/__version")
    def version_info() -> Response:
        return jsonify(app="spendly", version=VERSIONS[version], major=version)

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("home" if current_user() else "login"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        error = None
        username = ""
        if request.method == "POST":
            username = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            found = users.get(username)
            if found and hmac.compare_digest(found.password.encode(), password.encode()):
                session.clear()
                session["user"] = found.username
                target = request.args.get("next", "")
                if not target.startswith("/") or target.startswith("//"):
                    target = url_for("home")
                return redirect(target)
            error = "Invalid username or password."
        return render_template("login.html", error=error, username=username), (401 if error else 200)

    @app.route("/logout", methods=["GET", "POST"])
    def logout() -> Response:
        session.clear()
        flash("You have been signed out.", "info")
        return redirect(url_for("login"))

    @app.get("/home")
    @login_required
    def home() -> str:
        user = current_user()
        assert user is not None
        mine = store.expenses_of(user.username)
        pending_mine = sum(1 for e in mine if e.status == "Pending")
        to_approve = len(store.pending()) if user.role == "manager" else 0
        return render_template("home.html", recent=mine[:5], pending_mine=pending_mine, to_approve=to_approve,
                               open_tickets=sum(1 for t in store.ticket_queue() if t.status != "Closed"))

    @app.get("/expenses")
    @login_required
    def expenses() -> str:
        user = current_user()
        assert user is not None
        query = request.args.get("q", "").strip()[:100]
        return render_template("expenses.html", expenses=store.expenses_of(user.username, query), q=query)

    @app.get("/expenses/export.csv")
    @login_required
    def export_expenses() -> Response:
        user = current_user()
        assert user is not None
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "date", desc_label.lower(), "category", "amount", "status"])
        for e in store.expenses_of(user.username):
            writer.writerow([e.id, e.spent_on.isoformat(), e.description, e.category, f"{e.amount:.2f}", e.status])
        response = Response(out.getvalue(), mimetype="text/csv")
        response.headers["Content-Disposition"] = "attachment; filename=expenses.csv"
        return response

    @app.route("/expenses/new", methods=["GET", "POST"])
    @login_required
    def new_expense() -> Any:
        user = current_user()
        assert user is not None
        form: dict[str, Any] = {"description": "", "amount": "", "category": "Travel",
                                "date": date.today().isoformat(), "confirm": False}
        errors: dict[str, str] = {}
        if request.method == "POST":
            form = {
                "description": request.form.get(desc_field, "").strip(),
                "amount": request.form.get("amount", "").strip(),
                "category": request.form.get("category", ""),
                "date": request.form.get("date", "").strip(),
                "confirm": request.form.get("confirm") == "yes",
            }
            if not form["description"]:
                errors["description"] = f"Enter a {desc_label.lower()}"
            elif len(form["description"]) > 120:
                errors["description"] = f"The {desc_label.lower()} must be 120 characters or fewer"
            amount = _parse_amount(form["amount"]) if form["amount"] else None
            if not form["amount"]:
                errors["amount"] = "Enter an amount"
            elif amount is None:
                errors["amount"] = "The amount must be a number, like 12.50"
            elif amount <= 0:
                errors["amount"] = "The amount must be greater than 0"
            elif amount > MAX_AMOUNT:
                errors["amount"] = "The amount must be 100,000.00 or less"
            if form["category"] not in CATEGORIES:
                errors["category"] = "Choose a category"
            try:
                spent_on = date.fromisoformat(form["date"])
            except ValueError:
                errors["date"] = "Enter the date as YYYY-MM-DD"
                spent_on = date.today()
            receipt = _read_receipt(request.files.get("receipt"), errors)
            if receipt is None and "receipt" not in errors and amount is not None and amount > RECEIPT_THRESHOLD:
                errors["receipt"] = "A receipt is required for amounts over 25.00"
            if not form["confirm"]:
                errors["confirm"] = "Confirm that this expense is business-related"
            if not errors and amount is not None:
                exp = store.add_expense(user.username, user.display_name, form["description"],
                                        amount.quantize(Decimal("0.01")), form["category"], spent_on, receipt)
                flash("Expense submitted for approval", "success")
                return redirect(url_for("expense_detail", expense_id=exp.id))
        status = 422 if errors else 200
        return render_template("new_expense.html", form=form, errors=errors, categories=CATEGORIES), status

    def _visible_expense(expense_id: int) -> Any:
        user = current_user()
        exp = store.get_expense(expense_id)
        if exp is None or user is None or (exp.owner != user.username and user.role != "manager"):
            abort(404)
        return exp

    @app.get("/expenses/<int:expense_id>")
    @login_required
    def expense_detail(expense_id: int) -> str:
        return render_template("expense_detail.html", expense=_visible_expense(expense_id))

    @app.get("/expenses/<int:expense_id>/receipt")
    @login_required
    def expense_receipt(expense_id: int) -> Response:
        exp = _visible_expense(expense_id)
        if exp.receipt is None:
            abort(404)
        return send_file(io.BytesIO(exp.receipt.data), mimetype=exp.receipt.content_type,
                         download_name=exp.receipt.filename)

    @app.get("/approvals")
    @login_required
    def approvals() -> Any:
        user = current_user()
        assert user is not None
        if user.role != "manager":
            return render_template("forbidden.html"), 403
        pending = store.pending()
        return render_template("approvals.html", pending=pending[:50], total=len(pending))

    @app.post("/approvals/<int:expense_id>/<decision>")
    @login_required
    def decide(expense_id: int, decision: str) -> Any:
        user = current_user()
        assert user is not None
        if user.role != "manager":
            return render_template("forbidden.html"), 403
        if decision not in ("approve", "reject"):
            abort(404)
        status = "Approved" if decision == "approve" else "Rejected"
        if store.set_status(expense_id, status) is None:
            abort(404)
        flash(f"Expense {status.lower()}", "success")
        return redirect(url_for("approvals"))

    if v2:
        @app.get("/api/charts/approvals-by-week.png")
        @login_required
        def approvals_chart() -> Any:
            # 2.0's new chart endpoint crashes: the approvals page shows a broken image
            return jsonify(error="chart renderer: no series for period"), 500

        @app.get("/media/promo/whats-new-2.png")
        def promo_banner() -> Response:
            app.config["DEMO_SLEEP"](V2_PROMO_DELAY_MS / 1000)
            return Response(PROMO_PNG, mimetype="image/png")

        @app.get("/media/px.gif")
        def impression_pixel() -> Response:
            app.config["DEMO_SLEEP"](V2_PIXEL_DELAY_MS / 1000)
            return Response(PIXEL_GIF, mimetype="image/gif")

    @app.get("/tickets")
    @login_required
    def tickets() -> str:
        return render_template("tickets.html", tickets=store.ticket_queue())

    @app.route("/tickets/new", methods=["GET", "POST"])
    @login_required
    def new_ticket() -> Any:
        user = current_user()
        assert user is not None
        form = {"title": "", "priority": "Normal", "description": ""}
        errors: dict[str, str] = {}
        if request.method == "POST":
            form = {key: request.form.get(key, "").strip() for key in form}
            if not form["title"]:
                errors["title"] = "Enter a title"
            elif len(form["title"]) > 120:
                errors["title"] = "The title must be 120 characters or fewer"
            if form["priority"] not in PRIORITIES:
                errors["priority"] = "Choose a priority"
            if len(form["description"]) > 5000:
                errors["description"] = "The description must be 5,000 characters or fewer"
            if not errors:
                ticket = store.add_ticket(user.username, form["title"], form["priority"], form["description"])
                flash(f"Ticket #{ticket.id} created", "success")
                return redirect(url_for("tickets"))
        status = 422 if errors else 200
        return render_template("new_ticket.html", form=form, errors=errors, priorities=PRIORITIES), status

    @app.errorhandler(404)
    def _not_found(_exc: Exception) -> Any:
        return render_template("not_found.html"), 404

    @app.errorhandler(413)
    def _too_large(_exc: Exception) -> Any:
        return render_template("not_found.html", message="The upload is too large (5 MB at most)."), 413

    return app
