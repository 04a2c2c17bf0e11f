"""The test cases of ``junit.xml`` as plain data: one per scenario, one per guide step.

A scenario case aggregates every replay of one scenario (one Examples row) and takes its
outcome from ``harness/outcomes.py``: it fails when any replay's last attempt failed (as the
run's exit code does; a ``flaky`` one says so in its message), is an error when ``incomplete``,
and a replay that passed only on a retry makes it flaky (Surefire's ``flakyFailure``), as does a step
healed by ``--heal`` (a ``flakyFailure`` of type ``healed``: the case passes, flaky-healed). A failed step's
UI-map repair (the suggested selector, or why none) is in its failure's text.
Friction findings never fail a case: they are listed in its output, since friction has its
own policy (``--fail-on-findings``). A guide step fails when the guide check's own policy
(``guides.json`` ``policy.fail_on``) fails its status, so ``junit.xml`` agrees with the
check's exit code; other statuses (``drifted`` by default) pass with a warning in the
output. The choices are documented in docs/outputs.md.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from harness.contracts.guides import GuidesFile, GuideStepResult
from harness.contracts.records import FindingsFile, StepRecord
from harness.friction.words import clip
from harness.guides.results import fail_on_of, no_suggestion_reason
from harness.outcomes import ScenarioOutcome
from harness.report.load import RunData, ScenarioRun
from harness.report.repairs import FIX_COMMAND, HEALED_HINT, healed_line, repair_lines
from harness.report.stats import median

HARNESS_ERRORS = frozenset({"setup_error", "unknown_step"})
"""Error kinds that say the harness or the spec went wrong, not the app: JUnit ``error``, not ``failure``."""
MESSAGE_CHARS = 500
"""A ``message`` attribute is one line of at most this many characters (the details hold the rest)."""


@dataclass
class Problem:
    """One ``failure``, ``error``, ``skipped``, ``flakyFailure`` or ``rerunFailure`` of a case."""

    kind: str
    message: str
    type: str
    details: str = ""


@dataclass
class Case:
    """One ``testcase``."""

    name: str
    classname: str
    time_ms: float | None
    outcome: str
    """``passed``, ``failed``, ``error`` or ``skipped``."""
    problems: list[Problem] = field(default_factory=list)
    output: str = ""
    flaky: bool = False
    healed: list[str] = field(default_factory=list)
    """Its healed steps, one line each (``target: old → new``), for the suite's ``healed`` properties."""


@dataclass
class Suite:
    """One ``testsuite``: a journey (feature) or an app's guide check."""

    name: str
    file: str | None
    cases: list[Case] = field(default_factory=list)
    timestamp: str | None = None

    def count(self, outcome: str) -> int:
        """How many cases have ``outcome``."""
        return sum(1 for c in self.cases if c.outcome == outcome)

    @property
    def time_ms(self) -> float:
        """The sum of its cases' times."""
        return sum(c.time_ms or 0.0 for c in self.cases)


def one_line(text: object, limit: int = MESSAGE_CHARS) -> str:
    """``text`` on one line, whitespace collapsed, cut to ``limit`` characters."""
    return clip(str(text), limit)


def class_part(text: str) -> str:
    """A name fit for one part of a dotted ``classname`` (CI servers split it at dots)."""
    return re.sub(r"[.\s]+", "_", text.strip()) or "_"


def case_name(scenario: str, example: dict[str, str]) -> str:
    """The scenario's name, with its Examples row: ``Pay [method=card, amount=12]``."""
    if not example:
        return scenario
    return f"{scenario} [{', '.join(f'{k}={v}' for k, v in example.items())}]"


def _where(step: StepRecord) -> str:
    return f"{step.feature_file}:{step.line}" if step.line else step.feature_file


def _step_words(step: StepRecord) -> str:
    return f"step {step.step_index + 1} '{step.keyword} {step.text}' ({_where(step)})"


def _failing(steps: list[StepRecord]) -> StepRecord | None:
    return next((s for s in steps if s.status == "failed"), None)


