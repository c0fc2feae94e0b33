"""tests/pause_at.py, the pause the kill tests land their SIGKILL in: a process paused there
that no test kills ends itself (an interrupted test leaves no process sleeping for good)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests import pause_at
from tests.processes import ROOT


def test_a_pause_no_test_kills_ends_the_process_without_the_step_it_paused_before(
        tmp_path: Path) -> None:
    marker, config = tmp_path / "paused", tmp_path / "config.toml"
    (tmp_path / "new").write_text("x")
    code = ("import os, tests.pause_at as p; p.PAUSE_S = 0.2; "
            f"p._install(p.spec(1, {str(marker)!r}, 'config.toml')); "
            f"os.rename({str(tmp_path / 'new')!r}, {str(config)!r})")
    env = {k: v for k, v in os.environ.items() if k != pause_at.ENV}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, timeout=60,
                          capture_output=True)
    assert done.returncode == pause_at.PAUSED_TOO_LONG, done.stderr.decode()
    assert marker.exists() and not config.exists()
