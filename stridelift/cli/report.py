"""`stridelift report`: the recovery-versus-load report as one self-contained HTML file."""

from __future__ import annotations

import os
import tempfile
import webbrowser
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from db.session import transaction
from jobs.plan import replan
from stridelift.cli.common import AthleteOpt, CommandError, parse_day, user_errors
from stridelift.home import Home
from stridelift.report import load_report, render

WEEKS_BACK = 16  # default range: the last 16 weeks up to today...
WEEKS_AHEAD = 2  # ...and the next 2 weeks of plan


def default_range(today: date) -> tuple[date, date]:
    return today - timedelta(weeks=WEEKS_BACK), today + timedelta(weeks=WEEKS_AHEAD)


def report(
    start: Annotated[str | None, typer.Option(
        "--from", help=f"First day (YYYY-MM-DD; default {WEEKS_BACK} weeks ago).")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help=f"Last day (YYYY-MM-DD; default {WEEKS_AHEAD} weeks ahead).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="The HTML file to write (default <data dir>/reports/<athlete>-report"
        ".html).")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the report in a web browser.")]
    = False,
    athlete: AthleteOpt = None,
) -> None:
    """The recovery-versus-load report: load, form, HRV and sleep, and the plan's changes."""
    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        now = datetime.now(profile.zone)
        today = now.date()
        first, last = default_range(today)
        first = parse_day(start, "--from") or first
        last = parse_day(end, "--to") or last
        if first > last:
            raise CommandError(f"--from {first} is after --to {last}", 2)
        path = out or home.config.paths.data_dir / "reports" / f"{profile.name}-report.html"
        with transaction(home.db) as db:
            replan(db, profile, today)  # the plan and statuses current, as `plan` does
        with home.db() as db:
            data = load_report(db, profile.name, first, last, today,
                               generated=now.replace(tzinfo=None))
        _write(path, render(data))
    typer.echo(str(path))
    if open_:
        webbrowser.open(path.resolve().as_uri())


def _write(path: Path, text: str) -> None:
    """Whole or not at all: a temporary file beside the target, then an atomic rename. The
    file is private to the user (mkstemp's 0600): it holds health data."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CommandError(f"cannot write the report to {path}: {reason}") from None


def register(app: typer.Typer) -> None:
    app.command()(report)