def _failure_text(label: str, step: StepRecord) -> str:
    lines = [f"{label}: {_step_words(step)}", f"  {step.error_kind or 'error'}: {step.error or '(no message)'}"]
    if step.url:
        lines.append(f"  page: {step.url}")
    for name, path in (("screenshot", step.artifacts.screenshot), ("trace", step.artifacts.trace)):
        if path:
            lines.append(f"  {name}: {path}")
    if step.repair is not None:
        lines += [f"  UI-map repair: {line}" if n == 0 else f"  {line}"
                  for n, line in enumerate(repair_lines(step.repair, "  "))]
        if step.repair.suggestion is not None:
            lines.append(f"    fix the UI map: {FIX_COMMAND}")
    return "\n".join(lines)


def _suggested(step: StepRecord) -> str:
    """``; suggested selector for <target>: <selector>`` when the step's repair has one (for a message)."""
    repair = step.repair
    if repair is None or repair.suggestion is None:
        return ""
    return f"; suggested selector for {repair.target}: {repair.suggestion.target}"


def _healed_problems(run: ScenarioRun) -> list[Problem]:
    """A ``flakyFailure`` of type ``healed`` per healed step of a replay (``--heal`` repaired it at run time)."""
    problems = []
    for step in run.steps:
        if step.status != "healed":
            continue
        label = f"replay #{run.repeat + 1} healed {_step_words(step)}"
        details = [f"{label}: {HEALED_HINT}"]
        if step.repair is not None:
            details += [f"  {line}" for line in repair_lines(step.repair, "  ")]
            details.append(f"  fix the UI map: {FIX_COMMAND}")
        problems.append(Problem("flakyFailure", one_line(f"healed: {label}: {healed_line(step)}"), "healed",
                                "\n".join(details)))
    return problems


def _attempts(run: ScenarioRun) -> dict[int, list[StepRecord]]:
    """The earlier attempts of a replay: attempt -> its steps in order (``ScenarioRun.earlier``)."""
    out: dict[int, list[StepRecord]] = defaultdict(list)
    for record in run.earlier:
        out[record.attempt].append(record)
    return out


def _retry_problems(run: ScenarioRun, earlier: dict[int, list[StepRecord]]) -> list[Problem]:
    """A ``flakyFailure`` per failed attempt of a replay that then passed, else a ``rerunFailure``."""
    kind = "flakyFailure" if run.status == "passed" else "rerunFailure"
    problems = []
    for attempt in sorted(earlier):
        step = _failing(earlier[attempt])
        if step is None:
            continue
        label = f"replay #{run.repeat + 1}, attempt {attempt + 1}"
        error = (step.error or "").strip().splitlines()
        problems.append(Problem(kind, one_line(f"{label} failed at {_step_words(step)}: {error[0] if error else ''}"),
                                step.error_kind or "failed", _failure_text(label, step)))
    return problems


