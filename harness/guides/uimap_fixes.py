"""Write the repairs a run's failed steps found for their UI-map targets as a patch to ``app.yaml`` (pure).

A step that failed (or was healed) on a UI-map target carries a
:class:`~harness.contracts.targets.TargetRepair`. The repairs whose cause a selector can fix and
that have a suggestion are gathered by target; a target whose steps agree on one new selector gets
one edit, a target whose steps disagree gets none (a wrong repair is worse than none).

The patch (``ui-map-fixes.patch``, unified diff with ``a/`` and ``b/`` prefixes, paths relative to
the project root) changes only the selector line of each repaired target, in place, through the
YAML parser's marks (:mod:`harness.guides.yamledit`): comments, quoting, order and blank lines stay.
With ``keep_old``, the old selector becomes the first fallback: put first in a ``fallbacks:`` list,
a ``fallbacks:`` line added after the selector's, or a short ``name: "sel"`` rewritten on its line
as ``name: {selector: "new", fallbacks: ["old"]}``.

A repair is left out, with the reason (:attr:`UiMapFixes.skipped`), when the map's selector is no
longer the one the run tried (the map was edited since), when the target is written in a way that
cannot be edited safely on its line (anchors, aliases, merge keys, tags, block or multi-line
scalars), or when the edit does not read back as exactly the intended change.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from harness.contracts.guides import Suggestion
from harness.contracts.records import RunInfo, StepRecord
from harness.contracts.settings import RunSettings
from harness.contracts.targets import TargetRepair
from harness.errors import HarnessError, SpecError, describe
from harness.guides.yamledit import (
    emit_scalar,
    load_plain,
    mapping_value,
    relative_path,
    unified_diff,
    unsafe_scalar,
)
from harness.outcomes import final_attempts
from harness.spec.profile import find_profile, profile_candidates
from harness.spec.selectors import selector_error

ASKING = ("failed", "healed", "passed")
"""The step statuses whose repair is read (a healed step passed with its repair; a passed one has a repair
when its target's selector matched nothing and a fallback found the element)."""


@dataclass(frozen=True, slots=True)
class RepairStep:
    """A step that carries a repair."""

    feature_file: str
    line: int | None
    scenario: str
    """The scenario's name, with its Examples row."""
    step: str
    """Keyword and text."""
    healed: bool


@dataclass
class TargetAsk:
    """What a run's steps ask of one UI-map target: its selector then, and the repairs they found.

    Attributes:
        target: The UI-map name.
        selectors: The selectors the steps tried (one, unless the map changed within the run).
        causes: Why the steps could not use it, each once.
        proposals: Each suggested selector, with its best suggestion (by score) and the steps that found it.
    """

    target: str
    selectors: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    proposals: dict[str, tuple[Suggestion, list[RepairStep]]] = field(default_factory=dict)

    @property
    def steps(self) -> list[RepairStep]:
        """Every step with a repair for the target."""
        return [s for _, steps in self.proposals.values() for s in steps]

    @property
    def scenarios(self) -> int:
        """How many scenarios those steps belong to."""
        return len({(s.feature_file, s.scenario) for s in self.steps})

    @property
    def healed(self) -> int:
        """How many of them passed with the repair (``--heal``)."""
        return sum(s.healed for s in self.steps)


@dataclass(frozen=True, slots=True)
class Unrepaired:
    """Failed steps on one target whose repair has no accepted suggestion, and why."""

    target: str | None
    """The UI-map name (``None``: the steps failed on no UI-map target)."""
    cause: str
    note: str
    steps: tuple[RepairStep, ...]


@dataclass(frozen=True, slots=True)
class MapEdit:
    """A target's selector changed by the patch.

    Attributes:
        target: The UI-map name.
        old: Its selector in the map (and at the run).
        new: The suggested selector.
        score: The suggestion's score.
        steps: The steps that asked for it.
        line: The selector's line in the profile (from 1).
        kept_old: The old selector was kept as the first fallback.
    """

    target: str
    old: str
    new: str
    score: float | None
    steps: tuple[RepairStep, ...]
    line: int
    kept_old: bool = False


@dataclass(frozen=True, slots=True)
class MapSkip:
    """A target's repair left out of the patch, and why."""

    target: str
    reason: str
    where: str = ""
    """``file:line`` of the target, when known."""


@dataclass
class UiMapFixes:
    """The patch to the app profile, the edits it makes, the repairs it leaves out, and what was asked."""

    profile: str
    """The profile's path in the patch (relative to the project root)."""
    root: Path
    """The project root, where ``git apply`` applies the patch."""
    text: str = ""
    edits: list[MapEdit] = field(default_factory=list)
    skipped: list[MapSkip] = field(default_factory=list)
    asked: list[TargetAsk] = field(default_factory=list)
    """Every target with an accepted repair, by name."""
    unrepaired: list[Unrepaired] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Splice:
    """Replace ``source[start:end]`` by ``text`` (``start == end``: insert)."""

    start: int
    end: int
    text: str


# --- the repairs the steps ask for --------------------------------------------------------
def accepted(repair: TargetRepair) -> bool:
    """A repair the patch may use: its cause is a selector's, and it has a suggestion."""
    return repair.repairable and repair.suggestion is not None


def _step(record: StepRecord) -> RepairStep:
    example = f" [{', '.join(record.example.values())}]" if record.example else ""
    return RepairStep(record.feature_file, record.line, record.scenario + example,
                      f"{record.keyword} {record.text}".strip(),
                      record.status == "healed" or bool(record.repair and record.repair.healed))


def gather(records: Iterable[StepRecord]) -> tuple[list[TargetAsk], list[Unrepaired]]:
    """The repairs of each replay's last attempt, by target: those with a suggestion, and those without.

    Returns:
        The targets with accepted repairs (by name), and the steps whose repair has none, grouped by
        target, cause and note.
    """
    asks: dict[str, TargetAsk] = {}
    without: dict[tuple[str | None, str, str], list[RepairStep]] = defaultdict(list)
    for record in final_attempts(records):
        repair = record.repair
        if repair is None or record.status not in ASKING:
            continue
        if repair.target is None or not accepted(repair):
            note = repair.note or ("not a UI-map target" if repair.target is None
                                   else "" if repair.repairable else "not a selector's fault")
            without[(repair.target, repair.cause, note)].append(_step(record))
            continue
        suggestion = repair.suggestion
        assert suggestion is not None
        ask = asks.setdefault(repair.target, TargetAsk(repair.target))
        if repair.selector is not None and repair.selector not in ask.selectors:
            ask.selectors.append(repair.selector)
        if repair.cause not in ask.causes:
            ask.causes.append(repair.cause)
        best, steps = ask.proposals.get(suggestion.target, (suggestion, []))
        if (suggestion.score or 0) > (best.score or 0):
            best = suggestion
        ask.proposals[suggestion.target] = (best, [*steps, _step(record)])
    unrepaired = [Unrepaired(t, c, n, tuple(s))
                  for (t, c, n), s in sorted(without.items(), key=lambda item: (item[0][0] or "", *item[0][1:]))]
    return [asks[name] for name in sorted(asks)], unrepaired


def _agreed(ask: TargetAsk) -> tuple[str, str] | str:
    """The (old, new) selectors of a target's one edit, or why there is none."""
    if not ask.selectors:
        return "the run did not record the selector its steps tried"
    if len(ask.selectors) > 1:
        return f"its steps tried different selectors ({', '.join(map(repr, ask.selectors))})"
    if len(ask.proposals) > 1:
        votes = ", ".join(f"{new!r} ({_count(len(steps), 'step')})" for new, (_, steps) in ask.proposals.items())
        return f"its steps disagree on the repair: {votes}"
    old, new = ask.selectors[0], next(iter(ask.proposals))
    if new == old:
        return "the suggestion is its selector already: nothing to change in the UI map"
    problem = selector_error(new)
    if problem:
        return f"the suggested selector is not one the UI map takes: {problem}"
    return old, new


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# --- one target's edit ------------------------------------------------------------------------
def _style(node: ScalarNode) -> str | None:
    return node.style if node.style in ("'", '"') else None


def _reused(node: Node | None, key: Node, source: str) -> str | None:
    """Why a node cannot be edited where it stands: an anchor, an alias (a node met earlier) or a tag."""
    if node is None:
        return None
    if node.start_mark.index < key.end_mark.index:  # the node an alias names was met before its key
        return "it is an alias (*)"
    if getattr(node, "anchor", None):
        return "it has an anchor (&)"
    if source[node.start_mark.index:node.start_mark.index + 1] == "!":
        return "it has a tag (!)"
    return None


def _line_bounds(source: str, index: int) -> tuple[int, int, str]:
    """The start and end (before its line break) of the line holding ``index``, and its line break."""
    start = source.rfind("\n", 0, index) + 1
    end = source.find("\n", index)
    if end < 0:
        return start, len(source), ""
    body_end = end - 1 if end > start and source[end - 1] == "\r" else end
    return start, body_end, source[body_end:end + 1]


_Fallbacks = tuple[list[_Splice], list[Any]]


def _add_fallback(node: MappingNode, selector: ScalarNode, old: str, source: str) -> _Fallbacks | str:
    """The splices that put ``old`` first in the target's fallbacks, and the fallbacks then; or why not."""
    style = _style(selector)
    key, fallbacks = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == "fallbacks"),
                          (None, None))
    if fallbacks is None:
        item = emit_scalar(old, style, flow=True)
        if item is None:
            return "the old selector cannot be written on one line"
        if node.flow_style:
            return [_Splice(selector.end_mark.index, selector.end_mark.index, f", fallbacks: [{item}]")], [old]
        start, end, newline = _line_bounds(source, selector.start_mark.index)
        key_column = next(k for k, v in node.value if v is selector).start_mark.column
        if source[start:start + key_column].strip(" "):
            return "its selector: is not on a line of its own"
        return [_Splice(end, end, f"{newline or chr(10)}{' ' * key_column}fallbacks: [{item}]")], [old]
    assert key is not None
    problem = _reused(fallbacks, key, source)
    if problem:
        return f"its fallbacks: cannot be edited: {problem}"
    if not isinstance(fallbacks, SequenceNode) or not all(
            isinstance(v, ScalarNode) and not unsafe_scalar(v, source, "") for v in fallbacks.value):
        return "its fallbacks: is not a list of one-line selectors"
    existing = [str(v.value) for v in fallbacks.value]
    if old in existing:
        return [], existing
    if fallbacks.flow_style:
        item = emit_scalar(old, style, flow=True)
        if item is None:
            return "the old selector cannot be written on one line"
        if fallbacks.value:
            at = fallbacks.value[0].start_mark.index
            return [_Splice(at, at, f"{item}, ")], [old, *existing]
        at = fallbacks.start_mark.index
        if source[at:at + 1] != "[":
            return "its fallbacks: is not written as a list"
        return [_Splice(at + 1, at + 1, item)], [old]
    first = fallbacks.value[0]
    start, _, newline = _line_bounds(source, first.start_mark.index)
    prefix = source[start:first.start_mark.index]
    item = emit_scalar(old, style)
    if item is None:
        return "the old selector cannot be written on one line"
    if not prefix.strip(" ").startswith("-") or prefix.strip(" -"):
        return "its first fallback is not on a line of its own"
    return [_Splice(start, start, f"{prefix}{item}{newline or chr(10)}")], [old, *existing]


