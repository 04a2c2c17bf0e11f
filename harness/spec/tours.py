"""Import product tours written for Shepherd.js, Intro.js or Driver.js as guide definitions.

The tour file is parsed (JavaScript with a real parser, JSON, or for Intro.js an HTML page with
``data-intro`` attributes), never run. What each library's docs write is recognised:

* ``shepherd``: ``tour.addStep({id, title, text, attachTo: {element, on}})``, ``tour.addSteps([...])``,
  ``new Shepherd.Tour({steps: [...]})``, or a JSON array of steps / ``{"steps": [...]}``.
* ``introjs``: ``introJs().setOptions({steps: [{element, title, intro}]})`` (also ``introJs.tour()``,
  ``setOption('steps', [...])``, ``addStep``/``addSteps``), JSON, or an HTML page whose elements carry
  ``data-intro``/``data-step``/``data-title``.
* ``driverjs``: ``driver({steps: [{element, popover: {title, description}}]})``, ``driverObj.setSteps([...])``,
  ``setConfig({steps})``, ``highlight({...})`` (when there are no steps), or JSON.

A step's element may be a selector string or ``document.querySelector('sel')`` /
``document.getElementById('id')``; a step without an element is a floating (centred) step. Bubble
text is HTML in all three libraries; guides keep it as plain text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from harness.errors import SpecError
from harness.spec.htmlsteps import data_intro_steps, inline_scripts, plain_text
from harness.spec.jsvalues import Call, Dynamic, Evaluator, JsArray, JsObject, Query, calls, parse_js
from harness.spec.profile import AppProfile

LIBRARIES = ("shepherd", "introjs", "driverjs")
_ALIASES = {"shepherd.js": "shepherd", "intro.js": "introjs", "intro": "introjs", "driver.js": "driverjs",
            "driver": "driverjs"}


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", text.lower()).strip("-._")
    return re.sub(r"-{2,}", "-", slug) or "tour"


class _Steps:
    """The library step objects found in a file, each with its line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.raw: list[tuple[Any, int | None]] = []

    def add_list(self, value: Any, line: int | None) -> None:
        if isinstance(value, Dynamic):
            raise SpecError(f"the steps are {value.what}, not an array literal the importer can read",
                            self.path, value.line)
        if not isinstance(value, list):
            raise SpecError("steps must be an array of step objects", self.path, line)
        for item in value:
            self.add(item, getattr(value, "line", line))

    def add(self, value: Any, line: int | None) -> None:
        if isinstance(value, Dynamic):
            raise SpecError(f"a step is {value.what}, not an object literal the importer can read",
                            self.path, value.line)
        if not isinstance(value, dict):
            raise SpecError("a step must be an object ({element: ..., ...})", self.path, line)
        self.raw.append((value, getattr(value, "line", line)))


def _selector(value: Any, field: str, number: int, path: Path, line: int | None) -> str | None:
    """The CSS selector a step's element value stands for (None: a floating step)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Query):
        return value.selector
    kinds = {bool: "a boolean", int: "a number", float: "a number", JsObject: "an object literal", JsArray: "an array"}
    what = value.what if isinstance(value, Dynamic) else kinds.get(type(value), "not a string")
    raise SpecError(
        f"step {number}: {field} is {what}, which the importer cannot turn into a CSS selector; "
        "write a selector string or document.querySelector('...') there", path,
        value.line if isinstance(value, Dynamic) else line)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [plain_text(v) for v in value if isinstance(v, str)]
        return "\n".join(p for p in parts if p) or None
    if isinstance(value, str):
        return plain_text(value) or None
    return None


def _key_line(obj: Any, key: str, default: int | None) -> int | None:
    return obj.key_lines.get(key, default) if isinstance(obj, JsObject) else default


def _step(library: str, obj: dict[str, Any], number: int, path: Path, line: int | None) -> dict[str, Any]:
    """One guide step from a library's step object."""
    own_id: Any = None
    if library == "shepherd":
        attach = obj.get("attachTo")
        if isinstance(attach, Dynamic):
            raise SpecError(f"step {number}: attachTo is {attach.what}; write {{element: '...', on: '...'}}",
                            path, attach.line)
        element = attach.get("element") if isinstance(attach, dict) else None
        field = "attachTo.element"
        element_line = _key_line(attach, "element", _key_line(obj, "attachTo", line))
        title, body, own_id = obj.get("title"), obj.get("text"), obj.get("id")
    elif library == "introjs":
        element, field, element_line = obj.get("element"), "element", _key_line(obj, "element", line)
        title, body = obj.get("title"), obj.get("intro")
    else:
        element, field, element_line = obj.get("element"), "element", _key_line(obj, "element", line)
        popover = obj.get("popover")
        popover = popover if isinstance(popover, dict) else {}
        title, body = popover.get("title"), popover.get("description")
    step: dict[str, Any] = {"id": str(own_id) if isinstance(own_id, str | int) and str(own_id) else None}
    target = _selector(element, field, number, path, element_line)
    if target is not None:
        step["target"] = target
    for key, value in (("title", _text(title)), ("body", _text(body))):
        if value:
            step[key] = value
    return step


