"""The demo athlete: deterministic Garmin-shaped bodies, stored by the unchanged sync, and the
season's surprises visible in what the analysis makes of it."""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
import socket
import statistics
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from garminconnect import Garmin
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import ingest
from analysis.titles import planned_kind
from db import models as m
from db.raw import RawStore
from db.session import open_db, transaction
from demo import athlete as demo
from demo.athlete import DEMO_PROFILE, SURPRISES, DemoGarmin, demo_connect, demo_profile
from domain.profile import Profile
from ingest import fit
from ingest.garmin import Connect, GarminNoData, extract_fit
from ingest.sync import SyncReport, sync
from ingest.sync_days import DAY_CALLS
from jobs.analyse import analyse

TODAY = date(2025, 7, 9)  # a Wednesday: this week's Monday run and the intervals are done
SEED = 7


def _download(api: DemoGarmin, gid: int) -> bytes:
    return api.download_activity(str(gid), api.ActivityDownloadFormat.ORIGINAL)


def _first(api: DemoGarmin, kind: str) -> int:
    return next(gid for gid, s in api.sessions.items() if s.kind == kind)


def _bodies(api: DemoGarmin, day: date) -> dict[str, Any]:
    return {part: fetch(api, day.isoformat()) for part, fetch in DAY_CALLS.items()}


# -- the source itself -------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_bodies_and_files_and_another_seed_differs() -> None:
    a, b = DemoGarmin(SEED, today=TODAY), DemoGarmin(SEED, today=TODAY)
    other = DemoGarmin(SEED + 1, today=TODAY)
    first, last = a.timeline.first_day.isoformat(), TODAY.isoformat()
    assert a.get_activities_by_date(first, last) == b.get_activities_by_date(first, last)
    assert a.get_scheduled_workouts(2025, 7) == b.get_scheduled_workouts(2025, 7)
    for day in (a.timeline.first_day, TODAY - timedelta(days=30), TODAY):
        assert _bodies(a, day) == _bodies(b, day)
    for kind in ("speed", "strength"):
        assert _download(a, _first(a, kind)) == _download(b, _first(b, kind))
    assert a.get_activities_by_date(first, last) != other.get_activities_by_date(first, last)
    assert _bodies(a, TODAY) != _bodies(other, TODAY)
    assert _download(a, _first(a, "speed")) != _download(other, _first(other, "speed"))


# Where the product reaches the Garmin object beyond what the demo stands in for: the
# client's login and session (the demo is handed over logged in).
CLIENT_MODULES = {"garmin", "garmin_login"}


def _sync_modules() -> list[str]:
    """Every ingest module but the client's: a module added to the sync is checked too."""
    return sorted(m.name for m in pkgutil.iter_modules(ingest.__path__)
                  if m.name not in CLIENT_MODULES)


def test_it_has_every_garmin_attribute_sync_uses_with_garmins_signatures() -> None:
    used = {name for module in _sync_modules() for name in re.findall(
        r"\bapi\.(\w+)", inspect.getsource(importlib.import_module(f"ingest.{module}")))}
    assert {"garmin_connect_activities", "download_activity", "connectapi", "get_hrv_data",
            "get_sleep_data", "get_scheduled_workouts"} <= used  # activities, days, calendar
    api = DemoGarmin(SEED, today=TODAY)
    for name in sorted(used):
        ours = getattr(api, name)
        if callable(ours):
            assert _parameters(getattr(DemoGarmin, name)) == _parameters(getattr(Garmin, name))
        else:
            assert ours == getattr(Garmin(), name) or name == "display_name"


