"""Full recompute of load and recovery for ten years of one athlete, against plain loops.

Generates ten years of activities and morning wellness with a seeded RNG. Each side starts
from the data in the form its own input takes, built before the clock starts: neither pays
for loading (the database) or for converting one form into the other, so the clock
measures only the analysis.
- Ours is given the activities as (day, load) pairs, as `jobs.analyse.daily_series` selects
  them, and the wellness as `WellnessColumns`, one array per field, as
  `db.repo.wellness_columns` builds it from one select in the product (here built from the
  records with `WellnessColumns.from_days`; tests/test_analyse.py checks that the two give
  the same decisions).
- The plain per-day loops of tests/load_reference.py are given the same (day, load) pairs
  and the wellness as a list of `DailyWellness` records, what `db.repo.wellness` builds.
Every run gets a new copy of its own input, built outside the clock, with new day and text
objects (texts decoded as a database driver hands them over): no run finds work done by the
one before it, such as a string or date hash cached (ours hashes the texts, the reference
the days).
Timed, best of the same number of runs each, after the same number of untimed warm-up runs:
- ours, decided: `daily_loads` + `training_load` + `recovery_columns`: every day's load
  numbers (ATL, CTL, TSB, ACWR, monotony, strain), recovery values, rule flags and level;
- the reference: `reference_daily_loads` + `reference_training_load` +
  `reference_recovery`: every day's load numbers, recovery values and level.
The levels must agree. The headline ratio is reference time / ours, decided: both produce
every day's values and level, each from its own input, and neither writes text.
Reported apart, not in the headline:
- frame_seconds: ours, decided, with the recovery columns wrapped in a DataFrame
  (`recovery_frame`);
- from_objects_seconds and from_objects_ratio: ours, decided, given the reference's input,
  the records, and converting them to columns inside the clock: what a caller holding
  records pays;
- explained_seconds and explained_ratio: ours with `recovery_statuses`, which also writes
  every day's reasons and missing inputs in words (about ten thousand strings). The words
  cost most of it and are rendered for the days a user looks at (a status, a week), not for
  ten years at once.
The last line is one JSON object: days, seconds and ratio (decided) and the figures above,
plus reference_seconds. Goal: ratio >= 20. The machine may be shared: run it a few times.

    python bench/analysis.py [--years 10] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.load import daily_loads, training_load  # noqa: E402
from analysis.recovery import (  # noqa: E402
    WellnessColumns,
    recovery_columns,
    recovery_frame,
    recovery_statuses,
)
from domain.wellness import DailyWellness  # noqa: E402
from tests.load_reference import (  # noqa: E402
    reference_daily_loads,
    reference_recovery,
    reference_training_load,
)

FIRST = date(2015, 1, 1)
# Untimed runs first, for every candidate alike: a new process's first runs are slower (the
# allocator grows its heap, pandas does first-call work), which a 60 ms run hides and a
# 3 ms one does not.
WARMUP = 3
WEEK = (60.0, 0.0, 110.0, 50.0, 0.0, 180.0, 30.0)  # a runner's weekly TRIMP shape


def athlete(days: int, seed: int = 7) -> tuple[list[tuple[date, float]], list[DailyWellness]]:
    """Activities (day, load) and one wellness record a day, with gaps, from one seed."""
    rng = np.random.default_rng(seed)
    items: list[tuple[date, float]] = []
    for i in range(days):
        base = WEEK[i % 7] * (1 + 0.3 * math.sin(i / 58)) * rng.uniform(0.6, 1.4)
        if base > 0 and rng.random() > 0.05:
            items.append((FIRST + timedelta(days=i), float(base)))
        if rng.random() < 0.08:  # a second session some days
            items.append((FIRST + timedelta(days=i), float(rng.uniform(20, 80))))
    ln_hrv = 4.0 + 0.1 * np.sin(np.arange(days) / 90) + rng.normal(0, 0.12, days)
    readiness = rng.choice(["PRIME", "HIGH", "MODERATE", "LOW", "POOR"], days,
                           p=[0.15, 0.4, 0.3, 0.12, 0.03])
    status = rng.choice(["BALANCED", "UNBALANCED", "LOW"], days, p=[0.85, 0.12, 0.03])
    wellness = [DailyWellness(
        day=FIRST + timedelta(days=i),
        hrv_last_night=None if rng.random() < 0.08 else float(round(math.exp(ln_hrv[i]))),
        hrv_status=None if rng.random() < 0.05 else str(status[i]),
        readiness_level=None if rng.random() < 0.1 else str(readiness[i]),
        sleep_score=None if rng.random() < 0.05 else int(rng.integers(40, 96)),
        resting_hr=None if rng.random() < 0.05 else round(float(rng.normal(50, 2.5))),
    ) for i in range(days)]
    return items, wellness


def ours(items: list[tuple[date, float]], wellness: WellnessColumns, end: date) -> list[str]:
    """Every day decided: load numbers, recovery values, rule flags, level."""
    load = training_load(daily_loads(items, FIRST, end))
    return recovery_columns(wellness, load, FIRST, end)["level"].tolist()


def ours_frame(items: list[tuple[date, float]], wellness: WellnessColumns,
               end: date) -> list[str]:
    """The same, the recovery columns in a DataFrame."""
    load = training_load(daily_loads(items, FIRST, end))
    return recovery_frame(wellness, load, FIRST, end)["level"].tolist()


def ours_from_records(items: list[tuple[date, float]], records: list[DailyWellness],
                      end: date) -> list[str]:
    """Every day decided, from the reference's input: records turned into columns first."""
    return ours(items, WellnessColumns.from_days(records), end)


