"""The `stridelift` command line: one Typer app, commands grouped by concern in sibling modules.

`--help` and shell completion import every command module, so a module imports at its top only
typer, rich and light modules (jobs.home, jobs.config, the errors and defaults the help shows);
what a command needs from jobs and db it imports in its body, and pays for when it runs
(tests/test_cli_startup.py keeps it so)."""

from __future__ import annotations

import gc
import inspect
import os
import sys

import typer

from stridelift.cli import (
    analysis,
    data,
    db,
    demo,
    everyday,
    garmin,
    ics,
    nightly,
    plan,
    profile,
    push,
    race,
    replay,
    report,
    serve,
)
from stridelift.cli.common import OneLineUsage

app = typer.Typer(help="A strength planner for runners, driven by Garmin runs and recovery.",
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False,
                  cls=OneLineUsage)
profile.register(app)
data.register(app)
db.register(app)
garmin.register(app)
analysis.register(app)
plan.register(app)
nightly.register(app)
report.register(app)
ics.register(app)
push.register(app)
race.register(app)
demo.register(app)
replay.register(app)
everyday.register(app)
serve.register(app)


def prose_help(group: typer.Typer) -> None:
    """Help texts as prose that the terminal wraps: each paragraph of a docstring joined into
    one line. Typer's rich help keeps a docstring's line breaks in the command list and in
    every paragraph after the first, which an 80-column terminal then breaks again mid-line."""
    for command in group.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        paragraphs = [" ".join(paragraph.split()) for paragraph in text.split("\n\n")]
        command.help = "\n\n".join(paragraphs)
        command.short_help = command.short_help or paragraphs[0]
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            prose_help(sub.typer_instance)


prose_help(app)


def main() -> None:
    # numpy's OpenBLAS starts a busy thread per core when it loads (~0.05 s of CPU a command
    # here) and nothing here multiplies matrices: one thread, unless the user set otherwise.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        app()
    finally:
        _end()


def _end() -> None:
    """The command is over: the databases it opened are closed now, then every object left
    is frozen, so that the interpreter's exit does not walk them all with its garbage
    collector (several passes) only to free memory the system takes back anyway: ~0.1 s of
    `plan` or `why` with SQLAlchemy loaded, measured. Nothing left needs the collector:
    databases are the one thing closed on collection."""
    if "db.session" in sys.modules:  # a command that opened no database loads none here
        from db.session import close_all

        close_all()
    gc.freeze()
