"""The compare:/gate: settings: defaults, pyproject.toml, app.yaml, and their file:line errors (no browser)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import SpecError
from harness.spec.profile import load_profile
from harness.spec.regressions import load_config

PROFILE = """name: shop
base_url: http://127.0.0.1:9
compare:
  min_effect_ms: 20
gate:
  slowdown_pct: 15
  new_flaky: true
"""


def test_defaults_then_pyproject_then_app_yaml(tmp_path: Path) -> None:
    assert load_config(tmp_path).compare.min_effect_pct == 10
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.harness.compare]\nmin_effect_pct = 5\n'
                                             'min_effect_ms = 80\n\n[tool.harness.gate]\nfindings = "never"\n')
    (tmp_path / "app.yaml").write_text(PROFILE)
    config = load_config(tmp_path, load_profile(tmp_path / "app.yaml"))
    assert (config.compare.min_effect_pct, config.compare.min_effect_ms) == (5, 20)  # app.yaml wins over pyproject
    assert (config.gate.findings, config.gate.slowdown_pct, config.gate.new_flaky) == ("never", 15, True)
    assert config.sources == [str(tmp_path / "pyproject.toml"), str((tmp_path / "app.yaml").resolve())]


@pytest.mark.parametrize(("toml", "line", "words"), [
    ('[tool.harness.gate]\nnew_failures = true\nslowdown_pcent = 20\n', 3, "slowdown_pcent: Extra inputs"),
    ('[tool.harness.compare]\n\nalpha = 2\n', 3, "alpha: Input should be less than 0.5"),
    ('[tool.harness.gate]\nslowdown_metrics = ["duration", "lcp_ms"]\n', 2, "unknown metric 'duration'"),
    ('[tool.harness.gate\nx = 1\n', 1, "not valid TOML"),
])
def test_pyproject_mistakes_name_file_and_line(tmp_path: Path, toml: str, line: int, words: str) -> None:
    (tmp_path / "pyproject.toml").write_text(toml)
    with pytest.raises(SpecError) as caught:
        load_config(tmp_path)
    assert f"pyproject.toml:{line}:" in str(caught.value) and words in str(caught.value)


def test_app_yaml_mistakes_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(PROFILE.replace("new_flaky: true", "findings: critical"))
    with pytest.raises(SpecError) as caught:
        load_profile(tmp_path / "app.yaml")
    assert "app.yaml:7:" in str(caught.value) and "gate.findings" in str(caught.value)
