"""How alike two element fingerprints are (docs/guides.md), ranking of repair candidates, diffs.

The score is a weighted mean of per-feature similarities in 0..1 (:data:`WEIGHTS`): tag, id,
classes, text, role, accessible name, attributes, DOM path, position, size and neighbours'
text. A feature missing on both sides (no id on either element, no box recorded...) is left
out and the weights of the others renormalised; a feature present on one side only counts as
a disagreement (a gained or lost role or name at half weight). :func:`rank` scores the visible
elements of a page against a baseline, pruning with cheap upper bounds before the costly text
and DOM-path comparisons. The weights and thresholds were calibrated on fingerprints recorded
in Chromium on the demo app (1.8 -> 2.0) and the Django admin (4.2 -> 5.2); see
tests/test_similarity.py.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any
from urllib.parse import urlsplit

Fingerprint = Mapping[str, Any]

#: Feature weights (before renormalisation over the features present).
WEIGHTS: dict[str, float] = {
    "tag": 1.0, "id": 1.5, "classes": 0.75, "text": 2.5, "role": 0.75, "name": 1.5,
    "attributes": 1.5, "path": 1.5, "position": 0.75, "size": 0.5, "neighbours": 1.5,
}
#: A found element less similar than this to its baseline has "drifted" (is probably another element).
DRIFT_BELOW = 0.5
#: Below this similarity, propose no repair.
SUGGEST_MIN = 0.5
#: A found element this much less like the baseline than another element of the page has drifted.
RIVAL_MARGIN = 0.1
#: A found element whose text, name or role changed entirely has drifted unless it scores this much.
CHANGED_BELOW = 0.7
#: Attribute evidence (sum of attribute weights) at which the attributes feature gets its full weight.
ATTR_FULL = 3.0
#: Box centres this far apart (as a fraction of the viewport diagonal) score 0.5 on position.
POSITION_HALF = 0.08
#: Moves and resizes up to this many CSS px are not reported by :func:`fingerprint_diff`.
MOVE_PX = 4
#: Texts (and names) longer than this many characters are compared word by word, shorter ones character by character.
LONG_TEXT = 40
#: Scores equal at this many decimals are ties (broken toward the more specific element).
TIE_DECIMALS = 2
#: An element scoring at most this much below a ranked element that contains it ties with it.
NESTED_TIE = 0.15
#: Tags one often becomes in a redesign (a partial match, 0.5).
TAG_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"div", "section", "header", "footer", "nav", "aside", "main", "article", "form", "fieldset",
               "details"}),
    frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "div", "p", "span", "strong", "b", "em", "legend", "label"}),
    frozenset({"a", "button", "summary"}),
    frozenset({"input", "textarea", "select", "button"}),
    frozenset({"ul", "ol", "menu", "dl"}),
    frozenset({"li", "dt", "dd"}),
    frozenset({"td", "th"}),
    frozenset({"img", "svg", "picture", "canvas"}),
)
#: Semantic migrations, the common pattern of modern UI updates (a generic element becomes the
#: element that says what it is): scored 0.8, either way.
TAG_MIGRATIONS: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (frozenset({"div", "section"}), frozenset({"main", "nav", "header", "footer", "aside", "section", "article",
                                               "search", "details", "dialog", "fieldset", "form"})),
    (frozenset({"span"}), frozenset({"label", "strong", "em", "a", "button", "time", "code", "mark", "abbr"})),
    (frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "legend", "label", "strong", "b"}),
     frozenset({"summary", "h1", "h2", "h3", "h4", "h5", "h6", "legend", "div", "p", "caption"})),
    (frozenset({"a"}), frozenset({"button", "summary"})),
    (frozenset({"input"}), frozenset({"button"})),
    (frozenset({"ul", "ol", "dl"}), frozenset({"nav", "menu", "ul", "ol", "div"})),
    (frozenset({"li"}), frozenset({"a", "div"})),
    (frozenset({"table"}), frozenset({"div"})),
    (frozenset({"b", "i"}), frozenset({"strong", "em"})),
)
MIGRATION_SCORE = 0.8
ROLE_FAMILIES: tuple[frozenset[str], ...] = (
    frozenset({"textbox", "searchbox", "combobox"}),
    frozenset({"button", "link", "menuitem", "tab"}),
    frozenset({"cell", "gridcell", "columnheader", "rowheader"}),
)
#: Roles that say nothing about an element.
NO_ROLE = frozenset({"generic", "none", "presentation"})
TEST_ID_ATTRIBUTES = ("data-testid", "data-test-id", "data-test", "data-qa", "data-cy")
#: Weights of the attributes compared (others are ignored but ``aria-*`` and ``data-*``).
ATTRIBUTE_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(TEST_ID_ATTRIBUTES, 3.0),
    "name": 2.0, "aria-label": 2.0, "placeholder": 1.5, "href": 1.5, "type": 1.0, "title": 1.0, "alt": 1.0,
    "src": 1.5, "for": 1.0, "action": 1.0, "value": 0.5, "autocomplete": 0.5, "maxlength": 0.5, "inputmode": 0.5,
    "aria-labelledby": 0.25, "aria-describedby": 0.25, "aria-controls": 0.25, "aria-owns": 0.25,
}
ARIA_WEIGHT = 0.5
#: Weight of other ``data-*`` attributes (record ids, filter names...).
DATA_WEIGHT = 0.5
#: ARIA attributes that follow the element's state, not its identity.
ARIA_STATE = frozenset({"aria-expanded", "aria-selected", "aria-checked", "aria-pressed", "aria-current",
                        "aria-hidden", "aria-invalid", "aria-busy", "aria-disabled", "aria-activedescendant",
                        "aria-valuenow", "aria-valuetext", "aria-live"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action"})
_FUZZY_ATTRIBUTES = frozenset({"aria-label", "placeholder", "title", "alt", "value"})
#: Attributes the accessible name is made of: compared as the name, not again as attributes.
_NAME_SOURCES = frozenset({"aria-label", "alt"})
#: Weight factor of a feature present on one side only (a name or role gained or lost).
ONE_SIDED: dict[str, float] = {"role": 0.5, "name": 0.5}
_WS = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_ID_SPLIT = re.compile(r"[-_:.\s]+|(?<=[a-z])(?=[A-Z])")
_DEFAULT_VIEWPORT = (1280.0, 720.0)

_GENERATED_ID = re.compile(
    r"""^(?:\d+$                                  # only digits (record ids)
    |ember\d|ext-(?:gen|comp|element)|extjs|yui_|gwt-uid|j_idt|ui-id-\d|__bvid__
    |(?:mui|headlessui|radix|react-aria|react-select|downshift|select2|rc-[a-z]+|cdk-[a-z-]+|mat-[a-z-]+
        |ngb-[a-z-]+|vaadin-[a-z-]+|v-[a-z]+)-?[a-z-]*\d)
    |[:«][a-z]?r[0-9a-z]*[:»]                     # React useId: :r1:, «r1», :R2d6:
    |\d{4,}                                       # long digit runs
    |[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}          # uuid
    """, re.VERBOSE | re.IGNORECASE)
_HEXISH = re.compile(r"^[0-9a-f]{8,}$", re.IGNORECASE)
_STATE_CLASSES = frozenset({
    "active", "open", "opened", "closed", "selected", "focus", "focused", "focus-visible", "hover", "hovered",
    "disabled", "enabled", "checked", "current", "expanded", "collapsed", "visible", "hidden", "show", "showing",
    "in", "fade", "loading", "loaded", "ready", "dirty", "pristine", "valid", "invalid", "touched", "untouched",
    "odd", "even", "first", "last", "sticky", "stuck", "ember-view",
})
_GENERATED_CLASS = re.compile(
    r"^(?:css-[0-9a-z]+|sc-[0-9a-z]+|jsx-\d+|svelte-[0-9a-z]+|emotion-\d+|ng-[a-z-]+|tw-[0-9a-f]{5,}"
    r"|is-[a-z-]+|has-[a-z-]+)$"
    r"|__(?=[0-9a-z-]*\d)[0-9a-z-]{5,7}$",  # CSS modules: Button_primary__3xK9z
    re.IGNORECASE)


_BREAKPOINT = r"(?:-(?:xs|sm|md|lg|xl|xxl|2xl))?"
_COLOUR = (r"(?:primary|secondary|success|danger|warning|info|light|dark|body|muted|white|black|reset|default"
           r"|transparent|inherit|current|[a-z]+-\d{2,3})(?:-(?:emphasis|subtle|secondary|tertiary|rgb|opacity-\d+))*")
#: Presentational utility classes (Bootstrap 3-5, Tailwind, Bulma-like helpers): how an element looks,
#: changed freely by a restyle; never evidence of identity, never in a repair selector.
_UTILITY_CLASS = re.compile(
    r"^(?:-?[mp][trblxyse]?" + _BREAKPOINT + r"-(?:n?\d+(?:\.\d+)?|auto|px)"  # spacing: mt-4, px-3, ms-auto
    r"|-?(?:space|gap|g|gx|gy|row-gap|column-gap)-[xy]?-?\d+"
    r"|d" + _BREAKPOINT + r"-(?:none|inline|inline-block|block|grid|inline-grid|table|table-cell|table-row|flex"
    r"|inline-flex|contents)"
    r"|(?:bg|text|border|link|btn-outline|fill|stroke|ring|divide|outline|decoration|accent|caret|from|via|to"
    r"|placeholder|shadow)-" + _COLOUR +
    r"|text" + _BREAKPOINT + r"-(?:center|left|right|start|end|justify|nowrap|wrap|truncate|break|uppercase"
    r"|lowercase|capitalize|decoration-[a-z-]+|opacity-\d+|xs|sm|base|lg|xl|\dxl)"
    r"|(?:font|fw|fst|fs|lh|leading|tracking)-[a-z0-9-]+|font-italic|font-monospace"
    r"|(?:w|h|mw|mh|min-w|min-h|max-w|max-h|vw|vh|min-vw|min-vh|size)-(?:\d+(?:/\d+)?|auto|full|screen|px|fit"
    r"|min|max)"
    r"|(?:rounded|shadow|border|opacity|z|order|float|position|overflow|top|bottom|start|end|left|right|inset"
    r"|align|justify|justify-content|align-items|align-self|align-content|place-[a-z]+|items|self|content"
    r"|flex|grow|shrink|basis|grid-cols|grid-rows|col-span|row-span|object|translate-middle|visible|invisible"
    r"|pull|push|offset|col|row-cols|hidden|visible|cursor|select|pointer-events|user-select|transition"
    r"|duration|ease|animate|whitespace|truncate|line-clamp|tw)(?:-[a-z0-9-]+)?"
    r"|flex|grow|shrink|inline|block|contents|clearfix|lead|small|mark|sr-only|sr-only-focusable|visually-hidden"
    r"|visually-hidden-focusable|pull-left|pull-right|center-block|hidden-[a-z]+|visible-[a-z-]+|col-[a-z]+-\d+"
    r"|uppercase|lowercase|capitalize|italic|underline|no-underline|antialiased|relative|absolute|fixed|static)$"
    r"|^[a-z0-9-]+:"  # Tailwind variants: md:flex, hover:bg-gray-100
    r"|^[a-z][a-z0-9]*(?:-[a-z0-9]+)*-(?:xs|sm|md|lg|xl|xxl)$"  # sizes, breakpoints: btn-sm, navbar-expand-lg
    r"|^[a-z]+-(?:dark|light|inverse)$",  # colour schemes: navbar-dark, table-light
    re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def is_utility_class(name: str) -> bool:
    """Whether a class is a presentational utility (``mt-4``, ``bg-body-tertiary``, ``d-flex``, ``md:px-2``)."""
    return bool(_UTILITY_CLASS.search(name))


@functools.lru_cache(maxsize=4096)
def is_generated_id(value: str) -> bool:
    """Whether an id looks generated by a framework or a build (not stable across versions or loads)."""
    if _GENERATED_ID.search(value):
        return True
    for segment in _ID_SPLIT.split(value):
        digits = sum(ch.isdigit() for ch in segment)
        if _HEXISH.match(segment) and digits:
            return True
        if len(segment) >= 6 and digits >= 2 and digits < len(segment) and re.search(r"\d\D+\d", segment):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def is_stable_class(name: str) -> bool:
    """Whether a class names what an element is, rather than its state, its look or a build hash."""
    return bool(name) and name.lower() not in _STATE_CLASSES and not _GENERATED_CLASS.search(name) \
        and not is_utility_class(name) and not is_generated_id(name)


def norm_text(value: Any) -> str:
    """Whitespace-collapsed, case-folded text."""
    return _WS.sub(" ", str(value or "")).strip().casefold()


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike a fingerprint is to a baseline.

    Attributes:
        score: Weighted mean of the parts, 0..1.
        parts: Similarity per feature present on at least one side, 0..1.
        reasons: Short phrases for the strongest agreeing features, strongest first.
    """

    score: float
    parts: dict[str, float]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for a JSON report."""
        return {"score": round(self.score, 3), "parts": {k: round(v, 3) for k, v in self.parts.items()},
                "reasons": list(self.reasons)}


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate element kept by :func:`rank`.

    Attributes:
        index: Its position in the candidates list.
        score: Its similarity to the baseline.
        parts: Similarity per feature.
        reasons: Why it looks like the baseline.
    """

    index: int
    score: float
    parts: dict[str, float]
    reasons: tuple[str, ...]


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def _family_match(a: str, b: str, families: tuple[frozenset[str], ...]) -> float:
    if a == b:
        return 1.0
    return 0.5 if any(a in f and b in f for f in families) else 0.0


