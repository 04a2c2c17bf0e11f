"""Decide a guide step's status from what the page showed: one status, the first that applies.

Pure functions of an anchor observation (``harness/collect/anchors.py``) and the step's
baseline fingerprint; the vocabulary is DESIGN.md's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from harness.guides.similarity import (
    CHANGED_BELOW,
    DRIFT_BELOW,
    RIVAL_MARGIN,
    identity_changes,
    in_a_list,
    rival,
    similarity,
)

STATUSES = ("page_error", "missing", "ambiguous", "hidden", "offscreen", "covered", "disabled",
            "text_changed", "drifted", "ok")
#: Statuses that fail a check unless the policy says otherwise: all but ``ok``. A ``drifted`` step's
#: bubble sits on another control: every drift of the four corpora was a real break (bench/README.md).
DEFAULT_FAIL_ON = STATUSES[:9]
#: Statuses whose cause is the selector, so a better selector can repair the step.
REPAIRABLE = frozenset({"missing", "ambiguous", "hidden", "text_changed", "drifted"})


@dataclass(frozen=True, slots=True)
class Verdict:
    """A step's status and why.

    Attributes:
        status: One of :data:`STATUSES`.
        message: One sentence for a person.
        similarity: Similarity of the element to its baseline fingerprint, when both exist.
    """

    status: str
    message: str
    similarity: float | None = None


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().casefold()


def text_matches(expected: str, observation: dict[str, Any]) -> bool:
    """Whether the element still shows ``expected`` (in its text, value, name, placeholder or title)."""
    wanted = _norm(expected)
    shown = [observation.get(k) for k in ("text", "name", "placeholder", "title")]
    return any(wanted in _norm(s) for s in shown if s)


def describe_element(node: dict[str, Any]) -> str:
    """``<tag#id>`` (or its first classes) and its text (or name): an element in a message."""
    tag = node.get("tag") or "element"
    ident = f"#{node['id']}" if node.get("id") else "".join(f".{c}" for c in (node.get("classes") or [])[:2])
    text = (node.get("text") or node.get("name") or "")[:60]
    return f"<{tag}{ident}>" + (f" ({text!r})" if text else "")


#: Parts of a selector that name one element (an id, a test id, a form name, a label, a role's name, a
#: text, a link's address), as against its position, tag or classes.
_NAMING = re.compile(r"#[\w\\-]|\[(?:data-test[\w-]*|data-qa|data-cy|name|aria-label|for|href|title|alt|placeholder"
                     r"|id)[~|^$*]?=|\bname=|\btext=|:has-text\(|:text\(", re.IGNORECASE)


def _subject(selector: str) -> str:
    """The last compound of a selector (after its last combinator, or its last ``>>`` part): what it selects."""
    selector = selector.split(">>")[-1].strip()
    depth, quote, start = 0, "", 0
    for i, ch in enumerate(selector):
        if quote:
            quote = "" if ch == quote and selector[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and (ch in ">+~" or ch.isspace()) and not selector.startswith(("text=", "role=")):
            start = i + 1
    return selector[start:].strip() or selector


def names_its_element(target: str) -> bool:
    """Whether a selector names its element (``#save``, ``[name=q]``, ``role=button[name=Save]``, ``text=Save``).

    Only the part that selects the element counts (``#menu > ul:nth-child(2)`` names the menu's
    container, not the list). A named element that now reads differently was relabelled; a
    selector of positions, tags and classes that now lands on an element reading entirely
    differently has probably moved to another.
    """
    return bool(_NAMING.search(_subject(target)))


def _drift(target: str, score: float, baseline: dict[str, Any], current: dict[str, Any],
           candidates: Sequence[dict[str, Any]] | None, changes: list[str], text_checked: bool) -> Verdict | None:
    """``drifted`` when the found element is probably another element than the baseline's.

    ``changes``: its :func:`identity_changes`. ``text_checked``: the step names the text its element
    shows, and it does: a changed text or name is then the guide's own (a repaired step), not
    evidence of another element.
    """
    if score < DRIFT_BELOW:
        return Verdict("drifted", f"{target} now selects an element that looks different from the baseline "
                                  f"(similarity {score:.2f} < {DRIFT_BELOW})", score)
    if candidates is not None and score < 1.0 - RIVAL_MARGIN:
        better = rival(baseline, candidates, current, above=score + RIVAL_MARGIN)
        if better is not None:
            other = describe_element(dict(candidates[better.index]))
            return Verdict("drifted", f"{target} selects an element less like the baseline (similarity {score:.2f}) "
                                      f"than another element of the page: {other} ({better.score:.2f})", score)
    changes = [c for c in changes if not (text_checked and not c.startswith("role"))]
    if changes and score < CHANGED_BELOW and not names_its_element(target) \
            and not (candidates is not None and in_a_list(current, candidates)):
        return Verdict("drifted", f"{target} now selects another element: its {'; '.join(changes)} "
                                  f"(similarity {score:.2f})", score)
    return None


def classify(observation: dict[str, Any] | None, *, target: str | None, expected_text: str | None = None,
             baseline: dict[str, Any] | None = None, page_error: str | None = None,
             candidates: Sequence[dict[str, Any]] | None = None) -> Verdict:
    """Give a guide step its status.

    Args:
        observation: The anchor's observation on the page (``None`` for a floating step).
        target: The selector as written (``None`` for a floating step).
        expected_text: Text the element must still show.
        baseline: The element's fingerprint when the guide was last known good.
        page_error: Why the step's page did not load, if it did not.
        candidates: The page's visible elements (fingerprints), to find an element more like the
            baseline than the one found; read only when the found element's similarity leaves room
            for one (a lazy sequence may fetch them then).
    """
    if page_error:
        return Verdict("page_error", page_error)
    if target is None or observation is None:
        return Verdict("ok", "floating step (no anchor): its page loads")
    if observation.get("error"):
        return Verdict("missing", f"the selector {target} cannot be evaluated: {observation['error']}")
    count = observation.get("count") or 0
    if count == 0:
        return Verdict("missing", f"no element matches {target}")
    if count > 1:
        return Verdict("ambiguous", f"{count} elements match {target}; a guide would attach to the first")
    if not observation.get("visible"):
        return Verdict("hidden", f"{target} matches an element that is not visible")
    if observation.get("offscreen"):
        return Verdict("offscreen", f"{target} is outside the page and cannot be scrolled into view")
    if observation.get("covered_by"):
        return Verdict("covered", f"{target} is covered by {describe_element(observation['covered_by'])} at its centre")
    was_disabled = bool(baseline and baseline.get("disabled"))
    if observation.get("disabled") and not was_disabled:
        return Verdict("disabled", f"{target} is disabled")
    score = None
    current = observation.get("fingerprint")
    if baseline and current:
        score = round(similarity(baseline, current).score, 3)
    if expected_text and not text_matches(expected_text, observation):
        shown = observation.get("text") or observation.get("name") or ""
        return Verdict("text_changed", f"{target} no longer shows {expected_text!r} (it shows {shown[:80]!r})", score)
    if score is not None and baseline and current:
        changes = identity_changes(baseline, current)
        drift = _drift(target, score, baseline, current, candidates, changes, text_checked=bool(expected_text))
        if drift is not None:
            return drift
        if changes:
            return Verdict("ok", f"found, unique, visible, uncovered; its {'; '.join(changes)}", score)
    return Verdict("ok", "found, unique, visible, uncovered", score)
