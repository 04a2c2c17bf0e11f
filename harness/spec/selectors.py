"""Check Playwright selectors without a browser, and tell selectors from plain text.

Playwright selectors are chains of parts joined by ``>>``; a part is ``engine=body``
or, without an engine, CSS (or XPath when it starts with ``//``). CSS parts are checked
with soupsieve after Playwright's own pseudo-classes (``:has-text()``, ``:visible``...)
are set aside, so a typo such as ``#save[`` fails while the spec loads, not mid-run. XPath
parts are compiled as XPath 1.0 (lxml's libxml2, the grammar of the browser's
``document.evaluate``); a role part must name an ARIA role Playwright knows.
"""

from __future__ import annotations

import difflib
import re

import soupsieve
from lxml import etree

ENGINES = {
    "css", "xpath", "text", "id", "data-testid", "data-test-id", "data-test", "role", "nth",
    "visible", "alt", "placeholder", "label", "title", "_react", "_vue",
}
PW_PSEUDO = (
    "has-text", "text", "text-is", "text-matches", "visible", "nth-match", "right-of", "left-of",
    "above", "below", "near",
)
_PSEUDO_RE = re.compile(r":(" + "|".join(sorted(PW_PSEUDO, key=len, reverse=True)) + r")(?![\w-])")
_ENGINE_RE = re.compile(r"^\s*([a-zA-Z_][\w:-]*)=(.*)$", re.S)
#: ``role=name[attr=value]...``: values quoted, bare words, or ``/regex/flags`` (Playwright's name patterns).
_ROLE_RE = re.compile(r'^[a-z]+(\[\s*[\w-]+\s*(=\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[\w-]+'
                      r'|/(?:[^/\\]|\\.)+/[gimsuy]*)[is]?)?\s*\])*$')
ARIA_ROLES = frozenset({
    "alert", "alertdialog", "application", "article", "banner", "blockquote", "button", "caption", "cell",
    "checkbox", "code", "columnheader", "combobox", "complementary", "contentinfo", "definition", "deletion",
    "dialog", "directory", "document", "emphasis", "feed", "figure", "form", "generic", "grid", "gridcell", "group",
    "heading", "img", "insertion", "link", "list", "listbox", "listitem", "log", "main", "marquee", "math", "meter",
    "menu", "menubar", "menuitem", "menuitemcheckbox", "menuitemradio", "navigation", "none", "note", "option",
    "paragraph", "presentation", "progressbar", "radio", "radiogroup", "region", "row", "rowgroup", "rowheader",
    "scrollbar", "search", "searchbox", "separator", "slider", "spinbutton", "status", "strong", "subscript",
    "superscript", "switch", "tab", "table", "tablist", "tabpanel", "term", "textbox", "time", "timer", "toolbar",
    "tooltip", "tree", "treegrid", "treeitem",
})
"""WAI-ARIA 1.2 roles Playwright's role engine knows (its ``AriaRole`` type; abstract roles excluded): any other
matches nothing, silently. ``harness.guides.repair`` builds ``role=`` selectors from the same set."""
_SELECTOR_HINT = re.compile(
    r"^(\s*(css|xpath|text|id|role|data-testid|internal:[\w-]+)=|[#.\[/*]|[a-z][\w-]*[#.\[]\S"
    r"|[a-z][\w-]*:(has|is|not|nth|first|last|text|visible|has-text|checked|disabled)\b)|\s>>\s"
)
_TAG_RE = re.compile(r"^[a-z][a-z0-9-]*$")
HTML_TAGS = {
    "a", "button", "input", "select", "textarea", "form", "table", "tr", "td", "th", "tbody", "thead",
    "ul", "ol", "li", "nav", "header", "footer", "main", "section", "article", "aside", "div", "span",
    "label", "img", "h1", "h2", "h3", "h4", "h5", "h6", "p", "dialog", "summary", "details", "fieldset",
    "legend", "option", "body", "iframe",
}


def _strip_call(text: str, start: int) -> int:
    """Return the index just past the balanced ``(...)`` that opens at ``start``."""
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced parenthesis")


