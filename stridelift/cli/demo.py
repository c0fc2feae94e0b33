"""`stridelift demo`: the whole product on a simulated runner, no Garmin account needed."""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import platformdirs
import typer

from jobs.config import APP, ENV_HOME
from jobs.home import Home
from stridelift.cli.common import (
    CommandError,
    console,
    counted,
    parse_day,
    progress_bar,
    user_errors,
)
from stridelift.cli.plan import print_plan


def demo(
    weeks: Annotated[int, typer.Option(min=4, max=52, help="Weeks of history to replay.")] = 16,
    # numpy's generator takes no negative seed (it failed mid-build, with a traceback)
    seed: Annotated[int, typer.Option(min=0, help="The simulated runner's seed.")] = 1,
    today: Annotated[str | None, typer.Option(hidden=True, help="Pretend today is this "
                                              "day (YYYY-MM-DD), for reproducible runs.")] = None,
) -> None:
    """Build a demo home (never your real data), replay the nightly run night by night,
    show the coming fortnight's plan and the changes, and write the report."""
    from jobs.demo_replay import DemoError, build, demo_today
    from jobs.plan_view import plan_rows
    from stridelift.report.output import ReportError, default_path, write_report

    folder = _folder()
    with user_errors({DemoError: 2, ReportError: 1}):
        day = parse_day(today, "--today") or demo_today()
        console.print(f"Building the demo athlete's {weeks} weeks in {folder} ...")
        with progress_bar(disabled=False) as bar:
            task = bar.add_task("Nights", total=weeks * 7)
            home, results = build(folder, day, weeks, seed,
                                  lambda done, total: bar.update(task, completed=done,
                                                                 total=total))
        failed = [r for r in results if r.status != "ok"]
        if failed:
            raise CommandError(f"the demo's night {failed[0].day} failed: {failed[0].error}")
        profile = home.athlete(None)
        console.rule("The coming fortnight")
        print_plan(plan_rows(home, profile, day + timedelta(days=1), 2))
        _summarise_changes(home)
        now = datetime.now(profile.zone)
        report = write_report(home, profile, day - timedelta(weeks=weeks), day + timedelta(
            weeks=2), now, default_path(home, profile))
    console.print(f"\nReport: [bold]{report}[/]  (open it in a browser; it works offline)")
    console.print(f"Look around: export {ENV_HOME}={folder}; then stridelift plan, why, "
                  "status, runs or report", highlight=False)


def _folder() -> Path:
    env = os.environ.get(ENV_HOME)
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP)) / "demo"


def _summarise_changes(home: Home) -> None:
    from db import plans

    with home.db() as db:
        rows = plans.adjustments(db, None, newest_first=True)
    counts = Counter(f"{r.action} ({r.rule})" for r in rows)
    console.rule(f"{counted(len(rows), 'plan change')} over the replay")
    console.print(", ".join(f"{n} x {what}" for what, n in counts.most_common()) or "none")
    for r in rows[:5]:
        console.print(f"[bold]{r.night}[/] {r.session_key}: {r.action} ({r.rule}) - "
                      f"{r.reasons[0] if r.reasons else ''}", highlight=False, soft_wrap=True)
    console.print("`stridelift why` lists them all with their reasons.")


def register(app: typer.Typer) -> None:
    app.command()(demo)
