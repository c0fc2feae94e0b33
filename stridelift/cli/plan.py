"""Plan commands: the weekly plan, why it changed, and what the runner did with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from jobs.home import Home
from stridelift.cli.common import (
    FACT_SEP,
    AthleteOpt,
    CommandError,
    JsonOpt,
    console,
    note_as_stored,
    parse_day,
    print_json,
    print_wrapped,
    today_for,
    user_errors,
)

# A day as the reasons write it ("Mon 07 Dec"): wrapped whole, its number beside its month

SessionArg = Annotated[str, typer.Argument(help="A session id as `stridelift plan` shows it, "
                                           "e.g. 2025-03-03#1.")]


def plan(
    start: Annotated[str | None, typer.Option("--from", help="First day shown (YYYY-MM-DD; "
                                              "default today).")] = None,
    weeks: Annotated[int, typer.Option(min=1, max=12, help="Weeks to show.")] = 2,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """The coming strength sessions: exercises, sets x reps or seconds, load, rest, status."""
    from jobs.plan_view import current_plan

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        today = today_for(profile)
        first = parse_day(start, "--from") or today
        if abs((first - today).days) > 366:
            raise CommandError(f"--from {first} is more than a year from today; the plan "
                               "looks back and ahead a year at most", 2)
        sessions, current = current_plan(home, profile, today, first, weeks)
    if not current:
        note_as_stored(profile.name)
    if json:
        print_json(sessions)
    else:
        print_plan(sessions)


def print_plan(sessions: list[dict[str, Any]]) -> None:
    """One row per exercise, the session's day, id and kind down its first rows: the work
    stays beside its exercise, and names wrap at most once at 80 columns."""
    if not sessions:
        console.print("no sessions in that window")
        return
    table = Table()
    table.add_column("day · session", no_wrap=True)
    table.add_column("exercise", ratio=1, min_width=20, overflow="fold")
    table.add_column("work · load · rest", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for s in sessions:
        about = [f"{date.fromisoformat(s['date']):%a %d %b}", s["id"],
                 f"{s['kind']} {s['block']}.{s['week_in_block']}"]
        status = [s["status"], *(["pinned"] if s["pinned"] else [])]
        rows = max(len(s["exercises"]), len(about))
        for i in range(rows):
            e = s["exercises"][i] if i < len(s["exercises"]) else None
            table.add_row(about[i] if i < len(about) else "", e["name"] if e else "",
                          work_text(e) if e else "", status[i] if i < len(status) else "",
                          end_section=i == rows - 1)
    console.print(table)
    for s in sessions:  # a pinned session S6 would move, kept (S7.4): said under the table
        if s.get("warnings"):
            print_wrapped(f"{s['id']}: {s['warnings'][0]}")
            print_reasons(s["warnings"][1:])


def work_text(e: dict[str, Any]) -> str:
    sets = f"{e['sets']}x{e['reps']}" if "reps" in e else f"{e['sets']}x{e['seconds']}s"
    load = f"{e['load_kg']:g} kg" if e["load_kg"] else (
        "by feel" if e["by_feel"] else "-")
    from jobs.plan_view import rest_text

    return f"{sets} · {load} · {rest_text(e['rest_s'])}"


def why(
    since: Annotated[str | None, typer.Option(help="Only changes made on or after this "
                                              "night (YYYY-MM-DD).")] = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """The plan's changes, newest first, each with its rule and reasons."""
    from jobs.plan_view import changes

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        first = parse_day(since, "--since")
        out = changes(home, profile, first or date.min)
        # none since the day: `why` alone lists the earlier ones, if there are any
        earlier = first is not None and not out and bool(changes(home, profile, date.min))
    if json:
        print_json(out)
        return
    if not out:
        console.print(f"no changes since {first:%a %d %b %Y}: `stridelift why` lists them all"
                      if earlier else "no changes yet: the plan is as first laid out",
                      highlight=False)
    for a in out:
        console.print(f"[bold]{a['date']}[/] {a['session_id']}: {a['action']} ({a['rule']})",
                      highlight=False)
        print_wrapped(a["from"], first="  from: ", then=" " * 8)
        print_wrapped(a["to"], first="  to:   ", then=" " * 8)
        print_reasons(a["reasons"])


