"""What the web pages show, as plain data: the weeks around today with their runs, one
session with the days it may move to, the plan's changes, the day's recovery status, the
races, every athlete of the home (the coach's view) and the report's data. Each page first
brings the plan up to today, as `stridelift plan` does (up_to_date; the coach's view does it
for each athlete itself)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session as DbSession

from analysis.recovery import readiness_known
from analysis.recovery_text import shown_acwr, shown_form
from db import activities, plans, repo
from db import models as m
from db.session import transaction
from domain.profile import Profile
from jobs.athlete_lock import as_stored
from jobs.defaults import REPORT_WEEKS_BACK, report_range
from jobs.home import Home
from jobs.plan_view import bring_up_to_date, session_row
from jobs.race_entry import race_rows
from jobs.replan import planned_session
from jobs.report_rows import MAX_DAYS, ReportData, load_report
from jobs.session_days import move_options, runs_around
from planner.catalog_file import default_catalog
from planner.model import rest_text, week_start

# The ranges the report page offers, by the value its link sends: the weeks back from today
# (None: everything stored, ten years at most, as `stridelift report` allows) and their words.
REPORT_RANGE = str(REPORT_WEEKS_BACK)  # the page's own: the CLI's default range
REPORT_RANGES: dict[str, tuple[int | None, str]] = {
    "8": (8, "8 weeks"), REPORT_RANGE: (REPORT_WEEKS_BACK, f"{REPORT_WEEKS_BACK} weeks"),
    "52": (52, "a year"), "all": (None, "everything")}


def up_to_date(home: Home, profile: Profile, today: date) -> str | None:
    """The plan brought up to date through `today` for a page; the page's note when it is
    shown as stored instead, another run holding the athlete's lock (jobs.athlete_lock)."""
    if bring_up_to_date(home, profile, today) is not None:
        return None
    return as_stored(profile.name, on_web=True)


def change_row(a: m.AdjustmentRow) -> dict[str, Any]:
    """A recorded change as the pages show it: exercises by name, as a runner reads them."""
    catalog = default_catalog()
    return {"session_id": a.session_key, "night": a.night, "rule": a.rule,
            "action": a.action, "before": catalog.named(a.before),
            "after": catalog.named(a.after), "reasons": list(a.reasons)}


def load_text(e: dict[str, Any]) -> str:
    """The load as the runner reads it: kilograms, the by-feel instruction, or bodyweight."""
    if e["load_kg"]:
        return f"{e['load_kg']:g} kg"
    return e["instruction"] or "bodyweight"


def _session(row: m.PlannedSession, changes: list[m.AdjustmentRow],
             today: date) -> dict[str, Any]:
    out = session_row(row)
    out["day"] = row.day
    out["settled"] = row.status in ("done", "skipped")
    out["unlogged"] = not out["settled"] and row.day < today  # its day is over: done or not?
    catalog = default_catalog()
    for e in out["exercises"]:
        e["cues"] = list(catalog.exercise(e["id"]).cues)
        e["loaded"] = catalog.exercise(e["id"]).loaded  # a bar or dumbbells: kg, else by feel
        e["load_text"] = load_text(e)
        e["work"] = f"{e['sets']} x {e['reps']}" if "reps" in e else \
            f"{e['sets']} x {e['seconds']} s"
        e["rest_text"] = rest_text(e["rest_s"])
    out["changes"] = [change_row(a) for a in changes if a.session_key == row.key]
    out["badge"] = row.status if row.status in ("moved", "lightened") else (
        "changed" if out["changes"] else None)
    return out


def weeks(home: Home, profile: Profile, today: date, count: int = 2) -> list[dict[str, Any]]:
    """This week and the next: every day with its runs (kinds, and where they come from)
    and its sessions, each with its exercises and a badge when it was moved or changed."""
    first = week_start(today)
    last = first + timedelta(days=7 * count - 1)
    with home.db() as db:
        who = repo.athlete(db, profile)
        runs = runs_around(db, who, profile, today, first, last)
        rows = plans.sessions_between(db, who, first, last)
        changes = plans.adjustments(db, who, session_keys=[r.key for r in rows],
                                    newest_first=True)
        sessions = [_session(r, changes, today) for r in rows]
    out = []
    for w in range(count):
        monday = first + timedelta(days=7 * w)
        days = []
        for day in (monday + timedelta(days=i) for i in range(7)):
            run = runs.get(day)
            days.append({"day": day, "today": day == today,
                         "runs": [k for k in (run.kinds if run else ()) if k != "rest"],
                         "run_source": run.source if run else None,
                         "sessions": [s for s in sessions if s["day"] == day]})
        out.append({"monday": monday, "days": days})
    return out


def session_page(home: Home, profile: Profile, today: date, key: str) -> dict[str, Any]:
    """One session, its changes, and each day of its week with whether S6 allows it."""
    with home.db() as db:
        who = repo.athlete(db, profile)
        row = planned_session(db, who, key)
        out = _session(row, plans.adjustments(db, who, session_keys=[key], newest_first=True),
                       today)
        out["options"] = move_options(db, who, profile, today, row)
        last = plans.last_lifts(db, who, [e["id"] for e in out["exercises"]], row.day, key)
    for e in out["exercises"]:
        e["last"] = _last_time(last.get(e["id"]), "reps" if "reps" in e else "s")
    return out