@functools.lru_cache(maxsize=256)
def _attribute_weight(key: str) -> float:
    weight = ATTRIBUTE_WEIGHTS.get(key)
    if weight is not None:
        return weight
    if key.startswith("aria-"):
        return 0.0 if key in ARIA_STATE else ARIA_WEIGHT
    return DATA_WEIGHT if key.startswith("data-") else 0.0


@functools.lru_cache(maxsize=4096)
def _url_path(value: str) -> str:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return value.strip()
    return parts.path.rstrip("/") or parts.path or value.strip()


def _attributes(fp: Fingerprint) -> dict[str, str]:
    """The compared attributes, normalised (URLs reduced to their path)."""
    out: dict[str, str] = {}
    for key, value in (fp.get("attributes") or {}).items():
        if _attribute_weight(key):
            out[key] = _url_path(str(value)) if key in _URL_ATTRIBUTES else norm_text(value)
    return out


def _id(fp: Fingerprint) -> str | None:
    value = fp.get("id")
    return value if value and not is_generated_id(value) else None


def _role(fp: Fingerprint) -> str | None:
    role = fp.get("role")
    return role if role and role not in NO_ROLE else None


def _id_tokens(value: str) -> frozenset[str]:
    return frozenset(t.lower() for t in _ID_SPLIT.split(value) if t and not t.isdigit())


