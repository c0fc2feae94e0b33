"""Kill `stridelift nightly` with SIGKILL while it upgrades activities whose files came late
(after a late file's download: mid-decode, mid-journal, mid-commit; listed, or downloaded by
id), run it again, and end with the rows of an uninterrupted night: nothing lost, nothing
twice, none left waiting."""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jobs.config import Paths, load
from jobs.home import Home
from jobs.storage import check_database
from tests.garmin_fake import FakeGarmin, Reply, served
from tests.test_import_nightly_kill import _contents, _finish, _kill_when, _spawn
from tests.test_sync_kill import PROFILE, UNTIL, CountingFake, _athlete_home, _fake

# Runs whose files Garmin serves only on the 8th: of 4-6 July, and of 20-22 May, which the
# first night's backfill stored and no list holds on the 8th (downloaded by their ids).
BY_ID = {3004: datetime(2025, 5, 20, 7, 30, tzinfo=UTC),
         3005: datetime(2025, 5, 21, 7, 30, tzinfo=UTC),
         3006: datetime(2025, 5, 22, 7, 30, tzinfo=UTC)}
LATE = {3001: datetime(2025, 7, 4, 6, 30, tzinfo=UTC),
        3002: datetime(2025, 7, 5, 6, 30, tzinfo=UTC),
        3003: datetime(2025, 7, 6, 6, 30, tzinfo=UTC), **BY_ID}
FIRST_NIGHT = "2025-07-06"
KILLS = 3  # after any late file's download, then as many after the one by id


class LateFiles(CountingFake):
    """Counts the downloads of the `watched` late files only: a kill point is the n-th."""

    watched: Collection[int] = LATE

    def route(self, method: str, url: str) -> Reply:
        reply = FakeGarmin.route(self, method, url)
        if any(url.endswith(f"/files/activity/{gid}") for gid in self.watched):
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
    for gid, start in LATE.items():
        fake.add_run(gid, start, minutes=5)
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
        kills = []
        for fake.watched in [LATE] * KILLS + [BY_ID] * KILLS:
            # After the first late file a run downloads, and anywhere in the work that
            # follows: a kill point drawn further could lie past what a resumed run still
            # has to download (a killed run may have upgraded some), and it never came.
            # The runs reach the download by id last, after the night's days.
            reached = fake.arm(1)
            kills.append(_kill_when(_spawn(killed, _nightly(UNTIL), base_url), reached.is_set,
                                    rng))
        fake.arm(10**9)
        code, out, err = _finish(_spawn(killed, _nightly(UNTIL), base_url))
        assert code == 0, err

    expected = _contents(reference)
    context = f"runs killed mid-way: {kills}"
    assert sum(kills[:KILLS]) >= 2 and sum(kills[KILLS:]) >= 1, context
    assert _contents(killed) == expected, context
    assert len(expected["activities"]) == 16 + len(LATE)
    assert not [row for row in expected["activities"] if "('awaits_file', True)" in row]
    assert check_database(Home.open(load(Paths(killed, killed))), PROFILE).ok, context
