"""Everyday commands: today at a glance, and the configuration as resolved."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from rich.markup import escape

from jobs.config import load
from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    DayOpt,
    JsonOpt,
    console,
    note_as_stored,
    parse_day,
    print_json,
    today_for,
    user_errors,
)
from stridelift.cli.plan import work_text

COLOURS = {"green": "green", "amber": "yellow", "red": "red"}
SHOWN_REASONS = 2
config_app = typer.Typer(help="The configuration as resolved, and where each value comes "
                         "from.", no_args_is_help=True)


def today(
    day: DayOpt = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Today's session, the runs around it and the recovery status, in about ten lines."""
    from jobs.today import today_view

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        current = today_for(profile)
        view = today_view(home, profile, parse_day(day, "--date", current) or current, current)
    if not view["up_to_date"]:
        note_as_stored(profile.name)
    if json:
        print_json(view)
        return
    print_today(view)


def print_today(view: dict[str, Any]) -> None:
    day = date.fromisoformat(view["date"])
    recovery = view["recovery"]
    level = recovery["level"] if recovery else "unknown"
    console.print(f"[bold]{day:%a %d %b %Y}[/] · recovery [bold {COLOURS.get(level, 'white')}]"
                  f"{level}[/]", highlight=False)
    if recovery and recovery["last_night"]:
        console.print(f"  - {recovery['last_night']}", highlight=False, soft_wrap=True)
    for reason in (recovery["reasons"] if recovery else [])[:SHOWN_REASONS]:
        console.print(f"  - {reason}", highlight=False, soft_wrap=True)
    console.print("Runs: " + " · ".join(_run_text(r, day) for r in view["runs"]),
                  highlight=False, soft_wrap=True)
    if not view["sessions"]:
        nxt = view["next_session"]
        console.print("No strength session today" + (
            f"; next: {date.fromisoformat(nxt['date']):%a %d %b} {nxt['kind']} {nxt['id']}"
            if nxt else "."), highlight=False)
    for s in view["sessions"]:
        console.print(f"Today: [bold]{s['kind']}[/] {s['id']} ({s['status']})",
                      highlight=False)
        for e in s["exercises"]:
            console.print(f"  {e['name']} · {work_text(e)}", highlight=False, soft_wrap=True)


def _run_text(run: dict[str, Any], today: date) -> str:
    day = date.fromisoformat(run["date"])
    when = "today" if day == today else f"{day:%a}"
    if not run["kinds"]:
        return f"{when} rest" if day >= today else f"{when} no run"
    what = "/".join(run["kinds"])
    source = "done" if run["source"] == "actual" else f"planned, {run['source']}"
    return f"{when} {what} ({source})"


def show(json: JsonOpt = False) -> None:
    """Every setting in force (paths, database, each athlete's profile) and where it comes
    from: an environment variable, config.toml or a default. Secrets are masked."""
    from jobs.config_view import resolved

    with user_errors():
        settings = resolved(load())
    if json:
        print_json([s.as_json() for s in settings])
        return
    for s in settings:
        console.print(f"[bold]{s.key}[/] = {escape(str(s.value))}  [dim]({escape(s.source)})[/]",
                      highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command()(today)
    config_app.command("show")(show)
    app.add_typer(config_app, name="config")
