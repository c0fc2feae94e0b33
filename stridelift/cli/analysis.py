"""Analysis commands: classify runs, and the day's recovery status and load numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from db import activities, plans, repo
from db.session import transaction
from domain.activity import Activity
from domain.profile import Profile
from jobs.analyse import analyse, classify_one, run_history
from jobs.config import ConfigError, load
from jobs.home import Home
from jobs.importing import FitError, runs_in_fit
from stridelift.cli.common import (
    AthleteOpt,
    CommandError,
    JsonOpt,
    console,
    parse_day,
    print_json,
    today_for,
    user_errors,
)

# Without a profile, classify still works on generic values and says so.
DEFAULT_PROFILE = Profile(name="default", tz="UTC", sex="m", max_hr=190, rest_hr=60, runs={})
NO_PROFILE = ("no athlete profile: zones from a generic max HR 190 and resting HR 60; "
              "run `stridelift init` for your own")


def classify(
    file: Annotated[Path | None, typer.Argument(help="A .fit file (no account or database "
                                                "needed).")] = None,
    activity: Annotated[int | None, typer.Option("--activity", help="A stored activity's id.")]
    = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Classify runs by fatigue (race, speed, threshold, long, easy, recovery), with reasons."""
    with user_errors({FitError: 1}):
        if (file is None) == (activity is None):
            raise CommandError("give either a FIT file or --activity ID", 2)
        results = _from_file(file, athlete) if file else _from_db(activity or 0, athlete)
    if json:
        print_json(results)
        return
    for r in results:
        console.print(f"[bold]{r['start'][:16].replace('T', ' ')}[/] {r['sport']} "
                      f"{r['duration_s'] / 60:.0f} min → [bold]{r['kind']}[/] "
                      f"(fatigue {r['fatigue']}, load {r['load']:.0f})", highlight=False)
        for reason in r["reasons"]:
            console.print(f"  - {reason}", highlight=False, soft_wrap=True)


def _profile(athlete: str | None) -> tuple[Profile, list[str]]:
    try:
        return load().athlete(athlete), []
    except ConfigError:
        if athlete is not None:
            raise
        return DEFAULT_PROFILE, [NO_PROFILE]


def _from_file(path: Path, athlete: str | None) -> list[dict[str, Any]]:
    profile, notes = _profile(athlete)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from None
    runs = runs_in_fit(data, path.name)
    if not runs:
        raise CommandError(f"{path}: holds no run to classify")
    return [_result(a, profile, [], notes) for a in runs]


def _from_db(activity_id: int, athlete: str | None) -> list[dict[str, Any]]:
    home = Home.open()
    profile = home.athlete(athlete)
    with transaction(home.db) as session:
        who = repo.athlete(session, profile)
        row = activities.activity(session, who, activity_id)
        if row is None:
            raise CommandError(f"no activity {activity_id} for {profile.name}; "
                               "see `stridelift import` or `stridelift sync`")
        history = run_history(activities.run_spans(session, who), row.start_utc)
        return [_result(repo.to_domain(row), profile, history, [])]


def _result(a: Activity, profile: Profile, history: list[float],
            notes: list[str]) -> dict[str, Any]:
    c, load_ = classify_one(a, profile, history)
    return {"kind": c.kind, "fatigue": c.fatigue, "reasons": [*c.reasons, *notes],
            "sport": a.sport, "start": a.start.isoformat(), "duration_s": a.duration_s,
            "distance_m": a.distance_m, "load": round(load_.value, 1),
            "load_reason": load_.reason}


def status(
    day: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today in the "
                                            "athlete's time zone).")] = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """A day's recovery status (green, amber, red) and load numbers, with reasons."""
    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        when = parse_day(day, "--date") or today_for(profile)
        with transaction(home.db) as session:
            analyse(session, profile, when)
            row = plans.daily_status(session, repo.athlete(session, profile), when)
        if row is None:
            raise CommandError(f"no status for {when}")
    numbers = {"atl": row.atl, "ctl": row.ctl, "tsb": row.tsb, "acwr": row.acwr,
               "monotony": row.monotony, "strain": row.strain,
               "endurance_load": row.endurance_load, "strength_load": row.strength_load}
    out = {"date": when.isoformat(), "load": numbers,
           "recovery": {"level": row.level, "reasons": row.reasons, "missing": row.missing,
                        "values": row.values}}
    if json:
        print_json(out)
        return
    colour = {"green": "green", "amber": "yellow", "red": "red"}[row.level]
    console.print(f"{when:%a %d %b %Y}: [bold {colour}]{row.level}[/]")
    for reason in row.reasons:
        console.print(f"  - {reason}", highlight=False, soft_wrap=True)
    if row.missing:
        console.print(f"  missing: {', '.join(row.missing)}", highlight=False)
    console.print("  " + ", ".join(f"{k.upper()} {_fmt(numbers[k])}"
                                   for k in ("atl", "ctl", "tsb", "acwr")), highlight=False)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command()(status)


