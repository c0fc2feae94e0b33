"""The CLI run as a process of its own, from this checkout, in the test's environment (its
home): for what only a real process shows (a Rust panic written straight to fd 2, a process
started without stderr)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-c", "from stridelift.cli import main; main()"]


def stridelift(*args: str, without_stderr: bool = False) -> subprocess.CompletedProcess[str]:
    """`stridelift ARGS`, its output as text; `without_stderr`: started with fd 2 closed
    (as `2>&-` from cron or a daemon), stdout only."""
    streams: dict[str, Any] = {"stdout": subprocess.PIPE, "preexec_fn": lambda: os.close(2)} \
        if without_stderr else {"capture_output": True}
    return subprocess.run([*CLI, *args], cwd=ROOT, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **streams)
