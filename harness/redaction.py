"""The secrets of a run, every form they take in its outputs, and their redaction.

A secret is a value that must never reach a file, a log, a trace or a file name of the run: the
app profile's passwords and every value the run's features type into a secret field
(``harness.spec.secrets`` decides which, from the parsed features and the profile). A value
reaches the outputs as typed, and encoded too: in a URL (a GET form's query string, which the
browser percent-encodes with ``+`` for a space), in HTML and XML (escaped), in JSON (escaped;
``\\uXXXX`` for non-ASCII), in CSV (quotes doubled) and in Markdown (pipes escaped).
:func:`forms` lists them all; :class:`Secrets` finds any of them and puts the value's label in
its place, ``[redacted-N]``, N being the value's place among the run's secrets, so two Examples
rows that differ only by a password stay two rows (and two pytest ids) once redacted.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable
from functools import cached_property
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

LABEL = "[redacted-{}]"
"""What takes the place of a secret: its number among the run's secrets, from 1."""
_LABEL = re.compile(r"\[redacted-\d+\]")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")

_FORM_SAFE = "*-._"
"""What a browser leaves as is when it submits a form (``application/x-www-form-urlencoded``, WHATWG)."""
_URI_COMPONENT_SAFE = "-_.!~*'()"
"""What JavaScript's ``encodeURIComponent`` leaves as is."""
_URI_SAFE = "-_.!~*'();/?:@&=+$,#"
"""What JavaScript's ``encodeURI`` (and a URL typed whole) leaves as is."""


def _percent(value: str, safe: str, plus: bool = False) -> str:
    """``value`` percent-encoded as UTF-8, leaving ASCII letters, digits and ``safe`` (a space as ``+``: ``plus``)."""
    out: list[str] = []
    for char in value:
        if char.isascii() and (char.isalnum() or char in safe):
            out.append(char)
        elif plus and char == " ":
            out.append("+")
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def _json(value: str) -> set[str]:
    """``value`` inside a JSON string: Python's two escapings, and jinja2's ``tojson`` for a page's script."""
    plain, ascii_only = json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(value)[1:-1]
    in_html = ascii_only.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("'", "\\u0027")
    return {plain, ascii_only, in_html}


def _markup(value: str) -> set[str]:
    """``value`` escaped for HTML and XML: each library's spelling of the quotes."""
    base = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {html.escape(value), html.escape(value, quote=False), base,
            base.replace('"', "&#34;").replace("'", "&#39;"),   # markupsafe (jinja2's autoescape)
            base.replace('"', "&quot;").replace("'", "&apos;")}  # XML


def _encodings(value: str) -> set[str]:
    """``value`` through each encoder of the outputs (itself included)."""
    return {value, quote(value, safe=""), quote(value), quote_plus(value), quote_plus(value, safe="/"),
            _percent(value, _FORM_SAFE, plus=True), _percent(value, _URI_COMPONENT_SAFE), _percent(value, _URI_SAFE),
            value.replace('"', '""'), value.replace("|", "\\|"), *_json(value), *_markup(value)}


def forms(value: str) -> tuple[str, ...]:
    """Every form ``value`` can take in a run's outputs, the value itself first, the others longest first.

    URL encodings: Python's (``quote`` with ``safe=''`` and its default ``'/'``, ``quote_plus``), a
    browser's form submission, JavaScript's ``encodeURIComponent`` and ``encodeURI``; HTML and XML
    escaping; JSON escaping (also as jinja2's ``tojson`` writes it into a page); CSV's doubled
    quotes; Markdown's escaped pipes. Each applies to the value and to its Python escape
    (``unicode_escape``: pytest's test ids write an Examples value ``é`` as ``\\xe9``). Percent-encoded
    forms are matched with either case of hex digits (:class:`Secrets`).
    """
    if not value:
        return ()
    found = _encodings(value) | _encodings(value.encode("unicode_escape").decode("ascii"))
    found.discard(value)
    return (value, *sorted(found, key=lambda form: (-len(form), form)))


