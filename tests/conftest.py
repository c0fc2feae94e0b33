"""Shared fixtures: an isolated home per test, and database URLs for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# pandas's C extensions check the size of datetime's classes when they load: loaded while
# freezegun has swapped those for its own (the analysis loads pandas only when a day is
# computed again, often inside a test's frozen clock), they crash the interpreter. So: first.
import pandas  # noqa: F401
import pytest
from freezegun import freeze_time
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SHARED_FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures"
PG_ENV = "STRIDELIFT_TEST_PG_URL"
# The day every test that reaches the shell's clock sees: a Wednesday by default, so the suite
# never depends on the real date. tests/test_weekdays.py re-runs the planning tests with it
# set to a Saturday and a Sunday (the days a week's plan is most often built from).
TODAY_ENV = "STRIDELIFT_TEST_TODAY"
# The browser tests drive the system Chromium by path: Playwright never downloads one here.
CHROMIUM = Path(os.environ.get("STRIDELIFT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
PINNED = datetime.fromisoformat(os.environ.get(TODAY_ENV, "2026-12-02") + "T10:00:00").replace(
    tzinfo=UTC)


def shared_fixture(*parts: str) -> Path:
    """A path under ../shared/fixtures, or a clean skip where a fresh clone lacks it."""
    path = SHARED_FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (shared fixtures ship beside the repo, not in it)")
    return path


@pytest.fixture
def pinned_clock() -> Iterator[datetime]:
    """The clock stopped at PINNED (ticking, so durations still pass)."""
    with freeze_time(PINNED, tick=True):
        yield PINNED


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pinned_clock: datetime) -> Path:
    """STRIDELIFT_HOME in a temporary folder, with no database URL leaking in, on the pinned
    day (every CLI test runs through a home, and the CLI asks the clock for the athlete's day)."""
    monkeypatch.setenv("STRIDELIFT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def columns(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Makes the CLI's output a terminal this wide (CliRunner's is none: its output is not
    wrapped). Not through COLUMNS: rich reads it once, when the console is made, and
    pytest-xdist's workers start with COLUMNS=80."""
    from stridelift.cli.common import console

    def terminal(width: int) -> None:
        monkeypatch.setattr(console, "_width", width)
        monkeypatch.setattr(console, "_force_terminal", True)
    return terminal


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, launched once per module (the report's and the web app's tests)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not "
                                   "installed (it is in the dev extra: pip install -e '.[dev]')")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def _backends() -> list[str]:
    return ["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"]


@pytest.fixture(params=_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new database on the test PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    admin_url = make_url(os.environ[PG_ENV])
    name = f"stridelift_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Property tests check rules, not speed: no per-example deadline (a busy CI machine would
# otherwise fail them at random), and a fixed number of examples per test.
settings.register_profile("stridelift", deadline=None, max_examples=100)
settings.load_profile("stridelift")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Tables a test attaches with `record_property("table", text)` (the agreement of our run
    classes with Garmin's on the shared FIT files), printed after the run without -s; user
    properties travel back from xdist's workers, printed output does not."""
    for report in terminalreporter.getreports("passed"):
        for key, value in report.user_properties:
            if key == "table":
                terminalreporter.write_sep("-", report.nodeid)
                terminalreporter.write_line(str(value))
