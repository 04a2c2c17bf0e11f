"""The real tour libraries (Shepherd.js, Intro.js, Driver.js) in a Playwright page, for tests.

The libraries are installed from npm at pinned versions into a cache folder outside the project
(``~/.cache/adoption-harness/tour-libs/<versions-hash>``, reused when present). Shepherd.js and
Intro.js are AGPL-licensed: they are never copied into this repository, only installed for tests.

:func:`highlighted` runs a tour file in the page the way an app bundles it: the file's own
``import Shepherd from 'shepherd.js'`` (or ``intro.js`` / ``driver.js``, CSS imports included) is
resolved by an import map to the installed dist files, served on the page's origin under
``/__tour_libs__/``. It then walks the tour step by step and asks the library itself which element
each step is attached to:

* Shepherd.js: ``Shepherd.activeTour.getCurrentStep().getTarget()`` (null when the selector found
  nothing; the step element then has the class ``shepherd-centered``).
* Intro.js: ``tour.getStep(tour.getCurrentStep()).element``; a step whose element is missing gets the
  tour's floating helper ``div.introjsFloatingElement`` instead.
* Driver.js: ``driverObj.getActiveElement()``; a missing element is replaced by the centred
  ``#driver-dummy-element``.

Intro.js and Driver.js keep no global handle on a running tour, so their module is served through a
thin re-export that records each tour the file creates (the real library does all the work).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Page, Route

PREFIX = "/__tour_libs__/"


@dataclass(frozen=True, slots=True)
class TourLib:
    """One tour library as installed from npm.

    Attributes:
        package: The npm package name (also the name tour files import).
        version: The exact version installed.
        module: The ES module entry, relative to the package folder.
        fallback: What the library shows for a step whose element is missing.
    """

    package: str
    version: str
    module: str
    fallback: str


LIBS: dict[str, TourLib] = {
    "shepherd": TourLib("shepherd.js", "15.3.0", "dist/js/shepherd.mjs", "step element .shepherd-centered"),
    "introjs": TourLib("intro.js", "8.6.0", "intro.module.js", "div.introjsFloatingElement"),
    "driverjs": TourLib("driver.js", "1.8.0", "dist/driver.js.mjs", "#driver-dummy-element"),
}


def cache_root() -> Path:
    """Where installs are cached: ``$HARNESS_TOUR_LIBS_CACHE`` or ``$XDG_CACHE_HOME``/``~/.cache``."""
    explicit = os.environ.get("HARNESS_TOUR_LIBS_CACHE")
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "adoption-harness" / "tour-libs"


def _installed(folder: Path) -> bool:
    for lib in LIBS.values():
        manifest = folder / "node_modules" / lib.package / "package.json"
        if not manifest.is_file() or json.loads(manifest.read_text())["version"] != lib.version:
            return False
    return True


def install() -> Path:
    """Install the pinned libraries (once) and return the folder holding their ``node_modules``.

    Raises:
        RuntimeError: When npm is missing or the install fails (with npm's output).
    """
    specs = sorted(f"{lib.package}@{lib.version}" for lib in LIBS.values())
    folder = cache_root() / hashlib.sha256(" ".join(specs).encode()).hexdigest()[:16]
    if _installed(folder):
        return folder
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install the tour libraries for these tests (Node.js 18+)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix",
                           str(staging), *specs], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not _installed(staging):
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"npm install {' '.join(specs)} failed:\n{done.stdout}\n{done.stderr}")
    try:
        staging.rename(folder)
    except OSError:  # another worker installed it first
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _origin(page: Page) -> str:
    parts = urlsplit(page.url)
    return f"{parts.scheme}://{parts.netloc}"


def _module_url(lib: TourLib) -> str:
    return f"{PREFIX}npm/{lib.package}/{lib.module}"


_SHIMS = {
    "introjs": """import introJs from "{real}";
const seen = (window.__tourLibs ??= {{ tours: [] }}).tours;
const recorded = (tour) => {{ seen.push(tour); return tour; }};
function wrapped(target) {{ return recorded(introJs(target)); }}
Object.assign(wrapped, introJs);
wrapped.tour = (target) => recorded(introJs.tour(target));
export default wrapped;
""",
    "driverjs": """import {{ driver as realDriver }} from "{real}";
const seen = (window.__tourLibs ??= {{ tours: [] }}).tours;
export function driver(config) {{ const tour = realDriver(config); seen.push(tour); return tour; }}
""",
}


def _import_map() -> dict[str, dict[str, str]]:
    imports = {}
    for name, lib in LIBS.items():
        imports[lib.package] = f"{PREFIX}shim/{name}.js" if name in _SHIMS else _module_url(lib)
        imports[f"{lib.package}/"] = f"{PREFIX}sub/{lib.package}/"
    return {"imports": imports}


def _serve(route: Route, libs_dir: Path, tour_file: Path) -> None:
    path = unquote(urlsplit(route.request.url).path)[len(PREFIX):]
    kind, _, rest = path.partition("/")
    modules = (libs_dir / "node_modules").resolve()
    js = "text/javascript; charset=utf-8"
    if kind == "npm":
        file = (modules / rest).resolve()
        if file.is_file() and file.is_relative_to(modules):
            css = file.suffix == ".css"
            route.fulfill(path=file, content_type="text/css" if css else js)
            return
    elif kind == "shim" and rest.removesuffix(".js") in _SHIMS:
        name = rest.removesuffix(".js")
        route.fulfill(body=_SHIMS[name].format(real=_module_url(LIBS[name])), content_type=js)
        return
    elif kind == "sub" and rest.endswith(".css"):  # `import "pkg/x.css"` injects the stylesheet, as bundlers do
        href = json.dumps(f"{PREFIX}npm/{rest}")
        body = (f"const link = document.createElement('link'); link.rel = 'stylesheet'; link.href = {href};"
                " document.head.append(link);")
        route.fulfill(body=body, content_type=js)
        return
    elif kind == "tour" and rest == tour_file.name:
        route.fulfill(path=tour_file, content_type=js)
        return
    route.fulfill(status=404, body="not found")


#: Describes an element the same way whoever asks (a library step, or a guide's selector).
DESCRIBE_JS = """el => {
  if (!el || !(el instanceof Element)) return null;
  const path = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    let index = 1;
    for (let sib = node.previousElementSibling; sib; sib = sib.previousElementSibling)
      if (sib.tagName === node.tagName) index++;
    path.unshift(`${node.tagName.toLowerCase()}:nth-of-type(${index})`);
  }
  const open = el.outerHTML.slice(0, el.outerHTML.indexOf('>') + 1);
  return {tag: el.tagName.toLowerCase(), id: el.id || null, path: path.join(' > '), html: open,
          connected: el.isConnected};
}"""

_PROBE_JS = {
    "shepherd": """() => {
  const tour = window.__tourLibs.Shepherd.activeTour;
  const step = tour && tour.getCurrentStep();
  if (!step || !step.isOpen()) return null;
  const target = step.getTarget();
  const centered = !!step.getElement() && step.getElement().classList.contains('shepherd-centered');
  return {index: tour.steps.indexOf(step), count: tour.steps.length, id: step.id,
          element: target || null, attached: !!target && !centered,
          fallback: centered ? 'shepherd-centered' : null};
}""",
    "introjs": """() => {
  const tour = window.__tourLibs.tours.filter(t => t.hasStarted()).at(-1);
  if (!tour) return null;
  const index = tour.getCurrentStep();
  const step = tour.getStep(index);
  if (!step || !step.element) return null;
  const floating = step.element === tour._floatingElement
    || step.element.classList.contains('introjsFloatingElement');
  return {index, count: tour.getSteps().length, id: null, element: step.element, attached: !floating,
          fallback: floating ? 'introjsFloatingElement' : null};
}""",
    "driverjs": """() => {
  const tour = window.__tourLibs.tours.filter(t => t.isActive()).at(-1);
  if (!tour) return null;
  const el = tour.getActiveElement();
  if (!el) return null;
  const dummy = el.id === 'driver-dummy-element';
  return {index: tour.getActiveIndex(), count: tour.getConfig('steps').length, id: null, element: el,
          attached: !dummy, fallback: dummy ? 'driver-dummy-element' : null};
}""",
}

_ADVANCE_JS = {
    "shepherd": "() => window.__tourLibs.Shepherd.activeTour.next()",
    "introjs": "async () => { await window.__tourLibs.tours.filter(t => t.hasStarted()).at(-1).nextStep(); }",
    "driverjs": "() => window.__tourLibs.tours.filter(t => t.isActive()).at(-1).moveNext()",
}

_END_JS = {
    "shepherd": "() => window.__tourLibs.Shepherd.activeTour && window.__tourLibs.Shepherd.activeTour.complete()",
    "introjs": "async () => { for (const t of window.__tourLibs.tours) await t.exit(true); }",
    "driverjs": "() => { for (const t of window.__tourLibs.tours) t.destroy(); }",
}


def _probe(page: Page, library: str, index: int, timeout_ms: float) -> dict[str, Any]:
    """Wait until the library shows step ``index``, then return what it says about that step."""
    probe = _PROBE_JS[library]
    page.wait_for_function(f"(i) => {{ const s = ({probe})(); return !!s && s.index === i; }}", arg=index,
                           timeout=timeout_ms)
    handle = page.evaluate_handle(probe)
    try:
        state = handle.evaluate("s => ({...s, element: null})")
        state["element"] = handle.evaluate(f"s => ({DESCRIBE_JS})(s.element)")
    finally:
        handle.dispose()
    return state


def highlighted(page: Page, library: str, tour_file: Path, *, timeout_ms: float = 10_000) -> list[dict[str, Any]]:
    """Run ``tour_file`` with the real ``library`` in ``page`` (already on the app page) and report each step.

    Args:
        page: A page showing the page the tour is written for.
        library: ``shepherd``, ``introjs`` or ``driverjs``.
        tour_file: An ES module that imports the library by its npm name and starts a tour.
        timeout_ms: How long to wait for each step to show.

    Returns:
        One dict per step, in tour order: ``index``, ``id`` (Shepherd's step id, else None),
        ``attached`` (the library attached the step to a real page element, not to its centred /
        floating / dummy fallback), ``fallback`` (the library's name for that fallback, or None) and
        ``element`` (:data:`DESCRIBE_JS` of what the library highlights: ``tag``, ``id``, ``path``,
        ``html``; for a missing target that is the fallback element, or None for Shepherd).
    """
    if library not in LIBS:
        raise ValueError(f"unknown tour library {library!r}")
    libs_dir = install()
    origin = _origin(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route(f"{origin}{PREFIX}**", lambda route: _serve(route, libs_dir, tour_file))
    page.evaluate("() => { window.__tourLibs ??= {tours: []}; }")
    page.add_script_tag(content=json.dumps(_import_map()), type="importmap")
    if library == "shepherd":
        page.evaluate("async (url) => { window.__tourLibs.Shepherd = (await import(url)).default; }",
                      _module_url(LIBS["shepherd"]))
    page.add_script_tag(url=f"{origin}{PREFIX}tour/{tour_file.name}", type="module")
    steps: list[dict[str, Any]] = []
    try:
        first = _probe(page, library, 0, timeout_ms)
        steps.append(first)
        for index in range(1, first["count"]):
            page.evaluate(_ADVANCE_JS[library])
            steps.append(_probe(page, library, index, timeout_ms))
    except Exception as exc:
        raise AssertionError(f"{library} tour {tour_file.name} did not run: {exc}; page errors: {errors}") from exc
    finally:
        page.evaluate(_END_JS[library])
    if errors:
        raise AssertionError(f"{library} tour {tour_file.name} raised in the page: {errors}")
    return steps


def describe(page: Page, selector: str) -> dict[str, Any] | None:
    """:data:`DESCRIBE_JS` of the first element ``document.querySelector(selector)`` returns (None: no match)."""
    return page.evaluate(f"(s) => ({DESCRIBE_JS})(document.querySelector(s))", selector)
