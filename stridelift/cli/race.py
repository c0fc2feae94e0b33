"""`stridelift race add|list|remove`: the races the plan works around (RULES.md "Races")."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.profile import FOUND_RACE
from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    CommandError,
    JsonOpt,
    console,
    parse_day,
    print_json,
    print_wrapped,
    today_for,
    user_errors,
)

race_app = typer.Typer(help="Races with a priority (A goal, B important, C tune-up): the "
                       "plan tapers before them and eases off after them.",
                       no_args_is_help=True)


@race_app.command("add")
def add(
    race: Annotated[str, typer.Argument(
        help="DATE:DISTANCE[:A|B|C], e.g. 2027-02-17:10k:A (5k, 10k, half, marathon, ultra); "
             "A when it is the first race, B otherwise.")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace the race already entered on that day (one race a day).")]
    = False,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Add a race (a day already holding another race is refused unless --replace)."""
    from jobs.race_entry import add_race

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        added = add_race(home, profile, race, today_for(profile), replace)
    if json:
        print_json(added.as_json())
    else:
        console.print(added.words("`stridelift why`"), highlight=False)


@race_app.command("list")
def list_races(athlete: AthleteOpt = None, json: JsonOpt = False) -> None:
    """The entered races and those found in the synced activities, with their effects."""
    from db.session import transaction
    from jobs.race_entry import race_rows

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        with transaction(home.db) as db:
            rows = race_rows(db, profile, today_for(profile))
    if json:
        print_json(rows)
        return
    if not rows:
        console.print("no races: `stridelift race add 2027-02-17:10k:A` adds one")
    for r in rows:
        found = f" ({FOUND_RACE})" if r["source"] == "found" else ""
        console.print(f"[bold]{r['date']}[/] {r['priority']} {r['distance']}{found}, "
                      f"{r['when']}", highlight=False)
        for effect in r["effects"]:
            print_wrapped(effect, first="  - ", then="    ")


@race_app.command("remove")
def remove(
    day: Annotated[str, typer.Argument(help="The race's date, YYYY-MM-DD.")],
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Remove an entered race."""
    from jobs.race_entry import remove_race

    with user_errors():
        when = parse_day(day, "DATE")
        if when is None:
            raise CommandError("give the race's date, YYYY-MM-DD", 2)
        home = Home.open()
        profile = home.athlete(athlete)
        removed = remove_race(home, profile, when, today_for(profile))
    if json:
        print_json(removed.as_json())
    else:
        console.print(removed.words("`stridelift why`"), highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(race_app, name="race")