def _neutralise_pseudo(css: str) -> str:
    """Replace Playwright-only pseudo-classes with a no-op that soupsieve understands."""
    out, pos = [], 0
    for match in _PSEUDO_RE.finditer(css):
        if match.start() < pos:
            continue
        out.append(css[pos:match.start()])
        end = match.end()
        if end < len(css) and css[end] == "(":
            end = _strip_call(css, end)
        out.append(":is(*)")
        pos = end
    out.append(css[pos:])
    return "".join(out)


def _split_chain(selector: str) -> list[str]:
    """Split a selector on ``>>`` outside quotes."""
    parts: list[str] = []
    buf: list[str] = []
    quote, i = "", 0
    while i < len(selector):
        ch = selector[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif selector.startswith(">>", i):
            parts.append("".join(buf))
            buf = []
            i += 2
            continue
        buf.append(ch)
        i += 1
    if quote:
        raise ValueError("unterminated quote")
    parts.append("".join(buf))
    return parts


def selector_error(selector: str) -> str | None:
    """Return why ``selector`` is not a valid Playwright selector, or None when it is."""
    if not selector.strip():
        return "empty selector"
    try:
        parts = _split_chain(selector)
    except ValueError as exc:
        return str(exc)
    for raw in parts:
        part = raw.strip()
        if not part:
            return "empty part in a '>>' chain"
        engine_match = _ENGINE_RE.match(part)
        engine, body = ("", part)
        if engine_match and (engine_match.group(1) in ENGINES or engine_match.group(1).startswith("internal:")):
            engine, body = engine_match.group(1), engine_match.group(2).strip()
        elif part.startswith("//") or part.startswith(".."):
            engine, body = "xpath", part
        elif part[0] in "\"'":
            engine, body = "text", part
        if engine in ("", "css"):
            try:
                soupsieve.compile(_neutralise_pseudo(body))
            except (soupsieve.SelectorSyntaxError, ValueError) as exc:
                first = str(exc).splitlines()[0]
                return f"invalid CSS selector {body!r}: {first}"
        elif engine == "xpath":
            if body.count("[") != body.count("]") or body.count("(") != body.count(")"):
                return f"invalid XPath {body!r}: unbalanced brackets"
            try:  # XPath 1.0, the browser's document.evaluate grammar, by libxml2
                etree.XPath(body)
            except etree.XPathSyntaxError as exc:
                return f"invalid XPath {body!r}: {str(exc).lower()}"
        elif engine == "role":
            if not _ROLE_RE.match(body):
                return f"invalid role selector {body!r}: expected role=name[attr=value]"
            role = re.match(r"[a-z]+", body)
            if role and role[0] not in ARIA_ROLES:
                near = difflib.get_close_matches(role[0], sorted(ARIA_ROLES), n=1)
                hint = f"; did you mean {near[0]!r}" if near else ""
                return f"unknown ARIA role {role[0]!r} in {body!r}: it would match nothing{hint}"
        elif engine == "nth":
            if not re.fullmatch(r"-?\d+", body):
                return f"invalid nth selector {body!r}: expected an integer"
        elif not body:
            return f"{engine}= needs a value"
    return None


def plain_css(selector: str) -> str | None:
    """The CSS of a selector the browser's ``querySelectorAll`` reads as Playwright does, or None.

    One part (no ``>>``), the ``css`` engine or none, none of Playwright's own pseudo-classes. (Playwright's
    CSS also looks into open shadow roots: a caller that finds nothing must ask Playwright.)
    """
    try:
        parts = _split_chain(selector)
    except ValueError:
        return None
    if len(parts) != 1:
        return None
    part = parts[0].strip()
    engine_match = _ENGINE_RE.match(part)
    if engine_match and (engine_match.group(1) in ENGINES or engine_match.group(1).startswith("internal:")):
        if engine_match.group(1) != "css":
            return None
        part = engine_match.group(2).strip()
    if not part or part.startswith(("//", "..")) or part[0] in "\"'" or _PSEUDO_RE.search(part):
        return None
    return part


def looks_like_selector(text: str) -> bool:
    """Tell a Playwright selector (``#id``, ``.cls``, ``css=...``, ``a >> b``) from plain text."""
    stripped = text.strip()
    if _SELECTOR_HINT.search(stripped):
        return True
    return stripped in HTML_TAGS
