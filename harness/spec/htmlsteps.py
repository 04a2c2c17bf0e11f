"""HTML helpers for tour importers: bubble text as plain text, and Intro.js ``data-intro`` steps.

Tour libraries render step text as HTML, so :func:`plain_text` turns it into the text a user reads.
:func:`data_intro_steps` reads an HTML page whose elements carry Intro.js attributes, in the order
Intro.js itself shows them, with a unique CSS selector for each element (:func:`unique_selector`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from harness.spec.jsvalues import css_id_selector

_BREAK = "\x00"
_BLOCKS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tr", "ul",
}
#: Attributes that name an element the way its page means it (most specific first).
STABLE_ATTRIBUTES = (
    "name", "for", "data-testid", "data-test", "data-test-id", "data-qa", "data-cy", "aria-label",
    "placeholder", "href", "type", "role", "title", "alt",
)
_HIDDEN = re.compile(r"(^|;)\s*display\s*:\s*none\s*(;|$)", re.I)


def plain_text(html: str) -> str:
    """The text a user reads in a bubble whose content is ``html``: tags removed, entities decoded.

    Block elements and ``<br>`` become line breaks; other whitespace collapses as a browser renders it.
    """
    soup = BeautifulSoup(html, "html.parser")
    for br in soup.find_all("br"):
        br.replace_with(_BREAK)
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before(_BREAK)
        tag.insert_after(_BREAK)
    lines = (" ".join(part.split()) for part in soup.get_text().split(_BREAK))
    return "\n".join(line for line in lines if line)


def _attr_value(value: str) -> str:
    return '"{}"'.format(value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a "))


def _own_candidates(el: Tag) -> list[str]:
    """Selectors for ``el`` alone, most meaningful first: id, stable attributes, classes, tag."""
    tag = el.name
    found = []
    if el.get("id"):
        found.append(css_id_selector(str(el["id"])))
    for attr in STABLE_ATTRIBUTES:
        value = el.get(attr)
        if isinstance(value, str) and value:
            found.append(f"{tag}[{attr}={_attr_value(value)}]")
    classes = [c for c in el.get("class") or [] if re.match(r"^-?[A-Za-z_][\w-]*$", c)]
    if classes:
        found.append(tag + "".join(f".{c}" for c in classes))
    found.append(tag)
    return found


def unique_selector(el: Tag, soup: BeautifulSoup) -> str:
    """A CSS selector that matches ``el`` and nothing else in ``soup``.

    Tries ``#id``, then the element's stable attributes (``input[name="q"]``), classes and tag, then
    the same under a uniquely selected ancestor (``#login-form button[type="submit"]``), and at last
    an ``:nth-of-type`` path.
    """

    def only(selector: str) -> bool:
        matches = soup.select(selector, limit=2)
        return len(matches) == 1 and matches[0] is el

    own = _own_candidates(el)
    for selector in own:
        if only(selector):
            return selector
    for ancestor in el.parents:
        if not isinstance(ancestor, Tag) or ancestor.name == "[document]":
            break
        anchor = next((s for s in _own_candidates(ancestor) if len(soup.select(s, limit=2)) == 1), None)
        if anchor is None:
            continue
        for selector in own:
            if only(f"{anchor} {selector}"):
                return f"{anchor} {selector}"
    return _nth_path(el, soup)


def _nth_path(el: Tag, soup: BeautifulSoup) -> str:
    parts: list[str] = []
    node: Tag | None = el
    while isinstance(node, Tag) and node.name != "[document]":
        if node.get("id") and len(soup.select(css_id_selector(str(node["id"])), limit=2)) == 1:
            parts.append(css_id_selector(str(node["id"])))
            break
        parent = node.parent
        same = parent.find_all(node.name, recursive=False) if isinstance(parent, Tag) else [node]
        index = next(i for i, sibling in enumerate(same, start=1) if sibling is node)
        parts.append(f"{node.name}:nth-of-type({index})" if len(same) > 1 else node.name)
        node = parent
    return " > ".join(reversed(parts))


@dataclass(frozen=True, slots=True)
class DataIntroStep:
    """One step of an Intro.js tour declared with ``data-intro`` attributes."""

    target: str
    title: str | None
    intro: str
    line: int | None


def data_intro_steps(html: str) -> list[DataIntroStep]:
    """The ``data-intro`` steps of a page, ordered as Intro.js 8 orders them.

    Elements with ``data-step="N"`` (N > 0) take position N; the others fill the free positions in
    document order; elements hidden with an inline ``display: none`` are skipped, as Intro.js does.
    """
    soup = BeautifulSoup(html, "html.parser")
    placed: dict[int, Tag] = {}
    unnumbered: list[Tag] = []
    for el in soup.select("[data-intro]"):
        if _HIDDEN.search(str(el.get("style") or "")):
            continue
        try:
            number = int(str(el.get("data-step") or "0").strip() or "0")
        except ValueError:
            number = 0
        if number > 0:
            placed[number] = el
        else:
            unnumbered.append(el)
    position = 1
    while unnumbered:
        if position not in placed:
            placed[position] = unnumbered.pop(0)
        position += 1
    steps = []
    for number in sorted(placed):
        el = placed[number]
        title = plain_text(str(el.get("data-title") or "")) or None
        steps.append(DataIntroStep(unique_selector(el, soup), title, plain_text(str(el["data-intro"])),
                                   el.sourceline))
    return steps


def inline_scripts(html: str) -> list[tuple[str, int]]:
    """The inline ``<script>`` bodies of a page with the line each starts on."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for script in soup.find_all("script"):
        kind = str(script.get("type") or "text/javascript").lower()
        if script.get("src") or kind not in {"text/javascript", "module", "application/javascript"}:
            continue
        body = script.string or ""
        if body.strip():
            found.append((body, script.sourceline or 1))
    return found