_NodeKey = tuple[str, str | None, frozenset[str], int]


def _path_keys(fp: Fingerprint) -> tuple[_NodeKey, ...]:
    """Path nodes below ``html``/``body`` as hashable keys (generated ids and unstable classes dropped).

    The element's own node keeps only its tag and index: its id and classes are features of their own.
    """
    nodes = list(fp.get("path") or ())
    while nodes and nodes[0].get("tag") in ("html", "body"):
        nodes.pop(0)
    keys = []
    for n in nodes[:-1]:
        node_id = n.get("id")
        keys.append((n.get("tag") or "", node_id if node_id and not is_generated_id(node_id) else None,
                     frozenset(c for c in n.get("classes") or () if is_stable_class(c)), int(n.get("index") or 1)))
    if nodes:
        keys.append((nodes[-1].get("tag") or "", None, frozenset(), int(nodes[-1].get("index") or 1)))
    return tuple(keys)


def _node_similarity(a: _NodeKey, b: _NodeKey) -> float:
    """Tag 3, index 2, id 3 and classes 2 (when either side has them); below 0.5 counts as no match."""
    score = 3.0 if a[0] == b[0] else 0.0
    total = 5.0
    if a[3] == b[3]:
        score += 2.0
    if a[1] or b[1]:
        total += 3.0
        score += 3.0 if a[1] == b[1] else 0.0
    if a[2] or b[2]:
        total += 2.0
        score += 2.0 * _jaccard(a[2], b[2])
    value = score / total
    return value if value >= 0.5 else 0.0


@functools.lru_cache(maxsize=256)
def _level_weights(length: int) -> tuple[float, ...]:
    """Weight of each path level, root first: 1 / (1 + levels above the element)."""
    return tuple(1.0 / (length - i) for i in range(length))


@functools.lru_cache(maxsize=256)
def _harmonic(count: int) -> float:
    return sum(1.0 / k for k in range(1, count + 1))


@functools.lru_cache(maxsize=1024)
def _path_bound(old: int, new: int) -> float:
    """An upper bound of the path similarity of paths of these lengths."""
    if not old or not new:
        return 0.0
    return 2.0 * _harmonic(min(old, new)) / (_harmonic(old) + _harmonic(new))


