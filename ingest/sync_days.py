"""A sync's wellness days and Garmin calendar months (ingest.sync fetches them after its
activities): each day's parts fetched, written to the raw store, journalled, then committed
with the cursor that passes it (ingest.sync_run)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from garminconnect import Garmin

from db import wellness_days
from domain.wellness import WATCH_DAYS
from ingest import calendar, garmin_entries, garmin_wellness
from ingest.garmin import GarminPassedOver
from ingest.sync_run import SKIPPED, Run, move_cursor

# Its nights reach Garmin late too: a day without a value the watch measured holds the cursor
# before it (so each run fetches it again) until it is this many days old; only for a watch
# that measured a day in the WATCH_DAYS before the window (or earlier in it): one that never
# does would hold it for good, each night fetching EMPTY_WAIT_DAYS + 3 days, six calls a day.
EMPTY_WAIT_DAYS = 7

# Journal part → the Garmin call that fetches it for one day.
DAY_CALLS: dict[str, Callable[[Garmin, str], Any]] = {
    "hrv": lambda api, day: api.get_hrv_data(day),
    "sleep": lambda api, day: api.get_sleep_data(day),
    "readiness": lambda api, day: api.get_training_readiness(day),
    "body_battery": lambda api, day: api.get_body_battery(day),
    # get_user_summary raises on an empty day; the plain call lets "no data" stay data
    "summary": lambda api, day: api.connectapi(
        f"{api.garmin_connect_daily_summary_url}/{api.display_name}",
        params={"calendarDate": day}),
    "training_status": lambda api, day: api.get_training_status(day),
}


class DaysRun(Run):
    """A sync run's days and calendar months."""

    # A day without a measured value is worth waiting for: the watch measured one in the
    # WATCH_DAYS before the window, or earlier in this run.
    watch_measures = False

    # the calendar's scheduled runs

    def calendar(self, months: list[tuple[int, int]]) -> None:
        """Each month's scheduled runs. A month after one Garmin kept failing on is still
        asked, so that its planned runs stay current, and its own failure is passed over
        too (call_afresh): a calendar failing for good is its service's trouble. Read as
        Garmin down (two calls failing in a row, PassingOver), it would end every night at
        the second month, and the plan would never adapt."""
        failing = False
        for year, month in months:
            failing = not self._calendar_month(year, month, failing)

    def _calendar_month(self, year: int, month: int, afresh: bool) -> bool:
        """Fetch and store one month (`afresh`: after a month Garmin kept failing on);
        False when Garmin kept failing on it."""
        call = self.conn.call_afresh if afresh else self.conn.call
        try:
            body = call(f"the calendar of {year}-{month:02d}",
                        self.conn.api.get_scheduled_workouts, year, month)
        except SKIPPED as exc:
            self._skip(f"{exc}; planned runs not updated")
            return not isinstance(exc, GarminPassedOver)
        if calendar.calendar_items(body) is None:
            self._skip(f"the calendar of {year}-{month:02d}: Garmin sent no calendar items; "
                       "planned runs not updated")
            return True
        entry = {"kind": "garmin-calendar", "month": f"{year}-{month:02d}",
                 "body": self.raw.put_json(body)}
        with self._journalled(entry) as session:
            calendar.store_garmin_calendar(session, self.who, self.raw, entry)
        return True

    # wellness

    def wellness(self, start: date, end: date, contiguous: bool) -> None:
        if start > end:
            return
        self.report.days = (start, end)
        with self.db() as session:
            self.watch_measures = wellness_days.measured_since(
                session, self.who, start - timedelta(days=WATCH_DAYS))
        day = start
        while day <= end:
            recent = day > end - timedelta(days=EMPTY_WAIT_DAYS)
            contiguous = self._day(day, contiguous, recent) and contiguous
            self._tick()
            day += timedelta(days=1)

    def _day(self, day: date, contiguous: bool, recent: bool) -> bool:
        """Fetch and store one day; False when it is `recent` and not whole: a part Garmin
        kept failing on, or nothing the watch measured (when it measures)."""
        bodies, passed_over = {}, False
        for part, fetch in DAY_CALLS.items():
            try:
                body = self.conn.call(f"{part} {day}", fetch, self.conn.api, day.isoformat())
            except SKIPPED as exc:
                self._skip(str(exc))
                passed_over |= isinstance(exc, GarminPassedOver)
                continue
            others = garmin_wellness.other_days(part, day, body)
            if others:
                self._skip(f"{part} {day}: Garmin sent the data of {', '.join(others)}; not used")
            elif garmin_wellness.has_data(body):
                bodies[part] = body
        if passed_over:
            self.report.days_failed.add(day)
        measured = garmin_wellness.measured(day, bodies)
        self.watch_measures |= measured
        done = not recent or ((measured or not self.watch_measures) and not passed_over)
        if not bodies:
            self._advance("wellness", day, contiguous and done)
            return done
        parts = {part: self.raw.put_json(body) for part, body in bodies.items()}
        entry = {"kind": garmin_entries.DAY, "day": day.isoformat(), "parts": parts}
        with self._journalled(entry) as session:  # the day and its cursor commit together
            garmin_entries.store_garmin_day(session, self.who, self.raw, entry)
            if contiguous and done:
                move_cursor(session, self.who, "wellness", day)
        self.report.days_stored += 1
        return done
