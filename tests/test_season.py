"""The season benchmark's replay, as a test: perturbations never lead to an S4/S6 violation."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "season.py"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_perturbed_season_keeps_the_rules(seed: int) -> None:
    season = _bench()
    result = season.season(weeks=12, seed=seed)
    assert result["violations"] == 0
    assert result["nights"] == 84 and 0.5 < result["sessions_kept"] <= 1
    assert result["ladder_steps"] >= 2  # three 4-week blocks: two steps up
    # a new account with HRV dips and an illness: reds and ambers met, early form dips waited
    assert result["red_mornings"] > 0 and result["amber_mornings"] > 0
    assert result["form_dips_waited"] > 0


def test_without_the_morning_pass_the_checks_find_a_violation() -> None:
    """The morning checks can fail: a season whose morning pass does nothing breaks them."""
    season = _bench()
    season.rejudge_today = lambda sessions, *_: (list(sessions), [])
    assert season.season(weeks=12, seed=1)["violations"] > 0


def test_a_morning_pass_that_never_restores_is_found_out() -> None:
    """A green morning after a night that lightened for recovery: the check wants it
    restored, and a pass that ignores what the night decided breaks it."""
    season = _bench()
    judge = season.rejudge_today
    season.rejudge_today = lambda sessions, day, recovery, mobility, _judged: judge(
        sessions, day, recovery, mobility)
    assert season.season(weeks=12, seed=1)["violations"] > 0


def _bench() -> Any:  # a module loaded from its path: its names unknown to mypy
    spec = importlib.util.spec_from_file_location("season_bench", BENCH)
    assert spec and spec.loader
    season = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(season)
    return season
