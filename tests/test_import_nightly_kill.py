"""Kill `stridelift import` and `stridelift nightly` with SIGKILL at random points (several
seeds), run them again, and end with the rows of an uninterrupted run; and two writers for one
athlete at once end with one clear "already running" line, never "database is locked".

Kill points are drawn by progress (the raw objects an import writes, the requests the fake
Garmin answers a nightly run), and the process waits there until it is killed: an import
paused by tests/pause_at.py, a nightly run for the fake's answer. So every kill lands
mid-way however loaded the machine is (a kill sent once progress was seen came after the end
of a run that was quick); the day is pinned with --date.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from db import models as m
from db.session import open_db
from jobs.config import ENV_DB_URL, ENV_HOME, Paths, load
from jobs.home import Home
from jobs.storage import check_database
from tests import pause_at
from tests.garmin_fake import Reply, served, table_contents
from tests.test_import import _run
from tests.test_sync_kill import (
    PROFILE,
    ROOT,
    UNTIL,
    CountingFake,
    KillPoints,
    _athlete_home,
    with_history,
)

SEEDS = [int(s) for s in os.environ.get("STRIDELIFT_KILL_SEEDS", "").split(",") if s] or [
    7, 1009, 424242]
KILLS = 3
FILES = 16
IMPORT = ["import", "--json", "--workers", "1"]
NIGHTLY = ["nightly", "--json", "--athlete", PROFILE.name, "--date", UNTIL]


def _spawn(home: Path, args: list[str], base_url: str | None = None,
           pause: str | None = None) -> subprocess.Popen[bytes]:
    """The CLI run on `home`; `pause`: where it stops for the test to kill it
    (tests/pause_at.py)."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV_DB_URL, pause_at.ENV)}
    env.update({ENV_HOME: str(home), "PYTHONPATH": str(ROOT), "STRIDELIFT_GARMIN_PACE": "0"})
    if base_url:
        env["STRIDELIFT_GARMIN_BASE_URL"] = base_url
    if pause:
        env[pause_at.ENV] = pause
    return subprocess.Popen([*pause_at.CLI, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out.decode(), err.decode()


def _kill_when(proc: subprocess.Popen[bytes], reached: Callable[[], bool] | None,
               rng: random.Random) -> bool:
    """SIGKILL once `reached()` says the process got to its kill point (or at once, mid
    start-up, when None); True if the process was still running, i.e. it really died
    mid-way (certain where it waits there to be killed)."""
    while reached is not None and not reached() and proc.poll() is None:
        time.sleep(0.005)
    time.sleep(rng.uniform(0, 0.02))  # land anywhere in the work that follows, if it goes on
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return alive and proc.returncode == -signal.SIGKILL


def _contents(home: Path) -> dict[str, list[str]]:
    contents = table_contents(open_db(f"sqlite:///{Paths(home, home).db_file}"))
    contents.pop("nightly_runs")  # start and finish times and counts differ by run: below
    return contents


def _nights(home: Path) -> list[tuple[str, str]]:
    """The nights and how they ended. The log holds one row per finished run: a run killed
    after recording its night finished, and running a night again records it again."""
    with open_db(f"sqlite:///{Paths(home, home).db_file}")() as session:
        return sorted({(r.day.isoformat(), r.status) for r in session.query(m.NightlyRun)})


def _objects(home: Path) -> int:
    """The raw objects stored (a file's bytes are written once: a run after a kill writes
    only those of the files with none yet)."""
    objects = Paths(home, home).raw_dir / "objects"
    return sum(1 for f in objects.rglob("*") if f.is_file() and not f.name.startswith("."))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    for day in range(FILES):
        (folder / f"{day:02d}.fit").write_bytes(_run(day, minutes=5))
    return folder


@pytest.mark.slow
def test_killed_imports_end_with_the_rows_of_an_uninterrupted_one(runs: Path,
                                                                 tmp_path: Path) -> None:
    reference = _athlete_home(tmp_path / "reference")
    code, out, err = _finish(_spawn(reference, [*IMPORT, str(runs)]))
    assert code == 0, err
    assert json.loads(out)["imported"] == FILES
    expected = _contents(reference)
    for seed in SEEDS:
        rng = random.Random(seed)
        home = _athlete_home(tmp_path / f"killed-{seed}")
        kills = 0
        for attempt in range(KILLS):
            # at the n-th object of the files left, in the first half of them: work remains
            # for the next run (the first run is killed at once, mid start-up)
            n = rng.randint(1, max(1, (FILES - _objects(home)) // 2))
            marker = tmp_path / f"paused-{seed}-{attempt}"
            pause = pause_at.spec(n, str(marker)) if attempt else None
            kills += _kill_when(_spawn(home, [*IMPORT, str(runs)], pause=pause),
                                marker.exists if attempt else None, rng)
        code, out, err = _finish(_spawn(home, [*IMPORT, str(runs)]))
        report = json.loads(out)
        assert code == 0 and report["failed"] == [], err
        assert report["imported"] + report["duplicates"] == FILES
        context = f"seed {seed}, {kills} of {KILLS} runs killed mid-way"
        assert kills == KILLS, context
        assert _contents(home) == expected, context
        assert check_database(Home.open(load(Paths(home, home))), PROFILE).ok, context
    assert len(expected["activities"]) == FILES


@pytest.mark.slow
def test_killed_nightly_runs_end_with_the_rows_of_an_uninterrupted_one(tmp_path: Path) -> None:
    fake = with_history(HoldingFake())
    with served(fake) as base_url:
        reference = _athlete_home(tmp_path / "reference")
        fake.arm(10**9)
        code, out, err = _finish(_spawn(reference, NIGHTLY, base_url))
        assert code == 0, err
        assert [r["status"] for r in json.loads(out)] == ["ok"]
        requests = fake.served_now
        expected = _contents(reference)
        for seed in SEEDS:
            rng = random.Random(seed)
            home = _athlete_home(tmp_path / f"killed-{seed}")
            kills, points = 0, KillPoints(requests)
            for attempt in range(KILLS):
                reached = fake.arm(points.draw(rng))
                kills += _kill_when(_spawn(home, NIGHTLY, base_url),
                                    reached.is_set if attempt else None, rng)
                fake.gate.set()  # the held answer goes to a run killed waiting for it
                points.served(fake.served_now)
            fake.arm(10**9)
            code, out, err = _finish(_spawn(home, NIGHTLY, base_url))
            context = f"seed {seed}, {kills} of {KILLS} runs killed mid-way"
            assert code == 0, f"{context}: {err}"
            assert kills == KILLS, context
            assert _contents(home) == expected, context
            assert _nights(home) == _nights(reference) == [(UNTIL, "ok")], context
            assert check_database(Home.open(load(Paths(home, home))), PROFILE).ok, context
    assert len(expected["activities"]) == 16 and len(expected["planned_sessions"]) > 0


class HoldingFake(CountingFake):
    """Holds the answer to the request a run is to be killed at (`arm`) until the test has
    killed it: the run is then certainly mid-way, waiting for that answer."""

    gate = threading.Event()

    def arm(self, kill_after: int) -> threading.Event:
        self.gate = threading.Event()
        return super().arm(kill_after)

    def route(self, method: str, url: str) -> Reply:
        reply = super().route(method, url)
        if self.reached.is_set():
            self.gate.wait(60)
        return reply


class GatedFake(CountingFake):
    """Holds its first answer until the test opens the gate: the nightly run that asked is
    then certainly running (past its lock) while the test starts a second writer."""

    def __init__(self) -> None:
        super().__init__()
        self.asked, self.gate = threading.Event(), threading.Event()

    def route(self, method: str, url: str) -> Reply:
        self.asked.set()
        self.gate.wait(60)
        return super().route(method, url)


@pytest.mark.slow
@pytest.mark.parametrize("second", [NIGHTLY, [*IMPORT, "RUNS"]], ids=["nightly", "import"])
def test_a_second_writer_for_one_athlete_says_already_running(second: list[str], runs: Path,
                                                             tmp_path: Path) -> None:
    fake = with_history(GatedFake())
    with served(fake) as base_url:
        home = _athlete_home(tmp_path / "home")
        first = _spawn(home, NIGHTLY, base_url)
        try:
            assert fake.asked.wait(60), "the first nightly run never reached Garmin"
            args = [str(runs) if a == "RUNS" else a for a in second]
            code, out, err = _finish(_spawn(home, [a for a in args if a != "--json"],
                                            base_url))
        finally:
            fake.gate.set()
        first_code, first_out, first_err = _finish(first)
    assert first_code == 0, first_err
    assert [r["status"] for r in json.loads(first_out)] == ["ok"]
    assert code == 1
    said = [line for line in (out + err).splitlines() if line.strip()]
    assert len(said) == 1 and "already running" in said[0], out + err
    assert "Traceback" not in err and "database is locked" not in out + err
    assert _nights(home) == [(UNTIL, "ok")]
