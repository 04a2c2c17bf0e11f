"""Snapshot a guide corpus for offline study: every candidate element of the checked pages.

For one corpus (an app folder with guides and an ``expected.yaml`` answer key, and a way to
serve its two versions) this records the guides' baseline on the old version with the real
CLI, then visits every guide page of the new version the way ``harness guides check`` does
(``harness.collect.guide_check``) and writes, per page, the fingerprints of all its visible
elements (``harness.collect.anchors.candidates``) and, per step, its baseline fingerprint, the
candidates its target selects and the candidate the answer key names. Scoring and ranking can
then be studied without a browser (``bench/corpus_offline.py``); small excerpts become the
unit tests' recorded fingerprints.

Usage: .venv/bin/python bench/corpus_snapshot.py django|flask_admin|swagger_ui OUT.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from guides_check import corpora, harness_cli, require

from harness.collect import anchors as probe_js
from harness.collect.guide_check import GuideRun, PlacedStep, _visit
from harness.spec.guide_baseline import load_baselines
from harness.spec.guides import guides_dir, load_guides
from harness.spec.profile import load_profile
from harness.spec.yamlfile import load_yaml

_INDICES = "(els) => els.map((e) => (window.__harnessCandidates || []).indexOf(e))"


def _indices(page: Any, selector: str) -> list[int] | str:
    try:
        return list(page.locator(selector).evaluate_all(_INDICES))
    except Exception as exc:  # a selector Playwright rejects
        return f"error: {str(exc).splitlines()[0]}"


def snapshot(name: str, out: Path) -> None:
    """Record the corpus ``name`` into ``out``."""
    corpus = corpora()[name]
    key = load_yaml(corpus.fixture / "expected.yaml")
    checked = str(key["checked"])
    with tempfile.TemporaryDirectory(prefix="snapshot-") as tmp:
        folder = Path(tmp) / "app"
        shutil.copytree(corpus.fixture, folder, ignore=shutil.ignore_patterns("baseline", "__pycache__"))
        app_yaml = folder / "app.yaml"
        with corpus.serve_old() as url:
            done, _ = harness_cli("guides", "baseline", "--app", app_yaml, "--base-url", url)
            require(done, (0, 1), f"{name}: guides baseline")
        profile = load_profile(app_yaml)
        guides = load_guides(guides_dir(profile), profile)
        baselines = load_baselines(guides_dir(profile), guides)
        pages: dict[str, list[dict[str, Any]]] = {}
        steps: list[dict[str, Any]] = []
        with corpus.serve_new() as url:
            run = GuideRun(profile=profile, guides=guides, guides_folder=guides_dir(profile), base_url=url,
                           baselines=baselines, screenshots=False)

            def handle(page: Any, placed: list[PlacedStep], observed: dict[str, dict[str, Any]],
                       error: str | None) -> None:
                page_key = f"{placed[0].guide.user}@{placed[0].url.removeprefix(url)}"
                cands = [] if page is None else probe_js.candidates(page)
                pages[page_key] = cands
                for p in placed:
                    entry = key["guides"].get(p.guide.id, {}).get(p.step.id, {})
                    base = baselines.get(p.guide.id)
                    expected = entry.get("expected_element")
                    steps.append({
                        "guide": p.guide.id, "step": p.step.id, "page": page_key, "target": p.step.target,
                        "text": p.step.text, "selector_format": p.guide.selector_format,
                        "expected_status": entry.get(checked, "ok"), "expected_element": expected,
                        "baseline": base.fingerprint(p.step.id, p.step.target) if base else None,
                        "observation": observed.get(p.key), "error": error,
                        "target_indices": _indices(page, p.step.target) if page and p.step.target else [],
                        "expected_indices": _indices(page, expected) if page and expected else [],
                    })

            _visit(run, handle)
    out.write_text(json.dumps({"corpus": name, "pages": pages, "steps": steps}), encoding="utf-8")
    print(f"{name}: {len(steps)} steps on {len(pages)} pages -> {out} ({out.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", choices=sorted(corpora()))
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    snapshot(args.corpus, args.out)


if __name__ == "__main__":
    main()
