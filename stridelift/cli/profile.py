"""`stridelift init`: write the athlete's profile."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import asdict, replace
from typing import TYPE_CHECKING, Annotated

import typer

from domain.profile import (
    Profile,
    ProfileError,
    parse_races,
    parse_runs,
    parse_weights,
    runs_text,
)
from jobs.config import load, saving_profile
from jobs.home import Home
from stridelift.cli.common import CommandError, console, today_for, user_errors

if TYPE_CHECKING:
    from jobs.history_offers import Offer

DEFAULT_RUNS = "mon=easy,wed=speed,fri=easy,sat=long"


def init(
    name: Annotated[str | None, typer.Option(help="Athlete name (letters, digits, . _ -).")] = None,
    tz: Annotated[str | None, typer.Option(help="IANA time zone, e.g. Europe/Berlin.")] = None,
    sex: Annotated[str | None, typer.Option(help="f or m (selects the TRIMP weighting).")] = None,
    max_hr: Annotated[int | None, typer.Option(help="Maximum heart rate, bpm.")] = None,
    rest_hr: Annotated[int | None, typer.Option(help="Resting heart rate, bpm.")] = None,
    threshold_hr: Annotated[int | None, typer.Option(
        help="Lactate threshold heart rate, bpm (zones are estimated without it).")] = None,
    runs: Annotated[str | None, typer.Option(
        help="Weekly run template, e.g. mon=easy,wed=speed,sat=long. Kinds: easy, recovery, "
             "long, speed, threshold, race, rest.")] = None,
    strength_sessions: Annotated[int | None, typer.Option(
        help="Strength sessions a week (1-3; default 2).")] = None,
    equipment: Annotated[str | None, typer.Option(
        help="gym, dumbbells or bodyweight (default gym).")] = None,
    source: Annotated[str | None, typer.Option(
        help="Where runs come from: garmin (synced nightly; default) or files (only what "
             "`stridelift import` brings in, no Garmin account).")] = None,
    race: Annotated[list[str] | None, typer.Option(
        help="A race as DATE:DISTANCE[:A|B|C] (5k, 10k, half, marathon, ultra; A goal, B "
             "important, C tune-up; A for the first, B for the others); repeatable. "
             "`stridelift race add` adds one later.")] = None,
    weight: Annotated[list[str] | None, typer.Option(
        help="A load you know, as EXERCISE=KG (ids from `stridelift exercises`); repeatable. "
             "Without one the plan asks for a weight you can lift 6 times, not 7.")] = None,
    from_history: Annotated[bool, typer.Option(
        "--from-history", help="Take max HR, resting HR, threshold HR and the run template "
        "from your imported or synced history where it has them (options given still win).")]
    = False,
    non_interactive: Annotated[bool, typer.Option(
        "--non-interactive", help="Never prompt: every required value comes from options.")]
    = False,
) -> None:
    """Create or update an athlete's profile (interactive unless --non-interactive).

    With history stored (after `import` or `sync`), it offers the values found there and says
    where each came from; --from-history takes them."""
    from db import repo
    from db.session import transaction
    from jobs.athlete_lock import planning
    from jobs.errors import PlanError
    from jobs.history_offers import NO_THRESHOLD, history_offers
    from jobs.plan_view import follow_profile, template_room
    from jobs.replan import check_weights

    with user_errors():
        config = load()
        if name is None and not non_interactive:
            name = typer.prompt(_PROMPTS["name"][0])
        # Updating an athlete: what is not given keeps its saved value.
        old = config.athletes.get(name) if name else None
        given: dict[str, object] = dict(name=name, tz=tz, sex=sex, max_hr=max_hr,
                                        rest_hr=rest_hr, threshold_hr=threshold_hr, runs=runs)
        explicit = {k for k, v in given.items() if v is not None}
        if old is not None:
            saved = {**asdict(old), "runs": runs_text(old.runs)}
            given = {k: saved[k] if v is None else v for k, v in given.items()}
        home = Home.open(config)
        offered = {o.field: o for o in history_offers(home, name, today_for(old))} if name \
            else {}
        taken = [o for f, o in offered.items() if from_history and f not in explicit]
        given.update({o.field: o.value for o in taken})
        values = _ask_missing(given, non_interactive, offered)
        try:
            base = old or Profile(name=str(values["name"]), tz="UTC", sex="f", max_hr=190,
                                  rest_hr=50, runs={})
            profile = replace(
                base, name=str(values["name"]), tz=str(values["tz"]),
                sex=str(values["sex"]).lower(), max_hr=int(str(values["max_hr"])),
                rest_hr=int(str(values["rest_hr"])), runs=parse_runs(str(values["runs"])),
                threshold_hr=None if values["threshold_hr"] is None
                else int(str(values["threshold_hr"])),
                # `is None`, not `or`: --strength-sessions 0 was taken as not given, and saved
                strength_sessions=base.strength_sessions if strength_sessions is None
                else strength_sessions,
                equipment=base.equipment if equipment is None else equipment,
                source=base.source if source is None else source,
                races=parse_races(list(race), today=today_for(base)) if race else base.races,
                known_kg={**base.known_kg, **parse_weights(weight or [])})
            check_weights(profile)  # before saving: every later command would refuse it
        except (ProfileError, PlanError) as exc:
            raise CommandError(str(exc), 2) from None
        # All or nothing: config.toml is written beside first (a folder that cannot take it
        # fails before the row), and renamed in place once the row is stored.
        # The lock from before the save: the nightly run never plans with the old profile
        # while this one follows the new (a week of two templates). A new athlete is in no
        # run yet: nothing to lock (and a failed first save leaves no folder behind).
        with planning(home, old, "profile change") if old else nullcontext(old) as current:
            if current is not None and not race:  # a race entered since `old` was read stays
                profile = replace(profile, races=current.races)
            with saving_profile(config, profile), transaction(home.db) as session:
                repo.athlete(session, profile)
            console.print(f"Saved athlete [bold]{profile.name}[/] in "
                          f"{config.paths.config_file}")
            _say_room(template_room(profile, today_for(profile)))
            if old is None:
                console.print(NEXT[profile.source], highlight=False, markup=False)
            replanned = follow_profile(home, profile, today_for(profile))
        if replanned:
            console.print(f"Plan: the weeks ahead planned again for it, {len(replanned)} "
                          "session(s) changed (`stridelift why` lists them)", highlight=False)
    _say_offers(taken, [o for o in offered.values()
                        if o not in taken and str(values[o.field]) != str(o.value)], profile.name)
    if offered and "threshold_hr" not in offered and profile.threshold_hr is None:
        console.print(f"  threshold HR: {NO_THRESHOLD}", highlight=False, soft_wrap=True)


# What a new athlete does next, by where their runs come from.
NEXT = {
    "garmin": "Next: `stridelift login` once, then `stridelift sync` brings your runs and "
              "recovery data in; `stridelift plan` shows the strength plan, `stridelift "
              "today` the day.",
    "files": "Next: `stridelift import FOLDER` brings your FIT files in; `stridelift plan` "
             "shows the strength plan, `stridelift today` the day.",
    "demo": "Next: `stridelift nightly` runs a simulated night; `stridelift plan` shows the "
            "strength plan, `stridelift today` the day.",
}


def _say_room(reasons: tuple[str, ...]) -> None:
    """A weekly template with too few legal strength days, said once while choosing it."""
    if not reasons:
        return
    summary, *days = reasons
    console.print(f"Your weekly runs leave too few strength days (S6), in every week like "
                  f"the next one: {summary}:", highlight=False, soft_wrap=True)
    for reason in days:
        console.print(f"  - {reason}", highlight=False, soft_wrap=True)
    console.print("Move a speed, threshold or long run (--runs), or ask for fewer sessions "
                  "(--strength-sessions).", highlight=False)


def _say_offers(taken: list[Offer], others: list[Offer], name: str) -> None:
    """Where the values taken from history came from, and what else the history suggests."""
    for o in taken:
        console.print(f"  {_LABELS[o.field]} {o.value}: from {o.source}", highlight=False,
                      soft_wrap=True)
    if not others:
        return
    console.print("Your history suggests other values:")
    for o in others:
        console.print(f"  {_LABELS[o.field]} {o.value}: from {o.source}", highlight=False,
                      soft_wrap=True)
    console.print(f"`stridelift init --name {name} --from-history` takes them.", highlight=False)


_LABELS = {"max_hr": "max HR", "rest_hr": "resting HR", "threshold_hr": "threshold HR",
           "runs": "weekly runs"}
_PROMPTS = {
    "name": ("Your name", None, str),
    "tz": ("Time zone (IANA, e.g. Europe/Berlin)", "UTC", str),
    "sex": ("Sex for the TRIMP weighting (f/m)", None, str),
    "max_hr": ("Maximum heart rate (bpm)", None, int),
    "rest_hr": ("Resting heart rate (bpm)", None, int),
    "threshold_hr": ("Lactate threshold heart rate (bpm)", None, int),
    "runs": ("Weekly runs (e.g. mon=easy,wed=speed,sat=long)", DEFAULT_RUNS, str),
}
OPTIONAL = ("threshold_hr",)  # asked only when the history offers one; zones do without it


def _ask_missing(values: dict[str, object], non_interactive: bool,
                 offered: dict[str, Offer]) -> dict[str, object]:
    missing = [key for key, value in values.items()
               if value is None and (key not in OPTIONAL or key in offered)]
    if non_interactive:
        missing = [key for key in missing if key not in OPTIONAL]
        if missing:
            flags = ", ".join("--" + key.replace("_", "-") for key in missing)
            raise CommandError(f"missing {flags} (required with --non-interactive)", 2)
        return values
    for key in missing:
        text, default, kind = _PROMPTS[key]
        default = default if key not in offered else str(offered[key].value)
        if key in offered:  # the history's value is the default, and it says where from
            console.print(f"{_LABELS[key]} {offered[key].value}: from {offered[key].source}",
                          highlight=False, soft_wrap=True)
        values[key] = typer.prompt(text, default=default, type=kind)
    return values


def register(app: typer.Typer) -> None:
    app.command()(init)