def _from_js_calls(library: str, root: Any, steps: _Steps) -> None:
    """Collect the step literals of one parsed JavaScript file."""
    ev = Evaluator(root)
    highlights: list[tuple[Any, int]] = []
    handler = _HANDLERS[library]
    for call in calls(root):
        if call.name not in _CALLS[library]:
            continue
        args = [ev.value(a) for a in call.args]
        if library == "driverjs" and call.name == "highlight" and not call.is_new and args:
            highlights.append((args[0], call.line))
            continue
        handler(call, args, steps)
    if library == "driverjs" and not steps.raw:
        for value, line in highlights:
            steps.add(value, line)


def _options_steps(options: Any, steps: _Steps) -> None:
    if isinstance(options, dict) and "steps" in options:
        steps.add_list(options["steps"], _key_line(options, "steps", getattr(options, "line", None)))


def _shepherd(call: Call, args: list[Any], steps: _Steps) -> None:
    if call.name == "addStep" and args:
        if isinstance(args[0], str) and len(args) > 1 and isinstance(args[1], JsObject):  # addStep(id, options)
            steps.add(_with_id(args[0], args[1]), call.line)
        else:
            steps.add(args[0], call.line)
    elif call.name == "addSteps" and args:
        steps.add_list(args[0], call.line)
    elif call.is_new and call.name == "Tour" and args:
        _options_steps(args[0], steps)


def _with_id(step_id: str, options: JsObject) -> JsObject:
    merged = JsObject(options.line)
    merged.update(options)
    merged.key_lines.update(options.key_lines)
    merged["id"] = step_id
    return merged


def _introjs(call: Call, args: list[Any], steps: _Steps) -> None:
    if call.name == "setOptions" and args:
        _options_steps(args[0], steps)
    elif call.name == "setOption" and len(args) > 1 and args[0] == "steps":
        steps.add_list(args[1], call.line)
    elif call.name == "addStep" and args:
        steps.add(args[0], call.line)
    elif call.name in {"addSteps", "setSteps"} and args:
        steps.add_list(args[0], call.line)
    elif call.name in {"introJs", "tour"} and len(args) > 1:  # introJs.tour(target, {steps})
        _options_steps(args[1], steps)


def _driverjs(call: Call, args: list[Any], steps: _Steps) -> None:
    if call.name in {"driver", "setConfig"} and not call.is_new and args:
        _options_steps(args[0], steps)
    elif call.name == "setSteps" and args:
        steps.add_list(args[0], call.line)


_CALLS = {
    "shepherd": {"addStep", "addSteps", "Tour"},
    "introjs": {"setOptions", "setOption", "addStep", "addSteps", "setSteps", "introJs", "tour"},
    "driverjs": {"driver", "setConfig", "setSteps", "highlight"},
}
_HANDLERS: dict[str, Callable[[Call, list[Any], _Steps], None]] = {
    "shepherd": _shepherd, "introjs": _introjs, "driverjs": _driverjs,
}


def _from_json(text: str, steps: _Steps) -> None:
    """JSON is a JavaScript expression: parse it the same way, keeping lines."""
    root = parse_js(f"({text})", steps.path)
    statement = root.named_children[0] if root.named_children else None
    value = Evaluator(root).value(statement.named_children[0]) if statement and statement.named_children else None
    if isinstance(value, dict) and "steps" in value:
        steps.add_list(value["steps"], _key_line(value, "steps", None))
    elif isinstance(value, list):
        steps.add_list(value, getattr(value, "line", 1))
    else:
        raise SpecError('a JSON tour must be an array of steps or an object with "steps"', steps.path, 1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError("tour file not found", path) from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason})", path) from None