def _parameters(fn: Any) -> list[tuple[str, Any, Any]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def test_the_timeline_is_anchored_on_its_parameters() -> None:
    api = DemoGarmin(SEED, today=TODAY)
    assert api.timeline.first_day == date(2025, 3, 17)  # the Monday 16 weeks before this week
    assert api.race_day == date(2025, 8, 3)  # a Sunday, 25 days on
    from_start = DemoGarmin(SEED, first_day=date(2025, 3, 19))
    assert (from_start.timeline.first_day, from_start.today) == (date(2025, 3, 17),
                                                                 date(2025, 7, 7))
    assert DemoGarmin(SEED, first_day="2025-03-17", today="2025-07-09").timeline == api.timeline
    with pytest.raises(ValueError, match="first_day or today"):
        DemoGarmin(SEED)
    profile = demo_profile(TODAY)
    assert (profile.name, profile.source, profile.threshold_hr) == ("demo", "demo", 172)
    assert [(r.day, r.distance) for r in profile.races] == [(api.race_day, "half")]


def test_bodies_and_downloads_are_garmin_shaped() -> None:
    api = DemoGarmin(SEED, today=TODAY)
    items = api.get_activities_by_date(api.timeline.first_day.isoformat(), TODAY.isoformat(),
                                       None, "asc")
    assert [i["startTimeGMT"] for i in items] == sorted(i["startTimeGMT"] for i in items)
    speed = next(i for i in reversed(items) if i["activityName"].startswith("Intervals"))
    assert speed["trainingEffectLabel"] == "VO2MAX"
    assert speed["eventType"]["typeKey"] == "uncategorized"
    assert speed["activityType"]["typeKey"] == "running"
    race = next(i for i in items if i["eventType"]["typeKey"] == "race")
    assert race["activityName"] == "Stadtlauf 10K"
    data = _download(api, speed["activityId"])
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == [f"{speed['activityId']}_ACTIVITY.fit"]
    (run,) = fit.decode(extract_fit(data) or b"", "speed.fit")
    assert run.start.strftime("%Y-%m-%d %H:%M:%S") == speed["startTimeGMT"]
    assert run.utc_offset_s == 7200  # Europe/Berlin in summer
    winter = [datetime.fromisoformat(items[0][k]) for k in ("startTimeLocal", "startTimeGMT")]
    assert winter[0] - winter[1] == timedelta(hours=1)
    assert {lap.intensity for lap in run.laps} == {"warmup", "interval", "recovery", "cooldown"}
    assert run.duration_s == speed["duration"]
    assert abs((run.avg_hr or 0) - speed["averageHR"]) < 6
    strength = _first(api, "strength")
    assert api.get_activity_exercise_sets(strength)["exerciseSets"][0]["exercises"][0] == {
        "category": "LUNGE", "name": "DUMBBELL_LUNGE", "probability": 100.0}
    gym = api.get_activities_by_date(api.timeline.first_day.isoformat(), None,
                                     "fitness_equipment")
    assert [i["activityType"]["typeKey"] for i in gym] == ["strength_training"] * 3


def test_the_future_has_no_data_but_the_calendar_holds_the_plan() -> None:
    api = DemoGarmin(SEED, today=TODAY)
    tomorrow = TODAY + timedelta(days=1)
    assert api.get_activities_by_date(tomorrow.isoformat(), "2030-01-01") == []
    assert _bodies(api, tomorrow) == {"hrv": {}, "sleep": {}, "readiness": [],
                                      "body_battery": [], "summary": {},
                                      "training_status": {}}
    items = [i for month in (7, 8) for i in api.get_scheduled_workouts(2025, month)
             ["calendarItems"]]
    assert items and all(i["date"] > TODAY.isoformat() for i in items)
    assert {i["itemType"] for i in items} == {"workout"}
    assert {i["sportTypeKey"] for i in items} == {"running"}
    assert {i["title"] for i in items if i["date"] == api.race_day.isoformat()} == {
        "Half Marathon race"}


def test_connect_maps_what_the_demo_lacks_to_no_data() -> None:
    conn = demo_connect(seed=SEED, today=TODAY)
    assert isinstance(conn, Connect) and conn.policy.pace_s == 0
    assert conn.api.client is None
    assert conn.display_name() == "demo"
    with pytest.raises(GarminNoData):
        conn.call("a TCX", conn.api.download_activity, str(_first(conn.api, "easy")))
    with pytest.raises(GarminNoData):
        conn.call("an unknown path", conn.api.connectapi, "/nothing-here")


# -- a real sync into a real home ----------------------------------------------------------------


@dataclass
class Synced:
    db: sessionmaker[Session]
    api: DemoGarmin
    report: SyncReport
    seconds: float

    def activities(self) -> list[m.Activity]:
        with self.db() as session:
            rows = list(session.scalars(select(m.Activity).order_by(m.Activity.start_utc)))
            for row in rows:
                _ = row.laps, row.stream, row.sets  # load while the session is open
            return rows

    def kinds(self) -> dict[date, list[tuple[str | None, str]]]:
        with self.db() as session:
            rows = session.execute(select(m.Activity.local_date, m.Activity.name, m.RunClass.kind)
                                   .join(m.RunClass))
            out: dict[date, list[tuple[str | None, str]]] = {}
            for day, name, kind in rows:
                out.setdefault(day, []).append((name, kind))
            return out

    def wellness(self) -> dict[date, m.Wellness]:
        with self.db() as session:
            return {w.day: w for w in session.scalars(select(m.Wellness))}


def _no_network(*_: Any, **__: Any) -> None:
    raise AssertionError("the demo must never touch the network")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Synced:
    folder: Path = tmp_path_factory.mktemp("demo")
    db, raw = open_db(f"sqlite:///{folder / 'demo.db'}"), RawStore(folder / "raw")
    profile = Profile(**DEMO_PROFILE)
    conn = demo_connect(seed=SEED, today=TODAY)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _no_network)
        started = time.perf_counter()
        report = sync(db, raw, profile, conn, today=TODAY, since=conn.api.timeline.first_day)
        seconds = time.perf_counter() - started
    with transaction(db) as session:
        analyse(session, profile, TODAY)
    return Synced(db, conn.api, report, seconds)


