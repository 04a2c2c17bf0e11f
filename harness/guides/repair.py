"""Selectors for an element, from its fingerprint, most robust first (Playwright's locator advice).

Order: test id attributes, role + accessible name, a stable id, label-like attributes, tag +
stable classes, exact text, then a short path anchored on the nearest ancestor with a stable
id. The caller tries them in order on the live page and keeps the first that selects the
element alone. With ``selector_format="css"`` only plain CSS (``document.querySelector``) is
returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.guides.similarity import NO_ROLE, TEST_ID_ATTRIBUTES, is_generated_id, is_stable_class
from harness.spec.selectors import ARIA_ROLES

SelectorFormat = Literal["playwright", "css"]
#: Robustness rank of each kind of selector (1 = most robust).
ROBUSTNESS: dict[str, int] = {"test-id": 1, "role": 2, "id": 3, "attribute": 4, "class": 5, "scoped": 6,
                              "text": 7, "path": 8}
#: Texts longer than this are not used as ``text="..."`` selectors.
MAX_TEXT_SELECTOR = 40
#: Accessible names longer than this are not used in ``role=`` selectors.
MAX_NAME_SELECTOR = 80
#: Attribute values this long may have been cut by the fingerprint script: never used.
MAX_VALUE = 200
#: A path selector climbs at most this many levels to its anchor.
MAX_PATH_DEPTH = 4
MAX_CLASSES = 3
_FORM_CONTROLS = frozenset({"input", "select", "textarea", "button"})
_NO_TEXT_SELECTOR = frozenset({"input", "select", "textarea", "html", "body"})
_WS = re.compile(r"\s+")
#: Decorative glyphs at either end of a name (arrows, chevrons, bullets, crosses): restyled freely.
_GLYPHS = "‹›«»←→↑↓⇐⇒◀▶◂▸▾▴▼▲<>•·…×✕✖✓✔☰⋮⋯+*|/\\-–—:"
_GLYPH_EDGES = re.compile(f"^[\\s{re.escape(_GLYPHS)}]+|[\\s{re.escape(_GLYPHS)}]+$")
#: A number standing alone in a name (a count, a date, a record number): data, not the control's identity.
_VOLATILE = re.compile(r"(?<![\w.])\d[\d.,:/-]*(?![\w.])")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A selector for an element.

    Attributes:
        selector: The selector, in the requested format.
        kind: What it relies on (a key of :data:`ROBUSTNESS`).
        rank: Robustness rank of its kind, 1 = most robust.
    """

    selector: str
    kind: str
    rank: int


def css_escape_identifier(value: str) -> str:
    """Escape ``value`` as a CSS identifier (the CSSOM ``CSS.escape()`` algorithm)."""
    out: list[str] = []
    for i, ch in enumerate(value):
        code = ord(ch)
        if code == 0:
            out.append("\ufffd")
        elif 0x01 <= code <= 0x1F or code == 0x7F \
                or (i == 0 and "0" <= ch <= "9") or (i == 1 and "0" <= ch <= "9" and value[0] == "-"):
            out.append(f"\\{code:x} ")
        elif i == 0 and ch == "-" and len(value) == 1:
            out.append("\\-")
        elif code >= 0x80 or ch in "-_" or (ch.isascii() and ch.isalnum()):
            out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


