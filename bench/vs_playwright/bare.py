"""The bare Playwright arm of ``bench/vs_playwright.py``: the benchmark's journeys as a plain script.

Each step of the features in ``features/`` is done here with the one natural Playwright call
(``locator(css).fill()``, ``.click()``, ``.check()``, ``.select_option(label=...)``, ``page.goto()``,
``get_by_role()``/``get_by_label()`` for the steps that name their target by its text,
``expect(...).to_be_visible()`` / ``to_contain_text()`` for the checks), timed with
``time.perf_counter()`` around that call alone. A click that leads to another page is also
timed until the new page's ``load`` event (``loaded_ms``, a second call after the timed one).

One process, one browser, a fresh context per replay (as the harness does). Writes
``{"replays": [[{"text", "at", "ms", "loaded_ms"}...]...], ...}`` as JSON (``at``: the step's start,
``perf_counter()`` seconds).

Usage: python bench/vs_playwright/bare.py --base-url URL --journey form --replays 10 --out FILE
       [--launch '{"executable_path": ..., "args": [...]}']
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect, sync_playwright

VIEWPORT = {"width": 1280, "height": 800}
"""The harness's default viewport."""


class Steps:
    """Times the steps of one replay: ``with steps("<step text>"): <one Playwright call>``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.done: list[dict[str, Any]] = []

    @contextmanager
    def __call__(self, text: str, navigates: bool = False) -> Iterator[None]:
        """Time the block as the step ``text``; with ``navigates``, also until the next page's ``load``."""
        started = time.perf_counter()
        yield
        ended = time.perf_counter()
        step: dict[str, Any] = {"text": text, "at": started, "ms": (ended - started) * 1000, "loaded_ms": None}
        if navigates:
            self.page.wait_for_load_state("load")
            step["loaded_ms"] = (time.perf_counter() - started) * 1000
        self.done.append(step)