def _verdict(runs: list[ScenarioRun], outcome: ScenarioOutcome) -> tuple[str, list[Problem]]:
    """The case's outcome and its ``failure``/``error``/``skipped`` element, from the scenario's outcome.

    A replay whose last attempt failed fails the case, as it fails the run (``flaky`` then says so
    in the message); an ``incomplete`` scenario is an ``error``; a ``flaky`` one that passed on a
    retry passes (its ``flakyFailure`` elements come from the retried attempts).
    """
    total = len(runs)
    failed = [r for r in runs if r.status == "failed"]
    if outcome.fails_run and failed:
        first = _failing(failed[0].steps)
        assert first is not None
        count = f"{len(failed)} of {total} replays failed" if total > 1 else "failed"
        if outcome.status == "flaky":
            count = f"flaky: {count}"
        error = (first.error or "").strip().splitlines()
        message = one_line(f"{count}; first at {_step_words(first)}: {error[0] if error else first.error_kind or ''}"
                           f"{_suggested(first)}")
        details = "\n".join(_failure_text(f"replay #{r.repeat + 1}", s) for r in failed if (s := _failing(r.steps)))
        kind = "error" if first.error_kind in HARNESS_ERRORS else "failure"
        return ("error" if kind == "error" else "failed"), [Problem(kind, message, first.error_kind or "failed",
                                                                    details)]
    if outcome.status == "incomplete":
        cut = sum(1 for r in runs if r.status == "incomplete")
        message = f"{cut} of {total} replays did not finish (the run stopped during them)"
        return "error", [Problem("error", message, "incomplete")]
    if outcome.status == "skipped":
        skipped = next((s for r in runs for s in r.steps if s.status == "skipped" and s.error), None)
        why = f": {one_line(skipped.error)}" if skipped is not None and skipped.error else ""
        count = f"{outcome.skipped} of {total} replays" if total > 1 else "the scenario"
        return "skipped", [Problem("skipped", one_line(f"{count} skipped{why}"), "skipped")]
    return "passed", []


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _output(runs: list[ScenarioRun], findings: FindingsFile | None, outcome: ScenarioOutcome) -> str:
    """The case's ``system-out``: where it is, its outcome, each replay's time, each step's median, its findings."""
    first = runs[0]
    where = f"{first.feature_file}:{first.scenario_line}" if first.scenario_line else first.feature_file
    lines = [f"Scenario: {case_name(first.scenario, first.example)} ({where})", f"Outcome: {outcome.status}"]
    if outcome.healed:
        lines.append(f"Healed: {outcome.healed} of {len(runs)} replays passed only by healing a step (--heal): "
                     "flaky (healed); review each repair and fix the UI map")
    if first.tags:
        lines.append(f"Tags: {' '.join(first.tags)}")
    totals = [r.duration_ms for r in runs]
    lines.append(f"Replays: {len(runs)}; median {_ms(median(totals))}, min {_ms(min(totals))}, "
                 f"max {_ms(max(totals))}")
    for run in runs:
        note = ""
        step = _failing(run.steps)
        if step is not None:
            note = f"  failed at step {step.step_index + 1} ({step.error_kind or 'error'})"
        tries = _attempts(run)
        if tries:
            note += f"  after {len(tries)} failed attempt(s)" + (" (flaky)" if run.status == "passed" else "")
        if run.healed:
            note += "  healed (flaky)"
        lines.append(f"  #{run.repeat + 1:<3} {run.status:<10} {run.duration_ms:>10,.0f} ms{note}")
    lines.append("Steps (median over replays):")
    by_index: dict[int, list[StepRecord]] = defaultdict(list)
    for run in runs:
        for rec in run.steps:
            by_index[rec.step_index].append(rec)
    for index in sorted(by_index):
        recs = by_index[index]
        budget = next((r.budget_ms for r in recs if r.budget_ms), None)
        over = sum(1 for r in recs if r.over_budget)
        extra = f"  budget {_ms(budget)}" + (f", over in {over}/{len(recs)}" if over else "") if budget else ""
        durations = [r.duration_ms for r in recs if r.duration_ms is not None]
        healed = sum(1 for r in recs if r.status == "healed")
        extra += f"  healed in {healed}/{len(recs)}" if healed else ""
        lines.append(f"  {index + 1:>2}. {recs[0].keyword} {recs[0].text}  {_ms(median(durations))}{extra}")
    healed_steps = [(run, step) for run in runs for step in run.steps if step.status == "healed"]
    if healed_steps:
        lines.append(f"Healed steps ({HEALED_HINT}; {FIX_COMMAND}):")
        for run, step in healed_steps:
            lines.append(f"  replay #{run.repeat + 1}, step {step.step_index + 1}:")
            lines += [f"    {line}" for line in (repair_lines(step.repair, "  ") if step.repair else
                                                 [healed_line(step)])]
    mine = [f for f in (findings.findings if findings else [])
            if (f.feature_file, f.scenario, f.example) == (first.feature_file, first.scenario, first.example)]
    if mine:
        lines.append("Friction findings (they do not fail the case; see findings.json):")
        for f in mine:
            at = f"step {f.step_index + 1}" if f.step_index is not None else "scenario"
            lines.append(f"  [{f.severity}] {f.title} at {at}: {one_line(f.message, 300)}")
    return "\n".join(lines)


