"""Garmin answers no recording holds, found by a sweep of hostile variants of the recorded
ones, through the whole sync: garminconnect's own code against the fake Garmin served through
`responses`, a real database and raw store."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from db.raw import RawStore
from db.session import open_db
from tests.garmin_fake import FakeGarmin, list_item
from tests.test_sync import Store, T


@pytest.fixture
def store(db_url: str, tmp_path: Path) -> Store:
    """A fresh database on each backend (PostgreSQL with STRIDELIFT_TEST_PG_URL)."""
    return Store(open_db(db_url), RawStore(tmp_path / "raw"))


@pytest.mark.parametrize("gid", [2**63, 2**70, 0, -5, True], ids=str)
def test_a_list_item_whose_id_no_activity_has_is_skipped_not_the_night(store: Store,
                                                                        gid: Any) -> None:
    """An id past the 64-bit column failed the night at its insert, with a traceback, every
    night after it too; an id of 0, below it or a boolean was stored as an activity."""
    fake = FakeGarmin()
    fake.add_run(811, T)
    fake.items.append(list_item(812, T + timedelta(hours=3), manualActivity=True)
                      | {"activityId": gid})
    report = store.sync(fake, since=date(2025, 7, 3))
    assert report.skipped == ["an activity list item without a usable id or start time"]
    assert (report.new, set(store.activities())) == (1, {811})


@pytest.mark.parametrize("parent", [[661], {"activityId": 661}, "no id"], ids=str)
def test_a_parent_id_that_is_no_id_is_no_leg(store: Store, parent: Any) -> None:
    """A list or an object for parentId failed the night (unhashable) where the sync asks
    whether the item is a leg of a multisport activity whose file is stored."""
    fake = FakeGarmin()
    fake.add_run(813, T, parentId=parent)
    report = store.sync(fake, since=date(2025, 7, 3))
    assert (report.new, report.skipped) == (1, [])
    assert store.activities()[813].content_hash is not None
