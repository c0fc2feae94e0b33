"""A pause at a known point of a CLI process a test runs and then kills: with
STRIDELIFT_TEST_PAUSE="N:POINT:MARKER" in its environment, the process creates MARKER and
stops for good at the N-th time it reaches POINT, so the test's SIGKILL lands there however
loaded the machine is. POINT is `OBJECT` (opening a raw object's temporary file, which its
bytes go to before the rename: mid-way through storing) or a file name (renaming a file
into place under that name: config.toml written whole). Python's audit hooks (PEP 578): they
watch the real I/O, and stand in for none of our modules."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.processes import ROOT

ENV = "STRIDELIFT_TEST_PAUSE"
OBJECT = "object"
# A paused process its test never killed (the test interrupted, its runner gone) ends itself
# after this long, with PAUSED_TOO_LONG, rather than sleep on for good
PAUSE_S = 600.0
PAUSED_TOO_LONG = 75
CLI = [sys.executable, "-c", "import tests.pause_at; from stridelift.cli import main; main()"]


def spec(n: int, marker: str, point: str = OBJECT) -> str:
    """The environment value that pauses a process the `n`-th time it reaches `point`."""
    return f"{n}:{point}:{marker}"


def killed_at(args: list[str], point: str, marker: Path, program: list[str] = CLI) -> None:
    """`stridelift ARGS` (or `program` ARGS, a program importing this module first) run as
    a process of its own in the test's environment, paused the first time it reaches
    `point`, and killed (SIGKILL) there."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), ENV: spec(1, str(marker), point)}
    proc = subprocess.Popen([*program, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    while not marker.exists() and proc.poll() is None:
        time.sleep(0.01)
    alive = proc.poll() is None
    proc.kill()
    out, err = proc.communicate(timeout=60)
    assert alive, (out + err).decode()


def _reaches(point: str, event: str, args: tuple[Any, ...]) -> bool:
    if point == OBJECT:
        if event != "open" or isinstance(args[0], int) or not args[2] & os.O_CREAT:
            return False
        name = os.fsdecode(args[0])
        return f"{os.sep}objects{os.sep}" in name and name.endswith(".tmp")
    return event == "os.rename" and os.fsdecode(args[1]).endswith(os.sep + point)


def _install(value: str) -> None:
    count, point, marker = value.split(":", 2)
    left = [int(count)]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if not _reaches(point, event, args):
            return
        left[0] -= 1
        if left[0] == 0:
            with open(marker, "w"):
                pass
            time.sleep(PAUSE_S)  # the test's SIGKILL comes first
            os._exit(PAUSED_TOO_LONG)

    sys.addaudithook(hook)


if value := os.environ.get(ENV):
    _install(value)
