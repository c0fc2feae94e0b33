"""Garmin Connect commands: `login` (once, tokens kept) and `sync` (incremental)."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from jobs.config import load
from jobs.home import Home
from stridelift.cli.common import (
    REPLACED,
    AthleteOpt,
    CommandError,
    JsonOpt,
    console,
    counted,
    err_console,
    parse_day,
    print_json,
    print_same_recording,
    progress_bar,
    today_for,
    user_errors,
)

AUTH_EXIT = 3  # the saved login is missing or refused: a person has to run `stridelift login`


def garmin_errors() -> dict[type[BaseException], int]:
    """Garmin's failures as exit codes (the Garmin client loads with the command using it)."""
    from jobs.garmin_account import GarminAuthError, GarminError

    return {GarminAuthError: AUTH_EXIT, GarminError: 1}


MAX_BACKFILL_DAYS = 5 * 365  # Garmin's API over years is days of calls: the export is faster


def login(
    athlete: AthleteOpt = None,
    tokens_from: Annotated[Path | None, typer.Option(
        "--tokens-from", help="Reuse an existing garminconnect token file (garmin_tokens.json) "
                              "or the folder holding it, instead of logging in.")] = None,
    email: Annotated[str | None, typer.Option(help="Garmin Connect email (asked when omitted).")]
    = None,
) -> None:
    """Log in to Garmin Connect once; later syncs reuse the saved tokens (never the password)."""
    from jobs.garmin_account import log_in, reuse_tokens

    with user_errors(garmin_errors()):
        config = load()
        profile = config.athlete(athlete)
        tokens_dir = config.paths.tokens_dir(profile.name)
        if tokens_from is not None:
            name: str | None = reuse_tokens(config, profile, tokens_from.expanduser())
        else:
            address = email or typer.prompt("Garmin Connect email")
            name = log_in(config, profile, address,
                           typer.prompt("Garmin Connect password", hide_input=True),
                           lambda: typer.prompt("MFA code Garmin sent you"))
    who = f" as {name}" if name else ""
    console.print(f"Logged in to Garmin Connect{who}; tokens saved in {tokens_dir}",
                  highlight=False, soft_wrap=True)


def sync(
    since: Annotated[str | None, typer.Option(
        help="First day to fetch (YYYY-MM-DD); default: the last synced day, or 120 days back "
             "on the first sync.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day to fetch; default: today.")] = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Fetch new activities and recovery days from Garmin Connect.

    Exit 3 when the saved login is missing or refused (run `stridelift login`), 1 when Garmin
    keeps failing; whatever was fetched before that is kept, and the next sync resumes."""
    from jobs.garmin_account import connection, sync_athlete

    with user_errors(garmin_errors()):
        start, end = parse_day(since, "--since"), parse_day(until, "--until")
        if start and start < today_for(None) - timedelta(days=MAX_BACKFILL_DAYS):
            raise CommandError(f"--since {start} is more than {MAX_BACKFILL_DAYS // 365} "
                               "years back; import Garmin's data export for older history", 2)
        if start and end and start > end:
            raise CommandError("--since must not be after --until", 2)
        home = Home.open()
        profile = home.athlete(athlete)
        conn = connection(home, profile)
        _log_to_stderr()
        with progress_bar(disabled=json) as bar:
            task = bar.add_task("Syncing", total=None)
            report = sync_athlete(
                home, conn, profile, today=today_for(profile), since=start, until=end,
                progress=lambda done, total: bar.update(task, completed=done, total=total))
    if json:
        print_json({"athlete": profile.name, **report.as_json()})
        return
    days = (f"{counted(report.days_stored, 'day')} of recovery data" if report.days
            else "no days")
    late = "".join([f", {report.waiting} counted from their summary until their file "
                    "arrives" if report.waiting else "",
                    f", {report.upgraded} upgraded with their late file"
                    if report.upgraded else "",
                    f", {report.replaced} {REPLACED}" if report.replaced else ""])
    console.print(f"{profile.name}: {counted(report.new, 'new activity', 'new activities')} "
                  f"({report.summary_only} without a FIT file){late}, "
                  f"{report.already_stored} already stored; {days}; "
                  f"{counted(len(report.skipped), 'item')} skipped", highlight=False,
                  soft_wrap=True)
    print_same_recording(report.same_recording)



def _log_to_stderr() -> None:
    """Skipped items are logged as warnings: show them above the progress bar, once."""
    from rich.logging import RichHandler

    logger = logging.getLogger("ingest")
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(RichHandler(console=err_console, show_time=False, show_path=False))
    logger.setLevel(logging.WARNING)


def register(app: typer.Typer) -> None:
    app.command()(login)
    app.command()(sync)