def _last_time(lift: m.Lift | None, unit: str) -> str | None:
    """What the runner did last time: "Mon 30 Nov: 6, 6, 5 reps at 14.5 kg"."""
    if lift is None:
        return None
    load = f" at {lift.load_kg:g} kg" if lift.load_kg else ""
    light = " (a lightened session)" if lift.lightened else ""
    return f"{lift.day:%a %d %b}: {', '.join(map(str, lift.reps))} {unit}{load}{light}"


def changes(home: Home, profile: Profile, today: date) -> list[dict[str, Any]]:
    """Every change to the plan, newest first (`stridelift why`)."""
    with home.db() as db:
        return [change_row(a) for a in plans.adjustments(db, repo.athlete(db, profile),
                                                         newest_first=True)]


# The status page's inputs as a runner reads them: the stored values' keys
# (analysis.recovery_text.VALUE_KEYS) in words, each with how it is shown (form and ACWR
# as the reasons show them, never on the other side of their limit).
INPUTS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("hrv_signal", "HRV 7-day signal (ln)", "{:.2f}".format),
    ("band_low", "HRV normal band, low (ln)", "{:.2f}".format),
    ("band_high", "HRV normal band, high (ln)", "{:.2f}".format),
    ("hrv_last_night", "last night's HRV (ln)", "{:.2f}".format),
    ("hrv_below_days", "days running below the band", "{:.0f}".format),
    ("hrv_in_band_mornings", "mornings running inside the band", "{:.0f}".format),
    ("hrv_status", "Garmin HRV status", "{}".format),
    ("readiness_level", "training readiness", "{}".format),
    ("sleep_score", "sleep score", "{:.0f}".format),
    ("resting_hr", "resting HR (bpm)", "{:.0f}".format),
    ("resting_hr_mean30", "resting HR, 30-day mean (bpm)", "{:.1f}".format),
    ("tsb", "form (TSB)", shown_form),
    ("tsb_low_days", "days running with form below -30", "{:.0f}".format),
    ("acwr", "EWMA ACWR", shown_acwr),
    ("load_history_days", "days of load history", "{:.0f}".format))


def _status(db: DbSession, who: m.Athlete, today: date) -> dict[str, Any] | None:
    row = plans.daily_status(db, who, today)
    if row is None:
        return None
    values = dict(row.values)
    return {"day": row.day, "level": row.level, "reasons": list(row.reasons),
            "values": values, "missing": list(row.missing), "atl": row.atl,
            "ctl": row.ctl, "tsb": _input("tsb", row.tsb, shown_form),
            "acwr": _input("acwr", row.acwr, shown_acwr),
            "inputs": [(label, _input(key, values[key], form))
                       for key, label, form in INPUTS if key in values]}


def _input(key: str, value: Any, form: Callable[[Any], str]) -> str:
    """An input as the page shows it: "-" where none was used, an unknown readiness word
    too (the missing line names it: "training readiness (unknown level GREAT)")."""
    if value is None or (key == "readiness_level" and not readiness_known(value)):
        return "-"
    return form(value)


def status(home: Home, profile: Profile, today: date) -> dict[str, Any] | None:
    """Today's recovery level, its reasons and inputs, and ATL/CTL/TSB (None: no data)."""
    with home.db() as db:
        return _status(db, repo.athlete(db, profile), today)


def races(home: Home, profile: Profile, today: date) -> list[dict[str, Any]]:
    """The races entered and those found in the synced activities, by day, with what each
    does to the plan (`stridelift race list`)."""
    with transaction(home.db) as db:
        return [_race(r) for r in race_rows(db, profile, today)]


def _race(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "day": date.fromisoformat(row["date"])}


def coach(home: Home, today_of: Any) -> list[dict[str, Any]]:
    """Every athlete of the home: today's status, this week's sessions and the next race.
    `today_of` gives an athlete's today (their time zone)."""
    out = []
    for name, profile in sorted(home.athletes().items()):
        today = today_of(profile)
        row_note = up_to_date(home, profile, today)
        monday = week_start(today)
        with home.db() as db:
            who = repo.athlete(db, profile)
            rows = plans.sessions_between(db, who, monday, monday + timedelta(days=6))
            coming = (_race(r) for r in race_rows(db, profile, today) if r["days_to_go"] >= 0)
            out.append({"name": name, "today": today, "status": _status(db, who, today),
                        "as_stored": row_note,
                        "sessions": [_session(r, [], today) for r in rows],
                        "next_race": next(coming, None)})
    return out


def report_data(home: Home, profile: Profile, now: datetime,
                weeks_back: int | None = REPORT_WEEKS_BACK) -> ReportData:
    """The report's data from `weeks_back` weeks before today (None: everything stored) to
    the plan's next weeks, as `stridelift report --from` gives it."""
    today = now.date()
    first, last = report_range(today, REPORT_WEEKS_BACK if weeks_back is None else weeks_back)
    with home.db() as db:
        if weeks_back is None:
            first = _first_stored(db, profile, first, last)
        return load_report(db, profile.name, first, last, today,
                           generated=now.replace(tzinfo=None), races=profile.races,
                           on_web=True)


def _first_stored(db: DbSession, profile: Profile, first: date, last: date) -> date:
    """The first day stored when that is before `first` (everything: never less than the
    default range), and at most ten years before `last` (the longest report)."""
    who = repo.find_athlete(db, profile.name)
    stored = activities.first_fact_day(db, who, measured=True) if who is not None else None
    return max(min(first, stored or first), last - timedelta(days=MAX_DAYS))