def form_journey(page: Page, step: Steps) -> None:
    """``features/form.feature``: 40 steps over form.html, details.html and review.html."""
    with step('I open "form"'):
        page.goto("/form.html")
    with step('I should see "Create your account"'):
        expect(page.get_by_text("Create your account").first).to_be_visible()
    with step('I fill "profile.first_name" with "Ada"'):
        page.locator("#first-name").fill("Ada")
    with step('I fill "profile.last_name" with "Lovelace"'):
        page.locator("#last-name").fill("Lovelace")
    with step('I fill "profile.email" with "ada@example.org"'):
        page.locator("#email").fill("ada@example.org")
    with step('I fill "profile.phone" with "+44 20 7946 0000"'):
        page.locator("#phone").fill("+44 20 7946 0000")
    with step('I fill "profile.age" with "36"'):
        page.locator("#age").fill("36")
    with step('I fill "Nickname" with "Countess"'):
        page.get_by_label("Nickname", exact=True).fill("Countess")
    with step('I fill "profile.bio" with "Mathematician; wrote the first published program."'):
        page.locator("#bio").fill("Mathematician; wrote the first published program.")
    with step('I select "United Kingdom" from "profile.country"'):
        page.locator("#country").select_option(label="United Kingdom")
    with step('I check "profile.contact_email"'):
        page.locator("#contact-email").check()
    with step('I click "Preferences"'):
        page.get_by_role("button", name="Preferences").click()
    with step('"prefs.panel" should contain "Notifications"'):
        expect(page.locator("#prefs-panel")).to_contain_text("Notifications")
    with step('I check "prefs.newsletter"'):
        page.locator("#newsletter").check()
    with step('I check "prefs.weekly"'):
        page.locator("#weekly").check()
    with step('I select "Dark" from "prefs.theme"'):
        page.locator("#theme").select_option(label="Dark")
    with step('I select "Monthly" from "prefs.plan"'):
        page.locator("#plan").select_option(label="Monthly")
    with step('I click "prefs.show_summary"'):
        page.locator("#show-summary").click()
    with step('"prefs.summary" should contain "Ada Lovelace"'):
        expect(page.locator("#summary")).to_contain_text("Ada Lovelace")
    with step('I check "I accept the terms"'):
        page.get_by_label("I accept the terms", exact=True).check()
    with step('I click "Next"', navigates=True):
        page.get_by_role("button", name="Next").click()
    with step('I should see "Delivery details"'):
        expect(page.get_by_text("Delivery details").first).to_be_visible()
    with step('I fill "delivery.street" with "12 St James\'s Square"'):
        page.locator("#street").fill("12 St James's Square")
    with step('I fill "delivery.city" with "London"'):
        page.locator("#city").fill("London")
    with step('I fill "delivery.postcode" with "SW1Y 4LB"'):
        page.locator("#postcode").fill("SW1Y 4LB")
    with step('I select "Express" from "delivery.speed"'):
        page.locator("#speed").select_option(label="Express")
    with step('I check "delivery.gift"'):
        page.locator("#gift").check()
    with step('I click "delivery.add_note"'):
        page.locator("#add-note").click()
    with step('I fill "delivery.note" with "Leave it with the porter, please."'):
        page.locator("#note").fill("Leave it with the porter, please.")
    with step('I click "delivery.estimate"'):
        page.locator("#estimate").click()
    with step('"delivery.estimate_box" should contain "1 working day"'):
        expect(page.locator("#estimate-box")).to_contain_text("1 working day")
    with step('I click "Review order"', navigates=True):
        page.get_by_role("link", name="Review order").click()
    with step('I should see "Review your order"'):
        expect(page.get_by_text("Review your order").first).to_be_visible()
    with step('I click "review.confirm"'):
        page.locator("#confirm").click()
    with step('"review.status" should contain "Order confirmed"'):
        expect(page.locator("#status")).to_contain_text("Order confirmed")
    with step('I open "details"'):
        page.goto("/details.html")
    with step('I fill "delivery.city" with "Cambridge"'):
        page.locator("#city").fill("Cambridge")
    with step('I open "review"'):
        page.goto("/review.html")
    with step('I click "review.confirm"'):
        page.locator("#confirm").click()
    with step('I should see "Order confirmed"'):
        expect(page.get_by_text("Order confirmed").first).to_be_visible()


def long_journey(page: Page, step: Steps) -> None:
    """``features/long.feature``: steps 2 and 5 wait ~2 s for the server; 1 and 4 are their short twins."""
    with step('I open "/long.html"'):
        page.goto("/long.html")
    with step('I click "long.slow_link"', navigates=True):
        page.locator("#slow-link").click()
    with step('"long.arrived" should contain "answered this page late"'):
        expect(page.locator("#arrived")).to_contain_text("answered this page late")
    with step('I click "long.back_link"', navigates=True):
        page.locator("#back-link").click()
    with step('I open "/arrived.html?delay=2000"'):
        page.goto("/arrived.html?delay=2000")
    with step('I should see "You waited for this page"'):
        expect(page.get_by_text("You waited for this page").first).to_be_visible()


JOURNEYS: dict[str, Callable[[Page, Steps], None]] = {"form": form_journey, "long": long_journey}


def main() -> int:
    """Replay one journey ``--replays`` times in one browser and write the step timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--journey", choices=sorted(JOURNEYS), default="form")
    parser.add_argument("--replays", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="the step timings (JSON)")
    parser.add_argument("--launch", default="{}", help="chromium.launch keyword arguments (JSON)")
    args = parser.parse_args()
    journey = JOURNEYS[args.journey]
    replays: list[list[dict[str, Any]]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(headless=True, **json.loads(args.launch))
        for _ in range(args.replays):
            context = browser.new_context(base_url=args.base_url, viewport=VIEWPORT)  # type: ignore[arg-type]
            page = context.new_page()
            steps = Steps(page)
            journey(page, steps)
            replays.append(steps.done)
            context.close()
        version = browser.version
        browser.close()
    args.out.write_text(json.dumps({"journey": args.journey, "browser_version": version, "replays": replays}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
