"""Guide checks inside journeys: ``after:`` steps, and the step ``the guide "<id>" is intact``.

Some guide steps live in states only a journey reaches (an open dialog, a filled form).
Their guide says ``after: {feature, scenario, step}``; when a journey passes that step, the
anchors are examined on the journey's page, in one pass, and the results are appended to the
run folder's ``guides.jsonl``; ``guides.json`` is written when the run ends.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from harness.collect.guide_check import GuideRun, PlacedStep, examine, settled_probe
from harness.contracts.guides import GuideStepCheck, JourneyVisit
from harness.guides.results import guide_status, outline, summarise
from harness.guides.status import DEFAULT_FAIL_ON
from harness.redaction import Secrets
from harness.runfolder.guides import append_guide_step, read_guide_steps, write_guides
from harness.spec.guide_baseline import load_baselines
from harness.spec.guides import Guide, guides_dir, load_app_guides

if TYPE_CHECKING:
    from harness.collect.journey import Journey
    from harness.spec.profile import AppProfile


class JourneyGuides:
    """The app's guides, as seen from the journeys of one run.

    Attributes:
        run: The guide run (profile, guides, baselines, the run folder as output).
        secrets: The run's secrets, redacted from each result before it is appended.
    """

    def __init__(self, profile: AppProfile, folder: Path, base_url: str, run_dir: Path,
                 secrets: Secrets | None = None) -> None:
        guides = load_app_guides(profile, folder)
        baselines = load_baselines(folder, guides)
        self.run = GuideRun(profile=profile, guides=guides, guides_folder=folder, base_url=base_url,
                            out_dir=run_dir, baselines=baselines)
        self.secrets = secrets or Secrets()

    @functools.cached_property
    def by_id(self) -> dict[str, Guide]:
        return {g.id: g for g in self.run.guides}

    def after(self, feature_file: str, scenario: str, step_text: str) -> list[PlacedStep]:
        """Guide steps placed after this journey step."""
        return [PlacedStep(g, s, i, "") for g in self.run.guides for i, s in enumerate(g.steps)
                if s.after is not None and s.after.matches(feature_file, scenario, step_text)]

    def on_current_page(self, guide_id: str, url: str) -> list[PlacedStep]:
        """The steps of a guide that live on the page at ``url`` (compared by path).

        Raises:
            LookupError: The guide is unknown, or has no step on this page.
        """
        guide = self.by_id.get(guide_id)
        if guide is None:
            known = ", ".join(sorted(self.by_id)) or "none"
            raise LookupError(f"unknown guide {guide_id!r} (guides of this app: {known})")
        here = urlparse(url).path.rstrip("/")
        placed = []
        for index, step in enumerate(guide.steps):
            page = guide.step_page(step)
            if page is None:
                continue
            where = self.run.profile.url_for(page, self.run.base_url)
            if urlparse(where).path.rstrip("/") == here:
                placed.append(PlacedStep(guide, step, index, where))
        if not placed:
            pages = sorted({guide.step_page(s) or "after a journey step" for s in guide.steps})
            raise LookupError(f"guide {guide_id!r} has no step on {here or '/'} (its steps live on "
                              f"{', '.join(pages)})")
        return placed

    def check(self, journey: Journey, placed: list[PlacedStep], context: dict[str, Any]) -> list[GuideStepCheck]:
        """Examine steps on the journey's page now; append and return their results.

        ``context`` is the journey step being run (:class:`harness.contracts.guides.JourneyVisit`).
        """
        page = journey.page
        placed = [PlacedStep(p.guide, p.step, p.index, p.url or page.url) for p in placed]
        try:
            observed = settled_probe(page, placed, self.run)
            results = examine(page, placed, observed, None, self.run)
        except Exception as exc:  # the page went away mid-check: say so on each step
            reason = f"the journey's page could not be examined: {str(exc).splitlines()[0]}"
            results = examine(None, placed, {}, reason, self.run)
        visit = JourneyVisit.model_validate(context)
        for result in results:
            result.journey = visit
            # fsynced with the step records as the scenario ends (runfolder.io.sync_steps)
            append_guide_step(self.run.out_dir or Path("."), result, self.secrets, sync=False)
        return results

    def broken(self, results: list[GuideStepCheck]) -> list[GuideStepCheck]:
        """Results that fail the default policy."""
        return [r for r in results if guide_status([r.status], DEFAULT_FAIL_ON) == "broken"]


def finish(profile: AppProfile, folder: Path | None, run_dir: Path, meta: dict[str, Any],
           secrets: Secrets | None = None) -> Path | None:
    """Write ``guides.json`` from the guide results a run appended, if there are any, ``secrets`` redacted.

    ``meta`` holds the header fields the run knows (``app``, ``base_url``...; see ``summarise``).
    """
    results = read_guide_steps(run_dir)
    if not results:
        return None
    folder = folder or guides_dir(profile)
    guides = load_app_guides(profile, folder)
    header: dict[str, Any] = {"baselines": {gid: b.meta for gid, b in load_baselines(folder, guides).items()},
                              **meta}
    return write_guides(run_dir, summarise(results, outline(guides), fail_on=DEFAULT_FAIL_ON, **header), secrets)