class Secrets:
    """The secrets of one run, in a fixed order (their labels), and the redaction of all their forms.

    Computed once per process from the features and the profile (``harness.spec.secrets.run_secrets``)
    and handed to every writer: the step records, ``guides.jsonl``, artifact folder names, the trace
    check, the Allure scrub and ``pytest.log``. Empty values are not secrets. An empty instance
    redacts nothing, at no cost.
    """

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: tuple[str, ...] = tuple(dict.fromkeys(v for v in values if v))

    def __bool__(self) -> bool:
        return bool(self.values)

    def __repr__(self) -> str:  # never the values: a repr lands in tracebacks and logs
        return f"Secrets({len(self.values)} values)"

    @cached_property
    def _labels(self) -> dict[str, str]:
        """Every form of every secret (percent-escapes upper-cased) → its secret's label; the first secret wins."""
        labels: dict[str, str] = {}
        for index, value in enumerate(self.values, 1):
            for form in forms(value):
                labels.setdefault(_upper_escapes(form), LABEL.format(index))
        return labels

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """One pattern for every form, longest first; a label already in place is matched first and kept."""
        ordered = sorted(self._labels, key=lambda form: (-len(form), form))
        alternatives = [_LABEL.pattern, *(_form_pattern(form) for form in ordered)]
        return re.compile("|".join(alternatives))

    @cached_property
    def _byte_needles(self) -> frozenset[bytes]:
        """Every form as UTF-8, percent-escapes in both cases: ``bytes.find`` scans a large file fast."""
        found: set[bytes] = set()
        for form in self._labels:
            found.add(form.encode("utf-8"))
            found.add(_PERCENT.sub(lambda m: m.group().lower(), form).encode("utf-8"))
        return frozenset(found)

    def redact_text(self, text: str) -> str:
        """``text`` with every form of every secret replaced by its label (running it twice changes nothing)."""
        if not self.values or not text:
            return text
        return self._pattern.sub(self._replace, text)

    def _replace(self, match: re.Match[str]) -> str:
        found = match.group()
        return self._labels.get(_upper_escapes(found), found)

    def redact(self, value: Any) -> Any:
        """``value`` with every string inside it (dict values, list items, recursively) redacted."""
        if not self.values:
            return value
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, dict):
            return {k: self.redact(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v) for v in value]
        return value

    def holds(self, data: str | bytes) -> bool:
        """Whether ``data`` holds any form of any secret (in text, a label already in place is not one)."""
        if not self.values or not data:
            return False
        if isinstance(data, bytes):
            return any(needle in data for needle in self._byte_needles)
        return any(not _LABEL.fullmatch(m.group()) for m in self._pattern.finditer(data))

    def needles(self) -> list[str]:
        """Every form of every secret, for a search outside Python (a page's fields and URL)."""
        return [form for value in self.values for form in forms(value)]


def _upper_escapes(text: str) -> str:
    return _PERCENT.sub(lambda m: m.group().upper(), text)


def _form_pattern(form: str) -> str:
    """A form as a pattern: literal, but a percent-escape matches either case of its hex digits."""
    parts: list[str] = []
    last = 0
    for match in _PERCENT.finditer(form):
        parts.append(re.escape(form[last:match.start()]))
        parts.append("%" + "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in match.group()[1:]))
        last = match.end()
    parts.append(re.escape(form[last:]))
    return "".join(parts)


def without_credentials(url: str) -> str:
    """``url`` fit to be shown and written: its user and password (``user:pass@``) and its query left out.

    A Selenium Grid or a browser service takes its credentials in the URL's user part or in its
    query (``?token=...``); neither reaches ``run.json``, a log or a message. What is left names the
    endpoint: scheme, host, port and path (a query is shown as ``?...``).
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # not a URL at all: show nothing of it that could be a secret
        return "(not a URL)"
    if not parts.scheme or not host:
        return "(not a URL)" if "@" in url or "?" in url else url
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "..." if parts.query else "", ""))
