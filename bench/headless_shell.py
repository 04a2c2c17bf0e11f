"""What Chromium's headless shell saves over the full browser, per harness run, side by side.

Runs the same ``harness run`` (the compare fixture's checkout journey, ``--repeat N``, one
worker) alternately with Debian's full ``chromium`` and its ``chromium-headless-shell``
(``HARNESS_BROWSER_PATH``), and measures each run's wall time and the CPU time the whole
machine spent during it (``/proc/stat``: the CLI, pytest, the Playwright driver and every
Chromium process; run it on an otherwise idle machine). Prints the medians and the ratios.

    .venv/bin/python bench/headless_shell.py                 # --repeat 8 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.servers import serve_folder  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "compare"
ARMS = {"chromium": "chromium", "headless-shell": "chromium-headless-shell"}


def busy_seconds() -> float:
    """CPU seconds the machine has spent busy since boot (every state but idle and iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def one_run(browser: str, url: str, repeat: int, out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``harness run`` with ``browser``."""
    cmd = [sys.executable, "-m", "harness.cli", "run", str(FIXTURE / "checkout.feature"), "--app",
           str(FIXTURE / "app.yaml"), "--base-url", url, "--out", str(out), "--history", "off", "--repeat",
           str(repeat)]
    env = {**os.environ, "HARNESS_BROWSER_PATH": browser, "CI": "true"}
    cpu, wall = busy_seconds(), time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - wall, busy_seconds() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{browser}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    browsers = {arm: shutil.which(name) for arm, name in ARMS.items()}
    missing = [ARMS[arm] for arm, path in browsers.items() if path is None]
    if missing:
        raise SystemExit(f"install {' and '.join(missing)} first (apt-get install -y {' '.join(missing)})")
    results: dict[str, list[tuple[float, float]]] = {arm: [] for arm in ARMS}
    with tempfile.TemporaryDirectory() as tmp, serve_folder(FIXTURE / "site") as url:
        for round_ in range(args.rounds):
            for arm, path in browsers.items():
                assert path is not None
                results[arm].append(one_run(path, url, args.repeat, Path(tmp) / f"{arm}-{round_}"))
    medians = {arm: (statistics.median(w for w, _ in r), statistics.median(c for _, c in r))
               for arm, r in results.items()}
    print(f"{'arm':16} {'wall (median)':>14} {'CPU (median)':>13}")
    for arm, (wall, cpu) in medians.items():
        print(f"{arm:16} {wall:12.2f} s {cpu:11.2f} s")
    (w_full, c_full), (w_shell, c_shell) = medians["chromium"], medians["headless-shell"]
    print(f"ratio headless-shell / chromium: wall {w_shell / w_full:.2f}, CPU {c_shell / c_full:.2f}")


if __name__ == "__main__":
    main()
