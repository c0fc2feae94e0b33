"""The nightly analysis decides again only from the first day whose inputs changed, and what
it stores is exactly what deciding every day afresh stores (a late-synced change in the
middle of the history included)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import models as m
from db import repo, wellness_days
from db.session import open_db, transaction
from domain.activity import Activity
from domain.profile import Profile
from domain.wellness import DailyWellness
from jobs import analyse as analyse_job
from jobs.analyse import analyse

P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50, threshold_hr=170,
            runs={"sat": "long"})
FIRST = date(2025, 1, 1)
NIGHTS = 120  # past the 60-day HRV baseline and the 42-day cold start
MIDDLE = FIRST + timedelta(days=55)
FIELDS = ("endurance_load", "strength_load", "atl", "ctl", "tsb", "acwr", "monotony",
          "strain", "level", "reasons", "values", "missing")


def _run(day: date, minutes: float, avg_hr: float, name: str) -> Activity:
    return Activity(sport="running", start=datetime(day.year, day.month, day.day, 7,
                                                       tzinfo=UTC),
                    duration_s=minutes * 60, avg_hr=avg_hr, name=name)


def _wellness(i: int) -> DailyWellness:
    """Varied mornings: HRV dips, missing nights, every readiness and HRV status."""
    return DailyWellness(
        day=FIRST + timedelta(days=i),
        hrv_last_night=None if i % 11 == 3 else 55.0 + (i * 7) % 13 - (12 if i % 17 < 3 else 0),
        hrv_status=["BALANCED", "balanced ", "UNBALANCED", "LOW", None][i % 5 if i % 7 else 0],
        readiness_level=["HIGH", "MODERATE", "low", "PRIME", None, "?"][i % 6],
        sleep_score=None if i % 13 == 5 else 50 + (i * 5) % 45,
        resting_hr=None if i % 19 == 7 else 48 + (i * 3) % 9)


def _history(session: Session, nights: int) -> None:
    who = repo.athlete(session, P)
    for i in range(nights):
        wellness_days.save_wellness(session, who, _wellness(i))
        if i % 7 in (1, 3, 5):
            run = _run(FIRST + timedelta(days=i), 40 + i % 5 * 15, 135 + i % 4 * 10, f"r{i}")
            repo.save_activities(session, who, [run], content_hash=f"{i:064d}")


def _stored(session: Session) -> dict[date, tuple[Any, ...]]:
    return {row.day: tuple(getattr(row, name) for name in FIELDS)
            for row in session.scalars(select(m.DailyStatus))}


def _late_hrv(session: Session) -> None:
    """A morning synced again days later, with another HRV and readiness."""
    wellness_days.save_wellness(session, repo.athlete(session, P), DailyWellness(
        day=MIDDLE, hrv_last_night=31.0, readiness_level="POOR", sleep_score=40, resting_hr=60))


def _late_run(session: Session) -> None:
    """A forgotten run imported later, in the middle of the history."""
    repo.save_activities(session, repo.athlete(session, P),
                         [_run(MIDDLE, 150, 172, "forgotten long run")], content_hash="f" * 64)


def _late_import(session: Session) -> None:
    """The same forgotten run arriving through a FIT import (its batched Core inserts)."""
    repo.save_fit_files(session, repo.athlete(session, P),
                        [("e" * 64, [(_run(MIDDLE, 150, 172, "imported long run"), None)])])


@pytest.mark.parametrize("change", [_late_hrv, _late_run, _late_import])
def test_incremental_nights_store_what_a_full_recompute_stores(
        db_url: str, change: Callable[[Session], None]) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        _history(s, NIGHTS)
    with transaction(factory) as s:  # the first night decides every day
        assert analyse(s, P, FIRST + timedelta(days=NIGHTS - 10)).decided_from == FIRST
    for night in range(NIGHTS - 9, NIGHTS):  # then night after night: only the new day
        with transaction(factory) as s:
            report = analyse(s, P, FIRST + timedelta(days=night))
        assert report.decided_from == FIRST + timedelta(days=night)
    last = FIRST + timedelta(days=NIGHTS - 1)
    with transaction(factory) as s:  # nothing new: nothing decided again
        assert (analyse(s, P, last).decided_from, analyse(s, P, last).days_written) == (None, 0)
        before = _stored(s)
    with transaction(factory) as s:
        change(s)
    with transaction(factory) as s:
        report = analyse(s, P, last)
    assert report.decided_from == MIDDLE and report.days_written > 1
    with factory() as s:
        incremental = _stored(s)
    with transaction(factory) as s:  # every day afresh
        s.execute(delete(m.DailyStatus))
    with transaction(factory) as s:
        assert analyse(s, P, last).decided_from == FIRST
    with factory() as s:
        full = _stored(s)
    assert len(full) == NIGHTS and incremental.keys() == full.keys()
    assert [day for day in full if incremental[day] != full[day]] == []
    assert incremental[MIDDLE] != before[MIDDLE]  # the change mattered ...
    assert all(incremental[day] == before[day] for day in before if day < MIDDLE)  # from there


def test_the_same_morning_again_decides_nothing_and_a_cleaned_twin_writes_nothing(
        db_url: str) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        _history(s, 30)
    last = FIRST + timedelta(days=29)
    with transaction(factory) as s:
        analyse(s, P, last)
    with transaction(factory) as s:  # a re-sync of stored mornings: nothing changed
        for i in range(25, 30):
            wellness_days.save_wellness(s, repo.athlete(s, P), _wellness(i))
        report = analyse(s, P, last)
    assert (report.decided_from, report.days_written) == (None, 0)
    with transaction(factory) as s:  # "low" now comes as "LOW ": decided again, the same
        day = _wellness(2)
        wellness_days.save_wellness(s, repo.athlete(s, P), DailyWellness(
            **{**day.__dict__, "readiness_level": "LOW "}))
        report = analyse(s, P, last)
    assert (report.decided_from, report.days_written) == (day.day, 0)


@pytest.mark.parametrize("change", [_late_hrv, _late_run])
def test_years_decided_apart_store_what_one_pass_stores(
        db_url: str, monkeypatch: pytest.MonkeyPatch, change: Callable[[Session], None]) -> None:
    """Decided a "year" of 25 days at a time (each from its own inputs, continuing what the
    day before stored), night after night and after a late change, the days are stored as
    one pass over the whole history stores them: the same levels, texts and counts, the
    numbers to rounding (the baselines' running sums start elsewhere)."""
    factory = open_db(db_url)
    last = FIRST + timedelta(days=NIGHTS - 1)

    def afresh() -> list[dict[date, tuple[Any, ...]]]:
        """Every day decided afresh in one pass, then by years (what the nights should have
        left, exactly)."""
        stored = []
        for year_days in (10 * NIGHTS, 25):
            monkeypatch.setattr(analyse_job, "YEAR_DAYS", year_days)
            with transaction(factory) as s:
                s.execute(delete(m.DailyStatus))
            with transaction(factory) as s:
                assert analyse(s, P, last).decided_from == FIRST
            with factory() as s:
                stored.append(_stored(s))
        return stored

    def check() -> None:
        with factory() as s:
            nights = _stored(s)
        one_pass, by_years = afresh()
        assert [day for day in by_years if nights[day] != by_years[day]] == []
        _assert_close(nights, one_pass)

    with transaction(factory) as s:
        _history(s, NIGHTS)
    monkeypatch.setattr(analyse_job, "YEAR_DAYS", 25)
    with transaction(factory) as s:
        analyse(s, P, last - timedelta(days=10))
    for night in range(NIGHTS - 10, NIGHTS):  # only the new day, from its year's inputs
        with transaction(factory) as s:
            assert analyse(s, P, FIRST + timedelta(days=night)).days_written == 1
    check()
    with transaction(factory) as s:
        change(s)
    with transaction(factory) as s:
        assert analyse(s, P, last).decided_from == MIDDLE
    check()


def _assert_close(by_years: dict[date, tuple[Any, ...]],
                  one_pass: dict[date, tuple[Any, ...]]) -> None:
    assert by_years.keys() == one_pass.keys() and len(one_pass) == NIGHTS
    for day, row in one_pass.items():
        for name, ours, theirs in zip(FIELDS, by_years[day], row, strict=True):
            if name == "values":
                assert ours.keys() == theirs.keys(), day
                for key, value in theirs.items():
                    assert _close(ours[key], value), (day, key, ours[key], value)
            else:
                assert _close(ours, theirs), (day, name, ours, theirs)


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    return bool(a == b)