def _collect(library: str, path: Path) -> list[dict[str, Any]]:
    text = _read(path)
    steps = _Steps(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        _from_json(text, steps)
    elif suffix in {".html", ".htm"}:
        attributed = data_intro_steps(text) if library == "introjs" else []
        if attributed:
            return [{"id": None, "target": s.target, "title": s.title, "body": s.intro or None} for s in attributed]
        for source, first_line in inline_scripts(text):
            _from_js_calls(library, parse_js(source, path, first_line=first_line), steps)
    else:
        _from_js_calls(library, parse_js(text, path), steps)
    if not steps.raw:
        raise SpecError(f"no {library} tour steps found (see `harness guides import --help` for what is read)",
                        path)
    return [_step(library, obj, number, path, line) for number, (obj, line) in enumerate(steps.raw, start=1)]


def _unique_ids(steps: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    for number, step in enumerate(steps, start=1):
        base = step["id"] or f"step-{number}"
        candidate, n = base, 2
        while candidate in seen:
            candidate, n = f"{base}-{n}", n + 1
        seen.add(candidate)
        step["id"] = candidate


def check_against_profile(profile: AppProfile, *, user: str | None = None, page: str | None = None) -> None:
    """Refuse a ``--user`` or ``--page`` name the app profile does not define, naming its app.yaml.

    Raises:
        SpecError: On an unknown user, or a page that is neither a path, a URL nor a ``pages:`` name.
    """
    where = profile.source
    if user is not None and user not in profile.users:
        known = ", ".join(sorted(profile.users)) or "none"
        raise SpecError(f"unknown user {user!r}: the users: of app {profile.name!r} are {known}", where)
    if page and not page.startswith(("/", "http://", "https://")) and page not in profile.pages:
        known = ", ".join(sorted(profile.pages)) or "none"
        raise SpecError(f"unknown page {page!r}: not a path, and the pages: of app {profile.name!r} are {known}",
                        where)


def import_tour(library: str, path: Path, *, guide_id: str | None = None, title: str | None = None,
                page: str | None = None, user: str | None = None) -> dict[str, Any]:
    """Read a tour file of ``library`` and return the guide definition (docs/guides.md) as plain data.

    Tour files do not say which page a tour runs on, so ``page`` is set only when given: without it
    the guide's steps have no page, and the user passes one (``harness guides import --page /path``)
    or adds ``page:`` to the YAML before checking it.

    Args:
        library: ``shepherd``, ``introjs`` or ``driverjs`` (``shepherd.js``, ``intro.js``, ``driver.js`` too).
        path: The tour file: JavaScript (ES modules, JSX), JSON, or (Intro.js) an HTML page.
        guide_id: The guide id; defaults to the file name without extension, slugified.
        title: The guide title; defaults to the file name made readable.
        page: The page the tour runs on (a path, a pages: name or a URL).
        user: The app.yaml user to log in as before the tour's pages (a tour behind a login).

    Returns:
        ``{schema_version, id, title, [user], [page], selector_format: css, source: {library, file}, steps}``;
        each step has ``id`` (the tour's own, else ``step-N``), ``target`` (absent for floating steps),
        and ``title``/``body`` when the bubble has them, as plain text.

    Raises:
        SpecError: On an unknown library, an unreadable file, no steps, or an element that is not a
            selector (a function, a variable...), naming the file and line.
    """
    name = _ALIASES.get(library.lower(), library.lower())
    if name not in LIBRARIES:
        raise SpecError(f"unknown tour library {library!r}; expected one of {', '.join(LIBRARIES)}", path)
    steps = _collect(name, path)
    _unique_ids(steps)
    stem = path.stem
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": _slug(guide_id) if guide_id else _slug(stem),
        "title": title or re.sub(r"[-_.]+", " ", stem).strip().capitalize() or "Tour",
    }
    if user:
        data["user"] = user
    if page:
        data["page"] = page
    data["selector_format"] = "css"
    data["source"] = {"library": name, "file": path.as_posix()}
    data["steps"] = [{k: step[k] for k in ("id", "target", "title", "body") if step.get(k)} for step in steps]
    return data


def _yaml_value(value: Any) -> Any:
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _yaml_value(item)
        return mapping
    if isinstance(value, list):
        return CommentedSeq(_yaml_value(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def guide_yaml(data: dict[str, Any]) -> str:
    """The guide as readable YAML: keys in contract order, multi-line text as ``|`` blocks."""
    document = _yaml_value(data)
    source = data.get("source") or {}
    if source:
        document.yaml_set_start_comment(
            f"Imported from the {source.get('library')} tour {source.get('file')} by `harness guides import`.")
    yaml = YAML(typ="rt")
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(document, out)
    return out.getvalue()