def _centre_size(fp: Fingerprint) -> tuple[float, float, float, float] | None:
    box = fp.get("box")
    if not box:
        return None
    width, height = float(box.get("width") or 0), float(box.get("height") or 0)
    if width <= 0 or height <= 0:
        return None
    return float(box.get("x") or 0) + width / 2, float(box.get("y") or 0) + height / 2, width, height


def _diagonal(fp: Fingerprint) -> float:
    """The diagonal of the fingerprint's viewport (1280x720 when not recorded)."""
    viewport = fp.get("viewport") or {}
    if viewport.get("width") and viewport.get("height"):
        return math.hypot(float(viewport["width"]), float(viewport["height"]))
    return math.hypot(*_DEFAULT_VIEWPORT)


def _words(texts: Iterable[Any]) -> frozenset[str]:
    return frozenset(w for t in texts for w in _WORD.findall(norm_text(t)))


def _short(text: str, limit: int = 40) -> str:
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


_Parts = dict[str, tuple[float, float]]  # feature -> (similarity, weight)


@functools.lru_cache(maxsize=8192)
def _norm_cached(value: str) -> str:
    return norm_text(value)


@functools.lru_cache(maxsize=4096)
def _stable_classes(classes: tuple[str, ...]) -> frozenset[str]:
    return frozenset(c for c in classes if is_stable_class(c))


@functools.lru_cache(maxsize=4096)
def _words_cached(texts: tuple[str, ...]) -> frozenset[str]:
    return _words(texts)


def _bound(parts: _Parts, pending: _Parts) -> float:
    """The score if every pending feature reached its upper bound."""
    total = agree = 0.0
    for value, weight in parts.values():
        total += weight
        agree += value * weight
    for upper, weight in pending.values():
        total += weight
        agree += upper * weight
    return agree / total if total else 0.0


@functools.lru_cache(maxsize=256)
def _tag_scores(tag: str) -> dict[str, float]:
    """The tag feature's score of each tag against ``tag``: 1 the same, 0.8 a migration, 0.5 a family."""
    scores = {t: 0.5 for f in TAG_FAMILIES if tag in f for t in f}
    for a, b in TAG_MIGRATIONS:
        if tag in a:
            scores.update(dict.fromkeys(b - {tag}, MIGRATION_SCORE))
        if tag in b:
            scores.update(dict.fromkeys(a - {tag}, MIGRATION_SCORE))
    scores[tag] = 1.0
    return scores


