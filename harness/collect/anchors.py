"""Examine guide anchors in the page: all anchors of a page in one in-page pass.

Plain CSS anchors are queried by the page script itself; any other Playwright selector
(``role=``, ``text=``, ``>>`` chains) is first resolved by Playwright to element handles,
which the same single pass then examines. The script is ``anchor_probe.js``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from harness.spec.guides import is_plain_css

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

SCRIPT_FILE = Path(__file__).with_name("anchor_probe.js")


@functools.cache
def script() -> str:
    """The in-page probe (an arrow function taking one argument)."""
    return SCRIPT_FILE.read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class Anchor:
    """One selector to examine on the current page.

    Attributes:
        key: The caller's name for it (returned with its observation).
        selector: A Playwright selector.
        first: The guide's runtime attaches to the first of several matches (``document.querySelector``):
            the first match is examined in full (offscreen, covered) even when there are several.
    """

    key: str
    selector: str
    first: bool = False


def _argument(page: Page, anchors: list[Anchor]) -> list[dict[str, Any]]:
    """The probe's anchors: CSS as text, other selectors as element handles."""
    items: list[dict[str, Any]] = []
    for anchor in anchors:
        if is_plain_css(anchor.selector):
            items.append({"key": anchor.key, "css": anchor.selector, "first": anchor.first})
            continue
        try:
            handles = page.locator(anchor.selector).element_handles()
        except Exception as exc:  # an invalid selector is the anchor's problem, not the run's
            items.append({"key": anchor.key, "css": None, "elements": [], "error": str(exc).splitlines()[0]})
            continue
        items.append({"key": anchor.key, "css": None, "elements": handles, "first": anchor.first})
    return items


def probe(page: Page, anchors: list[Anchor], *, fingerprint: bool = True,
          one_call_per_anchor: bool = False) -> dict[str, dict[str, Any]]:
    """Observe anchors on the current page.

    Args:
        page: The page, already loaded.
        anchors: What to look for.
        fingerprint: Also record each found element's fingerprint (docs/guides.md).
        one_call_per_anchor: Make one browser round trip per anchor instead of one for all
            (only to measure what the single pass saves; see bench/guides_check.py).

    Returns:
        Observations by anchor key: ``count``, ``visible``, ``disabled``, ``offscreen``,
        ``covered_by``, ``box``, ``boxes``, ``text``, ``name``, ``fingerprint``, ``error``.
    """
    items = _argument(page, anchors)
    if one_call_per_anchor:
        results = [r for item in items for r in json.loads(
            page.evaluate(script(), {"mode": "probe", "anchors": [item], "fingerprint": fingerprint}))]
    else:
        results = json.loads(page.evaluate(script(), {"mode": "probe", "anchors": items, "fingerprint": fingerprint}))
    errors = {item["key"]: item.get("error") for item in items if item.get("error")}
    out: dict[str, dict[str, Any]] = {}
    for result in results:
        if result["key"] in errors:
            result["error"] = errors[result["key"]]
        out[result["key"]] = result
    return out


FINGERPRINT_TIMEOUT_MS = 1000
"""A resolved element answers at once; a page that does not is not worth waiting for (no fingerprint)."""


@functools.cache
def _fingerprint_js() -> str:
    return f"(element) => ({script()})({{mode: 'fingerprint', element}})"


@functools.cache
def _fingerprint_css_js() -> str:
    return (f"(css) => {{ const found = document.querySelectorAll(css); return found.length === 1 ? "
            f"({script()})({{mode: 'fingerprint', element: found[0]}}) : null; }}")


def fingerprint(locator: Locator, css: str | None = None) -> dict[str, Any] | None:
    """The fingerprint of the locator's one element (docs/guides.md); ``None`` when it cannot be read.

    ``css``: the locator's selector when it is plain CSS: the element is then found and read in one
    round trip (a locator's own ``evaluate`` costs several).
    """
    try:
        if css is not None and (found := locator.page.evaluate(_fingerprint_css_js(), css)):
            return json.loads(found)  # else (in a shadow root, say) Playwright's own engine finds it
        return json.loads(locator.evaluate(_fingerprint_js(), timeout=FINGERPRINT_TIMEOUT_MS))
    except Exception:  # gone, several, or a page between documents: the step's own outcome tells
        return None


def candidates(page: Page, limit: int = 5000) -> list[dict[str, Any]]:
    """Fingerprints of the page's visible elements, remembered in the page by index."""
    return json.loads(page.evaluate(script(), {"mode": "candidates", "limit": limit}))


