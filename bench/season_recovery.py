"""The season's recovery side for bench/season.py: a new account's simulated mornings (HRV
dips, an illness) judged by the real analysis, and the checks on what the plan did with them.

The account is new on the first day: no wellness and no load before it (the cold start).
Each morning's status comes from analysis/recovery.py on the wellness so far and the load of
the runs actually done; the checks count as violations (all must be 0):
- cold start: form or ACWR deciding before 42 days of load history, or form on one dip;
- the morning pass: a red morning whose open session is still strength work, or an amber
  morning whose open session is neither lightened nor mobility work.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from analysis.load import daily_loads, training_load
from analysis.recovery import (
    LOAD_HISTORY_DAYS,
    RecoveryStatus,
    WellnessColumns,
    recovery_columns,
    recovery_statuses,
)
from domain.wellness import DailyWellness
from planner.model import Session
from planner.morning import Judged

RUN_LOAD = {"easy": 50.0, "recovery": 30.0, "long": 150.0, "speed": 90.0, "threshold": 80.0}
LN_HRV = 4.0  # about 55 ms


@dataclass
class Mornings:
    """A new account's wellness for the season, and the loads of the runs as they happen."""

    first: date
    days: int
    rng: random.Random
    ill: set[date] = field(default_factory=set)
    dips: set[date] = field(default_factory=set)
    loads: list[tuple[date, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {
        "red_mornings": 0, "amber_mornings": 0, "form_dips_waited": 0, "violations": 0})

    def __post_init__(self) -> None:
        for start in self.rng.sample(range(20, self.days - 10), 3):  # three HRV dips
            self.dips |= {self.first + timedelta(days=start + k) for k in range(4)}
        sick = self.rng.randrange(30, self.days - 10)  # one illness: five days
        self.ill = {self.first + timedelta(days=sick + k) for k in range(5)}
        self.columns = WellnessColumns.from_days(
            [self._night(self.first + timedelta(days=i)) for i in range(self.days + 2)])

    def _night(self, day: date) -> DailyWellness:
        ln = LN_HRV + self.rng.gauss(0, 0.05)
        readiness = self.rng.choices(["HIGH", "MODERATE", "LOW"], [0.6, 0.35, 0.05])[0]
        sleep, rhr = self.rng.randint(62, 90), 48 + self.rng.randint(-1, 1)
        if day in self.dips:
            ln -= 0.3
        if day in self.ill:
            ln, readiness, sleep, rhr = ln - 0.35, "POOR", 50, rhr + 8
        hrv = None if self.rng.random() < 0.05 else round(2.718281828 ** ln, 1)
        return DailyWellness(day=day, hrv_last_night=hrv, readiness_level=readiness,
                             sleep_score=sleep, resting_hr=rhr, hrv_status="BALANCED")

    def ran(self, day: date, kinds: tuple[str, ...]) -> None:
        self.loads += [(day, RUN_LOAD.get(k, 60.0)) for k in kinds]

    def status(self, day: date) -> RecoveryStatus:
        """The morning of `day`: its wellness, the loads of the runs done before it."""
        load = training_load(daily_loads(self.loads, self.first, day))
        flags = recovery_columns(self.columns, load, day, day)
        early = flags["load_history_days"][0] < LOAD_HISTORY_DAYS
        if ((flags["tsb_low"][0] or flags["acwr_high"][0]) and early) or (
                flags["tsb_low"][0] and flags["tsb_low_days"][0] < 2):
            self.counts["violations"] += 1
        if early and flags["tsb"][0] < -30:
            self.counts["form_dips_waited"] += 1
        [status] = recovery_statuses(self.columns, load, day, day)
        return status

    def check_morning(self, sessions: list[Session], day: date, status: RecoveryStatus,
                      judged: Mapping[str, Judged]) -> None:
        """After the morning pass: today's open session fits the morning's status, and a
        green morning leaves none lightened for recovery (`judged`: by the night before)."""
        if status.level != "green":
            self.counts[f"{status.level}_mornings"] += 1
        for s in sessions:
            if s.day != day or s.settled:
                continue
            strength = s.kind == "strength"
            if (status.level == "red" and strength) or (
                    status.level == "amber" and strength and s.status != "lightened") or (
                    status.level == "green" and s.id in judged and s != judged[s.id].planned):
                self.counts["violations"] += 1
