"""`stridelift replay`: what stridelift would have done with your own imported history."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from db.errors import DatabaseError
from domain.profile import Profile
from jobs.defaults import REPLAY_WEEKS
from jobs.home import Home
from stridelift.cli.common import (
    AthleteOpt,
    CommandError,
    JsonOpt,
    console,
    parse_day,
    print_json,
    progress_bar,
    today_for,
    user_errors,
)

if TYPE_CHECKING:
    from jobs.replay import ReplaySummary

MAX_DAYS = 3660  # ten years, as the report allows
SHOWN = 3  # changes shown per rule (all of them in --json)


def replay_command(
    start: Annotated[str | None, typer.Option(
        "--from", help=f"First night (YYYY-MM-DD; default {REPLAY_WEEKS} weeks before --to).")]
    = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="Last night (YYYY-MM-DD; default the last day of imported history).")]
    = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="The HTML report to write (default <data dir>/reports/<athlete>-replay"
        ".html).")] = None,
    athlete: AthleteOpt = None,
    json: JsonOpt = False,
) -> None:
    """What stridelift would have done with your imported history, night by night.

    The sessions it would have planned, moved, lightened or turned into mobility work, with
    the reasons grouped by rule, and the report of the period. It runs on a scratch copy of
    the database: your real plan is never touched. Sessions are taken as done as prescribed
    unless the watch recorded them."""
    from jobs.replay import ReplayError, replay, scratch_home
    from stridelift.report.output import ReportError, write_report

    with user_errors({ReplayError: 1, ReportError: 1, DatabaseError: 1}):
        home = Home.open()
        profile = home.athlete(athlete)
        first, last = _period(home, profile, start, end)
        path = out or home.config.paths.data_dir / "reports" / f"{profile.name}-replay.html"
        with scratch_home(home, profile) as scratch:
            with progress_bar(disabled=json) as bar:
                task = bar.add_task("Nights", total=(last - first).days + 1)
                summary = replay(scratch, profile, first, last,
                                 lambda done, total: bar.update(task, completed=done))
            write_report(scratch, profile, first, last,
                         datetime.combine(last, time(23, 59), profile.zone), path)
    if json:
        print_json({**summary.as_json(), "report": str(path)})
        return
    print_summary(summary)
    console.print(f"\nReport: [bold]{path}[/]  (open it in a browser; it works offline)",
                  soft_wrap=True)


def _period(home: Home, profile: Profile, start: str | None,
            end: str | None) -> tuple[date, date]:
    from jobs.replay import default_period

    today = today_for(profile)  # a day past the FIT era or years ahead is a typo
    first = parse_day(start, "--from", today)
    last = parse_day(end, "--to", today)
    if first is None or last is None:
        default_first, default_last = default_period(home, profile)
        last = last or default_last
        first = first or max(min(default_first, last),
                             last - timedelta(weeks=REPLAY_WEEKS, days=-1))
    if first > last:
        raise CommandError(f"--from {first} is after --to {last}", 2)
    if (last - first).days > MAX_DAYS:
        raise CommandError("replay covers at most ten years; narrow --from/--to", 2)
    return first, last


def print_summary(s: ReplaySummary) -> None:
    """The replay in a few lines: counts, then the reasons grouped by rule."""
    data = s.as_json()
    console.rule(f"{s.athlete}: {s.nights} nights replayed, {s.first} to {s.last}")
    console.print(f"{s.sessions} sessions planned ({s.done} done), {data['moved']} moved, "
                  f"{data['lightened']} lightened, {data['mobility']} turned mobility, "
                  f"{data['dropped']} dropped", highlight=False)
    for rule, group in data["rules"].items():
        actions = ", ".join(f"{n} {action}" for action, n in group["actions"].items())
        console.print(f"[bold]{rule}[/]: {group['changes']} change(s) ({actions})",
                      highlight=False)
        for c in group["each"][:SHOWN]:
            console.print(f"  {c['night']} {c['session']} {c['action']}: "
                          + "; ".join(c["reasons"][:2]), highlight=False, soft_wrap=True)
        if group["changes"] > SHOWN:
            console.print(f"  ... and {group['changes'] - SHOWN} more (--json lists them all)",
                          highlight=False)
    weeks = data["template_broken_weeks"]
    if not weeks:
        console.print("No week where the template alone would have broken S4 or S6.")
        return
    console.print(f"{len(weeks)} week(s) where the plan made on the template alone would have "
                  "broken S4 or S6:", highlight=False)
    for monday, why in weeks.items():
        console.print(f"  week of {monday}: {why[0]}" + (f" (+{len(why) - 1} more)"
                                                         if len(why) > 1 else ""),
                      highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("replay")(replay_command)