def test_sync_stores_the_season_with_laps_and_streams(synced: Synced) -> None:
    assert synced.report.skipped == []
    assert synced.report.new == len(synced.api.sessions)
    rows = synced.activities()
    runs = [r for r in rows if r.sport == "running"]
    weeks = {r.local_date - timedelta(days=r.local_date.weekday()) for r in runs}
    assert len(weeks) >= 15 and len(runs) >= 60  # 16 weeks and a bit, less the missed one
    assert all(r.laps and r.stream is not None and r.stream.samples > 100 for r in runs)
    strength = [r for r in rows if r.sub_sport == "strength_training"]
    assert len(strength) == 3 and all(len(r.sets) == 23 for r in strength)
    print(f"full demo sync: {synced.seconds:.1f} s for {len(rows)} activities")


def test_wellness_days_hold_real_values(synced: Synced) -> None:
    days = synced.wellness()
    assert sorted(days) == synced.api.timeline.days
    for w in days.values():
        assert None not in (w.hrv_last_night, w.hrv_weekly_avg, w.hrv_baseline_low,
                            w.hrv_status, w.sleep_score, w.sleep_seconds, w.readiness_score,
                            w.readiness_level, w.body_battery_high, w.resting_hr,
                            w.avg_stress, w.training_status)
    short = set(synced.api.surprises["short_nights"]) | set(synced.api.surprises["illness"])
    assert {d for d, w in days.items() if (w.sleep_score or 0) < 60} == short


def test_planned_runs_come_from_the_calendar(synced: Synced) -> None:
    with synced.db() as session:
        planned = {p.day: (planned_kind(p.title, p.item_type).kind.value, p.title)
                   for p in session.scalars(select(m.PlannedRun))}
    assert planned and min(planned) > TODAY
    assert planned[synced.api.race_day] == ("race", "Half Marathon race")
    assert {"easy", "speed", "long"} <= {kind for kind, _ in planned.values()}


def test_the_illness_week_shows_in_the_stored_wellness(synced: Synced) -> None:
    days, sick = synced.wellness(), synced.api.surprises["illness"]
    before = [days[sick[0] - timedelta(days=i)] for i in range(1, 29)]
    hrv_mean = statistics.mean(w.hrv_last_night or 0 for w in before)
    rhr_mean = statistics.mean(w.resting_hr or 0 for w in before)
    assert 4 <= len(sick) <= 6
    for day in sick:
        w = days[day]
        assert (w.hrv_last_night or 0) < 0.85 * hrv_mean
        assert (w.hrv_last_night or 0) < (w.hrv_baseline_low or 0)
        assert w.readiness_level in ("LOW", "POOR")
        assert (w.resting_hr or 0) >= DEMO_PROFILE["rest_hr"] + 6
    assert statistics.mean(days[d].resting_hr or 0 for d in sick) >= rhr_mean + 5
    assert {"LOW", "UNBALANCED"} & {days[d].hrv_status for d in sick}
    missed = synced.api.surprises["missed_week"]
    assert not [r for r in synced.activities() if r.local_date in missed]


def test_the_runs_are_classified_as_the_athlete_ran_them(synced: Synced) -> None:
    kinds, surprises = synced.kinds(), synced.api.surprises
    flat = [(name, kind) for day in kinds.values() for name, kind in day]
    assert {kind for name, kind in flat if name and name.startswith("Intervals")} == {"speed"}
    assert {kind for name, kind in flat if name == "Long Run"} == {"long"}
    assert {kind for name, kind in flat if name == "Strength"} == {"strength"}
    (threshold,) = surprises["threshold_run"]
    assert kinds[threshold] == [("Morning Run", "threshold")]
    (race,) = surprises["tune_up_race"]
    assert kinds[race] == [("Stadtlauf 10K", "race")]
    (moved,) = surprises["long_run_moved"]
    assert kinds[moved] == [("Long Run", "long")] and moved - timedelta(days=1) not in kinds
    easy_days = [d for d in kinds if d.weekday() in (0, 1, 4) and d not in surprises[
        "threshold_run"]]
    assert all(kinds[d][0][1] == "easy" for d in easy_days)


def test_surprises_are_named_by_week_and_weekday() -> None:
    assert set(SURPRISES) == {"illness", "missed_week", "tune_up_race", "threshold_run",
                              "long_run_moved", "short_nights"}
    api = DemoGarmin(SEED, today=TODAY)
    assert api.surprises["threshold_run"] == (date(2025, 6, 13),)  # Friday, 4 weeks back
    assert api.surprises["illness"][0] == date(2025, 5, 19)  # Monday, 7 weeks back
    assert demo.DemoGarmin(SEED, today=TODAY, weeks_history=4).surprises["illness"] == ()
