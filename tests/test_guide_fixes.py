"""``guide-fixes.patch``: only the repaired lines change, the rest of each file byte for byte (no browser)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.guides import GuideStepCheck
from harness.guides.fixes import emit_scalar, fixes_patch
from harness.spec.guides import load_guide, load_guides
from harness.spec.yamlfile import load_yaml

ROOT = Path(__file__).resolve().parents[1]
DJANGO_GUIDES = ROOT / "tests" / "fixtures" / "django_admin" / "guides"


def _result(guide: str, step: str, status: str, target: str, new: str, score: float = 0.8,
            **suggestion: Any) -> GuideStepCheck:
    return GuideStepCheck.model_validate({
        "guide": guide, "step": step, "status": status, "target": target,
        "suggestion": {"target": new, "score": score, "reasons": ["same tag a", "same text"], **suggestion}})


def _git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def _changed_lines(patch: str) -> tuple[list[str], list[str]]:
    body = [line for line in patch.splitlines() if not line.startswith(("---", "+++", "@@"))]
    return [line[1:] for line in body if line.startswith("-")], [line[1:] for line in body if line.startswith("+")]


def _apply(repo: Path, patch: str) -> None:
    (repo / "fix.patch").write_text(patch)
    check = subprocess.run(["git", "apply", "--check", "fix.patch"], cwd=repo, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + patch
    subprocess.run(["git", "apply", "fix.patch"], cwd=repo, check=True)


def test_a_patch_over_the_django_guides_changes_only_the_repaired_lines(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path)
    guides = repo / "guides"
    shutil.copytree(DJANGO_GUIDES, guides)
    originals = {p.name: p.read_text() for p in guides.glob("*.yaml")}
    results = [
        _result("sign-in", "submit", "missing", '#login-form input[type="submit"]', "#login-form button"),
        _result("sign-in", "username", "drifted", "#id_username", 'input[name="username"]'),
        _result("book-list", "search-box", "missing", "#searchbar", "#changelist-search input[type=text]"),
        _result("book-list", "go", "text_changed", 'button[name="index"]', 'button[name="index"]',
                text="Run"),
        _result("book-list", "genre-filter", "missing", '#changelist-filter details[data-filter-title="genre"] summary',
                "details[data-filter-title='genre'] > summary"),
        _result("log-out", "logout", "missing", "#logout-form button", "form#logout-form button[type=submit]"),
        _result("delete-book", "cancel", "missing", "a.cancel-link", "a.button.cancel-link", score=0.2),  # too low
        _result("logged-out", "heading", "ok", "#content h1", "#content h1"),  # no change: not in the patch
    ]
    files = {g.id: g.file for g in load_guides(guides) if g.file is not None}
    patch = fixes_patch(results, files, repo, min_score=0.5)
    assert patch.skipped == []
    removed, added = _changed_lines(patch.text)
    # 5 targets and 1 text changed, nothing else: each changed line is a target: or text: line
    assert len(removed) == len(added) == 6
    assert all(re.match(r"\s+(target|text): ", line) for line in removed + added), patch.text
    assert sorted(re.match(r"\s+(\w+):", line).group(1) for line in added) == ["target"] * 5 + ["text"]  # type: ignore[union-attr]
    assert {line.split(": ")[0] for line in removed} == {line.split(": ")[0] for line in added}  # indentation kept
    assert sum(line.startswith("--- ") for line in patch.text.splitlines()) == 3  # three files touched
    _apply(repo, patch.text)
    after = {g.id: g for g in load_guides(guides)}
    steps = {(gid, s.id): s for gid, g in after.items() for s in g.steps}
    assert steps[("sign-in", "submit")].target == "#login-form button"
    assert steps[("sign-in", "username")].target == 'input[name="username"]'
    assert steps[("book-list", "search-box")].target == "#changelist-search input[type=text]"
    assert steps[("book-list", "go")].text == "Run" and steps[("book-list", "go")].target == 'button[name="index"]'
    assert steps[("book-list", "genre-filter")].target == "details[data-filter-title='genre'] > summary"
    assert steps[("log-out", "logout")].target == "form#logout-form button[type=submit]"
    assert steps[("delete-book", "cancel")].target == "a.cancel-link"
    # every untouched file is byte for byte the same; touched files differ only on those lines
    for name, text in originals.items():
        new = (guides / name).read_text()
        if name.startswith(("01", "03", "09")):
            old_lines, new_lines = text.splitlines(), new.splitlines()
            assert len(old_lines) == len(new_lines)
            assert all(a == b or re.match(r"\s+(target|text): ", a) for a, b in zip(old_lines, new_lines, strict=True))
        else:
            assert new == text, name
    fixed = (guides / "01-sign-in.yaml").read_text()
    assert "# repaired (missing, score 0.80: same tag a, same text)" in fixed
    # the old quote style is kept when the new value allows it
    assert "    target: '#login-form button'  # repaired" in fixed


ODD = """\
# my comment: keep it
schema_version: 1
id: odd
page: /
steps:
  - id: a
    target: '#old'   # a comment of mine
  - {id: b, target: "#b", text: Hello}   # flow mapping
  -   id: c
      target:    plain.sel
  - id: d
    target: >-
      folded
      selector
  - id: e
    target: "#e-first
      part"
  - id: f
    target: "#f"  # repaired (missing, score 0.50: old reasons)
  - id: g
    text: Hi
    target: '#g'