class _Scorer:
    """A baseline fingerprint prepared for comparison with many candidates.

    Scoring is in two phases: :meth:`cheap` computes the features that cost a few dict look-ups
    and an upper bound of each costly one (text, name, DOM path); :meth:`finish` computes the
    costly ones, giving up as soon as the bound falls below a cutoff.
    """

    def __init__(self, old: Fingerprint) -> None:
        self.tag = (old.get("tag") or "").lower()
        self.tag_scores = _tag_scores(self.tag)
        self.id = _id(old)
        self.id_tokens = _id_tokens(self.id) if self.id else frozenset()
        self.classes = _stable_classes(tuple(old.get("classes") or ()))
        self.text = norm_text(old.get("text"))
        self.role = _role(old)
        self.role_scores: dict[str | None, float] = {r: 0.5 for f in ROLE_FAMILIES if self.role in f for r in f}
        self.role_scores[self.role] = 1.0
        self.name = norm_text(old.get("name"))
        self.attributes = _attributes(old)
        self.path = _path_keys(old)
        self.box = _centre_size(old)
        self.diagonal = _diagonal(old)
        self.position_scale2 = (POSITION_HALF * self.diagonal) ** 2
        self._old = {"text": self.text, "name": self.name}
        self._old_words = {"text": tuple(self.text.split()), "name": tuple(self.name.split())}
        self._old_chars = {"text": dict.fromkeys(map(ord, self.text)), "name": dict.fromkeys(map(ord, self.name))}
        self.neighbours = _words(old.get("neighbours") or ())
        self._matchers: dict[tuple[str, bool], SequenceMatcher[Any]] = {
            (feature, words): SequenceMatcher(None, "", self._old_words[feature] if words else self._old[feature],
                                              autojunk=False)
            for feature in ("text", "name") for words in (False, True)}
        self._exact: dict[tuple[str, str], float] = {}
        self._quick: dict[tuple[str, str], float] = {}
        self._neighbour_cache: dict[tuple[str, ...], float] = {}
        self._node_cache: dict[tuple[int, _NodeKey], float] = {}

    def _attributes(self, fp: Fingerprint, named: bool) -> tuple[float, float] | None:
        """Weighted overlap of the compared attributes, and the feature's weight (scaled by the evidence)."""
        old = self.attributes
        total = agree = 0.0
        for key, raw in (fp.get("attributes") or {}).items():
            weight = _attribute_weight(key)
            if not weight or (named and key in _NAME_SOURCES):
                continue
            total += weight
            value = old.get(key)
            if value is None:
                continue
            new = _url_path(str(raw)) if key in _URL_ATTRIBUTES else _norm_cached(str(raw))
            if new == value:
                agree += weight
            elif key in _FUZZY_ATTRIBUTES:
                agree += weight * _ratio(value, new)
        for key in old:
            if not (named and key in _NAME_SOURCES) and key not in (fp.get("attributes") or {}):
                total += _attribute_weight(key)
        if not total:
            return None
        return agree / total, WEIGHTS["attributes"] * min(1.0, total / ATTR_FULL)

    def _text_bound(self, feature: str, new: str, tight: bool = False) -> float:
        """An upper bound of :meth:`_similar` from lengths (word counts for long texts); ``tight``: from
        the characters ``new`` shares with the baseline, counted by ``str.translate`` at C speed."""
        old = self._old[feature]
        if new == old:
            return 1.0
        if not new or not old:
            return 0.0
        if len(old) > LONG_TEXT or len(new) > LONG_TEXT:
            a, b = len(self._old_words[feature]), new.count(" ") + 1
            return 2.0 * min(a, b) / (a + b)
        shared = len(new) - len(new.translate(self._old_chars[feature])) if tight else len(new)
        return 2.0 * min(shared, len(old), len(new)) / (len(old) + len(new))

    def cheap(self, fp: Fingerprint, minimum: float = 0.0) -> tuple[float, _Parts, _Parts]:
        """The features that cost a few look-ups, and bounds of the costly ones.

        Returns:
            An upper bound of the score, the exact features and (upper bound, weight) of the
            pending ones (text, name, DOM path). Once the bound is below ``minimum`` the text
            and name bounds are not tightened (the caller drops the candidate).
        """
        weights = WEIGHTS
        parts: _Parts = {}
        tag = fp.get("tag")
        if tag or self.tag:
            parts["tag"] = (self.tag_scores.get(tag.lower() if tag else "", 0.0), weights["tag"])
        new_id = fp.get("id")
        if new_id and is_generated_id(new_id):
            new_id = None
        if new_id or self.id:
            value = 1.0 if new_id == self.id else 0.5 * _jaccard(self.id_tokens, _id_tokens(new_id)) \
                if new_id and self.id else 0.0
            parts["id"] = (value, weights["id"])
        classes = fp.get("classes")
        new_classes = _stable_classes(tuple(classes)) if classes else frozenset()
        if new_classes or self.classes:
            parts["classes"] = (_jaccard(self.classes, new_classes), weights["classes"])
        role = fp.get("role")
        if role in NO_ROLE:
            role = None
        if role and self.role:
            parts["role"] = (self.role_scores.get(role, 0.0), weights["role"])
        elif role or self.role:
            parts["role"] = (0.0, weights["role"] * ONE_SIDED["role"])
        text = _norm_cached(fp.get("text") or "")
        name = _norm_cached(fp.get("name") or "")
        if fp.get("attributes") or self.attributes:
            attributes = self._attributes(fp, bool(name or self.name))
            if attributes is not None:
                parts["attributes"] = attributes
        box = fp.get("box")
        if box and self.box:
            width, height = box.get("width") or 0, box.get("height") or 0
            if width > 0 and height > 0:
                old_x, old_y, old_width, old_height = self.box
                dx = (box.get("x") or 0) + width / 2 - old_x
                dy = (box.get("y") or 0) + height / 2 - old_y
                parts["position"] = (1.0 / (1.0 + (dx * dx + dy * dy) / self.position_scale2), weights["position"])
                parts["size"] = (math.sqrt(min(width, old_width) / max(width, old_width)
                                           * min(height, old_height) / max(height, old_height)), weights["size"])
        neighbours = fp.get("neighbours")
        if neighbours or self.neighbours:
            parts["neighbours"] = (self._neighbours(tuple(neighbours or ())), weights["neighbours"])
        pending: _Parts = {}
        if text or self.text:
            pending["text"] = (self._text_bound("text", text), weights["text"])
        if name and self.name:
            pending["name"] = (self._text_bound("name", name), weights["name"])
        elif name or self.name:
            parts["name"] = (0.0, weights["name"] * ONE_SIDED["name"])
        path = fp.get("path")
        if path or self.path:
            skipped = 0
            if path:
                while skipped < len(path) and path[skipped].get("tag") in ("html", "body"):
                    skipped += 1
            pending["path"] = (_path_bound(len(self.path), len(path or ()) - skipped), weights["path"])
        upper = _bound(parts, pending)
        if upper >= minimum:
            for feature, new in (("text", text), ("name", name)):
                if feature in pending and 0.0 < pending[feature][0] < 1.0:
                    pending[feature] = (self._text_bound(feature, new, tight=True), pending[feature][1])
            upper = _bound(parts, pending)
        return upper, parts, pending

    def finish(self, fp: Fingerprint, parts: _Parts, pending: _Parts, cutoff: float | None = None) -> _Parts | None:
        """Compute the pending features; ``None`` as soon as the score is surely below ``cutoff``."""
        parts, pending = dict(parts), dict(pending)
        for feature in ("name", "quick text", "path", "text"):
            if cutoff is not None and _bound(parts, pending) < cutoff:
                return None
            if feature == "quick text":
                if "text" in pending and cutoff is not None:
                    upper, weight = pending["text"]
                    quick = self._similar("text", _norm_cached(fp.get("text") or ""), quick=True)
                    pending["text"] = (min(upper, quick), weight)
            elif feature in pending:
                value = self._path(_path_keys(fp)) if feature == "path" \
                    else self._similar(feature, _norm_cached(fp.get(feature) or ""))
                parts[feature] = (value, pending.pop(feature)[1])
        if cutoff is not None and _bound(parts, pending) < cutoff:
            return None
        return parts

    def parts(self, fp: Fingerprint) -> _Parts:
        """Per-feature (similarity, weight) of every feature present on either side."""
        result = self.finish(fp, *self.cheap(fp)[1:])
        assert result is not None
        return result

    def _similar(self, feature: str, new: str, quick: bool = False) -> float:
        """Similarity of a text or name to the baseline's (``quick``: a cheap upper bound of it).

        difflib's ratio on characters, or on words when either text is longer than :data:`LONG_TEXT`.
        """
        cached = self._exact.get((feature, new))
        if cached is not None:
            return cached
        cache = self._quick if quick else self._exact
        value = cache.get((feature, new))
        if value is not None:
            return value
        old = self._old[feature]
        if new == old:
            value = 1.0
        elif not new or not old:
            value = 0.0
        else:
            words = len(old) > LONG_TEXT or len(new) > LONG_TEXT
            matcher = self._matchers[(feature, words)]
            matcher.set_seq1(tuple(new.split()) if words else new)
            value = matcher.quick_ratio() if quick else matcher.ratio()
        cache[(feature, new)] = value
        return value

    def _neighbours(self, texts: tuple[str, ...]) -> float:
        value = self._neighbour_cache.get(texts)
        if value is None:
            value = self._neighbour_cache[texts] = _jaccard(self.neighbours, _words_cached(texts))
        return value

    def _path(self, keys: tuple[_NodeKey, ...]) -> float:
        """Weighted longest common subsequence of the paths (in the spirit of Healenium's tree-path score).

        A matched pair counts its node similarity times the mean weight of its two levels, levels
        near the element weighing most; the sum is normalised by the mean total weight.
        """
        old = self.path
        if keys == old:
            return 1.0
        if not old or not keys:
            return 0.0
        old_weights, new_weights = _level_weights(len(old)), _level_weights(len(keys))
        cache = self._node_cache
        previous = [0.0] * (len(keys) + 1)
        for i, a in enumerate(old):
            current = [0.0] * (len(keys) + 1)
            weight = old_weights[i]
            for j, key in enumerate(keys):
                node = cache.get((i, key))
                if node is None:
                    node = cache[(i, key)] = _node_similarity(a, key)
                diagonal = previous[j] + node * (weight + new_weights[j]) if node else 0.0
                current[j + 1] = max(diagonal, previous[j + 1], current[j])
            previous = current
        return previous[-1] / (_harmonic(len(old)) + _harmonic(len(keys)))

    def reasons(self, fp: Fingerprint, parts: Mapping[str, tuple[float, float]], limit: int = 5) -> tuple[str, ...]:
        """Phrases for the strongest agreeing features, strongest first."""
        phrases: list[tuple[float, str]] = []
        for feature, (value, weight) in parts.items():
            if feature == "name" and value == 1.0 and parts.get("text", (0.0, 0.0))[0] == 1.0 \
                    and self.name == self.text:
                continue  # the same words as the text: said once
            for rank_in_feature, phrase in enumerate(self._phrases(feature, value, fp)):
                phrases.append((value * weight - 0.01 * rank_in_feature, phrase))
        phrases.sort(key=lambda p: -p[0])
        return tuple(p for _, p in phrases[:limit])

    def _phrases(self, feature: str, value: float, fp: Fingerprint) -> list[str]:
        pct = round(value * 100)
        if feature in ("text", "name") and value >= 0.6:
            label = "text" if feature == "text" else "accessible name"
            return [f'same {label} "{_short(fp.get(feature) or "")}"' if value == 1.0 else f"{label} {pct}% alike"]
        if feature == "attributes" and value >= 0.5:
            return self._attribute_phrases(fp)
        if feature == "path" and value >= 0.6:
            differing = self._differing_levels(_path_keys(fp))
            if differing > 2:
                return [f"DOM path {pct}% alike"]
            return [f"same DOM path except {differing} level{'s' if differing > 1 else ''}" if differing
                    else "same DOM path"]
        if feature == "position" and value >= 0.5:
            new = _centre_size(fp)
            if new is None or self.box is None:
                return []
            moved = math.hypot(new[0] - self.box[0], new[1] - self.box[1])
            return ["same position" if moved < 2.5 else f"moved {moved:.0f} px"]
        simple = {
            "tag": f"same tag {self.tag}" if value == 1.0 else None,
            "id": f"same id {self.id}" if value == 1.0 else None,
            "role": f"same role {self.role}" if value == 1.0 else None,
            "classes": (f"same classes {' '.join(sorted(self.classes))}" if value == 1.0 else
                        f"{pct}% of classes shared") if value >= 0.5 else None,
            "size": "same size" if value >= 0.9 else None,
            "neighbours": ("same neighbours" if value == 1.0 else f"neighbours {pct}% alike") if value >= 0.5
            else None,
        }.get(feature)
        return [simple] if simple else []

    def _attribute_phrases(self, fp: Fingerprint) -> list[str]:
        raw = fp.get("attributes") or {}
        new = _attributes(fp)
        same = sorted((k for k, v in self.attributes.items() if new.get(k) == v),
                      key=lambda k: (-_attribute_weight(k), k))
        phrases = []
        for key in same[:2]:
            value = _short(str(raw.get(key, "")), 30)
            if key in ("placeholder", "title", "aria-label", "alt") or key in TEST_ID_ATTRIBUTES:
                phrases.append(f'same {key} "{value}"')
            elif key in _URL_ATTRIBUTES:
                phrases.append(f"same {key} {self.attributes[key]}")
            else:
                phrases.append(f"same {key} attribute {value}")
        return phrases

    def _differing_levels(self, keys: tuple[_NodeKey, ...]) -> int:
        """Levels of the longer path that have no identical node in the other (exact LCS)."""
        old = self.path
        previous = [0] * (len(keys) + 1)
        for a in old:
            current = [0] * (len(keys) + 1)
            for j, b in enumerate(keys):
                current[j + 1] = previous[j] + 1 if a == b else max(previous[j + 1], current[j])
            previous = current
        return max(len(old), len(keys)) - previous[-1]


