"""`stridelift import` end to end: real FIT files, real SQLite, parallel decoding."""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from db import models as m
from db.session import open_db
from demo.fitwrite import LapSpec, SetSpec, run_fit, strength_fit, workout_file_fit
from jobs.config import load
from jobs.home import Home
from jobs.importing import rebuild_athlete
from stridelift.cli import app
from tests.processes import stridelift
from tests.test_fit import panicking_fit

runner = CliRunner()
T0 = datetime(2025, 5, 3, 7, 0, tzinfo=UTC)
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "186", "--rest-hr", "48", "--runs", "mon=easy,wed=speed,sat=long"]


def _run(day: int, minutes: int = 20) -> bytes:
    return run_fit(T0 + timedelta(days=day), [LapSpec(minutes * 60, 3.0, 145)], seed=day)


@pytest.fixture
def athlete(home: Path) -> Path:
    assert runner.invoke(app, INIT).exit_code == 0
    return home


def _import(*args: str) -> tuple[int, dict[str, Any]]:  # the JSON as read
    result = runner.invoke(app, ["import", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _count(table: type[m.Base]) -> int:
    with open_db(load().database_url())() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_folder_with_runs_strength_workout_and_a_broken_file(athlete: Path,
                                                            tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "deep").mkdir(parents=True)
    (src / "a.fit").write_bytes(_run(0))
    (src / "deep" / "b.fit").write_bytes(_run(1))
    (src / "lift.fit").write_bytes(strength_fit(T0 + timedelta(hours=10), [
        SetSpec("squat", "barbell_back_squat", 6, 60.0, 40.0), SetSpec("squat", None, None,
                                                                       None, 90.0, "rest")]))
    (src / "plan.fit").write_bytes(workout_file_fit(["active", "rest"]))
    (src / "broken.fit").write_bytes(_run(2)[:500])
    code, report = _import(str(src))
    assert code == 1
    assert (report["imported"], report["duplicates"], report["skipped"]) == (3, 0, 1)
    [failure] = report["failed"]
    assert failure["path"].endswith("broken.fit")  # named there, not again in the error
    assert failure["error"].startswith("truncated (header announces")
    assert _count(m.Activity) == 3 and _count(m.StrengthSet) == 2
    told = runner.invoke(app, ["import", str(src)]).stderr.splitlines()
    assert told == [f"  failed: {src / 'broken.fit'}: {failure['error']}",  # and how to fix it
                    "  fix or replace the files that failed and import again (what is stored "
                    "is skipped); a damaged file: copy it again from the watch or download its "
                    "original from Garmin Connect"]
    assert _count(m.Stream) == 3  # strength files carry HR records too


def test_a_run_without_a_date_fails_alone_and_leaves_no_rows(athlete: Path,
                                                             tmp_path: Path) -> None:
    # its watch's clock was never set: stored, it sat on a day in 1990 (exit 0 with garbage)
    (tmp_path / "fr70.fit").write_bytes(run_fit(datetime(1990, 7, 9, 7, tzinfo=UTC),
                                                [LapSpec(600, 3.0, 150)]))
    (tmp_path / "today.fit").write_bytes(_run(0))
    code, report = _import(str(tmp_path))
    assert (code, report["imported"]) == (1, 1)
    [failure] = report["failed"]
    assert failure["path"].endswith("fr70.fit") and "has no date" in failure["error"]
    with open_db(load().database_url())() as s:
        assert [a.start_utc.year for a in s.scalars(select(m.Activity))] == [2025]
    assert _count(m.Lap) == 1 and _count(m.Stream) == 1
    assert len([p for p in (athlete / "raw" / "objects").rglob("*") if p.is_file()]) == 1


def test_a_run_without_a_date_imported_before_it_was_refused_survives_a_rebuild(
        athlete: Path, tmp_path: Path) -> None:
    # journalled by an import from before such runs were refused: `db rebuild` replays the
    # journal, and one such line made it refuse to run at all (nothing else could be rebuilt)
    (tmp_path / "today.fit").write_bytes(_run(0))
    _import(str(tmp_path))
    home = Home.open()
    old = run_fit(datetime(1990, 7, 9, 7, tzinfo=UTC), [LapSpec(600, 3.0, 150)])
    home.raw.record("anna", {"kind": "fit", "hash": home.raw.put(old), "name": "fr70.fit"})
    result = runner.invoke(app, ["db", "rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"fit": 2}
    with open_db(load().database_url())() as s:
        assert sorted(a.start_utc.year for a in s.scalars(select(m.Activity))) == [1990, 2025]


def test_a_run_dated_after_today_fails_alone(athlete: Path, tmp_path: Path,
                                            pinned_clock: datetime) -> None:
    # a watch whose clock was set wrong: stored in 2100, it made `replay` replay 2100
    tomorrow = pinned_clock + timedelta(days=1, hours=2)
    for name, start in (("2100.fit", datetime(2100, 5, 1, 7, tzinfo=UTC)),
                        ("tomorrow.fit", tomorrow),
                        ("ahead.fit", pinned_clock + timedelta(hours=20)),  # a clock ahead
                        ("today.fit", pinned_clock - timedelta(hours=2))):
        (tmp_path / name).write_bytes(run_fit(start, [LapSpec(600, 3.0, 150)],
                                              file_id={"serial_number": len(name)}))
    code, report = _import(str(tmp_path))
    assert (code, report["imported"]) == (1, 2)
    why = ("more than a day from now: the watch's clock was set wrong when it recorded (set its "
           "date and time), so no day can hold it")
    failed = report["failed"]
    assert isinstance(failed, list)
    assert sorted((Path(f["path"]).name, f["error"]) for f in failed) == [
        ("2100.fit", f"dated Sat 01 May 2100 07:00 UTC, {why}"),
        ("tomorrow.fit", f"dated {tomorrow:%a %d %b %Y %H:%M} UTC, {why}")]
    assert _count(m.Activity) == 2 and _count(m.Lap) == 2
    assert len([p for p in (athlete / "raw" / "objects").rglob("*") if p.is_file()]) == 2


def test_the_advice_under_failed_files_fits_their_failures(athlete: Path, tmp_path: Path,
                                                            pinned_clock: datetime) -> None:
    # no copy of a file dates a run its watch never dated, or dated ahead: "copy it again"
    # sent the runner back to the watch for nothing
    for name, start in (("fr70.fit", datetime(1990, 7, 9, 7, tzinfo=UTC)),
                        ("2100.fit", datetime(2100, 5, 1, 7, tzinfo=UTC))):
        (tmp_path / name).write_bytes(run_fit(start, [LapSpec(600, 3.0, 150)]))
    told = runner.invoke(app, ["import", str(tmp_path)]).stderr.splitlines()
    misdated = ("a run refused for its date stays refused in any copy of its file: set the "
                "watch's date and time so that its next runs are dated")
    assert len(told) == 3 and told[2] == f"  {misdated}"
    (tmp_path / "broken.fit").write_bytes(_run(2)[:500])
    told = runner.invoke(app, ["import", str(tmp_path)]).stderr.splitlines()
    assert len(told) == 4 and told[3] == (
        "  fix or replace the other files that failed and import again (what is stored is "
        "skipped); a damaged file: copy it again from the watch or download its original from "
        f"Garmin Connect; {misdated}")
    code, report = _import(str(tmp_path))
    assert code == 1 and len(report["failed"]) == 3
    assert set(report) == {"imported", "duplicates", "skipped", "failed", "same_recording"}


def test_a_run_undated_in_a_file_dated_when_created_is_not_told_to_set_the_watch(
        athlete: Path, tmp_path: Path, pinned_clock: datetime) -> None:
    """A converter's copy: its file_id dated, its run timed from switch-on. Another copy of
    the recording may be dated, so the advice is to fetch it, not the misdated one (set the
    watch's clock: no copy mends it)."""
    created = datetime(2025, 3, 9, 6, 30, tzinfo=UTC)
    (tmp_path / "converted.fit").write_bytes(run_fit(
        datetime(1990, 7, 9, 7, tzinfo=UTC), [LapSpec(600, 3.0, 150)],
        file_id={"time_created": created}))
    told = runner.invoke(app, ["import", str(tmp_path)]).stderr.splitlines()
    assert len(told) == 2 and "the file says it was created Sun 09 Mar 2025 06:30 UTC" in told[0]
    assert told[1] == (
        "  fix or replace the files that failed and import again (what is stored is skipped); "
        "a damaged file: copy it again from the watch or download its original from Garmin "
        "Connect")
    assert _count(m.Activity) == 0


def test_same_content_twice_is_stored_once(athlete: Path, tmp_path: Path) -> None:
    (tmp_path / "one.fit").write_bytes(_run(0))
    (tmp_path / "copy.fit").write_bytes(_run(0))
    assert _import(str(tmp_path / "one.fit"), str(tmp_path / "copy.fit")) == (
        0, {"imported": 1, "duplicates": 1, "skipped": 0, "failed": [], "same_recording": []})
    assert _import(str(tmp_path / "one.fit"))[1]["duplicates"] == 1
    assert _count(m.Activity) == 1


def test_garmin_export_archive_with_nested_zips(athlete: Path, tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        for day in range(3):
            z.writestr(f"anna@example.com_{day}.fit", _run(day))
    outer = tmp_path / "export.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip",
                   inner.getvalue())
        z.writestr("DI_CONNECT/DI-Connect-User/user_profile.json", "{}")
    code, report = _import(str(outer))
    assert (code, report["imported"]) == (0, 3)
    assert _count(m.Lap) == 3


def test_strava_export_with_gzipped_fit_files(athlete: Path, tmp_path: Path) -> None:
    archive = tmp_path / "export_12345.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("activities/1001.fit.gz", gzip.compress(_run(0)))
        z.writestr("activities/1002.fit.gz", gzip.compress(_run(1))[:-30])  # a cut copy
        z.writestr("activities/1003.gpx.gz", gzip.compress(b"<gpx/>"))
    (tmp_path / "watch.fit.gz").write_bytes(gzip.compress(_run(2)))
    code, report = _import(str(archive), str(tmp_path / "watch.fit.gz"))
    assert (code, report["imported"]) == (1, 2)
    [cut] = report["failed"]
    assert cut["path"].endswith("!activities/1002.fit.gz")
    assert cut["error"] == "unreadable (the gzip stream ends early (a cut copy))"
    assert _count(m.Activity) == 2
    assert json.loads(runner.invoke(app, ["db", "rebuild", "--json"]).stdout) == {"fit": 2}


def test_raw_payloads_are_kept_and_rebuild_restores_the_database(athlete: Path,
                                                                 tmp_path: Path) -> None:
    for day in range(3):
        (tmp_path / f"{day}.fit").write_bytes(_run(day))
    _import(str(tmp_path))
    with open_db(load().database_url())() as s:
        before = sorted((a.start_utc, a.distance_m) for a in s.scalars(select(m.Activity)))
    (athlete / "stridelift.db").unlink()
    for extra in athlete.glob("stridelift.db-*"):
        extra.unlink()
    result = runner.invoke(app, ["db", "rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"fit": 3}
    told: list[tuple[int, int]] = []  # what a progress bar is told: entry by entry
    home = Home.open()
    rebuild_athlete(home, home.athlete(None), lambda done, total: told.append((done, total)))
    assert told == [(1, 3), (2, 3), (3, 3)]
    with open_db(load().database_url())() as s:
        after = sorted((a.start_utc, a.distance_m) for a in s.scalars(select(m.Activity)))
    assert after == before and len(after) == 3


def test_rebuild_with_a_missing_payload_changes_nothing(athlete: Path, tmp_path: Path) -> None:
    (tmp_path / "a.fit").write_bytes(_run(0))
    _import(str(tmp_path))
    for obj in (athlete / "raw" / "objects").rglob("*"):
        if obj.is_file():
            obj.unlink()
    result = runner.invoke(app, ["db", "rebuild"])
    assert result.exit_code == 1
    assert "cannot be replayed" in result.output and "Traceback" not in result.output
    assert _count(m.Activity) == 1


def test_import_needs_an_athlete(home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path)])
    assert result.exit_code == 2
    assert "stridelift init" in result.output


def test_a_folder_without_fit_files_is_said_not_silent(athlete: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no runs here")
    result = runner.invoke(app, ["import", str(tmp_path)])
    assert result.exit_code == 0  # nothing failed: a watch folder with nothing new is fine
    assert f"nothing to import: no FIT file found in {tmp_path}" in result.stderr
    (tmp_path / "a.fit").write_bytes(_run(0))
    assert "nothing to import" not in runner.invoke(app, ["import", str(tmp_path)]).stderr


def test_missing_path_is_a_failure_not_a_crash(athlete: Path, tmp_path: Path) -> None:
    code, report = _import(str(tmp_path / "nowhere"))
    assert code == 1 and report["failed"] == [
        {"path": str(tmp_path / "nowhere"), "error": "no such file or folder"}]


NOT_A_FILE = ("not a regular file (a device, pipe or socket): give a .fit, .fit.gz or .zip "
              "file, or a folder")


def test_a_device_a_pipe_or_a_giant_is_a_failure_not_a_hang(athlete: Path,
                                                            tmp_path: Path) -> None:
    pipe, giant, good = tmp_path / "pipe.fit", tmp_path / "giant.fit", tmp_path / "good.fit"
    os.mkfifo(pipe)  # read, it would wait for a writer forever
    with giant.open("wb") as fh:  # sparse: 201 MB on no disk
        fh.truncate(201_000_000)
    good.write_bytes(_run(1))
    code, report = _import("/dev/zero", str(pipe), str(giant), str(good))
    assert code == 1 and report["imported"] == 1
    assert report["failed"] == [
        {"path": "/dev/zero", "error": NOT_A_FILE},
        {"path": str(pipe), "error": NOT_A_FILE},
        {"path": str(giant), "error": "refused: 201 MB, more than any activity file (200 MB at "
                                      "most)"}]


@pytest.fixture
def deadly(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """FIT payloads on which the decoder kills its process (as a crash in native code would):
    fitfast, the third-party decoder, ends the worker when given one of them. Workers fork
    after this, so they decode through it."""
    import os

    import fitfast

    killers: list[bytes] = []
    parse = fitfast.parse

    def parse_or_die(data: bytes, **options: Any) -> object:
        if data in killers:
            os._exit(70)
        return parse(data, **options)

    monkeypatch.setattr(fitfast, "parse", parse_or_die)
    return killers


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_decoder_panic_fails_its_file_in_one_line_and_keeps_the_terminal_clean(
        athlete: Path, tmp_path: Path, workers: str) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "panics.fit").write_bytes(panicking_fit())
    (runs / "good.fit").write_bytes(_run(1))
    done = stridelift("import", "--json", "--workers", workers, str(runs))
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["imported"] == 1
    assert [f["path"] for f in report["failed"]] == [str(runs / "panics.fit")]
    assert "DecoderPanic" in report["failed"][0]["error"]
    assert "panicked" not in done.stderr and "backtrace" not in done.stderr, done.stderr


def test_files_import_with_no_stderr_at_all(athlete: Path, tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "good.fit").write_bytes(_run(1))
    done = stridelift("import", "--json", "--workers", "2", str(runs), without_stderr=True)
    assert done.returncode == 0  # before: each worker's quiet_decoder failed on fd 2
    report = json.loads(done.stdout)
    assert (report["imported"], report["failed"]) == (1, [])


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_file_the_decoder_dies_on_fails_alone(athlete: Path, tmp_path: Path,
                                                deadly: list[bytes], workers: str) -> None:
    """The worker decoding it dies: that file is reported, the other files (those decoded
    with it, those queued behind it) are imported, and a second import is the same."""
    src = tmp_path / "in"
    src.mkdir()
    for day in range(12):
        (src / f"run-{day:02d}.fit").write_bytes(_run(day))
    deadly.append((src / "run-05.fit").read_bytes())
    for _ in range(2):
        code, report = _import(str(src), "--workers", workers)
        assert code == 1
        [failure] = report["failed"]
        assert failure["path"].endswith("run-05.fit")
        assert "the decoder died on this file" in failure["error"]
    assert report["imported"] == 0 and report["duplicates"] == 11  # the second time
    assert _count(m.Activity) == 11


def test_workers_that_keep_dying_stop_the_import_in_one_line(
        athlete: Path, tmp_path: Path, deadly: list[bytes],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest import decoders

    monkeypatch.setattr(decoders, "MAX_RESTARTS", 2)
    src = tmp_path / "in"
    src.mkdir()
    for day in range(6):
        (src / f"run-{day}.fit").write_bytes(_run(day))
        deadly.append((src / f"run-{day}.fit").read_bytes())
    result = runner.invoke(app, ["import", str(src), "--workers", "1"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the decoding processes died 3 times" in result.output
    assert len(result.output.strip().splitlines()) == 1 and _count(m.Activity) == 0