def scenario_suites(data: RunData, findings: FindingsFile | None) -> list[Suite]:
    """One suite per journey (feature file), one case per scenario (Examples row), replays aggregated."""
    journeys: dict[tuple[str, str], list[list[ScenarioRun]]] = defaultdict(list)
    for runs in data.cases().values():
        journeys[(runs[0].feature_file, runs[0].journey)].append(runs)
    app = class_part(data.info.app)
    suites = []
    for (feature_file, journey), groups in sorted(journeys.items()):
        groups.sort(key=lambda rs: (rs[0].scenario_line or 0, min(r.test_id for r in rs)))
        suite = Suite(name=journey, file=feature_file, timestamp=data.info.started_at or None)
        stem = class_part(feature_file.rsplit("/", 1)[-1].removesuffix(".feature"))
        for runs in groups:
            scenario = data.outcome(runs[0].case_key)
            outcome, problems = _verdict(runs, scenario)
            tries = [_attempts(run) for run in runs]
            for run, attempts in zip(runs, tries, strict=True):
                problems += _retry_problems(run, attempts)
                problems += _healed_problems(run)
            # every attempt of every replay: the time the scenario took in the browser
            time_ms = sum(r.duration_ms for r in runs) + sum(
                s.duration_ms or 0.0 for attempts in tries for steps in attempts.values() for s in steps)
            first = runs[0]
            suite.cases.append(Case(
                name=case_name(first.scenario, first.example), classname=f"{app}.{stem}", time_ms=time_ms,
                outcome=outcome, problems=problems, output=_output(runs, findings, scenario),
                flaky=scenario.status == "flaky",
                healed=[f"{healed_line(s)} (replay #{r.repeat + 1}, step {s.step_index + 1})"
                        for r in runs for s in r.steps if s.status == "healed"]))
        suites.append(suite)
    return suites


def _guide_details(guide_title: str, guide_file: str | None, step: GuideStepResult) -> str:
    where = f"{guide_file}:{step.line}" if guide_file and step.line else (guide_file or "")
    lines = [f"Guide: {guide_title}" + (f" ({where})" if where else "")]
    if step.title:
        lines.append(f"Step: {step.title}")
    if step.url or step.page:
        lines.append(f"Page: {step.url or step.page}")
    if step.target:
        count = f"; {step.match_count} element(s) matched" if step.match_count is not None else ""
        lines.append(f"Target: {step.target}{count}")
    lines.append(f"Status: {step.status}: {step.message or ''}")
    if step.warning:
        lines.append(f"Warning: {step.warning}")
    ev = step.evidence
    if ev.expected_text is not None or ev.actual_text is not None:
        lines.append(f"Text expected: {ev.expected_text!r}; found: {ev.actual_text!r}")
    if ev.covered_by is not None:
        c = ev.covered_by
        lines.append(f"Covered by: {c.tag or ''}{'#' + c.id if c.id else ''} {c.text or ''}".rstrip())
    if step.suggestion is not None:
        s = step.suggestion
        score = f" (score {s.score:.2f})" if s.score is not None else ""
        lines.append(f"Suggested selector: {s.target}{score}")
        lines += [f"  because {reason}" for reason in s.reasons]
        lines += [f"  or: {a.target}" for a in s.alternatives]
    elif step.status != "ok":
        lines.append(f"Suggested selector: {no_suggestion_reason(step)}")
    if step.journey is not None:
        j = step.journey
        lines.append(f"Checked during: {j.feature or ''} › {j.scenario or ''} › {j.step or ''}")
    if ev.screenshot:
        lines.append(f"Screenshot: {ev.screenshot}")
    return "\n".join(lines)


def guide_suite(guides: GuidesFile, app: str | None) -> Suite | None:
    """One suite for the app's guide check, one case per guide step; None without guides."""
    if not guides.guides:
        return None
    fail_on = set(fail_on_of(guides))
    name = guides.app or app or "app"
    suite = Suite(name=f"{name} guides", file=None, timestamp=guides.checked_at)
    for guide in guides.guides:
        title = guide.title or guide.id
        for n, step in enumerate(guide.steps, start=1):
            details = _guide_details(title, guide.file, step)
            label = f"{step.status}: {step.message or step.status}"
            if step.status == "ok":
                outcome, problems = "passed", []
            elif step.status in fail_on:
                kind = "error" if step.status == "page_error" else "failure"
                repair = f"; suggested selector: {step.suggestion.target}" if step.suggestion else ""
                outcome = "error" if kind == "error" else "failed"
                problems = [Problem(kind, one_line(label + repair), step.status, details)]
            else:
                outcome, problems = "passed", []
                details = f"WARNING (not failed by the check's policy): {label}\n{details}"
            suite.cases.append(Case(
                name=f"{n}. {step.id}" + (f": {step.title}" if step.title else ""),
                classname=f"{class_part(name)}.guides.{class_part(guide.id)}", time_ms=None, outcome=outcome,
                problems=problems, output=details))
    return suite
