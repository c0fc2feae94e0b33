"""The planning tests on a pinned Saturday and a pinned Sunday: the week's plan is built from
"today", and a week that starts tomorrow or ended yesterday is where date bugs hide."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY_ENV

ROOT = Path(__file__).resolve().parents[1]
# Every test module that plans from the shell's today (the CLI or a job), and the planner's.
PLANNING = ["test_plan_job.py", "test_cli_init.py", "test_report.py", "test_program.py",
            "test_adapt.py", "test_planner_properties.py", "test_nightly.py"]


@pytest.mark.skipif(os.environ.get(TODAY_ENV) is not None, reason="already a pinned-day run")
@pytest.mark.parametrize("day", ["2026-12-05", "2026-12-06"])  # a Saturday, a Sunday
def test_planning_tests_pass_on_a_weekend(day: str) -> None:
    env = {**os.environ, TODAY_ENV: day}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "-x", *(f"tests/{name}" for name in PLANNING)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
