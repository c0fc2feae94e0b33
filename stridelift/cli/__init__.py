"""The `stridelift` command line: one Typer app, commands grouped by concern in sibling modules.

`--help` and shell completion import every command module, so a module imports at its top only
typer, rich and light modules (jobs.home, jobs.config, the errors and defaults the help shows);
what a command needs from jobs and db it imports in its body, and pays for when it runs
(tests/test_cli_startup.py keeps it so)."""

from __future__ import annotations

import inspect
import os

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

app = typer.Typer(help="A strength planner for runners, driven by Garmin runs and recovery.",
                  no_args_is_help=True, add_completion=True, pretty_exceptions_enable=False)
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


def one_line_summaries(group: typer.Typer) -> None:
    """Each command's summary in a command list as one line of prose: Typer's rich list keeps
    the line breaks of a docstring's first paragraph (its own --help joins them)."""
    for command in group.registered_commands:
        text = command.help or inspect.getdoc(command.callback) or ""
        if command.short_help is None and text:
            command.short_help = " ".join(text.split("\n\n")[0].split())
    for sub in group.registered_groups:
        if sub.typer_instance is not None:
            one_line_summaries(sub.typer_instance)


one_line_summaries(app)


def main() -> None:
    # numpy's OpenBLAS starts a busy thread per core when it loads (~0.05 s of CPU a command
    # here) and nothing here multiplies matrices: one thread, unless the user set otherwise.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    app()
