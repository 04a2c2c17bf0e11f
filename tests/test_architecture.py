"""The layers of docs/architecture.md hold, and the contract that says so can fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(project: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter with the project's contracts on the ``harness`` package found in ``project``."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(project / "pyproject.toml")],
                          cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts, to break on purpose."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "harness", folder / "harness",
                    ignore=shutil.ignore_patterns("node_modules", "__pycache__", "*.png", "*.js", "*.css"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    return folder


def _with_line(copy: Path, module: str, line: str) -> Path:
    """A fresh copy of ``copy`` whose ``module`` file ends with ``line``."""
    broken = copy.parent / f"broken-{module.replace('.', '-')}"
    if broken.exists():
        shutil.rmtree(broken)
    shutil.copytree(copy, broken)
    path = broken / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")
    return broken


def test_the_layers_and_no_cycles_hold_on_the_package(copy: Path) -> None:
    done = _lint(copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(("module", "line", "says"), [
    ("harness.audit.findings", "from harness.pipeline import finish_run",
     "harness.audit is not allowed to import harness.pipeline"),
    ("harness.report.outputs", "from harness.compare.build import build_comparison",
     "harness.report is not allowed to import harness.compare"),
    ("harness.contracts.records", "import harness.runfolder.io",
     "harness.contracts is not allowed to import harness.runfolder"),
    ("harness.spec.features", "from harness.collect import steps",
     "harness.spec is not allowed to import harness.collect"),
])
def test_a_stage_that_imports_a_higher_layer_breaks_the_contract(copy: Path, module: str, line: str,
                                                                  says: str) -> None:
    done = _lint(_with_line(copy, module, line))
    assert done.returncode != 0
    assert says in " ".join(done.stdout.split()), done.stdout


def test_a_cycle_inside_a_stage_breaks_the_contract(copy: Path) -> None:
    done = _lint(_with_line(copy, "harness.collect.journey", "from harness.collect import guide_check"))
    assert done.returncode != 0
    assert "No cycles are allowed in harness.collect" in done.stdout, done.stdout


@pytest.mark.parametrize("module", ["harness.plugin.hooks", "harness.cli.main"])
def test_the_plugin_and_the_cli_start_without_pandas_or_scipy_stats(module: str) -> None:
    """Every pytest process of a run loads the plugin: the heavy libraries wait for the end of the run."""
    code = f"import sys, {module}; print(sorted(m for m in ('pandas', 'scipy.stats', 'pyarrow') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
