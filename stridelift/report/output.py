"""Writing a report file for an athlete (the shell around load_report and render)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from domain.profile import Profile
from jobs.files import write_private
from jobs.home import Home
from jobs.report_rows import load_report
from stridelift.report.render import render


class ReportError(Exception):
    """The report cannot be written; the message says where and why."""


def default_path(home: Home, profile: Profile) -> Path:
    return home.config.paths.data_dir / "reports" / f"{profile.name}-report.html"


def write_report(home: Home, profile: Profile, first: date, last: date, now: datetime,
                 path: Path) -> Path:
    """Render the athlete's report for the days first..last into `path`."""
    with home.db() as db:
        data = load_report(db, profile.name, first, last, now.date(),
                           generated=now.replace(tzinfo=None), races=profile.races)
    _write(path, render(data))
    return path


def _write(path: Path, text: str) -> None:
    try:
        write_private(path, text.encode("utf-8"))
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ReportError(f"cannot write the report to {path}: {reason}") from None