def _score(parts: Mapping[str, tuple[float, float]]) -> float:
    total = sum(w for _, w in parts.values())
    return sum(v * w for v, w in parts.values()) / total if total else 0.0


def similarity(old: Fingerprint, new: Fingerprint) -> Similarity:
    """How alike ``new`` is to the baseline ``old`` (fingerprints as in docs/guides.md)."""
    scorer = _Scorer(old)
    parts = scorer.parts(new)
    return Similarity(score=_score(parts), parts={k: v for k, (v, _) in parts.items()},
                      reasons=scorer.reasons(new, parts))


def _area(fp: Fingerprint) -> float:
    box = fp.get("box") or {}
    width, height = box.get("width") or 0, box.get("height") or 0
    return float(width) * float(height) if width > 0 and height > 0 else math.inf


def rank(old: Fingerprint, candidates: Sequence[Fingerprint], *, minimum: float = SUGGEST_MIN,
         limit: int = 5) -> list[Ranked]:
    """The visible candidates most like ``old``, best first.

    Near-equal scores (equal at :data:`TIE_DECIMALS`) are ordered toward the candidate whose tag,
    then role, matches the baseline's, then the smaller box; an element scoring a little less
    than an element it is nested with (:data:`NESTED_TIE`), and more like the baseline in tag or role,
    ties with it.
    Candidates are first bounded with their cheap features; the costly comparisons run best
    bound first and stop once no remaining candidate can enter the results.

    Args:
        old: The baseline fingerprint.
        candidates: Fingerprints of the page's elements (invisible ones are never ranked).
        minimum: Leave out candidates scoring below this.
        limit: At most this many results.
    """
    if limit <= 0:
        return []
    scorer = _Scorer(old)
    bounded: list[tuple[float, int, _Parts, _Parts]] = []
    for index, fp in enumerate(candidates):
        if fp.get("visible") is not True:
            continue
        upper, parts, pending = scorer.cheap(fp, minimum)
        if upper >= minimum:
            bounded.append((upper, index, parts, pending))
    bounded.sort(key=lambda item: -item[0])
    scored: list[tuple[float, int, _Parts]] = []
    best: list[float] = []  # the best `limit` scores so far, ascending
    # a score this close to the last kept one may still tie with it (rounding, or lifted as a nested element)
    slack = NESTED_TIE + 10.0 ** -TIE_DECIMALS
    for upper, index, parts, pending in bounded:
        cutoff = max(minimum, best[0] - slack) if len(best) >= limit else minimum
        if upper < cutoff:
            break
        full = scorer.finish(candidates[index], parts, pending, cutoff)
        if full is None:
            continue
        score = _score(full)
        if score < minimum:
            continue
        scored.append((score, index, full))
        bisect.insort(best, score)
        if len(best) > limit:
            best.pop(0)
    preference = {index: _preference(candidates[index], scorer, full) for _, index, full in scored}
    effective = _lift_nested(scored, candidates, preference, limit)

    def order(item: tuple[float, int, _Parts]) -> tuple[float, bool, bool, float, int]:
        index = item[1]
        _, tag_match, role_match = preference[index]
        return (-round(effective[index], TIE_DECIMALS), not tag_match, not role_match, _area(candidates[index]), index)

    scored.sort(key=order)
    return [Ranked(index=index, score=score, parts={k: v for k, (v, _) in full.items()},
                   reasons=scorer.reasons(candidates[index], full))
            for score, index, full in scored[:limit]]