def _target_edit(key: Node, value: Node, source: str, old: str, new: str, keep_old: bool,
                 flow: bool) -> tuple[list[_Splice], Any, int] | str:
    """The splices of one target's repair, its value afterwards and its selector's line; or why none."""
    problem = _reused(value, key, source)
    if problem:
        return f"it cannot be edited safely: {problem}"
    selector: Node | None = value
    mapping = value if isinstance(value, MappingNode) else None
    if mapping is not None:
        if any(isinstance(k, ScalarNode) and str(k.tag).endswith(":merge") for k, _ in mapping.value):
            return "it cannot be edited safely: it uses a merge key (<<)"
        selector = mapping_value(mapping, "selector")
        selector_key = next((k for k, v in mapping.value if v is selector), key)
        problem = _reused(selector, selector_key, source)
        if problem:
            return f"its selector: cannot be edited safely: {problem}"
    elif not isinstance(value, ScalarNode):
        return "it is neither a selector nor a mapping with selector:"
    problem = unsafe_scalar(selector, source, "selector")
    if problem:
        return f"it cannot be edited safely: {problem}"
    assert isinstance(selector, ScalarNode)
    if str(selector.value) != old:
        return f"the UI map was edited since the run: its selector is now {selector.value!r}, the run tried {old!r}"
    style = _style(selector)
    line = selector.start_mark.line + 1
    inside_flow = flow if mapping is None else bool(mapping.flow_style)
    if mapping is None and keep_old:
        sel, fallback = emit_scalar(new, style, flow=True), emit_scalar(old, style, flow=True)
        if sel is None or fallback is None:
            return "the new selector cannot be written on one line"
        text = f"{{selector: {sel}, fallbacks: [{fallback}]}}"
        return [_Splice(selector.start_mark.index, selector.end_mark.index, text)], \
            {"selector": new, "fallbacks": [old]}, line
    emitted = emit_scalar(new, style, flow=inside_flow)
    if emitted is None:
        return "the new selector cannot be written on one line"
    splices = [_Splice(selector.start_mark.index, selector.end_mark.index, emitted)]
    if mapping is None:
        return splices, new, line
    after: dict[str, Any] = {"selector": new}
    if keep_old:
        added = _add_fallback(mapping, selector, old, source)
        if isinstance(added, str):
            return f"the old selector cannot be kept as a fallback: {added}"
        splices += added[0]
        after["fallbacks"] = added[1]
    return splices, after, line


