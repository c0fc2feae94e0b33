"""The nightly run and the morning pass: run them now (cron, systemd), run the daemon that
schedules both, and see the runs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from jobs.home import Home
from stridelift.cli.common import (
    REPLACED,
    AthleteOpt,
    JsonOpt,
    console,
    counted,
    err_console,
    parse_day,
    print_json,
    today_for,
    user_errors,
)
from stridelift.cli.serve import HostOpt, PortOpt, ProxyOpt, listen, login_needed, run

if TYPE_CHECKING:
    from jobs.nightly_run import Pass

DateOpt = Annotated[str | None, typer.Option(
    "--date", help="The day to process (YYYY-MM-DD; default: today in each athlete's zone).")]


def nightly(day: DateOpt = None, athlete: AthleteOpt = None, json: JsonOpt = False) -> None:
    """Run the nightly pipeline now: sync, classify, recovery, adapt the plan, record the run.

    Every night since the last successful run is caught up. Without --athlete, every athlete
    is processed, and one athlete's failure never stops the others. Exit 1 if any failed."""
    from jobs.nightly_run import run_nightly

    _run_pass(run_nightly, day, athlete, json)


def morning(day: DateOpt = None, athlete: AthleteOpt = None, json: JsonOpt = False) -> None:
    """Run the morning pass now: sync last night's HRV, sleep and readiness, and judge
    today's session again with them (amber lightens it, red makes it mobility work).

    The calendar file and (with push_workouts) the watch are updated when it changes
    something; a second pass with the same data changes nothing. Run it after the watch
    has synced (config `morning_at`, default 07:00). Exit 1 if any athlete failed."""
    from jobs.morning_run import run_morning

    _run_pass(run_morning, day, athlete, json)


def _run_pass(one: Pass, day: str | None, athlete: str | None, json: bool) -> None:
    from jobs.nightly_run import run_all
    from jobs.sources import source_for

    with user_errors():
        home = Home.open()
        fixed = parse_day(day, "--date", today_for(None))
        names = [home.athlete(athlete).name] if athlete is not None else None
        if not home.config.athletes:
            home.athlete(None)  # says: run `stridelift init` first
        results = run_all(home, source_for(home), lambda p: fixed or today_for(p), names, one)
    if json:
        print_json([r.as_json() for r in results])
    else:
        for r in results:
            colour = "green" if r.status == "ok" else "red"
            skipped = r.counts.get("items_skipped", 0)
            waiting = r.counts.get("activities_waiting", 0)
            upgraded = r.counts.get("activities_upgraded", 0)
            replaced = r.counts.get("activities_replaced", 0)
            new = counted(r.counts.get("activities_new", 0), "new activity", "new activities")
            detail = r.error or (f"{new}, "
                                 + (f"{waiting} waiting for their file, " if waiting else "")
                                 + (f"{upgraded} upgraded with their late file, "
                                    if upgraded else "")
                                 + (f"{replaced} {REPLACED}, " if replaced else "")
                                 + (f"{counted(skipped, 'item')} skipped, " if skipped else "")
                                 + counted(r.adjustments, "plan change")
                                 + (f"; {r.note}" if r.note else ""))
            console.print(f"{r.athlete} {r.day} {r.run}: [{colour}]{r.status}[/] ({detail})",
                          highlight=False, soft_wrap=True)
    raise typer.Exit(1 if any(r.status != "ok" for r in results) else 0)


def daemon(
    serve_: Annotated[bool, typer.Option("--serve", help="Serve the web app in the same "
                                         "process (as `stridelift serve`).")] = False,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8765,
    behind_proxy: ProxyOpt = False,
) -> None:
    """Run the nightly run (config `nightly_at`, default 21:30) and the morning pass
    (`morning_at`, default 07:00, tried again until `morning_until`) for every athlete at
    their local time, until SIGTERM or Ctrl-C.

    Jobs live in the database: a restart keeps them, and a night missed while the
    machine was off runs once when it is back. With --serve, the web app too (--host,
    --port, --behind-proxy as for `stridelift serve`)."""
    from rich.logging import RichHandler

    from jobs.scheduler import run_daemon, start

    logging.basicConfig(level=logging.INFO, format="%(message)s",
                        handlers=[RichHandler(console=err_console, show_path=False)])
    with user_errors():
        home = Home.open()
        if not home.config.athletes:
            home.athlete(None)  # says: run `stridelift init` first
        home.open_db()  # a database it cannot use stops it here, not each job after
        if not serve_:
            run_daemon(home)
            return
        require_login = login_needed(home, host, behind_proxy)
        listening = listen(host, port)  # a port in use stops it before any job is started
        scheduler = start(home)  # in its own threads; the app in this one, until a signal
        try:
            run(home, listening, require_login=require_login, behind_proxy=behind_proxy)
        finally:
            scheduler.shutdown(wait=True)


def runs(
    athlete: AthleteOpt = None,
    # a larger limit means all of them (one past 64 bits overflowed SQLite's integer)
    limit: Annotated[int, typer.Option(min=1, max=100_000, clamp=True,
                                       help="How many runs to show.")] = 30,
    json: JsonOpt = False,
) -> None:
    """The nightly runs, newest first: when, what they did, and why any failed."""
    from db import runs_log

    with user_errors():
        home = Home.open()
        name = home.athlete(athlete).name if athlete is not None else None
        rows = []
        if home.stored():  # a new home has run nothing: opening its database would make it
            with home.db() as db:
                rows = runs_log.nightly_runs(db, name, limit)
    out: list[dict[str, Any]] = [
        {"athlete": name, "day": r.day.isoformat(), "started": r.started_at.isoformat(),
         "finished": r.finished_at.isoformat(), "status": r.status, "counts": r.counts,
         "adjustments": r.adjustments, "error": r.error} for r, name in rows]
    if json:
        print_json(out)
        return
    table = Table()
    for column in ("athlete", "night", "started (UTC)", "status", "changes", "error, skipped"):
        table.add_column(column, overflow="fold")
    for o in out:
        skipped = o["counts"].get("items_skipped", 0)  # named in the night's log
        table.add_row(o["athlete"], o["day"], o["started"][:16].replace("T", " "), o["status"],
                      str(o["adjustments"]),
                      o["error"] or (f"{counted(skipped, 'item')} skipped" if skipped else ""))
    console.print(table if out else "no nightly runs yet: `stridelift nightly` runs one")


def register(app: typer.Typer) -> None:
    for command in (nightly, morning, daemon, runs):
        app.command()(command)


