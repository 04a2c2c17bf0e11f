"""Text that comes from the app under test, made harmless where a terminal or a Markdown renderer reads it.

Everything an app shows (console messages, page text, URLs, error messages) is untrusted: in
a terminal its escape sequences would clear the screen, move the cursor or forge a link; in a
CI job summary its URLs would become links. The HTML report escapes through jinja2; these
are the terminal's and Markdown's counterparts.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab and newline (ESC, BEL, carriage return...), DEL, C1 controls, bidirectional overrides."""
URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>]*", re.IGNORECASE)
"""What a Markdown renderer (GitHub, GitLab) would turn into a link by itself: ``scheme://...`` or ``www....``."""


def printable(text: str) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``), never obeyed by a terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text)
