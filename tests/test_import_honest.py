"""Import counts honestly: broken files fail every time, bombs are refused by name, progress
adds up. Real zips built here, real FIT files, real SQLite and raw store."""

from __future__ import annotations

import gc
import io
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from db import models as m
from db.raw import RawStore
from db.session import open_db
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import bulk, export
from stridelift.cli import app
from tests.test_import import INIT, _count, _import

runner = CliRunner()
T0 = datetime(2025, 5, 3, 7, 0, tzinfo=UTC)
PROFILE = Profile(name="anna", tz="Europe/Berlin", sex="f", max_hr=186, rest_hr=48, runs={})


def _run(day: int) -> bytes:
    return run_fit(T0 + timedelta(days=day), [LapSpec(600, 3.0, 145)], seed=day)


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def athlete(home: Path) -> Path:
    assert runner.invoke(app, INIT).exit_code == 0
    return home


def _raw_objects(home: Path) -> int:
    return sum(1 for p in (home / "raw" / "objects").rglob("*") if p.is_file()) \
        if (home / "raw" / "objects").exists() else 0


def test_640_identical_broken_members_are_640_failures(athlete: Path, tmp_path: Path) -> None:
    broken = _run(0)[:300]
    members = [(f"bad_{i}.fit", broken) for i in range(640)] + [("good.fit", _run(1))]
    (tmp_path / "export.zip").write_bytes(_zip(members))
    code, report = _import(str(tmp_path / "export.zip"))
    assert code == 1
    assert (report["imported"], report["duplicates"], report["skipped"]) == (1, 0, 0)
    failed = report["failed"]
    assert isinstance(failed, list) and len(failed) == 640
    assert {f["path"].rsplit("!", 1)[1] for f in failed} == {f"bad_{i}.fit" for i in range(640)}
    assert all(f["error"].startswith("truncated") for f in failed)  # each decoded, each said
    assert _raw_objects(athlete) == 1  # the good file only: nothing broken is kept
    code, again = _import(str(tmp_path / "export.zip"))  # and the same the next time
    assert (code, again["duplicates"], len(again["failed"])) == (1, 1, 640)


def test_a_bomb_member_is_refused_in_one_line_and_the_rest_imported(athlete: Path,
                                                                   tmp_path: Path) -> None:
    # 2 MB of zeros deflates to about 2 kB: 1000:1, past the default 100:1
    (tmp_path / "export.zip").write_bytes(_zip([("a.fit", _run(0)), ("bomb.fit", bytes(2_000_000)),
                                                ("b.fit", _run(1))]))
    result = runner.invoke(app, ["import", str(tmp_path / "export.zip")])
    assert result.exit_code == 1
    assert "imported 2, duplicates 0, not activities 0, failed 1" in result.stdout
    [line] = [ln for ln in result.stderr.splitlines() if "failed:" in ln]
    assert "export.zip!bomb.fit: refused: inflates " in line and "past the limit of 100:1" in line
    assert "Traceback" not in result.output
    assert _count(m.Activity) == 2 and _raw_objects(athlete) == 2


def test_limits_are_a_parameter_and_progress_adds_up(tmp_path: Path) -> None:
    runs = [_run(day) for day in range(4)]
    (tmp_path / "export.zip").write_bytes(_zip([(f"{i}.fit", r) for i, r in enumerate(runs)]
                                               + [("pad.fit", bytes(50_000))]))
    (tmp_path / "loose.fit").write_bytes(runs[0])  # a copy of a zipped one
    db = open_db(f"sqlite:///{tmp_path / 'x.db'}")
    tallies: list[tuple[int, int, int, int]] = []
    limits = export.Limits(member_bytes=10**6, ratio=20, ratio_from_bytes=10_000)
    report = bulk.import_paths(
        db, RawStore(tmp_path / "raw"), PROFILE, [tmp_path / "export.zip", tmp_path / "loose.fit"],
        progress=lambda t: tallies.append((t.files, t.files_total, t.bytes, t.bytes_total)),
        workers=2, limits=limits)
    assert (report.imported, report.duplicates) == (4, 1)
    [refused] = report.failed
    assert refused["path"].endswith("export.zip!pad.fit") and "past the limit of 20:1" in refused[
        "error"]
    total_bytes = sum(len(r) for r in runs) + len(runs[0])  # a refused member weighs nothing
    assert [t[0] for t in tallies] == [1, 2, 3, 4, 5, 6]
    assert {(t[1], t[3]) for t in tallies} == {(6, total_bytes)}
    assert tallies[-1][2] == total_bytes
    assert [t[2] for t in tallies] == sorted(t[2] for t in tallies)


def test_an_import_leaves_the_objects_it_found_out_of_garbage_collections(
        tmp_path: Path) -> None:
    """While files are imported, the collector walks only what the import makes (the process's
    modules frozen: a full collection over them cost ~60 ms); afterwards it walks all again,
    and a freeze made before the import (a forked worker's) is left as it was."""
    (tmp_path / "a.fit").write_bytes(_run(0))
    (tmp_path / "b.fit").write_bytes(_run(1))
    db = open_db(f"sqlite:///{tmp_path / 'x.db'}")
    frozen: list[int] = []
    report = bulk.import_paths(db, RawStore(tmp_path / "raw"), PROFILE, [tmp_path / "a.fit"],
                               progress=lambda _: frozen.append(gc.get_freeze_count()),
                               workers=1)
    assert report.imported == 1 and frozen and min(frozen) > 1000
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        assert bulk.import_paths(db, RawStore(tmp_path / "raw"), PROFILE, [tmp_path / "b.fit"],
                                 workers=1).imported == 1
        assert gc.get_freeze_count() > 1000  # not unfrozen (a frozen object may have died)
    finally:
        gc.unfreeze()
