"""Score and rank a corpus snapshot (``bench/corpus_snapshot.py``) without a browser.

For every step: the status ``harness.guides.status.classify`` gives the element its target
selects, and the element :func:`harness.guides.repair_choice.choose` picks among the page's
candidates, compared with the answer key. Quick to rerun while studying a change of scoring;
the figures that count are the real CLI's (``bench/guides_check.py``).

Usage: .venv/bin/python bench/corpus_offline.py SNAPSHOT.json [...] [--verbose]
       .venv/bin/python bench/corpus_offline.py SNAPSHOT.json [...] --export OUT.json --steps corpus:guide/step,...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.guides.similarity import rank, similarity
from harness.guides.status import classify


def study(path: Path, verbose: bool) -> dict[str, int]:
    """Print one line per step that is wrong (all with ``verbose``); return the counts."""
    data = json.loads(path.read_text(encoding="utf-8"))
    counts = dict.fromkeys(("steps", "status_right", "false_alarms", "missed", "repairable", "right", "wrong",
                            "none", "gone", "suggested_gone"), 0)
    for s in data["steps"]:
        cands: list[dict[str, Any]] = data["pages"][s["page"]]
        base = s["baseline"]
        counts["steps"] += 1
        verdict = classify(s["observation"], target=s["target"], expected_text=s["text"], baseline=base,
                           page_error=s["error"], candidates=cands)
        status, want = verdict.status, s["expected_status"]
        counts["status_right"] += status == want
        counts["false_alarms"] += want == "ok" and status != "ok"
        counts["missed"] += want != "ok" and status == "ok"
        expected = [i for i in s["expected_indices"] if isinstance(s["expected_indices"], list) and i >= 0]
        ranked = rank(base, cands, limit=6) if base and status != "ok" else []
        top = ranked[0].index if ranked else None
        line = f"{s['guide']}/{s['step']}: {status} (want {want})"
        problem = status != want
        if want != "ok" and s["expected_element"] is None:
            counts["gone"] += 1
            counts["suggested_gone"] += top is not None
            problem |= top is not None
        elif want != "ok":
            counts["repairable"] += 1
            if top is None:
                counts["none"] += 1
                problem = True
            elif expected and top == expected[0]:
                counts["right"] += 1
            else:
                counts["wrong"] += 1
                problem = True
            exp_score = similarity(base, cands[expected[0]]).score if base and expected else None
            line += f"; top {top} {ranked[0].score if ranked else 0:.3f} vs expected {expected[:1]} " \
                    f"{exp_score if exp_score is not None else float('nan'):.3f}"
            if ranked and top is not None:
                fp = cands[top]
                line += f" [{fp.get('tag')}#{fp.get('id')} {str(fp.get('text'))[:30]!r}]"
        if verdict.similarity is not None:
            line += f"; own {verdict.similarity:.3f}"
        if problem or verbose:
            print(("!! " if problem else "   ") + line)
    print(f"{data['corpus']}: {counts}")
    return counts


def export(snapshots: list[Path], steps: list[str], out: Path, rivals: int = 8) -> None:
    """Write the recorded fingerprints of some steps for the unit tests (``tests/fixtures/recorded``).

    Per step (``corpus:guide/step``): its baseline fingerprint, the element its target selects
    now (``own``), the element the answer key names (``expected``) and the ``rivals`` candidates
    most like the baseline, with the elements nested with any of them that rank among the best.
    """
    data = {json.loads(p.read_text(encoding="utf-8"))["corpus"]: json.loads(p.read_text(encoding="utf-8"))
            for p in snapshots}
    cases: dict[str, Any] = {}
    for name in steps:
        corpus, _, key = name.partition(":")
        guide, _, step = key.partition("/")
        s = next(x for x in data[corpus]["steps"] if x["guide"] == guide and x["step"] == step)
        cands = data[corpus]["pages"][s["page"]]
        own = s["target_indices"][0] if isinstance(s["target_indices"], list) and s["target_indices"] else None
        expected = s["expected_indices"][0] if s["expected_indices"] else None
        keep = {r.index for r in rank(s["baseline"], cands, minimum=0.0, limit=rivals)}
        keep |= {i for i in (own, expected) if i is not None and i >= 0}
        order = sorted(keep)
        cases[name] = {
            "target": s["target"], "text": s["text"], "selector_format": s["selector_format"],
            "expected_status": s["expected_status"], "expected_element": s["expected_element"],
            "baseline": s["baseline"], "candidates": [cands[i] for i in order],
            "own": order.index(own) if own is not None and own >= 0 else None,
            "expected": order.index(expected) if expected is not None and expected >= 0 else None,
        }
    out.write_text(json.dumps({"made_by": "bench/corpus_offline.py --export", "cases": cases},
                              ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(cases)} cases -> {out} ({out.stat().st_size // 1024} KiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("snapshots", type=Path, nargs="+")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--export", type=Path, help="write these steps' recorded fingerprints here (with --steps)")
    parser.add_argument("--steps", default="", help="comma list of corpus:guide/step for --export")
    args = parser.parse_args()
    if args.export:
        export(args.snapshots, [s for s in args.steps.split(",") if s], args.export)
        return
    for path in args.snapshots:
        study(path, args.verbose)


if __name__ == "__main__":
    main()