def _apply(source: str, splices: Iterable[_Splice]) -> str:
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        source = source[:splice.start] + splice.text + source[splice.end:]
    return source


def _expected(data: Any, name: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    current = data["targets"][name]
    data["targets"][name] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
    return data


def _reads_back(text: str, want: Any) -> bool:
    try:
        return bool(load_plain(text) == want)
    except YAMLError:
        return False


# --- the patch ----------------------------------------------------------------------------
def _targets(root: Node | None) -> dict[str, tuple[Node, Node]] | None:
    targets = mapping_value(root, "targets")
    if not isinstance(targets, MappingNode):
        return None
    found: dict[str, tuple[Node, Node]] = {}
    for k, v in targets.value:
        if isinstance(k, ScalarNode):
            found.setdefault(str(k.value), (k, v))
    return found


def _parse(path: Path, source: str) -> tuple[Node | None, Any]:
    try:
        return YAML(typ="rt").compose(source), load_plain(source)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError(f"invalid YAML: {exc.problem or exc.context}", path,
                        mark.line + 1 if mark is not None else None) from None
    except YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", path) from None


def ui_map_fixes(records: Iterable[StepRecord], profile: Path, root: Path, *, keep_old: bool = False) -> UiMapFixes:
    """A unified diff applying the run's agreed repairs to the app profile's UI map, selector lines only.

    Args:
        records: The run's step records.
        profile: The app profile (``app.yaml``) to patch.
        root: The project root: paths in the patch are relative to it (``git apply`` from there).
        keep_old: Keep each old selector as the first fallback of its target.

    Returns:
        The patch (empty when there is nothing to change), its edits, the repairs it leaves out
        and why, and every repair the steps asked for.

    Raises:
        HarnessError: The profile cannot be read, is not UTF-8 text or not valid YAML (a ``SpecError``).
    """
    rel = relative_path(profile, root)
    asked, unrepaired = gather(records)
    fixes = UiMapFixes(rel, root, asked=asked, unrepaired=unrepaired)
    if not asked:
        return fixes
    try:
        source = profile.read_bytes().decode("utf-8")  # as it is: \r\n line ends stay
    except UnicodeDecodeError as exc:
        raise SpecError(f"not UTF-8 text ({exc.reason})", profile) from None
    except OSError as exc:
        raise HarnessError(f"the app profile cannot be read: {describe(exc)}", profile) from None
    node, original = _parse(profile, source)
    targets = _targets(node)
    if targets is None or not isinstance(original, dict) or not isinstance(original.get("targets"), dict):
        fixes.skipped = [MapSkip(a.target, f"{rel} has no targets: mapping") for a in asked]
        return fixes
    flow = bool(getattr(mapping_value(node, "targets"), "flow_style", False))
    kept: list[_Splice] = []
    expected = original
    for ask in asked:
        agreed = _agreed(ask)
        if ask.target not in targets or ask.target not in original["targets"]:
            fixes.skipped.append(MapSkip(ask.target, f"it is no longer in the UI map of {rel}"))
            continue
        key, value = targets[ask.target]
        where = f"{rel}:{key.start_mark.line + 1}"
        if isinstance(agreed, str):
            fixes.skipped.append(MapSkip(ask.target, agreed, where))
            continue
        old, new = agreed
        edit = _target_edit(key, value, source, old, new, keep_old, flow)
        if isinstance(edit, str):
            fixes.skipped.append(MapSkip(ask.target, edit, where))
            continue
        splices, after, line = edit
        if not _reads_back(_apply(source, splices), _expected(original, ask.target, after)):
            fixes.skipped.append(MapSkip(ask.target, "the edited line does not read back as the new selector: "
                                         "repair it by hand", where))
            continue
        suggestion, steps = ask.proposals[new]
        kept += splices
        expected = _expected(expected, ask.target, after)
        fixes.edits.append(MapEdit(ask.target, old, new, suggestion.score, tuple(steps), line, keep_old))
    if not kept:
        return fixes
    fixed = _apply(source, kept)
    if not _reads_back(fixed, expected):  # each edit read back alone; together they must too
        fixes.skipped += [MapSkip(e.target, "the edits do not read back together: repair by hand") for e in fixes.edits]
        fixes.edits = []
        return fixes
    fixes.text = unified_diff(source, fixed, rel)
    return fixes


# --- where the run's profile is -----------------------------------------------------------
def project_root(profile: Path, hint: Path | None = None) -> Path:
    """The folder holding ``journeys/`` for a profile: ``hint`` when it holds the profile, else the
    parent of its nearest ``journeys`` folder, else the working directory when it holds it, else its folder."""
    resolved = profile.resolve()
    if hint is not None and resolved.is_relative_to(hint.resolve()):
        return hint
    for parent in resolved.parents:
        if parent.name == "journeys":
            return parent.parent
    return Path.cwd() if resolved.is_relative_to(Path.cwd().resolve()) else resolved.parent


def run_profile(info: RunInfo, saved: RunSettings | None, app: str | None = None) -> tuple[Path, Path]:
    """The app profile a run used (or ``app``, a name under ``journeys/`` or a path) and the project root.

    The run's settings (``settings.json``: its app and root) come first; without them, the profile is
    looked for beside the run's features, then under ``journeys/<app>/``.

    Raises:
        HarnessError: The profile cannot be found.
    """
    hint = saved.root if saved is not None else None
    if app is not None:
        path = find_profile(app)
        candidates = [path]
    elif saved is not None:
        path = find_profile(saved.app, saved.root)
        candidates = [path] if path.is_absolute() else [saved.root / path, path]
    else:
        candidates = profile_candidates(info)
    found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        given = f"{app!r}" if app is not None else f"the run's app {info.app!r}"
        raise HarnessError(f"no app profile for {given} (expected {candidates[0]}); give it with --app")
    return found, project_root(found, hint)

