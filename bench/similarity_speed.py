"""Benchmark: how long :func:`harness.guides.similarity.rank` takes on a page of 3,000 candidates.

The page is synthetic but shaped like a real admin list (a sidebar, a toolbar with a search
form and buttons, a table of ~370 expense rows with links and status badges, a pager): every
element's fingerprint as ``anchor_probe.js`` records it. Several baselines are ranked against
it, each one's old version differing from the page's as after a vendor update (renamed id,
renamed classes, moved by a layout change): a toolbar button, the search box, a row link, the
page heading, and a table row (the worst case: hundreds of similar rows). Prints the median
time per baseline. Never used as a timed test assertion.

Usage: .venv/bin/python bench/similarity_speed.py [--candidates 3000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from harness.guides.similarity import rank

VIEWPORT = {"width": 1280, "height": 720}
WORDS = ("taxi", "hotel", "lunch", "train", "conference", "ticket", "software", "licence", "team", "dinner",
         "airport", "client", "visit", "office", "supplies", "parking", "fuel", "book", "course", "travel")


def node(tag: str, id_: str | None = None, classes: tuple[str, ...] = (), index: int = 1) -> dict[str, Any]:
    """One path node."""
    return {"tag": tag, "id": id_, "classes": list(classes), "index": index}


def element(path: list[dict[str, Any]], *, text: str = "", role: str | None = None, name: str | None = None,
            attributes: dict[str, str] | None = None, box: tuple[int, int, int, int] = (0, 0, 10, 10),
            neighbours: tuple[str, ...] = ()) -> dict[str, Any]:
    """A fingerprint whose tag, id and classes are its path's last node."""
    last = path[-1]
    return {"tag": last["tag"], "id": last["id"], "classes": list(last["classes"]), "text": text, "role": role,
            "name": name, "attributes": attributes or {}, "path": path,
            "box": dict(zip(("x", "y", "width", "height"), box, strict=True)), "viewport": VIEWPORT,
            "neighbours": list(neighbours), "visible": True}


def row_cells(row: int) -> tuple[str, str, str, str, str]:
    """Date, description, category, amount and status of expense ``row`` (deterministic)."""
    words = " ".join((WORDS[row % 20], WORDS[(3 * row + 1) % 20], WORDS[(7 * row + 2) % 20])).capitalize()
    return (f"2026-11-{row % 28 + 1:02d}", words, ("Travel", "Meals", "Software")[row % 3],
            f"{(row * 37) % 900 + 5}.{(row * 13) % 100:02d}", ("Submitted", "Approved", "Rejected")[row % 3])


