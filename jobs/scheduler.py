"""`stridelift daemon`: cron jobs per athlete, at their local times: the nightly run
(`nightly_at`) and the morning pass (`morning_at`, RULES.md S7.3), then the morning pass again
every 30 minutes until `morning_until` while last night's data is still missing (a watch
that syncs late), until a pass has judged the day with it or Garmin refused one (none for a
watch that measures no night: jobs.morning_run.run_morning_again).

APScheduler 3.11 with its jobs in the project's own database (SQLAlchemyJobStore), so a
restart keeps them: a night missed while the machine was off is still due when the daemon
comes back, and runs once (coalesce), within the misfire grace time. The run itself catches
up every night since the last successful one, so nothing is processed twice. A running
daemon looks at config.toml every minute: an athlete added or removed, or a changed
`nightly_at` or `morning_at`, is scheduled without a restart.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from types import FrameType
from typing import Any

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from domain.profile import Profile
from jobs.clock import hour_minute, today_for
from jobs.config import ConfigError
from jobs.home import Home
from jobs.morning_run import run_morning, run_morning_again
from jobs.nightly_run import Pass, run_all, run_nightly
from jobs.sources import source_for

log = logging.getLogger(__name__)
MISFIRE_GRACE_S = 6 * 3600  # asleep at 21:30? the night still runs when the machine wakes
JOB_TABLE = "apscheduler_jobs"
RELOAD_S = 60  # how often a running daemon looks at config.toml (read only if it changed)
SETTINGS = "settings"  # the in-memory job store of the daemon's own upkeep (not persisted)
NOON = (12, 0)  # a nightly time before it is the night of the day before
AGAIN_EVERY = timedelta(minutes=30)  # the morning pass's tries after `morning_at`


def nightly_job(athlete: str) -> None:
    """What the scheduler runs (module level: the job store keeps a reference to it)."""
    _run("nightly", athlete, _night, run_nightly)


def morning_job(athlete: str) -> None:
    """The morning pass as the scheduler runs it: today's session, today's numbers."""
    _run("morning", athlete, today_for, run_morning)


def morning_again_job(athlete: str) -> None:
    """The morning pass again while last night's data is still missing (run_morning_again:
    nothing once a pass has judged the day with it)."""
    _run("morning", athlete, today_for, run_morning_again)


def _run(run: str, athlete: str, day_for: Callable[[Profile], date], one: Pass) -> None:
    """One pass for the athlete on the home as config.toml says now, each result logged in
    one line. A file that cannot be applied (edited by hand since the daemon started) is
    said in one line, as the CLI says it, not as a traceback of the job, and the run waits
    for its next time."""
    try:
        home = Home.open()
    except ConfigError as exc:
        log.error("%s %s: failed (%s)", run, athlete, exc)
        return
    for r in run_all(home, source_for(home), day_for, [athlete], one=one):
        log.info("%s %s %s: %s%s", run, r.athlete, r.day, r.status,
                 f" ({r.error})" if r.error else "")


def _night(profile: Profile) -> date:
    return night_of(profile, datetime.now(profile.zone))


def night_of(profile: Profile, now: datetime) -> date:
    """The night the nightly run processes at `now` (the athlete's local time): the day of
    the last `nightly_at` (yesterday's when a late run fires after midnight), or the day
    before it when `nightly_at` is before noon: a run at 00:30 ends the day just gone, where
    it began the one with nothing in it yet, and that day's runs waited a night for it."""
    at = hour_minute(profile.nightly_at)
    fired = now.date() if (now.hour, now.minute) >= at else now.date() - timedelta(days=1)
    return fired - timedelta(days=1) if at < NOON else fired


class DailyAt(CronTrigger):
    """A daily local time that fires once on the night the clocks go back, when its hour
    comes twice (CronTrigger fires at both 01:30s: the nightly ran twice). A time the clocks
    skip fires once, as late as they jump (02:30 in Berlin fires at 03:30 the night they go
    forward; 02:15 on Lord Howe Island, whose clocks jump half an hour, at 02:45)."""

    def get_next_fire_time(self, previous_fire_time: datetime | None,
                           now: datetime) -> datetime | None:
        fire: datetime | None = super().get_next_fire_time(previous_fire_time, now)
        if fire is not None and previous_fire_time is not None and \
                _wall(fire, self.timezone) == _wall(previous_fire_time, self.timezone):
            return super().get_next_fire_time(fire, fire)
        return fire


def _wall(moment: datetime, zone: tzinfo) -> datetime:
    """The local date and time on the wall clock, whichever side of the change."""
    return moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None, fold=0)


def trigger(profile: Profile, at: str | None = None) -> DailyAt:
    """The daily trigger at `at` (default: the nightly time) in the athlete's zone."""
    hour, minute = hour_minute(at or profile.nightly_at)
    return DailyAt(hour=hour, minute=minute, timezone=profile.zone)


def tries_again(profile: Profile) -> OrTrigger:
    """The morning pass's tries: every AGAIN_EVERY after `morning_at`, and the last at
    `morning_until` itself (its sync sees the morning whole: `today` stops waiting, however
    the half hours fall), each a daily time (DailyAt: once on the nights the clocks change),
    but a `nightly_at` among them (it holds the athlete's lock then: the next try comes).
    No try when `morning_until` is not after `morning_at`: the trigger then never fires."""
    first = datetime(2000, 1, 1, *hour_minute(profile.morning_at))
    until = datetime(2000, 1, 1, *hour_minute(profile.morning_until))
    times = [first + AGAIN_EVERY * n for n in range(1, (until - first) // AGAIN_EVERY + 1)]
    times += [until] if until > first and until not in times else []
    return OrTrigger([DailyAt(hour=at.hour, minute=at.minute, timezone=profile.zone)
                      for at in times if (at.hour, at.minute) != hour_minute(profile.nightly_at)])


def _at(name: str) -> Callable[[Profile], BaseTrigger]:
    return lambda p: trigger(p, getattr(p, name))


JOBS = (  # (id prefix, what runs, its trigger for the profile, the job's name, misfire grace)
    ("nightly", nightly_job, _at("nightly_at"), "nightly run", MISFIRE_GRACE_S),
    ("morning", morning_job, _at("morning_at"), "morning pass", MISFIRE_GRACE_S),
    # a try missed (the machine asleep) is not made up: the next one comes
    ("morning-again", morning_again_job, tries_again, "morning pass again",
     int(AGAIN_EVERY.total_seconds())),
)


def configure(scheduler: BaseScheduler, athletes: Mapping[str, Profile]) -> set[str]:
    """Each of JOBS per athlete (nightly, morning, its tries); a job stored keeps its next run
    time (so a missed night stays due) unless its schedule changed; jobs of athletes no
    longer in `athletes` go. Returns the ids of the jobs added or rescheduled (each logged
    with its next run time)."""
    changed = set()
    wanted = {f"{prefix}:{name}": (p, func, when(p), f"{label} for {name}", grace)
              for name, p in athletes.items()
              for prefix, func, when, label, grace in JOBS}
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id not in wanted:
            log.info("%s: removed (no such athlete now)", job.name)
            job.remove()
    for job_id, (profile, func, new, name, grace) in wanted.items():
        job = scheduler.get_job(job_id, jobstore="default")
        if job is None:
            job = scheduler.add_job(func, new, args=[profile.name], id=job_id, name=name,
                                    jobstore="default", misfire_grace_time=grace)
            log.info("%s: scheduled, next at %s", name, job.next_run_time)
            changed.add(job_id)
        elif _schedule(job.trigger) != _schedule(new):
            job.reschedule(new)
            log.info("%s: rescheduled, next at %s", name,
                     scheduler.get_job(job_id, jobstore="default").next_run_time)
            changed.add(job_id)
        elif type(job.trigger) is not type(new):  # stored before DailyAt: the same times,
            job.modify(trigger=new)  # so a night still due (missed) stays due
    return changed


def _schedule(t: BaseTrigger) -> list[tuple[str, object]]:
    """A trigger's times and zone (each of a combined one's), as a stored job is compared
    with what config.toml asks now."""
    return [(str(one), getattr(one, "timezone", None)) for one in getattr(t, "triggers", [t])]


class Reload:
    """The daemon's minute check of config.toml: `configure` again, which changes nothing
    while the file is as it was. A file that cannot be applied keeps the jobs as they are
    (and with them a night still due), said once per distinct reason, not every minute: a
    typo mid-edit, a file emptied or moved away while an editor rewrites it (no athlete at
    all is never taken as "remove everyone"), or the database busy."""

    def __init__(self, scheduler: BaseScheduler, home: Home) -> None:
        self.scheduler, self.home, self.error = scheduler, home, ""

    def __call__(self) -> None:
        try:
            athletes = self.home.athletes()
            if not athletes:
                raise ConfigError(f"{self.home.config.paths.config_file} lists no athlete "
                                  "(missing or emptied?)")
            configure(self.scheduler, athletes)
        except Exception as exc:  # the upkeep job must go on: it says why and tries again
            if str(exc) != self.error:
                log.error("config.toml not applied, the schedule stays as it was: %s", exc)
            self.error = str(exc)
        else:
            self.error = ""


def make_scheduler(home: Home, cls: type[BaseScheduler] = BackgroundScheduler,
                   **options: Any) -> BaseScheduler:
    store = SQLAlchemyJobStore(url=home.config.database_url(), tablename=JOB_TABLE)
    return cls(jobstores={"default": store, SETTINGS: MemoryJobStore()}, job_defaults={
        "coalesce": True, "misfire_grace_time": MISFIRE_GRACE_S, "max_instances": 1},
        **options)


def start(home: Home, **options: Any) -> BaseScheduler:
    """A running scheduler with every athlete's job in place."""
    scheduler = make_scheduler(home, **options)
    scheduler.start(paused=True)  # the job store is open now: configure against what it holds
    changed = configure(scheduler, home.athletes())
    for job in scheduler.get_jobs(jobstore="default"):
        if job.id not in changed:  # the others were just logged with their next run time
            log.info("%s: next at %s", job.name, job.next_run_time)
    scheduler.add_job(Reload(scheduler, home), IntervalTrigger(seconds=RELOAD_S), id="reload",
                      name="config.toml check", jobstore=SETTINGS)
    scheduler.resume()
    return scheduler


def run_daemon(home: Home) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly (running jobs finish first)."""
    stopped = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the running jobs", signal.Signals(signum).name)
        stopped.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler = start(home)
    stopped.wait()
    scheduler.shutdown(wait=True)
