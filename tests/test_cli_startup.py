"""Start-up without timing: `stridelift --help` and shell completion load only typer, rich and
the light parts of the command modules; `plan`, `today`, `status` and `why` on a home already
analysed through the day load neither pandas nor the report, web, Garmin or import stacks; and
opening a database already at the newest schema does not load Alembic. Each case runs in a new
interpreter and lists what it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import typer
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from db.session import (
    MIGRATIONS,
    DatabaseError,
    close_all,
    head_revision,
    make_engine,
    open_db,
)
from planner.model import week_start
from stridelift.cli import app
from tests.history import write_weeks

# What a command loads when it runs, never for the help text: the data stack, the report's
# charts, Garmin's client, the web server and scheduler, and our own rooms below the shell.
HEAVY = ("pandas", "numpy", "plotly", "sqlalchemy", "alembic", "garminconnect", "requests",
         "fitfast", "fitparse", "icalendar", "starlette", "uvicorn", "apscheduler",
         "db.session", "db.models", "jobs.replan", "jobs.analyse", "analysis", "planner",
         "ingest", "demo", "stridelift.report", "stridelift.web")

# Runs the CLI as `stridelift` would, then prints the modules it loaded as one JSON line.
RUN_CLI = """
import json, sys
from stridelift.cli import main
sys.argv = ["stridelift", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""
# The same on a pinned day (the first argument): a command reads the clock, a test never the
# real date. freezegun loads none of HEAVY (pandas loaded under it crashes: see conftest.py).
RUN_CLI_ON = """
import sys
from freezegun import freeze_time
freeze_time(sys.argv.pop(1)).start()
""" + RUN_CLI
# What a command that reads the plan or the day's status needs none of when the day is already
# analysed: numpy, pandas and the analysis's rules (only an activity or a day to judge again
# uses them), the report and its charts, the web server, Garmin's client, the FIT import, the
# demo, the migrations.
NOT_FOR_A_READ = ("numpy", "pandas", "analysis.classify", "analysis.load", "analysis.recovery",
                  "plotly", "alembic", "garminconnect", "requests", "fitfast", "fitparse",
                  "icalendar", "starlette", "uvicorn", "apscheduler", "ingest", "demo",
                  "stridelift.report", "stridelift.web", "jobs.report_rows", "jobs.web_pages")
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs", "mon=easy,sat=long"]


def _loaded(code: str, *args: str, env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """The modules `code` loaded in a new interpreter (its last stdout line), and the rest of
    what it printed."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)
    assert done.returncode == 0, (f"exit {done.returncode} (-11 under a frozen clock: pandas "
                                  f"was loaded, see conftest.py) {done.stderr[-800:]}")
    *shown, last = done.stdout.splitlines()
    return set(json.loads(last)), "\n".join(shown)


def _heavy(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


def test_help_loads_no_heavy_module() -> None:
    modules, shown = _loaded(RUN_CLI, "--help")
    assert "plan" in shown and "status" in shown  # the help was printed, commands and all
    assert _heavy(modules) == []


def test_a_command_help_loads_no_heavy_module() -> None:
    modules, shown = _loaded(RUN_CLI, "push", "--help")
    assert "--days" in shown and "14" in shown  # the default the job uses, shown cheaply
    assert _heavy(modules) == []


@pytest.mark.parametrize("group", [[], ["db"], ["race"], ["config"]])
def test_each_command_is_summed_up_on_one_line(group: list[str]) -> None:
    """The command lists show each summary as one line of prose on a wide terminal, not the
    docstring's line breaks (`morning`, `daemon` and `race` were cut mid-sentence); so do
    a command's own help's later paragraphs."""
    wide = {"COLUMNS": "400", "TERMINAL_WIDTH": "400"}
    shown = CliRunner().invoke(app, [*group, "--help"], env=wide).output
    listed = shown.split("Commands ─")[1].split("╰")[0]
    rows = [line.strip(" │") for line in listed.splitlines() if line.startswith("│ ")]
    click_group = typer.main.get_command(app)
    for name in group:
        click_group = click_group.commands[name]  # type: ignore[attr-defined]
    names = sorted(click_group.commands)  # type: ignore[attr-defined]
    assert sorted(row.split()[0] for row in rows) == names  # a row each, no broken lines
    if not group:
        assert any("and judge today's session again with them" in row for row in rows)
        own = CliRunner().invoke(app, ["morning", "--help"], env=wide).output
        assert "updated when it changes something; a second pass" in own  # later paragraphs


def test_shell_completion_loads_no_heavy_module() -> None:
    modules, shown = _loaded(RUN_CLI, env={"_STRIDELIFT_COMPLETE": "complete_bash",
                                           "COMP_WORDS": "stridelift rep", "COMP_CWORD": "1"})
    assert set(shown.split()) == {"replay", "report"}
    assert _heavy(modules) == []


@pytest.fixture
def analysed(home: Path, tmp_path: Path, pinned_clock: datetime) -> datetime:
    """A home with three weeks of runs, planned and analysed through the pinned day."""
    folder = tmp_path / "export"
    folder.mkdir()
    write_weeks(folder, week_start(pinned_clock.date()) - timedelta(weeks=3), 3)
    runner = CliRunner()
    for args in (INIT, ["import", str(folder), "--workers", "1"], ["plan"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return pinned_clock


def _read(day: datetime, *args: str) -> tuple[set[str], object]:
    """What a read command loaded, and what it printed (--json)."""
    modules, shown = _loaded(RUN_CLI_ON, day.isoformat(), *args, "--json")
    return modules, json.loads(shown)


def test_plan_today_status_on_an_analysed_day_load_no_pandas_nor_other_stacks(
        analysed: datetime) -> None:
    day = analysed.date().isoformat()
    modules, sessions = _read(analysed, "plan")
    assert isinstance(sessions, list) and sessions and sessions[0]["exercises"]
    assert _heavy(modules, NOT_FOR_A_READ) == []
    modules, view = _read(analysed, "today")
    assert isinstance(view, dict) and view["date"] == day and view["recovery"]["level"]
    assert _heavy(modules, NOT_FOR_A_READ) == []
    modules, status = _read(analysed, "status")
    assert isinstance(status, dict) and status["date"] == day and status["load"]["ctl"] > 0
    assert _heavy(modules, NOT_FOR_A_READ) == []


def test_why_loads_neither_the_analysis_nor_the_planner_core(analysed: datetime) -> None:
    modules, changes = _read(analysed, "why")
    assert isinstance(changes, list)  # the changes so far, maybe none
    assert _heavy(modules, (*NOT_FOR_A_READ, "analysis", "jobs.replan", "jobs.analyse",
                            "planner.catch_up", "domain.wellness_columns")) == []


def test_a_command_closes_its_database_as_it_ends(analysed: datetime, home: Path) -> None:
    """The process ends without a collection of what it leaves (stridelift.cli._end), so the
    command closes its database first: SQLite, its last connection closed, folds the
    write-ahead log into the file and removes it, as when the collector closed it."""
    close_all()  # the fixture's own connections, in this process
    assert list(home.rglob("*.db-wal")) == []
    _read(analysed, "plan")
    assert list(home.rglob("*.db-wal")) == []


def test_the_head_revision_read_from_the_scripts_is_alembics() -> None:
    assert head_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_opening_a_database_at_the_head_does_not_load_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_db(url)  # new: migrated by Alembic
    modules, _ = _loaded("import json, sys\nfrom db.session import open_db\n"
                         f"open_db({url!r})\nprint(json.dumps(sorted(sys.modules)))")
    assert "sqlalchemy" in modules and "alembic" not in modules


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_an_older_schema_is_still_migrated_to_the_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_db(url)
    engine = make_engine(url)
    config = _alembic_config()
    with engine.begin() as conn:  # one migration back: the schema the version before wrote
        config.attributes["connection"] = conn
        command.downgrade(config, "-1")
    assert _stamped(engine) != head_revision()
    open_db(url)
    assert _stamped(engine) == head_revision()


def _stamped(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_a_revision_this_version_does_not_know_is_still_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    open_db(url)
    with make_engine(url).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    with pytest.raises(DatabaseError, match="not a stridelift database this version can use"):
        open_db(url)
