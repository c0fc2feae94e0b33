"""CLI start-up as a user waits for it: `stridelift --help`, and `plan`, `today`, `status` and
`why` on the demo home, against `python -c pass` measured in the same run.

Builds the demo home once (cached in .bench/cli-home, a 4-week replay on a pinned day), then
runs every command as a new process in interleaved rounds (bench/stable.py). Prints each
command's median seconds, its median CPU seconds (user + system: what the machine's other load
changes least) and its ratio to `python -c pass` (the interpreter's own start-up, the floor).
The last line is one JSON object: seconds, CPU seconds and ratio per command.
Goals: --help under 0.3 s, plan/today/why under 0.8 s (status is shown beside them).

    python bench/cli.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stable import WARMUP, interleaved, nothing  # noqa: E402

HOME = ROOT / ".bench" / "cli-home"
TODAY = "2026-11-26"
CLI = str(Path(sys.executable).with_name("stridelift"))
COMMANDS = {
    "python": [sys.executable, "-c", "pass"],
    "help": [CLI, "--help"],
    "plan": [CLI, "plan"],
    "today": [CLI, "today"],
    "status": [CLI, "status"],
    "why": [CLI, "why"],
}


def environment() -> dict[str, str]:
    return {**os.environ, "STRIDELIFT_HOME": str(HOME)}


def ensure_home() -> None:
    if (HOME / ".built").exists():
        return
    print(f"building the demo home in {HOME} (once)", file=sys.stderr)
    subprocess.run([CLI, "demo", "--weeks", "4", "--today", TODAY], env=environment(),
                   check=True, stdout=subprocess.DEVNULL)
    (HOME / ".built").touch()


def run(command: list[str], cpu: list[float]) -> None:
    """Run the command, appending the CPU seconds it used to `cpu`."""
    before = _children_cpu()
    done = subprocess.run(command, env=environment(), stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    cpu.append(_children_cpu() - before)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed: {done.stderr.strip()[-300:]}")


def candidate(command: list[str], cpu: list[float]) -> Callable[[None], None]:
    return lambda _: run(command, cpu)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    ensure_home()
    cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
    timed = interleaved({name: (candidate(command, cpu[name]), nothing)
                         for name, command in COMMANDS.items()}, args.rounds)
    out: dict[str, float] = {}
    for name in COMMANDS:
        seconds = timed.median(name)
        cpu_seconds = statistics.median(cpu[name][WARMUP:])
        ratio = timed.ratio(name, "python")
        label = " ".join(["stridelift", *COMMANDS[name][1:]]) if name != "python" \
            else "python -c pass"
        print(f"{label:22}{seconds:6.3f} s  CPU {cpu_seconds:5.3f} s  x python -c pass: {ratio}")
        out[f"{name}_seconds"] = round(seconds, 3)
        out[f"{name}_cpu_seconds"] = round(cpu_seconds, 3)
        if name != "python":
            out[f"{name}_ratio"] = round(ratio.median, 2)
    print(f"(median of {args.rounds} interleaved rounds)")
    print(json.dumps({**out, "rounds": args.rounds}))


if __name__ == "__main__":
    main()
