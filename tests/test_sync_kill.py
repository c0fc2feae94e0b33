"""Kill `stridelift sync` with SIGKILL at random points, run it again, and end with exactly the
rows of an uninterrupted sync into another home.

The fake Garmin must outlive each killed process, so it is a small HTTP server on 127.0.0.1
in this test process; the subprocess reaches it through STRIDELIFT_GARMIN_BASE_URL.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from db.session import open_db
from domain.profile import Profile
from ingest import garmin, garmin_login
from jobs.config import ENV_DB_URL, ENV_HOME, Paths, load, save_profile
from tests.garmin_fake import FakeGarmin, Reply, served, table_contents

ROOT = Path(__file__).resolve().parents[1]
PROFILE = Profile(name="anna", tz="Europe/Berlin", sex="f", max_hr=186, rest_hr=48, runs={})
UNTIL = "2025-07-08"  # the first sync backfills the 120 days up to here
KILLS = 6
SYNC = [sys.executable, "-c", "from stridelift.cli import main; main()", "sync", "--json",
        "--until", UNTIL]


class CountingFake(FakeGarmin):
    """Sets `reached` once the current run has been answered `kill_after` requests."""

    served_now = 0
    kill_after = 10**9
    reached = threading.Event()

    def arm(self, kill_after: int) -> threading.Event:
        self.served_now, self.kill_after, self.reached = 0, kill_after, threading.Event()
        return self.reached

    def route(self, method: str, url: str) -> Reply:
        reply = super().route(method, url)
        with self.lock:
            self.served_now += 1
            if self.served_now >= self.kill_after:
                self.reached.set()
        return reply


class KillPoints:
    """Where to kill the next run, in requests answered: within the first half of what a
    resumed run still needs, so work remains for the run after it (a kill drawn near the end
    let the run finish, and the later runs had nothing left to kill)."""

    def __init__(self, requests: int) -> None:
        self.left = requests

    def draw(self, rng: random.Random) -> int:
        return rng.randint(1, max(1, self.left // 2))

    def served(self, requests: int) -> None:
        self.left = max(30, self.left - requests + 30)  # a rerun repeats its first requests


def _athlete_home(folder: Path) -> Path:
    paths = Paths(config_dir=folder, data_dir=folder)
    save_profile(load(paths), PROFILE)
    garmin_login.save_tokens(paths.tokens_dir(PROFILE.name), json.dumps({"di_token": "x"}))
    return folder


def _spawn(home: Path, base_url: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != ENV_DB_URL}
    env.update({ENV_HOME: str(home), garmin.ENV_BASE_URL: base_url, garmin.ENV_PACE: "0",
                "PYTHONPATH": str(ROOT)})
    return subprocess.Popen(SYNC, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _finish(proc: subprocess.Popen[bytes]) -> dict[str, object]:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()
    return dict(json.loads(out))


F = TypeVar("F", bound=FakeGarmin)


def _fake() -> CountingFake:
    return with_history(CountingFake())


def with_history(fake: F) -> F:
    """`fake` holding a history to sync: a run every ten days, a strength session on
    some."""
    first = datetime(2025, 3, 12, 6, 30, tzinfo=UTC)
    for i in range(12):
        fake.add_run(1000 + i, first + timedelta(days=10 * i), minutes=5)
        if i % 3 == 0:
            fake.add_strength(2000 + i, first + timedelta(days=10 * i, hours=10))
    return fake


def _kill_at_random(proc: subprocess.Popen[bytes], reached: threading.Event | None,
                    rng: random.Random) -> bool:
    """SIGKILL once `reached` (or after a random start-up delay); True if it was running."""
    if reached is None:
        time.sleep(rng.uniform(0.05, 0.6))
    else:
        while not reached.wait(0.005) and proc.poll() is None:
            pass
        time.sleep(rng.uniform(0, 0.02))  # land anywhere in the work that follows
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return proc.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_killed_syncs_end_with_the_rows_of_an_uninterrupted_one(tmp_path: Path) -> None:
    seed = int(os.environ.get("STRIDELIFT_KILL_SEED") or random.randrange(1 << 30))  # replay
    rng = random.Random(seed)
    fake = _fake()
    with served(fake) as base_url:
        reference = _athlete_home(tmp_path / "reference")
        fake.arm(10**9)
        started = time.monotonic()
        report = _finish(_spawn(reference, base_url))
        uninterrupted_s = time.monotonic() - started
        requests = fake.served_now
        assert report["wellness"] == {"window": {"from": "2025-03-11", "to": UNTIL}, "days": 120}

        killed_home = _athlete_home(tmp_path / "killed")
        kills = 0
        points = KillPoints(requests)
        for attempt in range(KILLS):
            reached = fake.arm(points.draw(rng))
            kills += _kill_at_random(_spawn(killed_home, base_url), reached if attempt else None,
                                     rng)  # the first at a random moment, maybe before any request
            points.served(fake.served_now)
        fake.arm(10**9)
        _finish(_spawn(killed_home, base_url))

    expected = table_contents(open_db(f"sqlite:///{Paths(reference, reference).db_file}"))
    got = table_contents(open_db(f"sqlite:///{Paths(killed_home, killed_home).db_file}"))
    context = f"seed {seed}; the uninterrupted sync took {uninterrupted_s:.1f} s"
    assert kills >= KILLS // 2, f"only {kills} runs were killed mid-way ({context})"
    assert len(expected["activities"]) == 16 and len(expected["wellness"]) == 120
    assert got == expected, context