#: @medv/finder (npm, MIT): the shortest unique CSS selector of an element, from the attributes,
#: classes and ids it is allowed, positions only where nothing else tells the element apart.
#: Installed with the report's browser libraries (``make setup``).
FINDER = Path(__file__).resolve().parents[1] / "report" / "html" / "assets" / "node_modules" / "@medv" / "finder" \
    / "finder.js"
_FINDER_CALL = """
  const el = (window.__harnessCandidates || [])[args.index];
  if (!el) return null;
  const ids = new Set(args.ids), classes = new Set(args.classes), attributes = new Set(args.attributes);
  try {
    return finder(el, {
      root: document.body, timeoutMs: 500, seedMinLength: 1, optimizedMinLength: 2,
      idName: (name) => ids.has(name),
      className: (name) => classes.has(name),
      tagName: () => true,
      attr: (name, value) => attributes.has(name) && value.length > 0 && value.length < 80
        && !/[\\u200b-\\u200f\\u2028-\\u202f\\u2060-\\u206f\\ufeff]/.test(value)
        && !(name === "href" && (value.includes("?") || value.startsWith("javascript:") || value === "#")),
    });
  } catch (e) { return null; }
"""


@functools.cache
def finder_script() -> str | None:
    """``(args) => selector``: @medv/finder for remembered candidate ``args.index``; ``None`` when not installed."""
    try:
        source = FINDER.read_text(encoding="utf-8")
    except OSError:
        return None
    return "(args) => {\n" + re.sub(r"^export ", "", source, flags=re.MULTILINE) + _FINDER_CALL + "}"


def unique_css(page: Page, index: int, *, ids: Sequence[str], classes: Sequence[str],
               attributes: Sequence[str]) -> str | None:
    """The shortest CSS selector that selects remembered candidate ``index`` alone (@medv/finder).

    Args:
        page: The page of the last :func:`candidates` pass.
        index: The candidate.
        ids: Ids it may use (stable ones).
        classes: Classes it may use (stable ones: no state, utility or generated class).
        attributes: Attribute names it may use.
    """
    script_text = finder_script()
    if script_text is None:
        return None
    try:
        found = page.evaluate(script_text, {"index": index, "ids": list(ids), "classes": list(classes),
                                            "attributes": list(attributes)})
    except Exception:  # a page that navigated away, a script error: no selector from here
        return None
    return _plain_strings(found) if isinstance(found, str) and found else None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _plain_strings(selector: str) -> str:
    """Drop escapes that mean the character itself inside quoted values (``"Delete\\ Record"``)."""
    return _STRING.sub(lambda m: re.sub(r"\\([^0-9a-fA-F\n\"\\])", r"\1", m.group(0)), selector)


class PageCandidates(Sequence[dict[str, Any]]):
    """A page's :func:`candidates`, fetched on first use and then kept: one pass per page visit.

    The elements stay remembered in the page under the same indexes, so :func:`is_candidate`
    and the evidence highlight can refer to them while the page is not navigated.
    """

    def __init__(self, page: Page) -> None:
        self.page = page
        self._items: list[dict[str, Any]] | None = None

    def _load(self) -> list[dict[str, Any]]:
        if self._items is None:
            self._items = candidates(self.page)
        return self._items

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | Sequence[dict[str, Any]]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._load())


def is_candidate(page: Page, selector: str, index: int) -> bool:
    """Whether ``selector`` matches exactly one element, and it is candidate ``index``."""
    try:
        locator = page.locator(selector)
        if locator.count() != 1:
            return False
        return bool(locator.evaluate("(el, i) => (window.__harnessCandidates || [])[i] === el", index))
    except Exception:  # a suggestion that Playwright rejects is simply not kept
        return False


def selects_candidate(page: Page, selector: str, index: int) -> bool:
    """Whether any element ``selector`` matches is candidate ``index``."""
    try:
        return bool(page.locator(selector).evaluate_all(
            "(els, i) => els.includes((window.__harnessCandidates || [])[i])", index))
    except Exception:
        return False


def highlight(page: Page, items: list[dict[str, Any]], banner: str | None = None) -> int:
    """Outline elements of the last probe for a screenshot; return how many were found.

    Args:
        page: The page just probed.
        items: ``{"ref", "colour", "label"}``; ``ref`` is ``{"anchor": key, "match": i}``,
            ``{"anchor": key, "cover": True}`` (what covers the anchor) or ``{"candidate": i}``.
            The first one found is scrolled into the middle of the viewport.
        banner: A line shown across the top (for an anchor that is missing or hidden).
    """
    return int(page.evaluate(script(), {"mode": "highlight", "items": items, "banner": banner}))


def unhighlight(page: Page) -> None:
    """Remove what :func:`highlight` drew."""
    page.evaluate(script(), {"mode": "unhighlight"})
