"""Kill `stridelift nightly` with SIGKILL while it upgrades activities whose files came late
(after a late file's download: mid-decode, mid-journal, mid-commit), run it again, and end
with the rows of an uninterrupted night: nothing lost, nothing twice, none left waiting."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobs.config import Paths, load
from jobs.home import Home
from jobs.storage import check_database
from tests.garmin_fake import FakeGarmin, Reply, served
from tests.test_import_nightly_kill import _contents, _finish, _kill_when, _spawn
from tests.test_sync_kill import PROFILE, UNTIL, CountingFake, _athlete_home, _fake

LATE = (3001, 3002, 3003)  # runs of 4-6 July whose files Garmin serves only on the 8th
FIRST_NIGHT = "2025-07-06"
KILLS = 3


class LateFiles(CountingFake):
    """Counts the downloads of the late files only: a kill point is the n-th of them."""

    def route(self, method: str, url: str) -> Reply:
        reply = FakeGarmin.route(self, method, url)
        if any(url.endswith(f"/files/activity/{gid}") for gid in LATE):
            with self.lock:
                self.served_now += 1
                if self.served_now >= self.kill_after:
                    self.reached.set()
        return reply


def _nightly(day: str) -> list[str]:
    return ["nightly", "--json", "--athlete", PROFILE.name, "--date", day]


@pytest.mark.slow
def test_killed_upgrades_end_with_the_rows_of_an_uninterrupted_night(tmp_path: Path) -> None:
    fake = LateFiles()
    base = _fake()
    fake.items, fake.downloads, fake.sets = base.items, base.downloads, base.sets
    for gid, day in zip(LATE, (4, 5, 6), strict=True):
        fake.add_run(gid, datetime(2025, 7, day, 6, 30, tzinfo=UTC), minutes=5)
    files = {gid: fake.downloads.pop(gid) for gid in LATE}  # 404s: not processed yet
    rng = random.Random(20261205)
    with served(fake) as base_url:
        waited = _athlete_home(tmp_path / "waited")
        code, out, err = _finish(_spawn(waited, _nightly(FIRST_NIGHT), base_url))
        assert code == 0, err
        assert json.loads(out)[0]["counts"]["activities_waiting"] == len(LATE)
        reference, killed = tmp_path / "reference", tmp_path / "killed"
        shutil.copytree(waited, reference)
        shutil.copytree(waited, killed)

        fake.downloads.update(files)  # the files have arrived
        fake.arm(10**9)
        code, out, err = _finish(_spawn(reference, _nightly(UNTIL), base_url))
        assert code == 0, err
        kills = 0
        for _ in range(KILLS):
            # After the first late file a run downloads, and anywhere in the work that
            # follows: a kill point drawn further could lie past what a resumed run still
            # has to download (a killed run may have upgraded some), and it never came.
            reached = fake.arm(1)
            kills += _kill_when(_spawn(killed, _nightly(UNTIL), base_url), reached, rng)
        fake.arm(10**9)
        code, out, err = _finish(_spawn(killed, _nightly(UNTIL), base_url))
        assert code == 0, err

    expected = _contents(reference)
    context = f"{kills} of {KILLS} runs killed mid-way"
    assert kills >= 2, context
    assert _contents(killed) == expected, context
    assert len(expected["activities"]) == 16 + len(LATE)
    assert not [row for row in expected["activities"] if "('awaits_file', True)" in row]
    assert check_database(Home.open(load(Paths(killed, killed))), PROFILE).ok, context
