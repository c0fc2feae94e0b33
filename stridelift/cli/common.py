"""What every command shares: the --athlete and --json options, errors as one clear line."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from db.errors import DatabaseError
from domain.profile import ProfileError
from domain.words import counted as counted  # the CLI's commands ask here
from jobs.clock import today_for as today_for  # the CLI's commands ask here
from jobs.config import ConfigError
from jobs.errors import Busy, PlanError

try:  # a recent Typer carries its own copy of click, whose usage errors these are
    from typer._click.exceptions import UsageError
except ImportError:  # an older one uses click itself
    from click.exceptions import UsageError  # type: ignore[assignment]

if TYPE_CHECKING:
    from rich.progress import Progress, ProgressColumn

console = Console()
err_console = Console(stderr=True)

AthleteOpt = Annotated[str | None, typer.Option(
    "--athlete", help="Which athlete (by name); the only one when omitted.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
DayOpt = Annotated[str | None, typer.Option(
    "--date", help="The day (YYYY-MM-DD; default: today in the athlete's time zone).")]

# Expected failures: one line on stderr, no traceback, and this exit code.
EXPECTED: dict[type[BaseException], int] = {ConfigError: 2, ProfileError: 2, DatabaseError: 1,
                                             PlanError: 2, Busy: 1}


class CommandError(Exception):
    """A failure the user can fix; `code` is the exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = 1) -> NoReturn:
    # the message is text, not markup: "[weights]" in it would vanish as a style tag; and one
    # line, whatever a driver or the system put in it (PostgreSQL's "Is the server running"
    # comes on a line of its own)
    line = " ".join(message.split())
    err_console.print(f"[bold red]error:[/] {escape(line)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def note_as_stored(athlete: str, what: str = "the plan") -> None:
    """`what` shown as stored while another run holds the athlete's lock, said on stderr
    (what is printed, --json too, is still `what`)."""
    from jobs.athlete_lock import as_stored

    line = as_stored(athlete, what)
    err_console.print(f"[yellow]note:[/] {escape(line)}", highlight=False, soft_wrap=True)


class OneLineUsage(TyperGroup):
    """The command line's group: a usage error (`--weeks 0`, `--rpe 6x`, a missing argument)
    is one line too, naming the help to read, with click's exit status 2; Typer drew a box
    of five lines or more. Help asked for by giving no arguments stays help."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        """The group's own options (`stridelift --bogus`) are read here, before `invoke`."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as exc:
            _one_line(exc, info_name or "stridelift")

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _one_line(exc, ctx.command_path)


def _one_line(exc: UsageError, where: str) -> NoReturn:
    """A usage error in one line, naming the help to read; help asked for by giving no
    arguments (click's NoArgsIsHelpError) stays help."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # click prints the help itself
        raise exc
    where = exc.ctx.command_path if exc.ctx else where
    fail(f"{exc.format_message()} (see `{where} --help`)", exc.exit_code)


@contextmanager
def user_errors(extra: dict[type[BaseException], int] | None = None) -> Iterator[None]:
    """Turn expected exceptions into `error: ...` and an exit code."""
    table = {**EXPECTED, CommandError: 1, **(extra or {})}
    kinds: tuple[type[BaseException], ...] = tuple(table)
    try:
        yield
    except kinds as exc:
        code = exc.code if isinstance(exc, CommandError) else _code(table, exc)
        fail(str(exc), code)
    except Exception as exc:
        if (error := _unusable_database(exc)) is None:
            raise
        fail(str(error), _code(table, error))


def _unusable_database(exc: Exception) -> DatabaseError | None:
    """A statement that failed on a database stridelift can no longer use as it is (deleted,
    replaced, a table dropped, damaged): the database's error, by the rule the web app's
    repair page words it by (db.session.unusable); None for any other failure."""
    if "sqlalchemy" not in sys.modules:  # loaded by whatever opened a database
        return None
    from db.session import unusable_by
    from jobs.config import load

    try:
        url = load().database_url()  # the database the command opened
    except ConfigError:
        return None
    return unusable_by(exc, url)


def _code(table: dict[type[BaseException], int], exc: BaseException) -> int:
    return next(code for kind, code in table.items() if isinstance(exc, kind))


# How `sync` and `nightly` word the activities a sync's download took from a serial-less copy
# stored before (SyncReport.replaced): not upgraded from a summary, no file was late
REPLACED = "stored from the watch's file in place of a serial-less copy"


def print_same_recording(entries: list[dict[str, str]]) -> None:
    """The files not stored as another file of their recording is (`import`, `sync`), a line
    each, names verbatim."""
    for same in entries:
        day = date.fromisoformat(same["day"])
        console.print(f"  {same['path']}: the same recording as {same['same_as']} (stored, "
                      f"{day:%a %d %b %Y}), not stored again", highlight=False,
                      soft_wrap=True, markup=False)


def print_wrapped(text: str, first: str = "", then: str = "  ") -> None:
    """`text` wrapped to the terminal, after `first` on its first line and `then` on the
    others; a no-break space holds two words on one line. No trailing spaces: rich pads
    what it wraps. To a pipe or a file, one line however long: a reason split over lines
    is one that grep finds half of."""
    from rich.text import Text

    width = console.width if console.is_terminal else sys.maxsize
    console.print(Text("\n".join(wrapped(text, width, first, then))), soft_wrap=True)


A_DAY = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d) ([A-Z][a-z]{2})\b")


def wrapped(text: str, width: int, first: str = "", then: str = "  ") -> list[str]:
    """`text`'s lines of at most `width` columns (a Japanese letter or an emoji takes two,
    which textwrap counts as one), broken at spaces but never inside a day ("Mon 07 Dec");
    a word longer than a line is cut."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    line, fresh = first, True  # fresh: no word on the line yet
    held = A_DAY.sub("\\1\N{NO-BREAK SPACE}\\2\N{NO-BREAK SPACE}\\3", text)
    for word in re.findall(r"[^ \t\n]+", held):
        word = word.replace("\N{NO-BREAK SPACE}", " ")
        if not fresh and cell_len(f"{line} {word}") > width:
            lines.append(line)
            line, fresh = then, True
        while word and fresh and cell_len(line + word) > width:
            # at least a letter a line, however narrow: the loop ends
            piece = next(p for p in chop_cells(word, max(width - cell_len(line), 1)) if p)
            lines.append(line + piece)
            line, word = then, word[len(piece):]
        if word:
            line, fresh = line + word if fresh else f"{line} {word}", False
    return lines if fresh and lines else [*lines, line.rstrip()]