def _shape(fp: Fingerprint) -> tuple[tuple[str, str | None, frozenset[str]], ...]:
    """The element's path without positions: tag, stable id and stable classes of each level."""
    return tuple((str(n.get("tag") or ""), _id(n), _stable_classes(tuple(n.get("classes") or ())))
                 for n in fp.get("path") or ())


def alike_items(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two elements are items of one repeated structure (two rows' cells, two cards' titles):
    the same path of tags, ids and classes, at other positions. Their texts are data, not identity."""
    return _node_keys(a) != _node_keys(b) and bool(a.get("path")) and _shape(a) == _shape(b)


def in_a_list(own: Fingerprint, candidates: Sequence[Fingerprint]) -> bool:
    """Whether another candidate is an item alike ``own`` (:func:`alike_items`)."""
    return any(alike_items(own, c) for c in candidates)


def rival(old: Fingerprint, candidates: Sequence[Fingerprint], own: Fingerprint, *, above: float) -> Ranked | None:
    """The candidate most like ``old`` scoring above ``above``, other than ``own``, the elements nested
    with it and the items alike it (a list's other rows: a positional selector into a list picks by
    position, and the rows' data may move).

    A found element that such a rival clearly outscores is probably not the baseline's element
    any more (a positional selector that now lands on a sibling).
    """
    for ranked in rank(old, candidates, minimum=max(above, 0.0), limit=6):
        candidate = candidates[ranked.index]
        if ranked.score > above and not nested(own, candidate) and not alike_items(own, candidate):
            return ranked
    return None


def _words_of(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text) if len(w) > 1 or w.isdigit())


def identity_changes(old: Fingerprint, new: Fingerprint) -> list[str]:
    """What says ``new`` is another element than ``old``: its text or name changed entirely (and its role).

    A text (or name) changed entirely when both are present, share no word and are less than
    50% alike letter by letter; a changed role (both present, not of one family: link and button
    are) is added to such a change, never alone: a wrapper and the element in it (``li`` and its
    ``a``) differ in role.
    """
    out: list[str] = []
    for feature, label in (("text", "text"), ("name", "accessible name")):
        before, after = norm_text(old.get(feature)), norm_text(new.get(feature))
        if before and after and not (_words_of(before) & _words_of(after)) and _ratio(before, after) < 0.5:
            out.append(f'{label} "{_short(str(old.get(feature)))}" became "{_short(str(new.get(feature)))}"')
    before_role, after_role = _role(old), _role(new)
    if out and before_role and after_role and _family_match(before_role, after_role, ROLE_FAMILIES) == 0.0:
        out.append(f"role {before_role} became {after_role}")  # a role alone changes with a wrapper (li -> a)
    return out


def _preference(fp: Fingerprint, scorer: _Scorer, parts: _Parts) -> tuple[float, bool, bool]:
    """How the candidate names itself like the baseline (its id, classes and attributes agreeing, to
    one decimal), then whether its tag, and its role, are the baseline's."""
    identity = sum(parts[f][0] for f in ("id", "classes", "attributes") if f in parts)
    return round(identity, 1), (fp.get("tag") or "").lower() == scorer.tag, _role(fp) == scorer.role


def _node_keys(fp: Fingerprint) -> tuple[tuple[Any, Any, Any], ...]:
    return tuple((n.get("tag"), n.get("id"), n.get("index")) for n in fp.get("path") or ())


_Path = tuple[tuple[Any, Any, Any], ...]


def _one_path_begins_the_other(a: _Path, b: _Path) -> bool:
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return longer[:len(shorter)] == shorter


def nested(a: Fingerprint, b: Fingerprint) -> bool:
    """Whether two elements of one page are the same, or one inside the other (by their DOM paths)."""
    return _one_path_begins_the_other(_node_keys(a), _node_keys(b))


def _lift_nested(scored: list[tuple[float, int, _Parts]], candidates: Sequence[Fingerprint],
                 preference: Mapping[int, tuple[float, bool, bool]], limit: int) -> dict[int, float]:
    """Scores to sort by, resolving a wrapper against the element inside it.

    Of two nested candidates (one contains the other: a row and its link, a ``<summary>`` and its
    heading) scoring within :data:`NESTED_TIE` of each other, the one strictly more like the
    baseline in id, classes and attributes, then tag, then role, takes the better score, so the
    tie-break puts it first; when neither is, the better score stands (a wrapper that scores
    higher is not passed over for its content, nor the reverse).
    """
    effective = {index: score for score, index, _ in scored}
    top = sorted(scored, key=lambda item: -item[0])[:limit * 4]
    paths = {index: _node_keys(candidates[index]) for _, index, _ in top}
    for a_score, a, _ in top:
        for b_score, b, _ in top:
            if a == b or not 0.0 <= b_score - a_score <= NESTED_TIE or preference[a] <= preference[b]:
                continue
            a_path, b_path = paths[a], paths[b]
            if a_path and b_path and a_path != b_path and _one_path_begins_the_other(a_path, b_path):
                effective[a] = max(effective[a], b_score)
    return effective


def _node_label(node: Mapping[str, Any]) -> str:
    label = node.get("tag") or "*"
    if node.get("id"):
        label += f"#{node['id']}"
    label += "".join(f".{c}" for c in [c for c in node.get("classes") or () if is_stable_class(c)][:2])
    if (node.get("index") or 1) > 1:
        label += f":nth-of-type({node['index']})"
    return label


def path_labels(fp: Fingerprint) -> list[str]:
    """The element's path below ``html``/``body`` as CSS-like node labels."""
    nodes = [n for n in fp.get("path") or () if n.get("tag") not in ("html", "body")]
    return [_node_label(n) for n in nodes]


def _short_paths(old: list[str], new: list[str]) -> tuple[str, str]:
    """Both paths with their common beginning and end elided (``…``), keeping one node of context."""
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1

    def render(nodes: list[str]) -> str:
        shown = nodes[max(0, prefix - 1):len(nodes) - suffix]
        if prefix > 1:
            shown.insert(0, "…")
        if suffix > 1:
            shown.append("…")
        if suffix:
            shown.append(nodes[-1])
        return " > ".join(shown)

    return render(old), render(new)


def fingerprint_diff(old: Fingerprint, new: Fingerprint) -> list[dict[str, Any]]:
    """What changed from ``old`` to ``new``: ``[{"field", "old", "new"}]`` for a report."""
    out: list[dict[str, Any]] = []

    def add(field: str, before: Any, after: Any) -> None:
        out.append({"field": field, "old": before, "new": after})

    for key in ("tag", "id"):
        if (old.get(key) or None) != (new.get(key) or None):
            add(key, old.get(key) or None, new.get(key) or None)
    if set(old.get("classes") or ()) != set(new.get("classes") or ()):
        add("classes", list(old.get("classes") or ()), list(new.get("classes") or ()))
    for key in ("text", "role", "name"):
        before, after = _WS.sub(" ", old.get(key) or "").strip(), _WS.sub(" ", new.get(key) or "").strip()
        if before != after:
            add(key, before or None, after or None)
    old_attrs, new_attrs = old.get("attributes") or {}, new.get("attributes") or {}
    for key in sorted(set(old_attrs) | set(new_attrs)):
        if old_attrs.get(key) != new_attrs.get(key):
            add(f"attributes.{key}", old_attrs.get(key), new_attrs.get(key))
    if old.get("path") and new.get("path"):
        before_path, after_path = path_labels(old), path_labels(new)
        if before_path != after_path:
            add("path", *_short_paths(before_path, after_path))
    old_box, new_box = old.get("box"), new.get("box")
    if old_box and new_box:
        a, b = _centre_size(old), _centre_size(new)
        moved = a is None or b is None or math.hypot(a[0] - b[0], a[1] - b[1]) > MOVE_PX \
            or abs(a[2] - b[2]) > MOVE_PX or abs(a[3] - b[3]) > MOVE_PX
        if moved:
            add("box", dict(old_box), dict(new_box))
    old_near = [_WS.sub(" ", str(t)).strip() for t in old.get("neighbours") or ()]
    new_near = [_WS.sub(" ", str(t)).strip() for t in new.get("neighbours") or ()]
    if old_near != new_near:
        add("neighbours", old_near, new_near)
    if "disabled" in old and "disabled" in new and bool(old["disabled"]) != bool(new["disabled"]):
        add("disabled", bool(old["disabled"]), bool(new["disabled"]))
    return out