def print_reasons(reasons: list[str]) -> None:
    """Each reason a dash, wrapped to the terminal under its first word: a reason of a
    week planned again runs past 160 characters."""
    for reason in reasons:
        print_wrapped(reason, first="  - ", then="    ")


def _act(key: str, athlete: str | None, action: str,
         sent: Callable[[], dict[str, Any]] | None = None, **details: Any) -> None:
    """`sent`: what the runner typed that needs checking, read only after the session's
    status answered (a done session is "already done" whatever was typed)."""
    from jobs.session_actions import act

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        outcome = act(home, profile, action, key, today=today_for(profile), sent=sent,
                      **details)
        if action == "done" and not outcome.changed:
            raise CommandError(outcome.message, 2)
    console.print(outcome.message, highlight=False)


def pin(session: SessionArg, athlete: AthleteOpt = None) -> None:
    """Pin a session: the nightly adaptation never moves or changes it."""
    _act(session, athlete, "pin", pinned=True)


def unpin(session: SessionArg, athlete: AthleteOpt = None) -> None:
    """Let the nightly adaptation move or change the session again."""
    _act(session, athlete, "pin", pinned=False)


def skip(session: SessionArg, athlete: AthleteOpt = None) -> None:
    """Skip a session (it counts as not done for the block's 2/3 rule)."""
    _act(session, athlete, "skip")


def done(
    session: SessionArg,
    # the range is checked by `act` after the session's status, not by typer before it
    rpe: Annotated[float | None, typer.Option(help="How hard it was, CR-10 (0-10).")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--sets", help="What you lifted when it differs from the plan: EXERCISE=REPSxKG,... "
        "e.g. barbell_back_squat=6x60,6x60,5x60 (repeatable).")] = None,
    athlete: AthleteOpt = None,
) -> None:
    """Mark a session done; what was lifted drives the next loads (double progression)."""
    _act(session, athlete, "done", sent=lambda: {"actual": _parse_sets(sets or [])}, rpe=rpe)


def _parse_sets(items: list[str]) -> dict[str, tuple[list[int], float | None]]:
    from jobs.session_actions import sane_lift

    out: dict[str, tuple[list[int], float | None]] = {}
    for item in items:
        name, sep, body = item.partition("=")
        try:
            pairs = [part.split("x") for part in body.split(",")] if sep else []
            reps = [int(r) for r, _ in pairs]
            loads = {float(kg) for _, kg in pairs}
        except ValueError:
            pairs, reps, loads = [], [], set()
        if len(loads) != 1 or not sane_lift(reps, next(iter(loads))):
            raise CommandError(f"--sets {item!r}: use EXERCISE=REPSxKG,... with one load "
                               "(0-500 kg, 0-100 reps), e.g. barbell_back_squat=6x60,6x60,5x60",
                               2)
        if name.strip() in out:  # the later one silently replaced the earlier
            raise CommandError(f"--sets names {name.strip()} twice: give all its sets in one, "
                               "e.g. barbell_back_squat=6x60,6x60,5x60", 2)
        out[name.strip()] = (reps, loads.pop())
    return out


COLUMN_MIN = 12  # the least room a folded column reads in
BORDERS = 16  # a boxed table of 5 columns: 6 rules and a space each side of every cell


def exercises(json: JsonOpt = False) -> None:
    """The exercise catalogue: ids (for --weight and --sets), areas, quality, equipment."""
    from jobs.plan_view import catalogue_rows

    rows = catalogue_rows()
    if json:
        print_json(rows)
        return
    # Each id whole, on one line: it is what --weight and --sets are given. Beside the
    # longest, a narrow terminal leaves the other columns a few letters: a line each then.
    if console.width < max((len(r["id"]) for r in rows), default=0) + BORDERS + 4 * COLUMN_MIN:
        for r in rows:
            print_wrapped(f"{r['id']}: {r['name']}")
            print_wrapped(FACT_SEP.join([", ".join(r["areas"]), r["quality"], r["equipment"]]),
                          first="  ")
        return
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in ("name", "areas", "quality", "equipment"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["name"], ", ".join(r["areas"]), r["quality"], r["equipment"])
    console.print(table)


def register(app: typer.Typer) -> None:
    for command in (plan, why, pin, unpin, skip, done, exercises):
        app.command()(command)