# Between facts on a line: the dot stays with the fact before it when the line wraps.
FACT_SEP = "\N{NO-BREAK SPACE}· "


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str) + "\n")


def given_path(text: str) -> Path:
    """A file or folder named on the command line. An empty one (a shell variable unset,
    in quotes) is refused: Path("") is the current folder, which `import` then searched
    through, subfolders and all."""
    if not text.strip():
        raise typer.BadParameter("an empty path: name a .fit file, a folder or a zip")
    return Path(text)


EARLIEST = date(1990, 1, 1)  # FIT's clock starts on 1989-12-31: no day recorded is older


def parse_day(text: str | None, name: str, today: date | None = None) -> date | None:
    """A YYYY-MM-DD option. With `today`, the day of a command that works on one day: from
    EARLIEST to a year after today (a typo such as 2206 made `status` compute every day up
    to it, which seemed to hang, and `today --date 0001-01-01` overflowed)."""
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name} {text!r} is not a date: use YYYY-MM-DD", 2) from None
    if today is not None and not EARLIEST <= day <= today + timedelta(days=366):
        raise CommandError(f"{name} {day} is out of reach: use a day from {EARLIEST} to a "
                           f"year after today ({today + timedelta(days=366)})", 2)
    return day




def _no_terminal() -> bool:
    """stderr goes to a file or a pipe: no progress bar."""
    return not err_console.is_terminal


def progress_bar(disabled: bool, *columns: ProgressColumn) -> Progress:
    """A progress bar on stderr (so --json output stays clean), gone when done; none where
    stderr is no terminal (a log, a pipe), where it left an empty line before an error.
    `columns`: what it shows (by default what is done of how many, and the time left)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    shown = columns or (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn())
    return Progress(*shown, console=err_console, disable=disabled or _no_terminal(),
                    transient=True)
