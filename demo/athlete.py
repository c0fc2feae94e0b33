"""The demo athlete: a simulated runner behind garminconnect's `Garmin` interface.

`DemoGarmin` has the methods of garminconnect's `Garmin` that `ingest.sync` calls, with the
same names and signatures, and answers them with Garmin-shaped bodies (JSON as decoded, the
ORIGINAL download as a ZIP holding a FIT file written by demo/fitwrite.py). `demo_connect`
wraps it in a real `ingest.garmin.Connect`, so the unchanged sync stores the demo exactly as
it stores Garmin Connect, and nothing touches the network.

The season (demo/season.py): 16 weeks of the article's running week (Mon easy, Tue easy
in some weeks, Wed intervals, Fri easy, Sat long) up to `today`, three evening gym sessions,
and the coming weeks' workouts in the calendar, with a half marathon ~3 weeks after today.
The mornings (demo/mornings.py): HRV dipping after hard days, resting HR, sleep,
readiness and body battery following them. SURPRISES lists the deliberate departures.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, timedelta
from typing import Any

from garminconnect import Garmin, GarminConnectConnectionError

from demo import fitwrite
from demo import mornings as dw
from demo.season import (
    DEMO_PROFILE,
    RACE,
    SURPRISES,
    Session,
    Timeline,
    calendar_items,
    exercise_sets,
    list_item,
    make_timeline,
    sessions_on,
)
from domain.profile import Profile, Race
from ingest.garmin import SOCIAL_PROFILE, Connect, Policy

__all__ = ["DEMO_PROFILE", "SURPRISES", "DemoGarmin", "demo_connect", "demo_profile"]

DISPLAY_NAME = "demo"
ORIGINAL = Garmin.ActivityDownloadFormat.ORIGINAL
_ID_BASE = 10_000_000_000  # Garmin-sized ids: base + seed + day + slot
_WORKOUT_BASE = 900_000_000
_PARENT = {"running": "running", "strength_training": "fitness_equipment"}  # activitytype


def demo_profile(today: date, **changes: Any) -> Profile:
    """DEMO_PROFILE with its half marathon on the day the calendar has it (`today` as the
    demo's: DemoGarmin.today)."""
    race = Race(day=make_timeline(None, today, 16, 4).race_day, distance=RACE[0])
    return Profile(**{**DEMO_PROFILE, "races": (race,), **changes})


def _not_found(what: str) -> GarminConnectConnectionError:
    """What garminconnect raises on a 404; Connect turns it into GarminNoData."""
    return GarminConnectConnectionError(f"API Error 404: {what} is not in the demo")


def _day(text: str) -> date:
    return date.fromisoformat(str(text))


class DemoGarmin:
    """The simulated athlete, answering as garminconnect's `Garmin` does (the calls sync makes).

    Sessions, mornings and the calendar are planned when it is made (milliseconds); a FIT file
    is written only when its activity is downloaded, then kept."""

    ActivityDownloadFormat = Garmin.ActivityDownloadFormat
    garmin_connect_daily_summary_url = "/usersummary-service/usersummary/daily"
    garmin_connect_activities = "/activitylist-service/activities/search/activities"

    def __init__(self, seed: int = 1, *, first_day: date | str | None = None,
                 today: date | str | None = None, weeks_history: int = 16,
                 weeks_ahead: int = 4) -> None:
        self.seed = seed
        self.timeline: Timeline = make_timeline(first_day, today, weeks_history, weeks_ahead)
        self.display_name: str | None = DISPLAY_NAME
        self.full_name: str | None = "Demo Runner"
        self.client = None  # no HTTP client: nothing here can reach the network
        by_day = {day: sessions_on(self.timeline, day, seed) for day in self.timeline.days}
        self.sessions: dict[int, Session] = {
            self._id(day, slot): s for day, found in by_day.items()
            for slot, s in enumerate(found)}
        self.mornings = dw.mornings(self.timeline.days, dw.day_facts(self.timeline, by_day),
                                    seed)
        self.calendar = calendar_items(self.timeline, _WORKOUT_BASE + seed % 1000 * 10**6)
        self.surprises: dict[str, tuple[date, ...]] = self.timeline.surprises()
        self._downloads: dict[int, bytes] = {}

    def _id(self, day: date, slot: int) -> int:
        return _ID_BASE + self.seed % 1000 * 10**7 + day.toordinal() * 10 + slot

    @property
    def today(self) -> date:
        return self.timeline.today

    @property
    def race_day(self) -> date:
        return self.timeline.race_day

    # activities

    def get_activities_by_date(self, startdate: str, enddate: str | None = None,
                               activitytype: str | None = None,
                               sortorder: str | None = None) -> list[dict[str, Any]]:
        first, last = _day(startdate), _day(enddate) if enddate else date.max
        items = [list_item(gid, s) for gid, s in self.sessions.items()
                 if first <= s.start.date() <= last]
        if activitytype:
            items = [i for i in items if activitytype in (i["activityType"]["typeKey"],
                                                          _PARENT.get(i["activityType"]
                                                                      ["typeKey"]))]
        return sorted(items, key=lambda i: str(i["startTimeGMT"]), reverse=sortorder != "asc")

    def download_activity(self, activity_id: str,
                          dl_fmt: Garmin.ActivityDownloadFormat = Garmin.ActivityDownloadFormat.TCX
                          ) -> bytes:
        gid = int(activity_id)
        if dl_fmt != ORIGINAL or gid not in self.sessions:
            raise _not_found(f"the {dl_fmt.name} download of activity {gid}")
        if gid not in self._downloads:  # FIT files are the slow part: each written once
            self._downloads[gid] = _zipped(f"{gid}_ACTIVITY.fit",
                                           fit_file(self.sessions[gid], self.seed + gid))
        return self._downloads[gid]

    def get_activity(self, activity_id: str) -> dict[str, Any]:
        """The activity's summary (sync asks for one missing from the list: deleted?)."""
        gid = int(activity_id)
        if gid not in self.sessions:
            raise _not_found(f"activity {gid}")
        return list_item(gid, self.sessions[gid])

    def get_activity_exercise_sets(self, activity_id: int | str) -> dict[str, Any]:
        gid = int(activity_id)
        if gid not in self.sessions:
            raise _not_found(f"activity {gid}")
        return exercise_sets(gid, self.sessions[gid])

    # the days

    def _morning(self, cdate: str) -> dw.Morning | None:
        return self.mornings.get(_day(cdate))

    def get_hrv_data(self, cdate: str) -> dict[str, Any] | None:
        m = self._morning(cdate)
        return dw.hrv_body(m) if m else {}  # garminconnect turns HRV's 204 into {}

    def get_sleep_data(self, cdate: str) -> dict[str, Any]:
        m = self._morning(cdate)
        return dw.sleep_body(m) if m else {}

    def get_training_readiness(self, cdate: str) -> list[dict[str, Any]]:
        m = self._morning(cdate)
        return dw.readiness_body(m) if m else []

    def get_body_battery(self, startdate: str,
                         enddate: str | None = None) -> list[dict[str, Any]]:
        first = _day(startdate)
        days = (_day(enddate) - first).days + 1 if enddate else 1
        return [report for i in range(days)
                if (m := self.mornings.get(first + timedelta(days=i)))
                for report in dw.body_battery_body(m)]

    def get_user_summary(self, cdate: str) -> dict[str, Any]:
        m = self._morning(cdate)
        return dw.summary_body(m) if m else {}

    def get_training_status(self, cdate: str) -> dict[str, Any]:
        m = self._morning(cdate)
        return dw.training_status_body(m) if m else {}

    def get_scheduled_workouts(self, year: int | str, month: int | str) -> dict[str, Any]:
        prefix = f"{int(year):04d}-{int(month):02d}-"
        return {"calendarItems": [i for i in self.calendar if i["date"].startswith(prefix)]}

    def connectapi(self, path: str, **kwargs: Any) -> Any:
        """The raw calls sync makes: the profile, the activity list's pages, and the daily
        summary by display name."""
        if path == SOCIAL_PROFILE:
            return {"displayName": self.display_name, "fullName": self.full_name}
        if path == self.garmin_connect_activities:
            query = kwargs.get("params", {})
            first = int(query.get("start", 0))
            listed = self.get_activities_by_date(query["startDate"], query.get("endDate"),
                                                 None, query.get("sortOrder"))
            return listed[first:first + int(query.get("limit", 20))]
        if path == f"{self.garmin_connect_daily_summary_url}/{self.display_name}":
            return self.get_user_summary(kwargs.get("params", {}).get("calendarDate", ""))
        raise _not_found(path)


def fit_file(s: Session, seed: int) -> bytes:
    """The watch's FIT file for a session, written by demo/fitwrite.py. Runs use Garmin's
    smart recording, a record every 5 s: per-second records made a full sync ~3x slower."""
    start = s.start.astimezone(UTC)  # fitwrite adds the offset to UTC times for local ones
    if s.kind == "strength":
        return fitwrite.strength_fit(start, s.sets, hr_bpm=95.0, seed=seed,
                                     utc_offset_s=s.utc_offset_s, aerobic_te=s.aerobic_te)
    return fitwrite.run_fit(start, s.laps, hr_rest=90.0, seed=seed, workout_steps=s.steps,
                            utc_offset_s=s.utc_offset_s, aerobic_te=s.aerobic_te,
                            anaerobic_te=s.anaerobic_te, training_load=s.load, record_every_s=5)


def _zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def demo_connect(seed: int = 1, first_day: date | str | None = None, weeks_history: int = 16,
                 weeks_ahead: int = 4, today: date | str | None = None) -> Connect:
    """A real Connect on the demo athlete, without pacing and without a login."""
    api = DemoGarmin(seed, first_day=first_day, today=today, weeks_history=weeks_history,
                     weeks_ahead=weeks_ahead)
    return Connect(api, Policy(pace_s=0.0))
