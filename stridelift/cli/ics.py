"""`stridelift export-ics`: the plan as an iCalendar file to import or subscribe to."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    CommandError,
    note_as_stored,
    today_for,
    user_errors,
)

MAX_WEEKS = 12  # as `plan --weeks`: further ahead the plan is only a guess


def export_ics(
    out: Annotated[Path | None, typer.Option(
        "--out", help="The .ics file to write (default <data dir>/calendar/<athlete>.ics).")]
    = None,
    # checked below rather than with min/max: a one-line error instead of a usage panel
    weeks: Annotated[int, typer.Option(help=f"Weeks ahead to include (1-{MAX_WEEKS}); past "
                                       "sessions of the last year stay in.")] = 4,
    athlete: AthleteOpt = None,
) -> None:
    """Write the sessions as a calendar file (.ics), in the athlete's time zone."""
    from jobs.calendar_feed import CalendarError, write_calendar
    from jobs.plan_view import bring_up_to_date

    with user_errors({CalendarError: 1}):
        if not 1 <= weeks <= MAX_WEEKS:
            raise CommandError(f"--weeks {weeks}: use 1-{MAX_WEEKS}", 2)
        home = Home.open()
        profile = home.athlete(athlete)
        today = today_for(profile)
        if bring_up_to_date(home, profile, today, weeks_ahead=weeks) is None:  # as `plan`
            note_as_stored(profile.name)
        path = write_calendar(home, profile, today, weeks, out)
    typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("export-ics")(export_ics)
