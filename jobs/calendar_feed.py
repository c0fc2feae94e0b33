"""The plan as an iCalendar feed: one event per session in the athlete's zone, so a calendar
app shows what to lift and when, and follows the plan as the nights change it.

Two exports of the same plan differ only in DTSTAMP: UIDs come from the athlete and the
session key (a moved session updates its event instead of adding one) and SEQUENCE from the
session's stored changes, so nothing depends on when or how often the file is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import STATUS, Calendar, Event

from db import plans, repo
from domain.profile import Profile
from jobs.files import write_private
from jobs.home import Home
from jobs.replan import as_session
from planner.catalog import Catalog, Exercise
from planner.catalog_file import default_catalog
from planner.model import Adjustment, Prescription, Session, rest_text, week_start

STARTS_AT = time(18)  # no session time is planned: early evening suits most runners
LENGTH = {"strength": timedelta(hours=1), "mobility": timedelta(minutes=30)}
HISTORY_WEEKS = 52  # past sessions stay (clients delete events a feed no longer holds)
REFRESH = timedelta(hours=12)  # the plan changes at most nightly


class CalendarError(Exception):
    """The calendar file cannot be written; the message says where and why."""


def default_path(home: Home, profile: Profile) -> Path:
    return home.config.paths.data_dir / "calendar" / f"{profile.name}.ics"


def write_calendar(home: Home, profile: Profile, today: date, weeks: int = 4,
                   path: Path | None = None, stamp: datetime | None = None) -> Path:
    """Write the athlete's sessions, from a year back to `weeks` weeks after `today`, as it is
    stored (run `replan` first to bring the plan up to date); returns the file written."""
    first = week_start(today) - timedelta(weeks=HISTORY_WEEKS)
    end = today + timedelta(weeks=weeks)
    with home.db() as db:
        who = repo.athlete(db, profile)
        # the window's own rows: a plan of many years is not read whole each night
        sessions = [as_session(r) for r in plans.sessions_between(db, who, first,
                                                                  end - timedelta(days=1))]
        rows = plans.adjustments(db, who, session_keys=[s.id for s in sessions])
        changes = [Adjustment(r.session_key, r.night, r.rule, r.action, r.before, r.after,
                              tuple(r.reasons)) for r in rows]
    path = path or default_path(home, profile)
    data = calendar_ics(sessions, changes, profile, stamp or datetime.now(UTC))
    try:
        write_private(path, data)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CalendarError(f"cannot write the calendar to {path}: {reason}") from None
    return path


def calendar_ics(sessions: Iterable[Session], changes: Sequence[Adjustment], profile: Profile,
                 stamp: datetime, catalog: Catalog | None = None) -> bytes:
    """The iCalendar file for the sessions; `changes` (oldest first) give each session its
    SEQUENCE and the reason of its latest change."""
    catalog = catalog or default_catalog()
    cal = Calendar.new(prodid="-//stridelift//strength plan//EN", uid=f"{profile.name}@stridelift",
                       name=f"stridelift: {profile.name}", refresh_interval=REFRESH)
    ordered = sorted(sessions, key=lambda s: (s.day, s.id))
    for s in ordered:
        mine = [c for c in changes if c.session_id == s.id]
        cal.add_component(_event(s, mine, profile, stamp.astimezone(UTC), catalog))
    if ordered:  # VTIMEZONEs over whole years: the same plan always gives the same bytes
        cal.add_missing_timezones(first_date=date(ordered[0].day.year, 1, 1),
                                  last_date=date(ordered[-1].day.year + 1, 1, 1))
    return cal.to_ical()


def _event(s: Session, changes: list[Adjustment], profile: Profile, stamp: datetime,
           catalog: Catalog) -> Event:
    start = datetime.combine(s.day, STARTS_AT, profile.zone)
    cancelled = s.status == "skipped"
    summary = f"Strength (block {s.block}, week {s.week_in_block})" if s.kind == "strength" \
        else "Mobility & stability"
    # RFC 5546: a new DTSTART or STATUS is a revision, so each change and a cancellation count.
    return Event.new(uid=f"{s.id}.{profile.name}@stridelift", stamp=stamp, start=start,
                     end=start + LENGTH.get(s.kind, LENGTH["strength"]), summary=summary,
                     description=_description(s, changes, catalog),
                     sequence=len(changes) + cancelled,
                     status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED)


def _description(s: Session, changes: list[Adjustment], catalog: Catalog) -> str:
    lines = [] if s.status == "planned" else [f"Status: {s.status}", ""]
    for p in s.exercises:
        e = catalog.exercise(p.exercise_id)
        lines += [_line(p, e), *(["  " + "; ".join(e.cues)] if e.cues else [])]
    if changes:
        last = changes[-1]
        lines += ["", f"Why it changed ({last.rule}, {last.action} on the night of "
                      f"{last.night.isoformat()}):", *(f"- {r}" for r in last.reasons)]
    return "\n".join(lines)


def _line(p: Prescription, e: Exercise) -> str:
    """`Barbell back squat: 3 x 6 @ 60 kg, rest 3:00`; a load still to find says how."""
    work = f"{p.reps}" if p.reps is not None else f"{p.seconds} s"
    side = " per side" if e.scheme.per_side else ""
    load = f" @ {p.load_kg:g} kg" if p.load_kg else ""
    how = f" ({p.instruction})" if e.loaded and not p.load_kg and p.instruction else ""
    return f"{e.name}: {p.sets} x {work}{side}{load}, rest {rest_text(p.rest_s)}{how}"
