"""``junit.xml``: the run for CI servers (Jenkins ``junit``, GitLab ``artifacts:reports:junit``...).

The file follows the Jenkins/Surefire JUnit schema that pytest validates its own output
against (``junit-10.xsd``): ``testsuites`` > one ``testsuite`` per journey and one for the
guide check > one ``testcase`` per scenario or guide step (see ``junit_cases``). That schema
has no ``properties`` on a test case (a journey suite's ``healed`` properties name its healed steps)
and no ``file``/``line`` on a test case, so the place is in the suite's ``file`` attribute,
in every failure message (``file:line``) and in the case's ``system-out``.

Written with ``xml.etree`` (which escapes markup); characters that XML 1.0 forbids (control
characters an app may put in an error message) become U+FFFD, so the file always parses.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from harness.report.junit.cases import Case, Suite, guide_suite, scenario_suites
from harness.report.load import RunData, load_run
from harness.runfolder.files import write_atomic
from harness.runfolder.findings import read_findings
from harness.runfolder.guides import read_guides

JUNIT_XML = "junit.xml"
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(value: object) -> str:
    """``value`` as text XML 1.0 can hold: forbidden characters become U+FFFD."""
    return _ILLEGAL.sub("\ufffd", str(value))


def seconds(ms: float | None) -> str:
    """Milliseconds as JUnit seconds with three decimals (the schema's time pattern)."""
    return f"{(ms or 0.0) / 1000:.3f}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str | None) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items() if v is not None})
    if text:
        element.text = xml_safe(text)
    return element


def _case(parent: ET.Element, case: Case) -> None:
    element = _sub(parent, "testcase", name=case.name, classname=case.classname,
                   time=seconds(case.time_ms) if case.time_ms is not None else None)
    for problem in case.problems:
        _sub(element, problem.kind, problem.details or None, message=problem.message, type=problem.type)
    if case.output:
        _sub(element, "system-out", case.output)


def _properties(parent: ET.Element, data: RunData, suite: Suite) -> None:
    info = data.info
    browser = " ".join(p for p in (info.browser_name, info.browser_version) if p) or None
    values = {"run_id": info.run_id, "app": info.app, "app_version": info.app_version, "base_url": info.base_url,
              "browser": browser, "env": info.env, "git_commit": info.git_commit, "git_branch": info.git_branch,
              "harness_version": info.harness_version, "run_status": info.status}
    props = _sub(parent, "properties")
    for name, value in values.items():
        if value:
            _sub(props, "property", name=name, value=value)
    for case in suite.cases:  # the schema has no properties on a test case: the suite names its healed steps
        for healed in case.healed:
            _sub(props, "property", name="healed", value=f"{case.name}: {healed}")


def junit_tree(data: RunData | None, suites: list[Suite], name: str) -> ET.Element:
    """The ``testsuites`` element for ``suites`` (``data``: the run, for the suites' properties)."""
    root = ET.Element("testsuites", {"name": xml_safe(name)})
    for key, outcome in (("tests", None), ("failures", "failed"), ("errors", "error")):
        root.set(key, str(sum(len(s.cases) if outcome is None else s.count(outcome) for s in suites)))
    root.set("time", seconds(sum(s.time_ms for s in suites)))
    for n, suite in enumerate(suites):
        element = _sub(root, "testsuite", name=suite.name, tests=str(len(suite.cases)),
                       failures=str(suite.count("failed")), errors=str(suite.count("error")),
                       skipped=str(suite.count("skipped")), time=seconds(suite.time_ms), timestamp=suite.timestamp,
                       id=str(n), file=suite.file)
        if data is not None and data.source is not None:
            _properties(element, data, suite)
        for case in suite.cases:
            _case(element, case)
    return root


def render_junit(run_dir: Path) -> str | None:
    """Return ``junit.xml`` for a run folder (journeys and guide check); None when it holds neither."""
    run_dir = Path(run_dir)
    data = load_run(run_dir)
    suites = scenario_suites(data, read_findings(run_dir)) if data.records else []
    guides = read_guides(run_dir)
    app = data.info.app if data.source is not None else None
    found = guide_suite(guides.file, app) if guides is not None and guides.error is None else None
    if found is not None:
        suites.append(found)
    if not suites:
        return None
    name = f"adoption-harness {app or (guides.file.app if guides else None) or run_dir.name}"
    if data.source is not None:
        name += f" run {data.info.run_id}"
    root = junit_tree(data, suites, name)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def build_junit(run_dir: Path) -> Path | None:
    """Write ``junit.xml`` into a run folder; None (nothing written) when it has no scenario and no guide."""
    text = render_junit(run_dir)
    return write_atomic(Path(run_dir) / JUNIT_XML, text) if text is not None else None
