"""``harness merge`` at scale: a synthetic run of 1,000 scenarios × 10 repeats cut into N shard folders, merged.

The run is ``tests/support/synthetic_run.py``'s (the report benchmark's, with screenshots and traces);
its scenario runs are dealt to N shard folders (records, artifacts, a ``run.json`` naming the shard),
then :func:`harness.pipeline.merge_shards` makes one run of them again, timed as a whole. The figure is
what the merge job of a CI pipeline spends at the end, after the shards (``docs/scale.md``).

Usage: PYTHONPATH=. python bench/merge_scale.py [--scenarios 1000] [--repeats 10] [--shards 10]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.contracts.records import ARTIFACTS_DIR, RUN_FILE, STEPS_JSONL, RunInfo  # noqa: E402
from harness.pipeline import merge_shards  # noqa: E402
from harness.runfolder.io import write_run_info  # noqa: E402
from tests.support.synthetic_run import make_run  # noqa: E402


def cut(source: Path, target: Path, count: int) -> list[Path]:
    """Deal the source run's scenario runs to ``count`` shard folders, with their artifacts."""
    by_run: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for line in (source / STEPS_JSONL).read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        by_run[(data["test_id"], data["repeat"], data["attempt"])].append(line)
    info = RunInfo.model_validate_json((source / RUN_FILE).read_text())
    folders = []
    for index in range(1, count + 1):
        folder = target / f"shard-{index}"
        (folder / ARTIFACTS_DIR).mkdir(parents=True)
        folders.append(folder)
        write_run_info(folder, info.model_copy(update={"options": {**info.options, "shard": f"{index}/{count}"}}))
    handles = [(f / STEPS_JSONL).open("w", encoding="utf-8") for f in folders]
    moved: set[str] = set()
    for i, lines in enumerate(by_run.values()):
        handles[i % count].writelines(line + "\n" for line in lines)
        for line in lines:
            artifacts = json.loads(line).get("artifacts") or {}
            for path in (artifacts.get("screenshot"), artifacts.get("trace")):
                if path and path not in moved and (source / path).is_file():
                    dest = folders[i % count] / path
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source / path, dest)
                    moved.add(path)
    for handle in handles:
        handle.close()
    return folders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--shards", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        made = make_run(work / "source", journeys=max(1, round(args.scenarios / 5)), scenarios_per_journey=5,
                        steps_per_scenario=(6, 10), repeats=args.repeats, guides=0)
        folders = cut(work / "source", work, args.shards)
        print(f"{made.cases:,} scenarios × {args.repeats} = {made.cases * args.repeats:,} scenario runs, "
              f"{made.records:,} step records, {made.screenshots:,} screenshots, {made.traces:,} traces, "
              f"in {args.shards} shards (made in {time.perf_counter() - started:.1f} s)")
        started = time.perf_counter()
        info = merge_shards(folders, work / "merged", history=str(work / "history"))
        took = time.perf_counter() - started
        size = sum(p.stat().st_size for p in (work / "merged").rglob("*") if p.is_file()) / 1e6
        print(f"harness merge: {took:.1f} s ({info.totals.get('scenarios', 0):,} scenarios, "
              f"{info.totals.get('steps', 0):,} steps, status {info.status}); merged folder {size:.0f} MB")


if __name__ == "__main__":
    main()
