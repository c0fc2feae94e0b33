"""Analysis commands: classify runs, and the day's recovery status and load numbers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

from domain.profile import Profile
from jobs.config import ConfigError, load
from jobs.home import Home
from stridelift.cli.common import (
    FACT_SEP,
    AthleteOpt,
    CommandError,
    DayOpt,
    JsonOpt,
    console,
    given_path,
    note_as_stored,
    parse_day,
    print_json,
    print_wrapped,
    today_for,
    user_errors,
)

if TYPE_CHECKING:
    from analysis.classify import Classification
    from analysis.load import Load
    from analysis.traits import Found
    from domain.activity import Activity

def classify(
    paths: Annotated[list[Path] | None, typer.Argument(
        parser=given_path,
        help="FIT files (.fit, .fit.gz), folders (searched recursively) or zips of them; no "
             "account or database needed.", show_default=False)] = None,
    activity: Annotated[int | None, typer.Option("--activity", help="A stored activity's id.")]
    = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """Classify runs: traits (race, speed, threshold, long) and one kind, with reasons.

    One row per activity: kind, traits, duration, distance, moving time, grade-adjusted pace
    (GAP) where altitude allows it, else plain pace, average HR and the main reason; a
    triathlon file is one row whose legs (swim, bike, run) `--json` lists with their own
    loads (`gap_mps` is the moving speed, grade-adjusted where `graded`). Without a profile
    (`stridelift init`), zones come from the file's own max HR where plausible, and the
    output says which."""
    from jobs.importing import FitError

    with user_errors({FitError: 1}):
        if bool(paths) == (activity is not None):
            raise CommandError("give FIT files or folders, or --activity ID", 2)
        results, broken = _from_files(paths or [], athlete) if paths else \
            (_from_db(activity or 0, athlete), 0)
    if json:
        print_json(results)
    else:
        _print_table(results)
        _print_notes(results)
    if broken:  # as `import`: the rows of the files read, and exit 1 for the broken ones
        raise typer.Exit(1)


# the moving pace in the column that names it: grade-adjusted (GAP) or plain
COLUMNS = ("activity", "kind", "traits", "time", "km", "moving", "GAP /km", "pace /km", "HR")
RIGHT = {"time", "km", "moving", "HR"}
# time, km, moving, GAP, pace and HR worded alone: an activity's line on a narrow terminal
ALONE = ("{}", "{} km", "moving {}", "GAP {}/km", "pace {}/km", "HR {}")
REASON_MIN = 30  # a narrower reason column is a column of single words: lines instead


def _print_table(results: list[dict[str, Any]]) -> None:
    """A table, a row per activity; on a terminal that leaves its reason too little room (80
    columns), an activity's facts on one line and its reason below them."""
    rows = [(Path(r["source"]).name, *_facts(r)) for r in results]
    widest = [max(map(cell_len, column)) for column in zip(COLUMNS, *rows, strict=True)]
    if console.width - sum(widest) - 2 * len(widest) >= REASON_MIN:
        table = Table(box=None, pad_edge=False)
        for col in (*COLUMNS, "main reason"):
            table.add_column(col, no_wrap=col != "main reason", overflow="fold",
                             justify="right" if col in RIGHT else "left")
        for row, r in zip(rows, results, strict=True):
            table.add_row(*map(Text, row), Text(r["reason"]))
        console.print(table)
        return
    for (name, kind, traits, *facts), r in zip(rows, results, strict=True):
        # a fact and its words kept on one line (no-break spaces), the facts' lines wrapped
        # between facts, where the table's columns were
        words = [form.format(fact).replace(" ", "\N{NO-BREAK SPACE}")
                 for form, fact in zip(ALONE, facts, strict=True) if fact != "-"]
        kind += f" ({traits})" if traits != "-" else ""
        print_wrapped(f"{name}: {FACT_SEP.join([kind, *words])}")
        print_wrapped(r["reason"], first="  ")


def _print_notes(results: list[dict[str, Any]]) -> None:
    """Each activity's warnings (a max HR the run went past), then the notes of the
    classifications (the zones used), each once."""
    for r in results:
        for warning in r["warnings"]:
            print_wrapped(f"{Path(r['source']).name}: {warning}", first="  ")
    by_note: dict[str, list[str]] = {}
    for r in results:
        for note in r["notes"]:
            by_note.setdefault(note, []).append(Path(r["source"]).name)
    for note, names in by_note.items():
        which = "" if len(by_note) == 1 else f" ({', '.join(names[:3])}" \
            f"{f' and {len(names) - 3} more' if len(names) > 3 else ''})"
        print_wrapped(f"{note}{which}", first="  ")


