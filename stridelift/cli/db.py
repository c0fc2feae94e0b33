"""`stridelift db backup` and `stridelift db check`: the database's care (added to `db`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jobs.home import Home
from stridelift.cli.common import AthleteOpt, JsonOpt, console, err_console, print_json, user_errors
from stridelift.cli.data import db_app

if TYPE_CHECKING:
    from jobs.storage import CheckReport


def backup(
    target: Annotated[Path, typer.Argument(metavar="FILE", help="The copy to write (a new file).")],
    json: JsonOpt = False,
) -> None:
    """Copy the SQLite database to FILE, safely while it is in use.

    SQLite's online backup API gives a consistent copy even while `nightly` writes; the copy
    is 0600 and FILE must not exist yet. For PostgreSQL use pg_dump."""
    from jobs.storage import MaintenanceError, backup_database

    with user_errors({MaintenanceError: 1, OSError: 1}):
        size = backup_database(Home.open(), target)
    if json:
        print_json({"backup": str(target), "bytes": size})
    else:
        console.print(f"backed up to {target} ({size / 1e6:.1f} MB)", highlight=False)


def check(athlete: AthleteOpt = None, json: JsonOpt = False) -> None:
    """Check the database's pages and its rows against the raw journal.

    SQLite's integrity_check, the rows per table, and the journal held against them: every
    journalled import stored, every stored activity and day rebuildable by `db rebuild`.
    Exit 1 when something is wrong with them. Temporary files that killed runs left are
    removed on the way; those it cannot remove (a folder it may not write in) are named and
    do not change the exit code, the database's verdict. A home on a read-only file system
    is not checked: SQLite cannot open its database there."""
    from jobs.storage import check_database

    with user_errors({OSError: 1}):
        home = Home.open()
        report = check_database(home, home.athlete(athlete))
    if json:
        print_json(report.as_json())
    else:
        _print(report)
    raise typer.Exit(0 if report.ok else 1)


def _print(report: CheckReport) -> None:
    pages = "not checked (PostgreSQL)" if not report.integrity else "; ".join(report.integrity)
    console.print(f"integrity: {pages}", highlight=False)
    console.print("rows: " + ", ".join(f"{t} {n}" for t, n in report.tables.items() if n),
                  highlight=False)
    for j in report.journal:
        line = f"journal {j.kind}: {j.journalled}, missing from the database {len(j.missing)}"
        (err_console if j.missing else console).print(line, highlight=False)
    if report.activities_not_journalled or report.days_not_journalled:
        err_console.print(f"not in the journal (db rebuild would lose them): "
                          f"{report.activities_not_journalled} activities, "
                          f"{report.days_not_journalled} wellness days", highlight=False)
    if any(j.missing for j in report.journal):
        err_console.print("journalled but not stored: `stridelift db rebuild` restores them",
                          highlight=False)
    if report.leftovers:
        console.print(f"removed {len(report.leftovers)} temporary files that killed runs left: "
                      + ", ".join(report.leftovers), highlight=False, soft_wrap=True,
                      markup=False)
    if report.leftovers_kept:
        err_console.print(f"could not remove {len(report.leftovers_kept)} temporary files that "
                          "killed runs left (read-only?): " + ", ".join(report.leftovers_kept)
                          + "; run `stridelift db check` again where the home is writable",
                          highlight=False, soft_wrap=True, markup=False)
    console.print("ok" if report.ok else "problems found", highlight=False)


def register(app: typer.Typer) -> None:
    """Adds to the `db` group that `data` registers on `app`."""
    db_app.command("backup")(backup)
    db_app.command("check")(check)