"""


def test_odd_layouts_comments_and_unsafe_values(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path)
    guide = repo / "odd.yaml"
    guide.write_text(ODD, newline="")
    results = [
        _result("odd", "a", "missing", "#old", 'role=button[name="Go \\"now\\""]'),
        _result("odd", "b", "text_changed", "#b", "a, b", text="Hi: there"),
        _result("odd", "c", "missing", "plain.sel", "#c"),
        _result("odd", "d", "missing", "folded selector", "#d"),
        _result("odd", "e", "missing", "#e-first part", "#e"),
        _result("odd", "f", "missing", "#f", "#f2"),
        _result("odd", "g", "text_changed", "#g", "#g", text="Hello # not a comment"),
    ]
    patch = fixes_patch(results, {"odd": guide}, repo, min_score=0.5)
    # a block scalar and a quoted scalar over two lines are left out, and said so with file:line
    assert [(s.step, s.where) for s in patch.skipped] == [("d", "odd.yaml:12"), ("e", "odd.yaml:16")]
    assert "block scalar" in patch.skipped[0].reason and "several lines" in patch.skipped[1].reason
    removed, added = _changed_lines(patch.text)
    assert added == [
        """    target: 'role=button[name="Go \\"now\\""]'   # a comment of mine  # repaired (missing, score 0.80: """
        "same tag a, same text)",
        """  - {id: b, target: "a, b", text: 'Hi: there'}   # flow mapping  # repaired (text_changed, score 0.80: """
        "same tag a, same text)",
        "      target:    '#c'  # repaired (missing, score 0.80: same tag a, same text)",
        '    target: "#f2"  # repaired (missing, score 0.80: same tag a, same text)',
        "    text: 'Hello # not a comment'",
    ]
    assert len(removed) == 5
    _apply(repo, patch.text)
    fixed = guide.read_text()
    assert fixed.startswith("# my comment: keep it\n") and "old reasons" not in fixed
    loaded = load_guide(guide)
    targets = {s.id: (s.target, s.text) for s in loaded.steps}
    assert targets == {"a": ('role=button[name="Go \\"now\\""]', None), "b": ("a, b", "Hi: there"),
                       "c": ("#c", None), "d": ("folded selector", None), "e": ("#e-first part", None),
                       "f": ("#f2", None), "g": ("#g", "Hello # not a comment")}
    # applying the next check's repair replaces the repaired comment rather than stacking one more
    again = fixes_patch([_result("odd", "a", "missing", targets["a"][0], "#a3")], {"odd": guide}, repo, 0.5)
    _apply(repo, again.text)
    line = next(ln for ln in guide.read_text().splitlines() if "#a3" in ln)
    assert line == "    target: '#a3'   # a comment of mine  # repaired (missing, score 0.80: same tag a, same text)"


def test_crlf_and_a_last_line_without_newline(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path)
    guide = repo / "g.yaml"
    guide.write_bytes(b"id: g\r\npage: /\r\nsteps:\r\n  - id: a\r\n    target: '#old'")
    patch = fixes_patch([_result("g", "a", "missing", "#old", "#new")], {"g": guide}, repo, 0.5)
    assert patch.text.endswith("\\ No newline at end of file\n")
    _apply(repo, patch.text)
    assert guide.read_bytes() == (b"id: g\r\npage: /\r\nsteps:\r\n  - id: a\r\n"
                                  b"    target: '#new'  # repaired (missing, score 0.80: same tag a, same text)")
    assert load_yaml(guide)["steps"][0]["target"] == "#new"


@pytest.mark.parametrize(("value", "style", "flow", "written"), [
    ("#x", None, False, "'#x'"),
    ("button.go", None, False, "button.go"),
    ("a, b", None, True, "'a, b'"),
    ("a, b", None, False, "a, b"),
    ("it's", "'", False, "'it''s'"),
    ('say "hi"', '"', False, '"say \\"hi\\""'),
    ("key: value", None, False, "'key: value'"),
    ("two\nlines", None, False, '"two\\nlines"'),  # the emitter escapes it on one line
])
def test_scalars_come_from_the_emitter(value: str, style: str | None, flow: bool, written: str | None) -> None:
    assert emit_scalar(value, style, flow) == written
