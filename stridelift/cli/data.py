"""Data commands: bulk import of FIT files, and database maintenance."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    JsonOpt,
    console,
    err_console,
    given_path,
    print_json,
    print_same_recording,
    progress_bar,
    user_errors,
)

if TYPE_CHECKING:
    from rich.progress import Progress

# How to fix the failed files, once under them all: a damaged file is the common failure, and
# importing again is safe; but a run refused for its date stays refused in any copy of its
# file, and only its watch's clock set right dates the runs to come.
FAILED_FIX = ("fix or replace the {files} that failed and import again (what is stored is "
              "skipped); a damaged file: copy it again from the watch or download its "
              "original from Garmin Connect")
MISDATED_FIX = ("a run refused for its date stays refused in any copy of its file: set the "
                "watch's date and time so that its next runs are dated")


def failed_fix(failed: int, misdated: int) -> str:
    """The advice under `failed` files, `misdated` of them refused for their date."""
    fixes = [FAILED_FIX.format(files="other files" if misdated else "files")] \
        if failed > misdated else []
    return "  " + "; ".join([*fixes, *([MISDATED_FIX] if misdated else [])])


db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


def import_(
    paths: Annotated[list[Path], typer.Argument(
        parser=given_path,
        help=".fit files, folders (searched recursively) or zips such as Garmin's data export.")],
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
    # at most 64: each worker has its own 4 MB of the spool, and 10**5 of them failed as
    # "Cannot allocate memory" (10**23 overflowed into a traceback)
    workers: Annotated[int | None, typer.Option(min=1, max=64, help="Decoding processes "
                                                "(default: all cores).")]
    = None,
) -> None:
    """Import FIT files. Exit 0 when nothing failed, 1 when some files failed."""
    from jobs.importing import WorkersDied, import_files

    # e.g. the raw store cannot be written, or the workers keep dying: one line each
    with user_errors({OSError: 1, WorkersDied: 1}):
        home = Home.open()
        profile = home.athlete(athlete)
        with _import_bar(disabled=json) as bar:
            task = bar.add_task("Importing", total=None, files="")
            report = import_files(home, profile, paths, workers=workers,
                                  progress=lambda t: bar.update(
                                      task, completed=t.bytes, total=t.bytes_total or None,
                                      files=f"{t.files}/{t.files_total} files"))
    if json:
        print_json(report.as_json())
    else:
        console.print(f"imported {report.imported}, duplicates {report.duplicates}, "
                      f"not activities {report.skipped}, failed {len(report.failed)}")
        print_same_recording(report.same_recording)
        for failure in report.failed:
            err_console.print(f"  failed: {failure['path']}: {failure['error']}", highlight=False,
                              soft_wrap=True, markup=False)  # one line each, names verbatim
        if report.failed:
            err_console.print(failed_fix(len(report.failed), report.misdated),
                              highlight=False, soft_wrap=True)
        if not report.files():  # a wrong folder, most likely: say so rather than "0" alone
            err_console.print("nothing to import: no FIT file found in "
                              f"{', '.join(map(str, paths))}", highlight=False,
                              soft_wrap=True, markup=False)
    raise typer.Exit(1 if report.failed else 0)


def _import_bar(disabled: bool) -> Progress:
    """Files and MB done, and the time left judged by the MB (files vary 1000-fold in size)."""
    from rich.progress import BarColumn, DownloadColumn, TextColumn, TimeRemainingColumn

    return progress_bar(disabled, TextColumn("{task.description}"), BarColumn(),
                        TextColumn("{task.fields[files]}"), DownloadColumn(),
                        TimeRemainingColumn())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema now (any command does it as it first uses
    the database, on SQLite and PostgreSQL alike)."""
    with user_errors():
        Home.open().open_db()  # migrates it (a database file gone is not made anew, empty)
        console.print("database is up to date")


@db_app.command("rebuild")
def db_rebuild(athlete: AthleteOpt = None, json: JsonOpt = False) -> None:
    """Recreate an athlete's activities and wellness days from the raw payloads, offline."""
    from jobs.importing import RebuildError, rebuild_athlete

    with user_errors({RebuildError: 1}):
        home = Home.open()
        with progress_bar(disabled=json) as bar:
            task = bar.add_task("Journal entries", total=None)
            counts = rebuild_athlete(home, home.athlete(athlete), lambda done, total: bar.update(
                task, completed=done, total=total))
    if json:
        print_json(dict(counts))
    else:
        console.print("rebuilt from " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
                                          or "an empty journal"))


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.add_typer(db_app, name="db")
