"""Browser resolution: explicit setting, Playwright's own, the system's, or a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.collect import browser
from harness.errors import BrowserNotFound
from tests.support.cli import cli


def test_explicit_path_wins(tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    choice = browser.resolve_browser(str(fake))
    assert choice == browser.BrowserChoice(str(fake), "explicit")
    options = browser.launch_options(choice)
    assert options["executable_path"] == str(fake)
    assert "--disable-background-networking" in options["args"] and "--no-sandbox" in options["args"]


def test_env_setting_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "chrome"
    fake.write_text("")
    monkeypatch.setenv(browser.ENV_VAR, str(fake))
    assert browser.resolve_browser().source == "explicit"


def test_explicit_path_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    with pytest.raises(BrowserNotFound, match="--browser-path points at '/nope/chrome'"):
        browser.resolve_browser("/nope/chrome")


def test_playwright_bundled_comes_before_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    monkeypatch.setattr(browser, "playwright_bundled_path", lambda pw=None: "/pw/chrome")
    monkeypatch.setattr(browser, "system_chromium", lambda headless=False: "/usr/bin/chromium")
    assert browser.resolve_browser() == browser.BrowserChoice(None, "playwright")
    assert "executable_path" not in browser.launch_options(browser.resolve_browser())


def test_system_chromium_when_playwright_has_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    monkeypatch.setattr(browser, "playwright_bundled_path", lambda pw=None: None)
    monkeypatch.setattr(browser, "system_chromium", lambda headless=False: "/usr/bin/chromium")
    assert browser.resolve_browser() == browser.BrowserChoice("/usr/bin/chromium", "system")


def test_no_browser_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    monkeypatch.setattr(browser, "playwright_bundled_path", lambda pw=None: None)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(BrowserNotFound) as caught:
        browser.resolve_browser()
    assert "apt-get install -y chromium" in str(caught.value) and "playwright install chromium" in str(caught.value)


def test_cli_without_a_browser_exits_2_with_the_message(tmp_path: Path) -> None:
    root = Path(__file__).parent / "fixtures" / "spec"
    done = cli("run", root, "--app", root / "app.yaml",
               env={"PATH": "/nonexistent", "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path), browser.ENV_VAR: None})
    assert done.returncode == 2
    assert "No Chromium found" in done.stderr and "Traceback" not in done.stderr


def test_a_headless_run_takes_the_headless_shell_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("chromium", "chromium-headless-shell"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.delenv(browser.ENV_VAR, raising=False)
    monkeypatch.setattr(browser, "playwright_bundled_path", lambda pw=None: None)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert browser.resolve_browser() == browser.BrowserChoice(str(tmp_path / "chromium-headless-shell"), "system")
    assert browser.resolve_browser(headless=False) == browser.BrowserChoice(str(tmp_path / "chromium"), "system")
    (tmp_path / "chromium-headless-shell").unlink()
    assert browser.resolve_browser() == browser.BrowserChoice(str(tmp_path / "chromium"), "system")


def test_the_check_before_a_run_starts_no_playwright_driver_when_a_chromium_is_on_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(browser.ENV_VAR, raising=False)

    def no_driver(pw: object = None) -> str | None:
        raise AssertionError("Playwright's driver was started")

    monkeypatch.setattr(browser, "playwright_bundled_path", no_driver)
    monkeypatch.setattr(browser, "system_chromium", lambda headless=False: "/usr/bin/chromium")
    browser.check_browser()  # a Chromium on PATH: there is one to launch; the worker picks which
    with pytest.raises(BrowserNotFound, match="--browser-path points at '/nope/chrome'"):
        browser.check_browser("/nope/chrome")
    monkeypatch.setattr(browser, "system_chromium", lambda headless=False: None)
    monkeypatch.setattr(browser, "playwright_bundled_path", lambda pw=None: None)
    with pytest.raises(BrowserNotFound, match="No Chromium found"):
        browser.check_browser()