def _facts(r: dict[str, Any]) -> tuple[str, ...]:
    """kind, traits, time, km, moving, GAP or plain pace per km and HR, "-" where unknown."""
    pace = _pace(r["gap_mps"])
    return (r["kind"], ",".join(r["traits"]) or "-", _hm(r["duration_s"]), _km(r["distance_m"]),
            _hm(r["moving_s"]), *((pace, "-") if r["graded"] else ("-", pace)),
            f"{r['avg_hr']:.0f}" if r["avg_hr"] else "-")


def _hm(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    m = round(seconds / 60)
    return f"{m // 60}:{m % 60:02d}"


def _km(metres: float | None) -> str:
    return f"{metres / 1000:.1f}" if metres else "-"


def _pace(mps: float | None) -> str:
    if not mps:
        return "-"
    s = round(1000 / mps)
    return f"{s // 60}:{s % 60:02d}"


def _from_files(paths: list[Path], athlete: str | None) -> tuple[list[dict[str, Any]], int]:
    """A file named on the command line must hold an activity; files found in a folder or a
    zip that do not (settings, courses, broken files) are passed over with a note. Also the
    number of broken files passed over."""
    from analysis.zones import file_profile
    from jobs.importing import FitError, given_fits

    decoded, skipped, broken = [], [], 0
    for given in given_fits(paths):
        try:
            decoded.append((given.label, _decode(given.label, given.read())))
        except (CommandError, FitError) as exc:
            if given.named:
                raise
            broken += isinstance(exc, FitError)
            what, why = ("failed", exc.reason) if isinstance(exc, FitError) else \
                ("skipped", str(exc).removeprefix(f"{given.label}: "))
            skipped.append(f"{given.label}: {what} ({why})")
    for note in skipped:  # on stderr, so that --json stays one JSON document
        typer.echo(note, err=True)
    if not decoded:  # the notes above say why
        raise CommandError("no activity to classify in " + ", ".join(map(str, paths)))
    configured = _configured(athlete)
    results = []
    for label, acts in decoded:
        if configured is None:
            profile, note = file_profile(acts)
        else:
            profile, note = configured, f"zones of athlete {configured.name!r}"
        results.append(_group(label, acts, profile, [], [note]))
    return results, broken


def _decode(label: str, data: bytes) -> list[Activity]:
    from jobs.importing import activities_in_fit

    acts = activities_in_fit(data, Path(label).name)
    if not acts:
        raise CommandError(f"{label}: holds no activity to classify")
    return acts


def _configured(athlete: str | None) -> Profile | None:
    try:
        return load().athlete(athlete)
    except ConfigError:
        if athlete is not None:
            raise
        return None


def _from_db(activity_id: int, athlete: str | None) -> list[dict[str, Any]]:
    from db import activities, repo
    from db.session import transaction
    from jobs.analyse import multisport_races, run_history

    home = Home.open()
    profile = home.athlete(athlete)
    with transaction(home.db) as session:
        who = repo.athlete(session, profile)
        # an id past 64 bits is no row's (SQLite raised OverflowError on it)
        row = activities.activity(session, who, activity_id) if 0 < activity_id < 2**63 \
            else None
        if row is None:
            raise CommandError(f"no activity {activity_id} for {profile.name}; "
                               "see `stridelift import` or `stridelift sync`")
        history = run_history(activities.run_spans(session, who), row.start_utc)
        # a triathlon's leg is a race as its file, and the nightly run, judge it
        day = [r for r in activities.activity_facts(session, who, row.local_date)
               if r.local_date == row.local_date]
        return [_group(f"activity {activity_id}", [activities.to_domain(row)], profile,
                       history, [], multisport_races(day).get(activity_id))]


def _group(source: str, acts: list[Activity], profile: Profile, history: list[float],
           notes: list[str], chained: Found | None = None) -> dict[str, Any]:
    """One row: a file's activity, with every leg (a triathlon's swim, bike and run).
    `chained`: the race a stored leg's chain makes it (jobs.analyse.multisport_races)."""
    from analysis.multisport import multisport_race
    from domain.run import TRAITS
    from jobs.analyse import classify_one

    race = multisport_race(acts) or chained
    legs = []
    for a in acts:
        c, load_ = classify_one(a, profile, history, (race,) if race else ())
        legs.append((a, c, load_))
    runs = [(a, c) for a, c, _ in legs if c.is_run]
    main_a, main_c = max(runs or [(a, c) for a, c, _ in legs], key=lambda x: x[0].duration_s)
    traits = [t for t in TRAITS if any(t in c.traits for _, c, _ in legs)]
    if len(legs) == 1:  # one activity's own class: a stored bike leg's is not a run's race
        kind, fatigue = main_c.kind, main_c.fatigue
    else:  # a file's legs are one race, or as their main leg
        kind, fatigue = "race" if race else main_c.kind, "high" if traits else main_c.fatigue
    distance = sum(a.distance_m or 0.0 for a in acts) or None
    moving = sum(c.moving_s or a.duration_s for a, c, _ in legs)
    hrs = [(hr, a.duration_s) for a, c, _ in legs if (hr := _avg_hr(a, c))]
    timed = sum(d for _, d in hrs)  # 0 for a session stopped as it started: a plain mean
    # the race first, once: the main leg's reasons hold it too (its kind's, or its trait's)
    said = (race.reason, f"{race.trait.value} trait: {race.reason}") if race else ()
    return {
        "source": source, "start": min(a.start for a in acts).isoformat(), "kind": kind,
        "traits": traits, "fatigue": fatigue,
        "reason": race.reason if race else main_c.reasons[0],
        "sport": main_a.sport if len(acts) == 1 else "multisport",
        "reasons": [*said[:1], *(r for r in main_c.reasons if r not in said), *notes],
        "duration_s": sum(a.duration_s for a in acts), "distance_m": distance,
        "moving_s": moving, "gap_mps": main_c.gap_mps, "graded": main_c.graded,
        "avg_hr": (sum(h * d for h, d in hrs) / timed if timed else
                   sum(h for h, _ in hrs) / len(hrs)) if hrs else None,
        "load": round(sum(x.value for _, _, x in legs), 1), "notes": notes,
        "warnings": [w for _, c, _ in legs for w in c.warnings],
        "legs": [_leg(a, c, x) for a, c, x in legs],
    }


def _avg_hr(a: Activity, c: Classification) -> float | None:
    """The average HR its reasons give: a run's as classified, else the watch's."""
    return c.avg_hr if c.avg_hr is not None else a.avg_hr


def _leg(a: Activity, c: Classification, load_: Load) -> dict[str, Any]:
    return {"sport": a.sport, "sub_sport": a.sub_sport, "start": a.start.isoformat(),
            "duration_s": a.duration_s, "distance_m": a.distance_m, "avg_hr": _avg_hr(a, c),
            "kind": c.kind, "traits": list(c.traits), "fatigue": c.fatigue,
            "trait_reasons": c.trait_reasons(), "reasons": list(c.reasons),
            "moving_s": c.moving_s, "gap_mps": c.gap_mps, "graded": c.graded,
            "load": round(load_.value, 1),
            "load_reason": load_.reason}


def status(
    day: DayOpt = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """A day's recovery status (green, amber, red) and load numbers, with reasons."""
    from db import activities, plans, repo
    from db.session import transaction
    from jobs.analyse import analyse
    from jobs.athlete_lock import plan_update

    with user_errors():
        home = Home.open()
        profile = home.athlete(athlete)
        today = today_for(profile)
        when = parse_day(day, "--date", today) or today
        # analysed under the athlete's lock, as `plan` is planned; beside a nightly run the
        # status as stored (that run analyses the same days)
        with plan_update(home, profile.name) as held, transaction(home.db) as session:
            if held:
                analyse(session, profile, when)
            else:
                note_as_stored(profile.name, "the status")
            who = repo.athlete(session, profile)
            row = plans.daily_status(session, who, when)
            first = activities.first_fact_day(session, who) if row is None else None
        if row is None:
            raise CommandError(f"no status for {when:%a %d %b %Y}" + (
                f": {profile.name}'s history starts on {first:%a %d %b %Y} (the first "
                "activity or recovery day stored)" if first and first > when else ""))
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
        print_wrapped(", ".join(row.missing), first="  missing: ", then="    ")
    from analysis.recovery_text import shown_acwr, shown_form  # as the reasons show them

    shown = {"atl": _fmt, "ctl": _fmt, "tsb": shown_form, "acwr": shown_acwr}
    console.print("  " + ", ".join(f"{k.upper()} {_shown(numbers[k], show)}"
                                   for k, show in shown.items()), highlight=False)


def _shown(value: float | None, show: Callable[[float], str]) -> str:
    return "n/a" if value is None else show(value)


def _fmt(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command()(status)


