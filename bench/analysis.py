"""Full recompute of load and recovery for ten years of one athlete, against plain loops.

Generates ten years of activities and morning wellness with a seeded RNG. Each side starts
from the data in the form its own input takes, built before the clock starts: neither pays
for loading (the database) or for converting one form into the other, so the clock
measures only the analysis.
- Ours is given the activities as (day, load) pairs, as `jobs.analyse.daily_series` selects
  them, and the wellness as `WellnessColumns`, one array per field, as
  `db.wellness_days.wellness_columns` builds it from one select in the product, the texts
  as labels: Garmin's words come from the select as small numbers, mapped in SQL (here built
  from the records with `WellnessColumns.from_days`; tests/test_analyse.py checks that the
  two give the same decisions).
- The plain per-day loops of tests/load_reference.py are given the same (day, load) pairs
  and the wellness as a list of `DailyWellness` records, what `db.wellness_days.wellness`
  builds.
Every run gets a new copy of its own input, built outside the clock: new arrays for ours;
new records, day and text objects for the reference (texts decoded as a database driver
hands them over). No run finds work done by the one before it, such as a string or date
hash cached (the reference hashes the days and compares the texts).
Timed in interleaved rounds (bench/stable.py: every round runs every candidate once, after
untimed warm-up rounds; ours, a few milliseconds, BATCH times on as many fresh inputs in one
timing, divided), each ratio the median of the per-round ratios with its min-max:
- the reference: `reference_daily_loads` + `reference_training_load` + `reference_recovery`:
  every day's load numbers, recovery values and level;
- ours, explained (the headline): `daily_totals` + `DailyLoad.of` (load numbers as arrays)
  + `decide` for every day (recovery values, rule flags, level), plus `explain` of the same
  decisions
  for the last week, the days a user looks at (`status`, the report), in words: what the
  nightly analysis does (jobs/analyse.py), where the days to explain are the few that
  changed;
- ours, decided: the same without the words;
- frame: decided through the DataFrames (`daily_loads`, `training_load`, `recovery_frame`);
- from_objects: decided from the reference's input, records turned into columns inside the
  clock: what a caller holding records pays;
- explained_all: every day's reasons and missing inputs in words (about ten thousand
  strings), which no user waits on.
The levels must agree with the reference. The last line is one JSON object: days, seconds
and ratio (explained; ratio_min and ratio_max the spread) and the figures above. Goal:
ratio >= 40.

    python bench/analysis.py [--years 10] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.load import DailyLoad, daily_loads, daily_totals, training_load  # noqa: E402
from analysis.recovery import (  # noqa: E402
    WellnessColumns,
    decide,
    explain,
    recovery_frame,
    recovery_statuses,
)
from bench.stable import Make, Run, Timings, interleaved  # noqa: E402
from domain.wellness import DailyWellness  # noqa: E402
from domain.wellness_columns import Labels  # noqa: E402
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
# Runs of ours timed together (see batched): a 1 ms run alone loses a whole time slice
# to the first process that wakes up, which a loaded machine does every few rounds.
BATCH = 10
SHOWN_DAYS = 7  # the days a user looks at: `status` shows one, the report a week at a time
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
    """Every day decided: load numbers, recovery values, rule flags, level (as arrays, the
    nightly analysis' path: jobs/analyse.py)."""
    load = DailyLoad.of(daily_totals(items, FIRST, end), FIRST)
    return list(decide(wellness, load, FIRST, end).levels())


def ours_frame(items: list[tuple[date, float]], wellness: WellnessColumns,
               end: date) -> list[str]:
    """The same through the DataFrames: daily_loads, training_load, recovery_frame."""
    load = training_load(daily_loads(items, FIRST, end))
    return recovery_frame(wellness, load, FIRST, end)["level"].tolist()


def ours_from_records(items: list[tuple[date, float]], records: list[DailyWellness],
                      end: date) -> list[str]:
    """Every day decided, from the reference's input: records turned into columns first."""
    return ours(items, WellnessColumns.from_days(records), end)


def ours_explained(items: list[tuple[date, float]], wellness: WellnessColumns,
                   end: date, shown: int = SHOWN_DAYS) -> list[str]:
    """Every day decided, and the days a user looks at (`status`, the report's week)
    explained in words: the explained path."""
    load = DailyLoad.of(daily_totals(items, FIRST, end), FIRST)
    decided = decide(wellness, load, FIRST, end)
    levels = list(decided.levels())
    week = explain(decided, end - timedelta(days=shown - 1))
    if [s.level for s in week] != levels[-shown:] or len(week) != shown:
        raise SystemExit("the explained days disagree with the decided ones")
    return levels


def ours_explained_all(items: list[tuple[date, float]], wellness: WellnessColumns,
                       end: date) -> list[str]:
    """Every day decided and explained in words (about ten thousand strings)."""
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
    """Ours' input again: new arrays (the texts' codes too: the select hands Garmin's words
    over as numbers, db.wellness_days.wellness_columns)."""
    return WellnessColumns(
        day=columns.day.copy(), hrv_last_night=columns.hrv_last_night.copy(),
        hrv_status=_copy(columns.hrv_status), readiness_level=_copy(columns.readiness_level),
        sleep_score=columns.sleep_score.copy(), resting_hr=columns.resting_hr.copy())


def _copy(labels: Labels) -> Labels:
    return labels._replace(codes=labels.codes.copy())


def batched(run: Run, make: Make) -> tuple[Run, Make]:
    """`run` over BATCH fresh inputs in one timing: a few milliseconds, like the reference,
    so that a time slice lost to another process costs both sides alike."""
    return (lambda inputs: [run(given) for given in inputs][-1],
            lambda: [make() for _ in range(BATCH)])


def per_run(timed: Timings, batches: Iterable[str]) -> Timings:
    """The batched candidates' seconds per single run."""
    names = set(batches)
    return Timings({name: [t / BATCH for t in seconds] if name in names else seconds
                    for name, seconds in timed.seconds.items()}, timed.results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    days = round(args.years * 365.25)
    end = FIRST + timedelta(days=days - 1)
    items, records = athlete(days)
    # Ours' input, as db.wellness_days.wellness_columns builds it from the rows of one select.
    columns = WellnessColumns.from_days(records)
    fast = {  # name: (run, its input), each timed over BATCH fresh inputs a round
        "ours": (lambda c: ours(items, c, end), lambda: fresh_columns(columns)),
        "explained": (lambda c: ours_explained(items, c, end), lambda: fresh_columns(columns)),
        "frame": (lambda c: ours_frame(items, c, end), lambda: fresh_columns(columns)),
        "from_objects": (lambda r: ours_from_records(items, r, end),
                         lambda: fresh_records(records)),
    }
    candidates = {
        "reference": (lambda r: reference(items, r, end), lambda: fresh_records(records)),
        **{name: batched(run, make) for name, (run, make) in fast.items()},
        "explained_all": (lambda c: ours_explained_all(items, c, end),
                          lambda: fresh_columns(columns)),
    }
    timed = per_run(interleaved(candidates, args.rounds, WARMUP), fast)
    ref_levels = timed.results["reference"]
    if any(len(result) != len(ref_levels) for result in timed.results.values()):
        raise SystemExit("a candidate decided a different number of days")
    differ = sum(any(result[i] != ref_levels[i] for result in timed.results.values())
                 for i in range(len(ref_levels)))
    levels = timed.results["ours"]
    counts = {level: levels.count(level) for level in ("green", "amber", "red")}
    print(f"{days} days ({FIRST} to {end}), {len(items)} activities, "
          f"{sum(w.hrv_last_night is not None for w in records)} HRV nights")
    print(f"{'plain-loop reference (values + level):':58}"
          f"{timed.median('reference') * 1000:7.1f} ms")
    ratios = {name: timed.ratio("reference", name) for name in candidates if name != "reference"}
    for name, label in (
            ("explained", f"ours, decided + the last {SHOWN_DAYS} days explained:"),
            ("ours", "ours, decided (decide):"),
            ("frame", "ours, decided as a DataFrame (recovery_frame):"),
            ("from_objects", "ours, decided from DailyWellness records:"),
            ("explained_all", "ours, every day explained (not what a user waits on):")):
        print(f"{label:58}{timed.median(name) * 1000:7.1f} ms  ratio {ratios[name]}")
    print(f"(median of {args.rounds} interleaved rounds; ratio per round, min-max spread)")
    print(f"levels {counts}; {differ} day(s) differ from the reference")
    if differ:
        raise SystemExit("the vectorised levels disagree with the reference")
    print(json.dumps({
        "days": days, "seconds": round(timed.median("explained"), 4),
        **ratios["explained"].as_json("ratio"),
        "decided_seconds": round(timed.median("ours"), 4),
        **ratios["ours"].as_json("decided_ratio"),
        "frame_seconds": round(timed.median("frame"), 4),
        "from_objects_ratio": round(ratios["from_objects"].median, 1),
        "explained_all_seconds": round(timed.median("explained_all"), 4),
        "explained_all_ratio": round(ratios["explained_all"].median, 1),
        "reference_seconds": round(timed.median("reference"), 4), "rounds": args.rounds}))


if __name__ == "__main__":
    main()
