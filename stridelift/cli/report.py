"""`stridelift report`: the recovery-versus-load report as one self-contained HTML file."""

from __future__ import annotations

import webbrowser
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from jobs.defaults import REPORT_WEEKS_AHEAD, REPORT_WEEKS_BACK, report_range
from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    CommandError,
    note_as_stored,
    parse_day,
    user_errors,
)


def report(
    start: Annotated[str | None, typer.Option(
        "--from", help=f"First day (YYYY-MM-DD; default {REPORT_WEEKS_BACK} weeks ago).")]
    = None,
    end: Annotated[str | None, typer.Option(
        "--to", help=f"Last day (YYYY-MM-DD; default {REPORT_WEEKS_AHEAD} weeks ahead).")]
    = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="The HTML file to write (default <data dir>/reports/<athlete>-report"
        ".html).")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the report in a web browser.")]
    = False,
    athlete: AthleteOpt = None,
) -> None:
    """The recovery-versus-load report: load, form, HRV and sleep, and the plan's changes."""
    from jobs.plan_view import bring_up_to_date
    from jobs.report_rows import MAX_DAYS
    from stridelift.report.output import ReportError, default_path, write_report

    with user_errors({ReportError: 1}):
        home = Home.open()
        profile = home.athlete(athlete)
        now = datetime.now(profile.zone)
        today = now.date()
        first, last = report_range(today)
        first = parse_day(start, "--from") or first
        last = parse_day(end, "--to") or last
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}", 2)
        if (last - first).days > MAX_DAYS or last > today + timedelta(weeks=52):
            raise CommandError("the report covers at most ten years, ending at most a year "
                               "ahead; narrow --from/--to", 2)
        if bring_up_to_date(home, profile, today) is None:  # current, as `plan` shows it
            note_as_stored(profile.name)
        path = write_report(home, profile, first, last, now,
                            out or default_path(home, profile))
    typer.echo(str(path))
    if open_:
        webbrowser.open(path.resolve().as_uri())


def register(app: typer.Typer) -> None:
    app.command()(report)