def page(size: int) -> list[dict[str, Any]]:
    """About ``size`` candidate fingerprints of an expense list page."""
    root = [node("html"), node("body"), node("div", None, ("shell",))]
    main = [*root, node("div", None, ("shell__main",), 2), node("main", "main", ("content",))]
    out = [element(root, text="Spendly Home Expenses Tickets", box=(0, 0, 1280, 2000))]
    side = [*root, node("aside", None, ("sidebar",)), node("nav", "main-nav", ("sidebar__nav",))]
    for i, label in enumerate(("Home", "Expenses", "Approvals", "Tickets", "Reports", "Settings")):
        out.append(element([*side, node("a", f"nav-{label.lower()}", (), i + 1)], text=label, role="link",
                           name=label, attributes={"href": f"/{label.lower()}"}, box=(16, 80 + 44 * i, 188, 38),
                           neighbours=("Home", "Tickets")))
    out.append(element([*main[:-1], node("header", None, ("appbar",))], text="Expenses Alice Martin",
                       role="banner", box=(240, 0, 1040, 56)))
    out.append(element([*main, node("h1")], text="My expenses", role="heading", name="My expenses",
                       box=(264, 80, 400, 40), neighbours=("Search",)))
    form = [*main, node("form", "expense-search-form", ("searchbar",))]
    out.append(element(form, text="Search", role="search", box=(264, 140, 700, 40), neighbours=("My expenses",)))
    out.append(element([*form, node("input", "q", ("searchbar__input",))], role="searchbox", name="Search expenses",
                       attributes={"name": "q", "type": "search", "placeholder": "Search by purpose…"},
                       box=(264, 140, 600, 40), neighbours=("Search expenses", "Search", "My expenses")))
    out.append(element([*form, node("button", None, ("button", "button--ghost"))], text="Search", role="button",
                       name="Search", attributes={"type": "submit"}, box=(874, 140, 90, 40),
                       neighbours=("My expenses",)))
    table = [*main, node("table", "expenses-table", ("exp-list",)), node("tbody")]
    row = 0
    while len(out) < size - 12:
        row += 1
        cells = row_cells(row)
        words, status = cells[1], cells[4]
        y = 200 + 41 * row
        tr = [*table, node("tr", None, ("exp-list__item",), row)]
        out.append(element(tr, text=" ".join(cells), role="row", attributes={"data-id": str(row)},
                           box=(264, y, 980, 40)))
        for c, text in enumerate(cells):
            out.append(element([*tr, node("td", None, ("num",) if c == 3 else (), c + 1)], text=text, role="cell",
                               name=text, box=(264 + 196 * c, y, 196, 40)))
        out.append(element([*tr, node("td", None, (), 2), node("a")], text=words, role="link", name=words,
                           attributes={"href": f"/expenses/{row}"}, box=(470, y + 10, 150, 20)))
        out.append(element([*tr, node("td", None, (), 5), node("span", None, ("status", f"status--{status.lower()}"))],
                           text=status, box=(1060, y + 10, 80, 20)))
    for i in range(size - len(out)):
        out.append(element([*main, node("nav", None, ("pager",)), node("a", None, (), i + 1)], text=str(i + 1),
                           role="link", name=str(i + 1), attributes={"href": f"?page={i + 1}"},
                           box=(264 + 40 * i, 200 + 41 * (row + 2), 32, 32)))
    return out


def baselines() -> dict[str, dict[str, Any]]:
    """Old (v1) fingerprints of elements of the page, as before the update."""
    v1 = [node("html"), node("body"), node("main", "main", ("container",))]
    toolbar = [*v1, node("div", None, ("toolbar",))]
    table = [*v1, node("table", "expenses-table", ("table",)), node("tbody")]
    tr = [*table, node("tr", None, ("expense-row",), 7)]
    cells = row_cells(7)
    return {
        "button": element([*toolbar, node("form", "expense-search-form"), node("button", None, ("btn",))],
                          text="Search", role="button", name="Search", attributes={"type": "submit"},
                          box=(300, 120, 80, 34), neighbours=("My expenses",)),
        "search box": element([*toolbar, node("form", "expense-search-form"), node("input", "expense-search")],
                              role="searchbox", name="Search expenses",
                              attributes={"name": "q", "type": "search", "placeholder": "Search expenses"},
                              box=(40, 120, 240, 34), neighbours=("Search expenses", "Search", "My expenses")),
        "row link": element([*tr, node("td", None, (), 2), node("a")], text=cells[1], role="link", name=cells[1],
                            attributes={"href": "/expenses/7"}, box=(250, 480, 150, 20)),
        "heading": element([*v1, node("h1")], text="My expenses", role="heading", name="My expenses",
                           box=(40, 60, 400, 40), neighbours=("Search",)),
        "table row": element(tr, text=" ".join(cells), role="row", attributes={"data-id": "7"},
                             box=(40, 470, 1200, 40)),
    }


def main() -> None:
    """Print the median ranking time of each baseline against the synthetic page."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    candidates = page(args.candidates)
    print(f"{len(candidates)} candidates, rank(..., limit=5), median of {args.repeat} runs: wall / CPU time")
    for label, old in baselines().items():
        wall, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            ranked = rank(old, candidates)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        top = f"{ranked[0].score:.2f} {candidates[ranked[0].index]['text'][:32]!r}" if ranked else "nothing"
        print(f"  {label:<11} {statistics.median(wall):6.1f} ms / {statistics.median(cpu):6.1f} ms   best: {top}")


if __name__ == "__main__":
    main()
