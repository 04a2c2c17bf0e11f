"""App text in the terminal and in Markdown: control characters shown, not obeyed; URLs not made links."""

from __future__ import annotations

import io

import pytest
from rich.table import Table

from harness.cli.common import SafeConsole
from harness.report.markdown.comparison import md, md_code
from harness.untrusted import printable

HOSTILE = ("\x1b[2J\x1b[H cleared \x1b]8;;https://evil.example/\x07click me\x1b]8;;\x07 \r overwritten"
           " \x9b31m \u202eevil\u202c")


def test_printable_shows_every_control_character_and_keeps_the_rest() -> None:
    shown = printable(HOSTILE + "\tkept\nkept é 🙂")
    assert not any((ord(c) < 0x20 and c not in "\t\n") or 0x7f <= ord(c) <= 0x9f for c in shown)
    assert "\\x1b[2J" in shown and "\\x07" in shown and "\\x0d" in shown and "\\x9b" in shown
    assert "\\u202e" in shown and "\tkept\nkept é 🙂" in shown


@pytest.mark.parametrize("markup", [False, True])
def test_the_terminal_shows_escape_sequences_and_emoji_codes_as_text(markup: bool) -> None:
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, force_terminal=True, color_system=None, width=400, highlight=False,
                          emoji=False)
    table = Table()
    table.add_column("what")
    table.add_row(HOSTILE)
    console.print(table)
    console.print(f"version:V:all :v: {HOSTILE}", markup=markup)
    text = buffer.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text and "\u202e" not in text
    assert "\\x1b]8;;https://evil.example/\\x07click me" in text
    assert "version:V:all :v:" in text


def test_markdown_shows_urls_as_code_and_control_characters_as_text() -> None:
    cell = md(f"failed to load https://evil.example/x?a=1|2 see www.evil.example [x](javascript:y) {HOSTILE}")
    assert "`https://evil.example/x?a=1\\|2`" in cell and "`www.evil.example`" in cell
    assert "\x1b" not in cell and "\\x1b" in cell and "\n" not in cell
    assert "\\[x\\]" in cell  # no Markdown link either
    outside_code = "".join(cell.split("`")[::2])
    assert "://" not in outside_code and "www." not in outside_code  # every URL is inside a code span
    assert "\x1b" not in md_code(HOSTILE)
