"""``harness guides {import,baseline,check}``: options in, stages called, results out."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from harness.cli.common import ConnectOpt, GridOpt, err, fail, out
from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.contracts.guides import GuidesFile
    from harness.guides.fixes import FixesPatch

guides_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                         help="In-app guides: import tours, record baselines, check them after an app update.")

AppOpt = Annotated[str, typer.Option("--app", help="app profile: name under journeys/ or path to app.yaml")]
BaseUrlOpt = Annotated[str | None, typer.Option("--base-url", help="URL of the app (default: the profile's)")]
GuidesOpt = Annotated[Path | None, typer.Option("--guides", help="guides folder (default: guides/ beside app.yaml)")]
OnlyOpt = Annotated[list[str] | None, typer.Option("--guide", help="check only this guide id (repeatable)")]
BrowserOpt = Annotated[str | None, typer.Option("--browser-path", help="Chromium executable to use",
                                                envvar="HARNESS_BROWSER_PATH")]
HeadedOpt = Annotated[bool, typer.Option("--headed", help="show the browser")]
TimeoutOpt = Annotated[float, typer.Option("--timeout", help="ms to wait for a page to load")]
VersionOpt = Annotated[str | None, typer.Option("--app-version", help="label of the app version under test")]
LIBRARIES = ("shepherd", "introjs", "driverjs")


def _live() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


def _load(app_name: str, guides: Path | None, only: list[str] | None) -> tuple[Any, Path, list[Any]]:
    from harness.spec.guides import guides_dir, load_guides
    from harness.spec.profile import load_profile

    profile = load_profile(app_name)
    folder = guides or guides_dir(profile)
    return profile, folder, load_guides(folder, profile, only or None)


def _progress(json_out: bool) -> Any:
    """A per-step progress line on stderr (plain in CI, so logs stay readable)."""
    live = _live()

    def show(guide: str, step: str, status: str) -> None:
        mark = "ok" if status in ("ok", "recorded") else status.upper()
        line = f"  {mark:<13} {guide} › {step}"
        if live:
            colour = "green" if status in ("ok", "recorded") else "yellow" if status == "drifted" else "red"
            err.print(f"[{colour}]{escape(line)}[/]", markup=True, soft_wrap=True)
        else:
            err.print(line, markup=False, soft_wrap=True)

    return show


@guides_app.command("import")
def import_tour(
    library: Annotated[str, typer.Argument(help="shepherd | introjs | driverjs")],
    file: Annotated[Path, typer.Argument(help="the tour: a .js/.json definition (or an .html page for introjs)")],
    guide_id: Annotated[str | None, typer.Option("--id", help="guide id (default: from the file name)")] = None,
    title: Annotated[str | None, typer.Option("--title", help="guide title")] = None,
    page: Annotated[str | None, typer.Option("--page", help="page the tour runs on (path or pages: name)")] = None,
    user: Annotated[str | None, typer.Option("--user", help="app.yaml user to log in as before the tour's pages "
                                             "(for a tour behind a login)")] = None,
    app_name: Annotated[str | None, typer.Option("--app", help="app profile to check --user and --page against "
                                                 "(default: the app.yaml above the --out guides folder)")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="write the guide YAML here (default: stdout)")] = None,
) -> None:
    """Turn a Shepherd.js, Intro.js or Driver.js tour into a guide YAML file.

    A tour behind a login needs --user (an app.yaml user): the check logs in as that user first.

    Example: harness guides import shepherd tours/expenses.js --page /expenses --user employee --out g.yaml
    """
    from harness.spec.guides import load_guide
    from harness.spec.tours import check_against_profile, guide_yaml
    from harness.spec.tours import import_tour as do_import

    if library not in LIBRARIES:
        raise fail(HarnessError(f"unknown tour library {library!r} (use {', '.join(LIBRARIES)})"))
    try:
        profile = _import_profile(app_name, out_file, needed=user is not None)
        if profile is not None:
            check_against_profile(profile, user=user, page=page)
        data = do_import(library, file, guide_id=guide_id, title=title, page=page, user=user)
        text = guide_yaml(data)
        if out_file is None:
            sys.stdout.write(text)
            return
        out_file.parent.mkdir(parents=True, exist_ok=True)
        out_file.write_text(text, encoding="utf-8")
        guide = load_guide(out_file, profile)
    except HarnessError as exc:
        raise fail(exc) from None
    out.print(f"Wrote {out_file}: guide {guide.id!r}, {len(guide.steps)} steps", markup=False, soft_wrap=True)


def _import_profile(app_name: str | None, out_file: Path | None, needed: bool) -> Any:
    """The app profile an import is checked against: --app, else the app.yaml above the --out guides folder."""
    from harness.spec.profile import load_profile

    if app_name:
        return load_profile(app_name)
    beside = out_file.resolve().parent.parent / "app.yaml" if out_file is not None else None
    if beside is not None and beside.is_file():
        try:
            return load_profile(str(beside))
        except HarnessError:
            if needed:
                raise
            return None  # only a check of --page: the guide check reports a broken profile
    if needed:
        raise HarnessError("--user needs the app profile its users are in: give --app (a name under journeys/ or "
                           "a path to app.yaml), or an --out inside journeys/<app>/guides/")
    return None


@guides_app.command("baseline")
def baseline(
    app_name: AppOpt,
    base_url: BaseUrlOpt = None,
    guides: GuidesOpt = None,
    only: OnlyOpt = None,
    app_version: VersionOpt = None,
    browser_path: BrowserOpt = None,
    headed: HeadedOpt = False,
    timeout: TimeoutOpt = 15_000,
) -> None:
    """Record, on a version known to be good, every guide step's element fingerprint and screenshot.

    The baseline is written beside the guides (guides/baseline/), to be reviewed and committed.
    Steps that are not ok on this version are not recorded (the others are): they are listed, exit 1.

    Example: harness guides baseline --app demo --base-url http://127.0.0.1:8765
    """
    from harness.collect.guide_check import GuideRun, record_baselines
    from harness.collect.runner import check_reachable
    from harness.spec.guide_baseline import baseline_path

    try:
        profile, folder, loaded = _load(app_name, guides, only)
        run = GuideRun(profile=profile, guides=loaded, guides_folder=folder, base_url=base_url or profile.base_url
                       or "", browser_path=browser_path, headed=headed, timeout_ms=timeout,
                       on_step=_progress(False))
        if not run.base_url:
            raise HarnessError("no --base-url and no base_url in the app profile", profile.source)
        check_reachable(run.base_url)
        recorded = record_baselines(run, app_version or profile.version_label)
    except HarnessError as exc:
        raise fail(exc) from None
    for warning in recorded.warnings:
        err.print(f"warning: {warning}", markup=False, soft_wrap=True)
    if recorded.not_recorded:
        err.print(f"baseline recorded for {recorded.recorded} of {recorded.steps} steps; these steps were not "
                  "recorded (they are not ok on this version):\n  " + "\n  ".join(recorded.not_recorded),
                  markup=False, soft_wrap=True)
    else:
        out.print(f"Baseline recorded: {len(recorded.baselines)} guides, {recorded.recorded} steps", markup=False)
    for guide_id in recorded.baselines:
        out.print(f"  {baseline_path(folder, guide_id)}", markup=False, soft_wrap=True)
    if recorded.not_recorded:
        raise typer.Exit(1)


@guides_app.command("check")
def check(
    app_name: AppOpt,
    base_url: BaseUrlOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="output folder (default reports/guides-<time>)")] = None,
    guides: GuidesOpt = None,
    only: OnlyOpt = None,
    json_out: Annotated[bool, typer.Option("--json", help="print guides.json on stdout")] = False,
    write_fixes: Annotated[bool, typer.Option("--write-fixes", help="write accepted repairs as a patch "
                                              "(guide-fixes.patch) for review; no file is changed")] = False,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="statuses that fail the check: comma list, "
                                                "'default' (every status but ok), 'all', 'never'; "
                                                "'-drifted' takes one out: default,-drifted")] = None,
    min_score: Annotated[float | None, typer.Option("--min-score", min=0, max=1, help="propose no repair below "
                                                    "this similarity")] = None,
    features: Annotated[Path | None, typer.Option("--features", help="features folder of the journeys that reach "
                                                  "'after:' steps (default features/<app>)")] = None,
    app_version: VersionOpt = None,
    allure_dir: Annotated[Path | None, typer.Option("--allure-dir", help="also write Allure results (one per "
                                                    "guide) into this folder")] = None,
    browser_path: BrowserOpt = None,
    grid: GridOpt = None,
    connect: ConnectOpt = None,
    headed: HeadedOpt = False,
    timeout: TimeoutOpt = 15_000,
) -> None:
    """Check that every guide step still attaches to the right element; explain and repair what broke.

    Exit 0 when no step fails the policy, 1 when a guide is broken, 2 on bad input.

    Example: harness guides check --app demo --base-url http://127.0.0.1:8765 --out reports/guides --write-fixes
    """
    from harness.guides.results import parse_fail_on

    try:
        policy = parse_fail_on(fail_on)
        profile, folder, loaded = _load(app_name, guides, only)
        remote = browser_endpoints(grid, connect, Path.cwd())
        data = _check(profile, folder, loaded, base_url, out_dir, policy, min_score, app_version, browser_path,
                      headed, timeout, write_fixes, json_out, features or Path("features") / profile.name,
                      allure_dir, remote)
    except HarnessError as exc:
        raise fail(exc) from None
    raise typer.Exit(1 if data.status == "failed" else 0)


def _check(profile: Any, folder: Path, loaded: list[Any], base_url: str | None, out_dir: Path | None,
           policy: tuple[str, ...], min_score: float | None, app_version: str | None, browser_path: str | None,
           headed: bool, timeout: float, write_fixes: bool, json_out: bool, features: Path,
           allure_dir: Path | None = None, remote: tuple[str | None, str | None] = (None, None)) -> GuidesFile:
    from harness.pipeline import check_guides
    from harness.spec.guide_baseline import load_baselines

    baselines = load_baselines(folder, loaded)
    missing = [g.id for g in loaded if g.id not in baselines]
    if missing:
        err.print(f"note: no baseline for {', '.join(missing)}: statuses are checked, but drift and repair "
                  "suggestions need `harness guides baseline`", markup=False, soft_wrap=True)
    for guide in loaded:
        baseline = baselines.get(guide.id)
        unrecorded = [s.id for s in guide.steps if baseline is not None and s.target and s.after is None
                      and s.id not in baseline.steps]
        if unrecorded:
            err.print(f"note: no baseline for step(s) {', '.join(unrecorded)} of {guide.id} (not recorded by the "
                      "last `harness guides baseline`): no drift check and no repair for them",
                      markup=False, soft_wrap=True)
    stamp = datetime.now(UTC)
    folder_out = out_dir or Path("reports") / f"guides-{stamp:%Y%m%d-%H%M%S}"
    data, written, patch = check_guides(
        profile, folder, loaded, baselines, base_url=base_url, out_dir=folder_out, policy=policy,
        min_score=min_score, app_version=app_version, browser_path=browser_path, headed=headed, timeout_ms=timeout,
        write_fixes=write_fixes, features=features, on_step=_progress(json_out), allure_dir=allure_dir,
        grid=remote[0], connect=remote[1])
    if json_out:
        sys.stdout.write(written.read_text(encoding="utf-8"))
    else:
        _summary(data, folder_out, patch, allure_dir)
    if patch is not None and patch.skipped and json_out:
        _not_patched(patch, err)
    return data


def browser_endpoints(grid: str | None, connect: str | None, root: Path) -> tuple[str | None, str | None]:
    """``--grid``/``--connect``, else ``HARNESS_GRID``/``HARNESS_CONNECT``, else ``[tool.harness]`` of ``root``.

    Raises:
        SpecError: A URL of the wrong scheme, or a bad ``[tool.harness]``.
    """
    from harness.spec.remote import browser_endpoints as resolve

    return resolve(grid, connect, os.environ, root)


def _not_patched(patch: FixesPatch, console: Any) -> None:
    """The accepted repairs the patch leaves out (a value it cannot rewrite safely), one line each."""
    console.print(f"Not in the patch ({len(patch.skipped)}): repair these by hand", markup=False)
    for s in patch.skipped:
        where = f" ({s.where})" if s.where else ""
        console.print(f"  {s.guide} › {s.step}{where}: {s.reason}", markup=False, soft_wrap=True)


def _no_repairs(data: GuidesFile) -> str:
    """Why the patch is empty: no repair scored high enough, or why none was looked for."""
    from harness.guides.results import no_suggestion_reason

    steps = [s for g in data.guides for s in g.steps if s.status != "ok"]
    if not steps:
        return "Repairs: none needed (every step is ok)"
    if any(s.evidence.repair_ms is not None for s in steps):
        return "Repairs: none scored high enough to propose"
    reasons = sorted({r for s in steps if (r := no_suggestion_reason(s))})
    return "Repairs: " + ("; ".join(reasons) if reasons else "none proposed")


def _summary(data: GuidesFile, folder: Path, patch: FixesPatch | None, allure_dir: Path | None = None) -> None:
    from harness.guides.fixes import FIXES_PATCH
    from harness.guides.results import no_suggestion_reason

    totals = data.totals
    table = Table(title=f"Guides of {data.app} at {data.base_url}")
    for column in ("guide", "step", "status", "why", "suggested selector"):
        table.add_column(column, overflow="fold")
    # a page that failed for many steps (a login that failed, a redirect to the login page) is one row
    same_error: dict[str, list[tuple[str, str]]] = {}
    for guide in data.guides:
        for step in guide.steps:
            if step.status == "page_error":
                same_error.setdefault(step.message or "", []).append((guide.id, step.id))
    for guide in data.guides:
        for step in guide.steps:
            if step.status == "ok":
                continue
            s = step.suggestion
            if step.status == "page_error":
                shared = same_error.pop(step.message or "", None)
                if shared is None:
                    continue  # said on its first step's row
                if len(shared) > 1:
                    guides = ", ".join(dict.fromkeys(g for g, _ in shared))
                    table.add_row(escape(guides), f"{len(shared)} steps", step.status, escape(step.message or ""),
                                  "—")
                    continue
            table.add_row(escape(guide.id), escape(step.id), step.status, escape(step.message or ""),
                          escape(f"{s.target}  ({s.score or 0:.2f})") if s else
                          escape(f"— ({no_suggestion_reason(step)})"))
    if table.row_count:
        out.print(table)
    for guide in data.guides:
        for step in guide.steps:
            if step.warning:
                out.print(f"warning: {guide.id} › {step.id} ({step.status}): {step.warning}", markup=False,
                          soft_wrap=True)
    counts = ", ".join(f"{totals[s]} {s}" for s in totals if s not in ("guides", "steps") and
                       not s.startswith("guides_"))
    verdict = "FAILED" if data.status == "failed" else "passed"
    out.print(f"Guides {verdict}: {totals['guides']} guides, {totals['steps']} steps ({counts}) in "
              f"{(data.duration_ms or 0) / 1000:.1f} s", markup=False, soft_wrap=True)
    out.print(f"Results: {folder / 'guides.json'}", markup=False, soft_wrap=True)
    if (folder / "report.html").is_file():
        out.print(f"Report:  {folder / 'report.html'}", markup=False, soft_wrap=True)
    if allure_dir is not None and allure_dir.is_dir():
        out.print(f"Allure results: {allure_dir.resolve()}", markup=False, soft_wrap=True)
    if patch is not None:
        path = folder / FIXES_PATCH
        if patch.text:
            out.print(f"Repairs: {path} (review, then: git apply {path})", markup=False, soft_wrap=True)
        elif not patch.skipped:
            out.print(_no_repairs(data), markup=False, soft_wrap=True)
        if patch.skipped:
            _not_patched(patch, out)


def demo_guides(base_url: str, run_dir: Path, app_version: str, browser_path: str | None, grid: str | None = None,
                connect: str | None = None) -> int:
    """Check the demo guides into a demo run's folder (its report gains the guide-health section).

    Returns:
        The check's exit code (0 intact, 1 broken, 2 a problem).
    """
    from harness.guides.results import parse_fail_on

    try:
        profile, folder, loaded = _load("demo", None, None)
        data = _check(profile, folder, loaded, base_url, run_dir, parse_fail_on(None), None, app_version,
                      browser_path, False, 15_000, False, False, Path("features") / "demo", None, (grid, connect))
    except HarnessError as exc:
        fail(exc)
        return 2
    return 1 if data.status == "failed" else 0
