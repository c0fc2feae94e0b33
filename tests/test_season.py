"""The season benchmark's replay, as a test: perturbations never lead to an S4/S6 violation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "season.py"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_perturbed_season_keeps_the_rules(seed: int) -> None:
    spec = importlib.util.spec_from_file_location("season_bench", BENCH)
    assert spec and spec.loader
    season = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(season)
    result = season.season(weeks=12, seed=seed)
    assert result["violations"] == 0
    assert result["nights"] == 84 and 0.5 < result["sessions_kept"] <= 1
    assert result["ladder_steps"] >= 2  # three 4-week blocks: two steps up