def css_string(value: str) -> str:
    """Quote ``value`` as a CSS string (the CSSOM "serialize a string" algorithm)."""
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if code == 0:
            out.append("\ufffd")
        elif 0x01 <= code <= 0x1F or code == 0x7F:
            out.append(f"\\{code:x} ")
        elif ch in '"\\':
            out.append("\\" + ch)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def playwright_string(value: str) -> str:
    """Quote ``value`` for Playwright's attribute syntax (``role=button[name="..."]``) and ``text="..."``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _clean(value: Any) -> str:
    return _WS.sub(" ", str(value or "")).strip()


#: Characters nobody types (zero-width and bidi marks): a value holding one is copied wrong by hand.
_INVISIBLE = re.compile("[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")


def _usable(value: str) -> bool:
    return bool(value) and len(value) < MAX_VALUE and not _INVISIBLE.search(value)


def stable_id(value: str | None) -> str | None:
    """The id when it looks hand-written (not generated), else ``None``."""
    return value if value and value.strip() == value and not is_generated_id(value) else None


def _test_ids(fp: Mapping[str, Any]) -> list[str]:
    attributes = fp.get("attributes") or {}
    return [f"[{key}={css_string(str(attributes[key]))}]" for key in TEST_ID_ATTRIBUTES
            if _usable(str(attributes.get(key) or ""))]


def _shouted(text: str) -> bool:
    """Whether a text is all capitals (likely ``text-transform: uppercase``: the DOM text differs in case)."""
    return text.upper() == text != text.lower()


def core_name(name: str) -> str:
    """A name without the decorative glyphs at its ends (``‹ All dates`` -> ``All dates``)."""
    return _GLYPH_EDGES.sub("", name)


def _regex_literal(text: str) -> str:
    return re.sub(r"([\\^$.|?*+()\[\]{}/])", r"\\\1", text)


def _role(fp: Mapping[str, Any]) -> list[str]:
    """``role=...[name=...]``: exact; around the core words when the name has glyphs at its ends.

    Names holding a number (a count, a date) follow the data, not the control: none is made.
    """
    role, name = fp.get("role"), _clean(fp.get("name"))
    if role not in ARIA_ROLES or role in NO_ROLE or not name or len(name) > MAX_NAME_SELECTOR \
            or _VOLATILE.search(name):
        return []
    core = core_name(name)
    if not core:
        return []
    if core != name:  # any glyphs around the words: /^\W*All dates\W*$/
        return [f"role={role}[name=/^\\W*{_regex_literal(core)}\\W*$/{'i' if _shouted(core) else ''}]"]
    # exact match; case-insensitive ("i") when the recorded name may be the rendered, upper-cased text
    return [f"role={role}[name={playwright_string(name)}{'i' if _shouted(name) else ''}]"]


def _attribute_selectors(fp: Mapping[str, Any], tag: str) -> list[str]:
    attributes = {k: str(v) for k, v in (fp.get("attributes") or {}).items() if v is not None}
    out: list[str] = []
    name = attributes.get("name", "")
    if tag in _FORM_CONTROLS and _usable(name):
        out.append(f"{tag}[name={css_string(name)}]")
    for key in ("aria-label", "placeholder"):
        if _usable(attributes.get(key, "").strip()):
            out.append(f"[{key}={css_string(attributes[key])}]")
    href = attributes.get("href", "")
    if tag == "a" and _usable(href) and href not in ("#", "/") and "?" not in href \
            and not href.lower().startswith("javascript:"):
        out.append(f"a[href={css_string(href)}]")
    if tag == "label" and _usable(attributes.get("for", "")):
        out.append(f"label[for={css_string(attributes['for'])}]")
    if _usable(attributes.get("title", "").strip()):
        out.append(f"{tag}[title={css_string(attributes['title'])}]")
    if tag in ("img", "area") and _usable(attributes.get("alt", "").strip()):
        out.append(f"{tag}[alt={css_string(attributes['alt'])}]")
    return out


def _stable_classes(classes: Sequence[str] | None) -> list[str]:
    return [c for c in classes or () if is_stable_class(c)]


def _class_selectors(fp: Mapping[str, Any], tag: str) -> list[str]:
    """Each stable class alone (fewest assumptions first), then up to :data:`MAX_CLASSES` together."""
    classes = _stable_classes(fp.get("classes"))
    out = [f"{tag}.{css_escape_identifier(c)}" for c in classes[:MAX_CLASSES]]
    if len(classes) > 1:
        out.append(tag + "".join("." + css_escape_identifier(c) for c in classes[:MAX_CLASSES]))
    return out


def _text(fp: Mapping[str, Any], tag: str) -> list[str]:
    text = _clean(fp.get("text"))
    if tag in _NO_TEXT_SELECTOR or not text or len(text) > MAX_TEXT_SELECTOR or _shouted(text) \
            or _VOLATILE.search(text) or core_name(text) != text:
        return []
    return [f"text={playwright_string(text)}"]


def _anchor(path: Sequence[Mapping[str, Any]]) -> tuple[int, str] | None:
    """The nearest ancestor with a stable id, within :data:`MAX_PATH_DEPTH` levels: (its position, ``#id``)."""
    for depth in range(1, MAX_PATH_DEPTH + 1):
        position = len(path) - 1 - depth
        if position < 0:
            return None
        node_id = stable_id(path[position].get("id"))
        if node_id:
            return position, "#" + css_escape_identifier(node_id)
    return None


def _scoped(fp: Mapping[str, Any], tag: str, anchor: str) -> str:
    attributes = fp.get("attributes") or {}
    kind = str(attributes.get("type") or "")
    if kind and _usable(kind) and tag in _FORM_CONTROLS:
        return f"{anchor} {tag}[type={css_string(kind)}]"
    classes = _stable_classes(fp.get("classes"))[:2]
    return f"{anchor} {tag}" + "".join("." + css_escape_identifier(c) for c in classes)


def _path(path: Sequence[Mapping[str, Any]], position: int, anchor: str) -> str:
    steps = [anchor]
    for node in path[position + 1:]:
        steps.append(f"{css_escape_identifier(str(node.get('tag') or '*'))}:nth-of-type({int(node.get('index') or 1)})")
    return " > ".join(steps)


#: Attributes a generated unique selector may use: those that name a control, never its state.
PATH_ATTRIBUTES = (*TEST_ID_ATTRIBUTES, "name", "aria-label", "for", "title", "placeholder", "alt", "href")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What a generated unique selector (a path from the element up) may be made of.

    Attributes:
        ids: The stable ids of the element and its ancestors.
        classes: Their stable classes (no state, utility or generated class).
        attributes: Attribute names (:data:`PATH_ATTRIBUTES`).
    """

    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attributes: tuple[str, ...] = PATH_ATTRIBUTES


def vocabulary(fp: Mapping[str, Any]) -> Vocabulary:
    """The ids and classes of the element's path that a repair selector may rely on."""
    nodes = [*(fp.get("path") or ()), {"id": fp.get("id"), "classes": fp.get("classes") or ()}]
    ids = {node_id for n in nodes if (node_id := stable_id(n.get("id")))}
    classes = {c for n in nodes for c in n.get("classes") or () if is_stable_class(c)}
    return Vocabulary(ids=tuple(sorted(ids)), classes=tuple(sorted(classes)))


def selector_candidates(fp: Mapping[str, Any], *, selector_format: SelectorFormat | str = "playwright"
                        ) -> list[Candidate]:
    """Selectors that may select the fingerprinted element, most robust first.

    Args:
        fp: The element's fingerprint (docs/guides.md).
        selector_format: ``"playwright"`` (any Playwright selector) or ``"css"`` (plain CSS only).

    Returns:
        Unique candidates ordered by :data:`ROBUSTNESS`; whether one selects the element alone
        is for the caller to check on the live page.
    """
    if selector_format not in ("playwright", "css"):
        raise ValueError(f"unknown selector format {selector_format!r} (playwright or css)")
    playwright = selector_format == "playwright"
    tag = css_escape_identifier((fp.get("tag") or "*").lower()) if fp.get("tag") else "*"
    found: list[tuple[str, str]] = [("test-id", s) for s in _test_ids(fp)]
    if playwright:
        found += [("role", s) for s in _role(fp)]
    element_id = stable_id(fp.get("id"))
    if element_id:
        found.append(("id", "#" + css_escape_identifier(element_id)))
    found += [("attribute", s) for s in _attribute_selectors(fp, tag)]
    found += [("class", s) for s in _class_selectors(fp, tag)]
    if playwright:
        found += [("text", s) for s in _text(fp, tag)]
    path = list(fp.get("path") or ())
    anchored = _anchor(path) if path else None
    if anchored:
        position, anchor = anchored
        found.append(("scoped", _scoped(fp, tag, anchor)))
        found.append(("path", _path(path, position, anchor)))
    seen: set[str] = set()
    out: list[Candidate] = []
    for kind, selector in found:
        if selector not in seen:
            seen.add(selector)
            out.append(Candidate(selector=selector, kind=kind, rank=ROBUSTNESS[kind]))
    out.sort(key=lambda c: c.rank)
    return out
