"""``ui-map-fixes.patch``: a run's agreed target repairs change only the selector lines of app.yaml (no browser)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from harness.contracts.records import StepRecord
from harness.guides.uimap_fixes import gather, ui_map_fixes
from harness.spec.profile import load_profile
from harness.spec.yamlfile import load_yaml
from tests.support import ROOT
from tests.support.step_records import rec

DEMO = ROOT / "journeys" / "demo" / "app.yaml"
SHOP = """\
# The UI map of a shop
name: shop
targets:
  # Cart
  cart.open: "#cart"   # the cart icon
  cart.count: '#cart .count'
  cart.checkout:
    selector: "#checkout"  # top button
    description: Checkout button

  search.box: input[name=q]
  search.go:
    selector: 'button[type="submit"]'
    fallbacks: ["#go"]   # 1.x
  menu.item:
    selector: "#menu"
    fallbacks:
      - "#menu-old"   # 1.x
      - nav .menu
  inline: {selector: "#inline", description: one line}
"""


def step(target: str, old: str | None, new: str | None, index: int = 0, *, status: str = "failed",
         cause: str = "missing", score: float = 0.9, repairable: bool = True, note: str = "",
         **fields: Any) -> StepRecord:
    """A step record whose UI-map ``target`` (``old`` at the run) was repaired to ``new`` (None: no suggestion)."""
    suggestion = {"target": new, "score": score, "reasons": ["same text", "same role"]} if new else None
    return rec(index, status, target=target, selector=old, repair={
        "target": target, "selector": old, "cause": cause, "repairable": repairable, "suggestion": suggestion,
        "note": note, "healed": status == "healed"}, **fields)


def project(tmp_path: Path, text: str | None = None, app: str = "shop") -> Path:
    """A git repository holding ``journeys/<app>/app.yaml`` (``text``, else a copy of the demo's); its profile."""
    repo = tmp_path / "repo"
    (repo / "journeys" / app).mkdir(parents=True)
    profile = repo / "journeys" / app / "app.yaml"
    if text is None:
        shutil.copy(DEMO, profile)
    else:
        profile.write_bytes(text.encode())
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return profile


def git_apply(repo: Path, patch: str) -> None:
    """``git apply --check``, then ``git apply``, from the project root."""
    assert patch, "no patch"
    (repo / "fixes.patch").write_text(patch)
    check = subprocess.run(["git", "apply", "--check", "fixes.patch"], cwd=repo, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr + patch
    subprocess.run(["git", "apply", "fixes.patch"], cwd=repo, check=True)


def changed(before: str, after: str) -> dict[int, tuple[str, str]]:
    """The lines (from 1) that differ between two texts with the same number of lines: (old, new)."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new)
    return {i + 1: (a, b) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b}


def patched(tmp_path: Path, records: list[StepRecord], text: str | None = SHOP, keep_old: bool = False,
            app: str = "shop") -> tuple[Path, str, Any]:
    """Build the patch of ``records`` over a project, git-apply it; the profile, its old text and the fixes."""
    profile = project(tmp_path, text, app)
    before = profile.read_text()
    fixes = ui_map_fixes(records, profile, profile.parents[2], keep_old=keep_old)
    git_apply(profile.parents[2], fixes.text)
    return profile, before, fixes


def test_only_the_selector_lines_change_comments_and_quotes_kept(tmp_path: Path) -> None:
    records = [step("cart.open", "#cart", "#basket"), step("cart.checkout", "#checkout", "#proceed", 1),
               step("search.box", "input[name=q]", "input[name=query]", 2),
               step("search.go", 'button[type="submit"]', 'form button[type="submit"]', 3),
               step("inline", "#inline", "#in-line", 4)]
    profile, before, fixes = patched(tmp_path, records)
    assert fixes.text.startswith("--- a/journeys/shop/app.yaml\n+++ b/journeys/shop/app.yaml\n")
    assert changed(before, profile.read_text()) == {
        5: ('  cart.open: "#cart"   # the cart icon', '  cart.open: "#basket"   # the cart icon'),
        8: ('    selector: "#checkout"  # top button', '    selector: "#proceed"  # top button'),
        11: ("  search.box: input[name=q]", "  search.box: input[name=query]"),
        13: ("    selector: 'button[type=\"submit\"]'", "    selector: 'form button[type=\"submit\"]'"),
        20: ('  inline: {selector: "#inline", description: one line}',
             '  inline: {selector: "#in-line", description: one line}'),
    }
    assert [(e.target, e.old, e.new, e.line) for e in fixes.edits] == [
        ("cart.checkout", "#checkout", "#proceed", 8), ("cart.open", "#cart", "#basket", 5),
        ("inline", "#inline", "#in-line", 20), ("search.box", "input[name=q]", "input[name=query]", 11),
        ("search.go", 'button[type="submit"]', 'form button[type="submit"]', 13)]
    assert fixes.skipped == []
    targets = load_profile(profile).targets
    assert targets["search.go"].fallbacks == ["#go"]  # untouched without keep_old
    assert (targets["cart.open"].selector, targets["search.go"].selector) == ("#basket", 'form button[type="submit"]')


def test_keep_old_makes_the_old_selector_the_first_fallback_in_every_form(tmp_path: Path) -> None:
    records = [step("cart.open", "#cart", "#basket"), step("cart.count", "#cart .count", "#basket .count", 1),
               step("cart.checkout", "#checkout", "#proceed", 2),
               step("search.go", 'button[type="submit"]', "#search-go", 3),
               step("menu.item", "#menu", "#main-menu", 4), step("inline", "#inline", "#in-line", 5)]
    profile, before, fixes = patched(tmp_path, records, keep_old=True)
    assert all(e.kept_old for e in fixes.edits) and fixes.skipped == []
    after = profile.read_text()
    removed = set(before.splitlines()) - set(after.splitlines())
    added = set(after.splitlines()) - set(before.splitlines())
    assert removed == {'  cart.open: "#cart"   # the cart icon', "  cart.count: '#cart .count'",
                       '    selector: "#checkout"  # top button', "    selector: 'button[type=\"submit\"]'",
                       '    fallbacks: ["#go"]   # 1.x', '    selector: "#menu"',
                       '  inline: {selector: "#inline", description: one line}'}
    assert added == {
        '  cart.open: {selector: "#basket", fallbacks: ["#cart"]}   # the cart icon',
        "  cart.count: {selector: '#basket .count', fallbacks: ['#cart .count']}",
        '    selector: "#proceed"  # top button', '    fallbacks: ["#checkout"]',
        "    selector: '#search-go'", "    fallbacks: ['button[type=\"submit\"]', \"#go\"]   # 1.x",
        '    selector: "#main-menu"', '      - "#menu"',
        '  inline: {selector: "#in-line", fallbacks: ["#inline"], description: one line}'}
    targets = load_profile(profile).targets
    assert {name: targets[name].selectors for name in ("cart.open", "cart.count", "cart.checkout", "search.go",
                                                       "menu.item", "inline")} == {
        "cart.open": ["#basket", "#cart"], "cart.count": ["#basket .count", "#cart .count"],
        "cart.checkout": ["#proceed", "#checkout"], "search.go": ["#search-go", 'button[type="submit"]', "#go"],
        "menu.item": ["#main-menu", "#menu", "#menu-old", "nav .menu"], "inline": ["#in-line", "#inline"]}
    assert targets["cart.checkout"].description == "Checkout button"
    assert "# the cart icon" in after and "# 1.x" in after and "# Cart" in after


def test_agreeing_steps_make_one_edit_and_disagreeing_ones_none(tmp_path: Path) -> None:
    records = [step("cart.open", "#cart", "#basket", 0), step("cart.open", "#cart", "#basket", 0, scenario="Pay",
                                                              status="healed", score=0.7),
               step("search.box", "input[name=q]", "#q", 1), step("search.box", "input[name=q]", "#query", 2)]
    profile, _, fixes = patched(tmp_path, records)
    assert [(e.target, e.new, e.score, len(e.steps)) for e in fixes.edits] == [("cart.open", "#basket", 0.9, 2)]
    assert fixes.text.count("\n-  ") == 1 and fixes.text.count("\n+  ") == 1
    [skip] = fixes.skipped
    assert skip.target == "search.box" and skip.where == "journeys/shop/app.yaml:11"
    assert "disagree" in skip.reason and "'#q' (1 step)" in skip.reason and "'#query' (1 step)" in skip.reason
    assert load_profile(profile).targets["search.box"].selector == "input[name=q]"
    [cart, search] = fixes.asked
    assert (cart.target, cart.scenarios, cart.healed, len(cart.steps)) == ("cart.open", 2, 1, 2)
    assert list(search.proposals) == ["#q", "#query"]


def test_a_map_edited_since_the_run_or_an_unchanged_selector_is_left_out(tmp_path: Path) -> None:
    profile = project(tmp_path, SHOP)
    fixes = ui_map_fixes([step("cart.open", "#old-cart", "#basket"), step("cart.count", "#cart .count",
                                                                          "#cart .count", 1, cause="text_changed"),
                          step("gone", "#gone", "#here", 2)], profile, profile.parents[2])
    assert fixes.text == "" and fixes.edits == []
    reasons = {s.target: s.reason for s in fixes.skipped}
    assert reasons["cart.open"] == ("the UI map was edited since the run: its selector is now '#cart', "
                                    "the run tried '#old-cart'")
    assert "nothing to change" in reasons["cart.count"]
    assert "no longer in the UI map" in reasons["gone"]


def test_targets_it_cannot_edit_safely_are_left_out_with_the_reason(tmp_path: Path) -> None:
    text = ('name: tricky\ntargets:\n  base: &b "#base"\n  alias: *b\n  folded: >-\n    #folded\n'
            '  multi: "#multi\n    .line"\n  merged:\n    <<: {selector: "#m"}\n  tagged: !!str "#tagged"\n'
            '  anchored:\n    selector: &s "#anchored"\n  fine: "#fine"\n')
    profile = project(tmp_path, text, "tricky")
    olds = {"base": "#base", "alias": "#base", "folded": "#folded", "multi": "#multi .line", "merged": "#m",
            "tagged": "#tagged", "anchored": "#anchored", "fine": "#fine"}
    fixes = ui_map_fixes([step(name, old, old + "-new", i) for i, (name, old) in enumerate(olds.items())],
                         profile, profile.parents[2])
    reasons = {s.target: s.reason for s in fixes.skipped}
    assert [e.target for e in fixes.edits] == ["fine"]
    assert "anchor" in reasons["base"] and "alias" in reasons["alias"] and "block scalar" in reasons["folded"]
    assert "several lines" in reasons["multi"] and "merge key" in reasons["merged"] and "tag" in reasons["tagged"]
    assert "anchor" in reasons["anchored"]
    git_apply(profile.parents[2], fixes.text)
    data = load_yaml(profile)["targets"]  # a tagged scalar is no target the profile takes: read as YAML
    assert data["fine"] == "#fine-new" and data["alias"] == data["base"] == "#base"


@pytest.mark.parametrize("new", [
    'a[title="it\'s"]', "#save", "text=Total: 5", 'div:has-text("a: b") >> nth=0', "[data-x='a,b']",
    'li:nth-child(2) > a[href*="x#y"]', '"Sign in"', "'Sign in'", "button[aria-label='Close: x']",
])
@pytest.mark.parametrize("keep_old", [False, True])
def test_new_selectors_are_quoted_so_they_read_back(tmp_path: Path, new: str, keep_old: bool) -> None:
    records = [step("cart.open", "#cart", new), step("search.box", "input[name=q]", new, 1),
               step("cart.count", "#cart .count", new, 2), step("search.go", 'button[type="submit"]', new, 3),
               step("inline", "#inline", new, 4)]
    profile, before, fixes = patched(tmp_path, records, keep_old=keep_old)
    assert fixes.skipped == []
    targets = load_profile(profile).targets
    for record in records:
        assert record.repair is not None
        assert targets[record.repair.target].selector == new
        assert (record.repair.selector in targets[record.repair.target].fallbacks) is keep_old
    if not keep_old:
        assert set(changed(before, profile.read_text())) == {5, 6, 11, 13, 20}


def test_the_demo_profile_patched_by_git_apply_reads_back_with_the_repairs(tmp_path: Path) -> None:
    records = [step("login.submit", "#login-button", "#sign-in", 0),
               step("expenses.new", 'role=link[name="New expense"]', 'role=button[name="New expense"]', 1),
               step("expense.amount", "#amount", "input[name=amount]", 2, status="healed")]
    profile, before, fixes = patched(tmp_path, records, None, keep_old=True, app="demo")
    assert [e.target for e in fixes.edits] == ["expense.amount", "expenses.new", "login.submit"]
    after = profile.read_text()
    assert len(after.splitlines()) == len(before.splitlines()) + 1  # one fallbacks: line added (expenses.new)
    targets = load_profile(profile).targets
    assert targets["login.submit"].selectors == ["#sign-in", "#login-button", "form#login-form button[type=submit]"]
    assert targets["expenses.new"].selectors == ['role=button[name="New expense"]', 'role=link[name="New expense"]']
    assert targets["expense.amount"].selectors == ["input[name=amount]", "#amount"]
    assert targets["expense.amount"].description is None and targets["login.submit"].description == "Sign-in button"
    assert set(before.splitlines()) - set(after.splitlines()) == {
        '    selector: "#login-button"', '    fallbacks: ["form#login-form button[type=submit]"]',
        "    selector: 'role=link[name=\"New expense\"]'", '  expense.amount: "#amount"'}
    assert set(after.splitlines()) - set(before.splitlines()) == {
        '    selector: "#sign-in"', '    fallbacks: ["#login-button", "form#login-form button[type=submit]"]',
        "    selector: 'role=button[name=\"New expense\"]'", "    fallbacks: ['role=link[name=\"New expense\"]']",
        '  expense.amount: {selector: "input[name=amount]", fallbacks: ["#amount"]}'}


def test_line_ends_and_a_last_line_without_newline_are_kept(tmp_path: Path) -> None:
    text = 'name: shop\r\ntargets:\r\n  a:\r\n    selector: "#a"\r\n  b: "#b"'
    profile, _, _ = patched(tmp_path, [step("a", "#a", "#aa"), step("b", "#b", "#bb", 1)], text, keep_old=True)
    assert profile.read_bytes() == (b'name: shop\r\ntargets:\r\n  a:\r\n    selector: "#aa"\r\n'
                                    b'    fallbacks: ["#a"]\r\n  b: {selector: "#bb", fallbacks: ["#b"]}')


def test_only_accepted_repairs_of_last_attempts_are_gathered(tmp_path: Path) -> None:
    records = [
        step("cart.open", "#cart", "#basket", 0, scenario="Retried", attempt=0),
        step("cart.open", "#cart", "#other", 0, scenario="Retried", attempt=1),  # the retry's repair is read
        step("cart.count", "#cart .count", None, 1, note="nothing scored well enough"),
        step("cart.count", "#cart .count", None, 1, scenario="Pay", note="nothing scored well enough"),
        step("cart.checkout", "#checkout", "#proceed", 2, cause="covered", repairable=False,
             note="covered by #cookie-banner"),
        step("search.box", "input[name=q]", "#q", 3, status="passed", cause="fallback_used"),  # a fallback carried it
        step("search.box", "input[name=q]", "#q", 3, status="skipped", scenario="Skipped"),  # not run: asks nothing
        rec(4, "failed", target="menu.item", error="Timeout"),  # a failed step without a repair
        rec(5, "failed", target="Total", repair={"cause": "assertion", "note": "the page shows Sum"}),
    ]
    asked, unrepaired = gather(records)
    assert [(a.target, list(a.proposals)) for a in asked] == [("cart.open", ["#other"]), ("search.box", ["#q"])]
    assert [(u.target, u.cause, u.note, len(u.steps)) for u in unrepaired] == [
        (None, "assertion", "the page shows Sum", 1),
        ("cart.checkout", "covered", "covered by #cookie-banner", 1),
        ("cart.count", "missing", "nothing scored well enough", 2)]
    profile = project(tmp_path, SHOP)
    fixes = ui_map_fixes(records, profile, profile.parents[2])
    assert [(e.target, e.new) for e in fixes.edits] == [("cart.open", "#other"), ("search.box", "#q")]
