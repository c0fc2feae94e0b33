"""`stridelift push`: the coming sessions as Garmin workouts on the watch's calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from jobs.defaults import PUSH_DAYS
from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    JsonOpt,
    console,
    err_console,
    print_json,
    today_for,
    user_errors,
)
from stridelift.cli.garmin import garmin_errors

if TYPE_CHECKING:
    from jobs.push import Change, PushReport

MAX_DAYS = 42

_VERBS = {"create": "create", "move": "move", "schedule": "schedule", "update": "replace",
          "delete": "delete"}


def push_command(
    days: Annotated[int, typer.Option(min=1, max=MAX_DAYS, help="How many days ahead, from "
                                      "today.")] = PUSH_DAYS,
    apply: Annotated[bool, typer.Option("--apply", help="Make the changes in Garmin Connect "
                                        "(without it: only show them).")] = False,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Put the coming strength and mobility sessions on the watch as Garmin workouts.

    Shows what it would create, move, replace or delete; --apply does it. Only workouts
    stridelift created are ever changed. Exit 1 when a workout failed (the others are still
    pushed), 3 when the saved login is missing or refused (run `stridelift login`)."""
    from db.session import transaction
    from jobs.athlete_lock import planning
    from jobs.garmin_account import connection
    from jobs.push import push
    from jobs.replan import WEEKS_AHEAD, replan

    with user_errors(garmin_errors()):
        home = Home.open()
        profile = home.athlete(athlete)
        today = today_for(profile)
        # Never beside a nightly run pushing the same workouts, or replanning what is shown.
        with planning(home, profile, "push") as profile:
            with transaction(home.db) as db:  # the plan as `stridelift plan` would show it
                replan(db, profile, today, weeks_ahead=max(WEEKS_AHEAD, -(-days // 7)))
            conn = connection(home, profile) if apply else None
            report = push(home.db, profile, conn, today=today, days=days, apply=apply)
    if json:
        print_json(report.as_json())
    else:
        _print(report)
    if report.failed:
        raise typer.Exit(1)


def _print(report: PushReport) -> None:
    if not report.changes:
        console.print(f"{report.athlete}: Garmin already holds the plan; nothing to change",
                      highlight=False)
        return
    if not report.applied:
        console.print(f"{report.athlete}: would change (dry run; --apply makes the changes):",
                      highlight=False)
    for c in report.changes:
        if c.status != "failed":
            console.print("  " + _line(c), highlight=False, soft_wrap=True)
    for c in report.failed:
        err_console.print(f"[bold red]failed:[/] {_line(c)}: {c.error}", highlight=False,
                          soft_wrap=True)
    if report.applied:
        done = len(report.changes) - len(report.failed)
        console.print(f"{report.athlete}: {done} change(s) made, {len(report.failed)} failed",
                      highlight=False)


def _line(c: Change) -> str:
    where = f"{c.when:%a %d %b}"
    if c.action == "move" and c.was:
        where = f"{c.was:%a %d %b} -> {where}"
    why = f" ({c.why})" if c.why else ""
    return f"{_VERBS[c.action]:<8} {where}  {c.kind or 'session'} {c.key}{why}"


def register(app: typer.Typer) -> None:
    app.command(name="push")(push_command)
