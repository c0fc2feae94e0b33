"""Stable numbers on a shared machine: candidates run interleaved, round after round, and a
ratio is the median of the per-round ratios with its min-max spread.

A load burst then slows both sides of the same round instead of one side's whole series, and
the median ignores the odd bad round; the spread shows how much the machine swung.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Untimed rounds first by default: a new process's first round pays for cold caches, lazy
# imports and a growing heap, which then weigh on the first timed ratio.
WARMUP = 1
Run = Callable[[Any], Any]  # the timed work, given a fresh input
Make = Callable[[], Any]  # builds that input, outside the clock


@dataclass(frozen=True)
class Timings:
    """Seconds per round of every candidate, and each one's last result."""

    seconds: dict[str, list[float]]
    results: dict[str, Any]

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def ratio(self, slow: str, fast: str) -> Ratio:
        """How many times `fast` beats `slow`, round by round (same round, same load)."""
        return Ratio.of([s / f for s, f in zip(self.seconds[slow], self.seconds[fast],
                                                strict=True)])


@dataclass(frozen=True)
class Ratio:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Ratio:
        return cls(statistics.median(values), min(values), max(values))

    def __str__(self) -> str:
        return f"{self.median:6.1f}x (min {self.low:.1f}, max {self.high:.1f})"

    def as_json(self, key: str) -> dict[str, float]:
        return {key: round(self.median, 2), f"{key}_min": round(self.low, 2),
                f"{key}_max": round(self.high, 2)}


def interleaved(candidates: Mapping[str, tuple[Run, Make]], rounds: int,
                warmup: int = WARMUP) -> Timings:
    """Every round times each candidate once, in the same order, each on a new input built
    outside the clock; `warmup` untimed rounds first (a new process's first runs are slow)."""
    seconds: dict[str, list[float]] = {name: [] for name in candidates}
    results: dict[str, Any] = {}
    for round_no in range(warmup + rounds):
        for name, (run, make) in candidates.items():
            given = make()
            began = time.perf_counter()
            results[name] = run(given)
            elapsed = time.perf_counter() - began
            if round_no >= warmup:
                seconds[name].append(elapsed)
    return Timings(seconds, results)


def nothing() -> None:
    """The input of candidates that need none."""
    return None