def ours_explained(items: list[tuple[date, float]], wellness: WellnessColumns,
                   end: date) -> list[str]:
    """Every day decided and explained in words."""
    load = training_load(daily_loads(items, FIRST, end))
    return [s.level for s in recovery_statuses(wellness, load, FIRST, end)]


def reference(items: list[tuple[date, float]], wellness: list[DailyWellness],
              end: date) -> list[str]:
    load = reference_training_load(reference_daily_loads(items, FIRST, end))
    days = [FIRST + timedelta(days=i) for i in range(len(load["tsb"]))]
    rows = reference_recovery(wellness, FIRST, end, dict(zip(days, load["tsb"], strict=True)),
                              dict(zip(days, load["acwr"], strict=True)))
    return [str(r["level"]) for r in rows]


def _text(value: str | None) -> str | None:
    """A new str object, decoded as a database driver hands it over: its hash not cached."""
    return None if value is None else value.encode().decode()


def fresh_records(records: list[DailyWellness]) -> list[DailyWellness]:
    """The reference's input again: new records, days and texts (hashes not cached)."""
    return [replace(w, day=date.fromordinal(w.day.toordinal()), hrv_status=_text(w.hrv_status),
                    readiness_level=_text(w.readiness_level)) for w in records]


def fresh_columns(columns: WellnessColumns) -> WellnessColumns:
    """Ours' input again: new arrays, the texts decoded afresh (hashes not cached)."""
    return WellnessColumns(
        day=columns.day.copy(), hrv_last_night=columns.hrv_last_night.copy(),
        hrv_status=np.array(list(map(_text, columns.hrv_status.tolist())), dtype=object),
        readiness_level=np.array(list(map(_text, columns.readiness_level.tolist())),
                                 dtype=object),
        sleep_score=columns.sleep_score.copy(), resting_hr=columns.resting_hr.copy())


def best(fn: Callable[[Any], Any], make: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The best time of `fn` over `repeats` runs after WARMUP untimed ones, each run given a
    new input from `make`, built outside the clock: no run finds work left done by the one
    before (a cached hash)."""
    for _ in range(WARMUP):
        fn(make())
    times, result = [], None
    for _ in range(repeats):
        given = make()
        began = time.perf_counter()
        result = fn(given)
        times.append(time.perf_counter() - began)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    days = round(args.years * 365.25)
    end = FIRST + timedelta(days=days - 1)
    items, records = athlete(days)
    # Ours' input, as db.repo.wellness_columns builds it from the rows of one select.
    columns = WellnessColumns.from_days(records)
    timed = {name: best(fn, make, args.repeats) for name, fn, make in (
        ("ours", lambda c: ours(items, c, end), lambda: fresh_columns(columns)),
        ("frame", lambda c: ours_frame(items, c, end), lambda: fresh_columns(columns)),
        ("from_objects", lambda r: ours_from_records(items, r, end),
         lambda: fresh_records(records)),
        ("explained", lambda c: ours_explained(items, c, end), lambda: fresh_columns(columns)),
        ("reference", lambda r: reference(items, r, end), lambda: fresh_records(records)))}
    ref_s, ref_levels = timed["reference"]
    levels = timed["ours"][1]
    differ = sum(any(result[i] != ref_levels[i] for _, result in timed.values())
                 for i in range(len(ref_levels)))
    if any(len(result) != len(ref_levels) for _, result in timed.values()):
        raise SystemExit("a candidate decided a different number of days")
    counts = {level: levels.count(level) for level in ("green", "amber", "red")}
    print(f"{days} days ({FIRST} to {end}), {len(items)} activities, "
          f"{sum(w.hrv_last_night is not None for w in records)} HRV nights")
    print(f"{'plain-loop reference (values + level):':52}{ref_s * 1000:7.1f} ms")
    for name, label in (("ours", "ours, decided (recovery_columns):"),
                        ("frame", "ours, decided as a DataFrame (recovery_frame):"),
                        ("from_objects", "ours, decided from DailyWellness records:"),
                        ("explained", "ours, explained (recovery_statuses + text):")):
        seconds = timed[name][0]
        print(f"{label:52}{seconds * 1000:7.1f} ms  ratio {ref_s / seconds:5.1f}")
    print(f"(best of {args.repeats} each)")
    print(f"levels {counts}; {differ} day(s) differ from the reference")
    if differ:
        raise SystemExit("the vectorised levels disagree with the reference")
    ours_s, explained_s = timed["ours"][0], timed["explained"][0]
    print(json.dumps({"days": days, "seconds": round(ours_s, 4), "ratio": round(ref_s / ours_s, 1),
                      "frame_seconds": round(timed["frame"][0], 4),
                      "from_objects_seconds": round(timed["from_objects"][0], 4),
                      "from_objects_ratio": round(ref_s / timed["from_objects"][0], 1),
                      "explained_seconds": round(explained_s, 4),
                      "explained_ratio": round(ref_s / explained_s, 1),
                      "reference_seconds": round(ref_s, 4)}))


if __name__ == "__main__":
    main()
