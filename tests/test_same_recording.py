"""One recording in two files of other bytes (the same file_id: the watch's file and a copy
re-saved by another app, Garmin Connect's download of it) is one activity, its load counted
once. Real FIT files (the FIT SDK's triathlon written with its summary first and last; files
built twice with one file_id), real databases (PostgreSQL too, with STRIDELIFT_TEST_PG_URL),
the real import, sync, rebuild, check and status."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from db import models as m
from db import repo
from db.raw import RawStore, sha256
from db.session import make_engine, open_db, transaction, upgrade
from demo.fitwrite import LapSpec, LegSpec, multisport_fit, run_fit
from ingest import fit, fit_normalise, garmin, garmin_login
from ingest.bulk import import_paths
from ingest.garmin import extract_fit
from ingest.rebuild import rebuild
from jobs.config import load
from stridelift.cli import app
from tests.conftest import shared_fixture
from tests.garmin_fake import FakeGarmin, list_item, mocked, table_contents, zipped
from tests.test_db import _downgrade
from tests.test_import import INIT
from tests.test_sync_wait import LONG_RUN, P, WaitStore

runner = CliRunner()
T0 = datetime(2025, 5, 3, 7, 0, tzinfo=UTC)
TRIATHLON = "garmin:fr255:3420897194:2023-09-02T13:15:24Z:2023-09-02T13:15:24Z"


def _recording(seed: int, start: datetime = T0, **file_id: object) -> bytes:
    """A 40 min run as the watch wrote it; another seed: other samples, the same file_id."""
    return run_fit(start, [LapSpec(2400, 3.0, 145)], seed=seed, file_id=file_id or None)


def _triathlon(folder: Path, *which: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for part in which:
        name = f"triathlon_summary_{part}.fit"
        shutil.copy(shared_fixture("fit", "fit", name), folder / name)
    return folder


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def _new_athlete(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDELIFT_HOME", str(home))
    assert runner.invoke(app, INIT).exit_code == 0


def _atl(day: date) -> float:
    code, out = _cli("status", "--date", day.isoformat(), "--json")
    assert code == 0, out
    return float(json.loads(out)["load"]["atl"])


def _facts() -> dict[str, list[str]]:
    """The tables `db rebuild` recreates (it leaves the analysis to the next command)."""
    tables = table_contents(open_db(load().database_url()))
    return {name: tables[name] for name in ("activities", "laps", "strength_sets", "streams")}


def _rows() -> list[tuple[str | None, int, str | None]]:
    with open_db(load().database_url())() as s:
        return list(s.execute(select(m.Activity.content_hash, m.Activity.session_index,
                                     m.Activity.recording).order_by(m.Activity.start_utc)))


def test_a_files_recording_is_its_file_id_whatever_the_decoder() -> None:
    """fitfast names a Garmin product by its number, fitparse by its name: one identity. A
    file that does not tell recordings apart has none: a device clock instead of a date
    (seconds since it started), two recordings chained in one file."""
    folder = shared_fixture("fit")
    for part in ("first", "last"):
        data = (folder / "fit" / f"triathlon_summary_{part}.fit").read_bytes()
        for backend in ("fitfast", "fitparse"):
            legs = fit.decode(data, backend=backend)
            assert [leg.recording for leg in legs] == [TRIATHLON] * 5
    [sdk] = fit.decode((folder / "fit-python-sdk" / "HrmPluginTestActivity.fit").read_bytes())
    # no serial number: its product
    assert sdk.recording == "garmin:fr955::2022-08-29T18:31:22Z:2022-08-29T18:31:22Z"
    # the SDK's examples: two activities written in one second, from one start (other serials)
    assert len({a.recording for name in ("Activity.fit", "activity_poolswim.fit")
                for a in fit.decode((folder / "fit" / name).read_bytes())}) == 2
    chained = (folder / "fit" / "chained_Activity_activity_poolswim.fit").read_bytes()
    assert {a.recording for a in fit.decode(chained)} == {None}
    at = datetime(2012, 2, 13, 12, tzinfo=UTC).timestamp()  # a device clock in the file_id
    watch = {"type": "activity", "manufacturer": "garmin", "product": 1436, "serial_number": 7}
    assert fit_normalise.recording([{**watch, "time_created": 631065600 + 16441241}], at) is None
    assert fit_normalise.recording([{**watch, "time_created": at}], at) == (
        "garmin:fr70:7:2012-02-13T12:00:00Z:2012-02-13T12:00:00Z")


def test_the_fixtures_files_of_one_recording_are_one_activity_and_no_others() -> None:
    """Every real file of the fixtures, by recording: files share one only where they are one
    activity (each session's sport, start and duration alike), never two activities written
    in one second (the FIT SDK's examples). The SDK's own copies of two files lack the serial
    number: their keys differ (the store takes them for the watch's files: below)."""
    folder = shared_fixture("fit")
    files: dict[str, dict[str, list[tuple[str, datetime, float]]]] = {}
    for path in sorted(folder.rglob("*.fit")):
        try:
            with fit.quiet_decoder():
                found = fit.decode(path.read_bytes(), path.name)
        except fit.FitError:
            continue
        for act in found:
            if act.recording:
                files.setdefault(act.recording, {}).setdefault(
                    str(path.relative_to(folder)), []).append(
                    (act.sport, act.start, round(act.duration_s)))
    shared = {frozenset(by_file) for by_file in files.values() if len(by_file) > 1}
    assert shared == {
        frozenset({"fit/triathlon_summary_first.fit", "fit/triathlon_summary_last.fit"}),
        frozenset({"python-fitparse/Activity.fit", "python-fitparse/activity-settings.fit"}),
        frozenset({"fit/activity_poolswim_with_hr.fit", "python_fit_tool/activity_poolswim.fit"})}
    for by_file in files.values():
        assert len({tuple(sessions) for sessions in by_file.values()}) == 1
    for name in ("HrmPluginTestActivity.fit", "WithGearChangeData.fit"):
        assert len({a.recording for copy in ("fit", "fit-python-sdk")
                    for a in fit.decode((folder / copy / name).read_bytes())}) == 2


def test_the_triathlon_written_twice_is_one_race_its_load_counted_once(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bug: both files stored, the race's load counted twice (ACWR 2.92 from one race).
    The second file is named as the first's recording; `db check` finds nothing missing, and
    `db rebuild` gives the same rows."""
    race_day = date(2023, 9, 2)
    _new_athlete(tmp_path / "one", monkeypatch)
    assert _cli("import", str(_triathlon(tmp_path / "first", "first")), "--workers", "1")[0] == 0
    alone = _atl(race_day)
    _new_athlete(home, monkeypatch)
    code, out = _cli("import", str(_triathlon(tmp_path / "both", "first", "last")))
    assert code == 0, out
    both = tmp_path / "both"
    assert out.splitlines() == [
        "imported 1, duplicates 1, not activities 0, failed 0",
        f"  {both}/triathlon_summary_last.fit: the same recording as "
        f"{both}/triathlon_summary_first.fit (stored, Sat 02 Sep 2023), not stored again"]
    first = sha256((tmp_path / "both" / "triathlon_summary_first.fit").read_bytes())
    assert _rows() == [(first, leg, TRIATHLON) for leg in range(5)]
    assert _atl(race_day) == pytest.approx(alone) and alone > 0
    assert _cli("db", "check")[0] == 0
    imported = _facts()
    assert _cli("db", "rebuild")[0] == 0
    assert _facts() == imported
    assert _cli("db", "check")[0] == 0


def test_two_files_of_one_recording_keep_the_first_its_load_counted_once(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first file of the batch is kept, however many workers decode; a third file of the
    recording in a later import is named as the kept file's, by the name it was imported
    under."""
    _new_athlete(tmp_path / "one", monkeypatch)
    (tmp_path / "alone.fit").write_bytes(_recording(1))
    assert _cli("import", str(tmp_path / "alone.fit"))[0] == 0
    alone = _atl(T0.date())
    _new_athlete(home, monkeypatch)
    for seed, name in enumerate(("z.fit", "a.fit", "later.fit"), 1):
        (tmp_path / name).write_bytes(_recording(seed))
    assert len({sha256((tmp_path / n).read_bytes()) for n in ("z.fit", "a.fit")}) == 2
    code, out = _cli("import", "--json", "--workers", "2", str(tmp_path / "z.fit"),
                     str(tmp_path / "a.fit"))
    assert (code, json.loads(out)) == (0, {
        "imported": 1, "duplicates": 1, "skipped": 0, "failed": [], "same_recording": [
            {"path": str(tmp_path / "a.fit"), "same_as": str(tmp_path / "z.fit"),
             "day": "2025-05-03"}]})
    code, out = _cli("import", "--json", str(tmp_path / "later.fit"))
    assert json.loads(out)["same_recording"] == [
        {"path": str(tmp_path / "later.fit"), "same_as": "z.fit", "day": "2025-05-03"}]
    assert _rows() == [(sha256((tmp_path / "z.fit").read_bytes()), 0,
                        "garmin:fr965:3900000001:2025-05-03T07:00:00Z:2025-05-03T07:00:00Z")]
    assert _atl(T0.date()) == pytest.approx(alone) and alone > 0
    assert _cli("db", "check")[0] == 0


def test_files_whose_file_id_does_not_tell_recordings_apart_are_told_apart_by_content(
        db_url: str, tmp_path: Path) -> None:
    """Never guessed: two files without a creation time are two activities (by content, as
    before). Without a serial number, or a product too (the FIT SDK's, a third-party app's
    files), the creation time and the start still tell the recording: such a run imported
    twice from two copies was stored twice, its load counted twice."""
    variants = {"whole": ({}, 1), "no serial": ({"serial_number": None}, 1),
                "no serial, no product": ({"serial_number": None, "product": None}, 1),
                "no time created": ({"time_created": None}, 2)}
    paths = []
    for day, (name, (file_id, _)) in enumerate(variants.items()):
        for seed in (1, 2):
            paths.append(tmp_path / f"{name} {seed}.fit")
            paths[-1].write_bytes(_recording(seed, T0 + timedelta(days=day), **file_id))
    db = open_db(db_url)
    import_paths(db, RawStore(tmp_path / "raw"), P, paths, workers=1)
    with db() as s:
        starts = list(s.scalars(select(m.Activity.start_utc)))
    assert {name: starts.count(T0 + timedelta(days=day))
            for day, name in enumerate(variants)} == {
        name: stored for name, (_, stored) in variants.items()}


def test_an_import_run_again_over_a_folder_adds_nothing(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file not stored (its recording is, from the other file) is read again, and named
    again, but journalled once: the journal grew a line each time."""
    _new_athlete(home, monkeypatch)
    folder = _triathlon(tmp_path / "both", "first", "last")
    assert _cli("import", str(folder))[0] == 0
    journal = (home / "raw" / "journal" / "anna.jsonl").read_text()
    stored = _facts()
    for _ in range(2):
        code, out = _cli("import", "--json", str(folder))
        assert (code, json.loads(out)) == (0, {
            "imported": 0, "duplicates": 2, "skipped": 0, "failed": [], "same_recording": [
                {"path": str(folder / "triathlon_summary_last.fit"),
                 "same_as": "triathlon_summary_first.fit", "day": "2023-09-02"}]})
    assert (home / "raw" / "journal" / "anna.jsonl").read_text() == journal
    assert _facts() == stored
    assert _cli("db", "check")[0] == 0


@pytest.mark.parametrize("product", [1, None])
def test_a_converters_batch_of_runs_with_one_file_id_is_every_run(
        db_url: str, tmp_path: Path, product: int | None) -> None:
    """A converter (TCX/GPX to FIT, an app's bulk export) may write one file_id for all it
    converts: its own maker and product, no serial number, the second it converted as the
    creation time. Runs of other starts are other activities, never one recording: each is
    stored, in one batch, in a later import and rebuilt alike (a false match lost runs
    silently). Two of them the same day (a run, and another that evening) too, with no
    product either."""
    converted = {"manufacturer": "development", "product": product, "serial_number": None,
                 "time_created": datetime(2025, 6, 1, 12, 0, tzinfo=UTC)}
    days = [T0 + timedelta(days=n // 2, hours=10 * (n % 2)) for n in range(4)]
    paths = []
    for n, start in enumerate(days):
        paths.append(tmp_path / f"run{n}.fit")
        paths[-1].write_bytes(_recording(n, start, **converted))
    db, raw = open_db(db_url), RawStore(tmp_path / "raw")
    first = import_paths(db, raw, P, paths[:3], workers=2)
    later = import_paths(db, raw, P, paths[3:], workers=1)
    assert (first.imported, first.same_recording, later.imported, later.same_recording) == (
        3, [], 1, [])
    with db() as s:
        assert sorted(s.scalars(select(m.Activity.start_utc))) == days
    stored = table_contents(db)
    rebuild(db, raw, P)
    assert table_contents(db) == stored


def _watch_run_imported(store: WaitStore, tmp_path: Path) -> tuple[bytes, FakeGarmin]:
    """The watch's file of a 2 h run imported, and Garmin listing that run as activity 501."""
    watch = run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7)
    (tmp_path / "watch.fit").write_bytes(watch)
    assert import_paths(store.db, store.raw, P, [tmp_path / "watch.fit"], workers=1).imported
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    return watch, fake


def test_a_connect_download_of_a_recording_imported_from_the_watch_is_that_activity(
        db_url: str, tmp_path: Path) -> None:
    """The watch's folder imported, then Garmin Connect's download of the same recording
    (other bytes): the stored row gains the Garmin id and Garmin's summary, as for a copy of
    its content; no second row. Rebuilt, the same rows."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    watch, fake = _watch_run_imported(store, tmp_path)
    connect = extract_fit(fake.downloads[501]) or b""
    assert sha256(connect) != sha256(watch)
    assert fit.decode(connect)[0].recording == fit.decode(watch)[0].recording
    report = store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    assert (report.new, report.already_stored) == (0, 1)
    named = [{"path": "Garmin activity 501", "same_as": "watch.fit",
              "day": LONG_RUN.date().isoformat()}]  # as `import` names it
    assert report.same_recording == report.as_json()["activities"]["same_recording"] == named
    [row] = store.rows()
    assert (row.content_hash, row.garmin_id, row.name, row.te_label) == (
        sha256(watch), 501, "Activity 501", "AEROBIC_BASE")
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_a_watch_file_of_a_recording_synced_from_garmin_connect_is_not_stored_again(
        db_url: str, tmp_path: Path) -> None:
    """The other way round: synced first, the watch's file is named as Garmin's activity."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    (tmp_path / "watch.fit").write_bytes(run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7))
    report = import_paths(store.db, store.raw, P, [tmp_path / "watch.fit"], workers=1)
    assert (report.imported, report.duplicates, report.same_recording) == (0, 1, [
        {"path": str(tmp_path / "watch.fit"), "same_as": "Garmin activity 501",
         "day": LONG_RUN.date().isoformat()}])
    assert [row.garmin_id for row in store.rows()] == [501]


def test_a_database_from_before_0015_keeps_its_doubles_until_a_rebuild(
        db_url: str, tmp_path: Path) -> None:
    """Stored before recordings were known, both files of a recording stay (the migration
    reads no files: NULL); `db rebuild` reads them from the raw store and keeps the first."""
    raw, db = RawStore(tmp_path / "raw"), open_db(db_url)
    first, second = _recording(1), _recording(2)
    (tmp_path / "first.fit").write_bytes(first)
    import_paths(db, raw, P, [tmp_path / "first.fit"], workers=1)
    raw.put(second)  # the second file as the code before stored it: journalled, and stored
    raw.record(P.name, {"kind": "fit", "hash": sha256(second), "name": "second.fit"})
    with transaction(db) as s:
        unknown = [replace(act, recording=None) for act in fit.decode(second)]
        assert repo.save_activities(s, repo.athlete(s, P), unknown, sha256(second)).new == 1
    engine = make_engine(db_url)
    _downgrade(engine, "0014")
    upgrade(engine)
    with db() as s:
        assert list(s.execute(select(m.Activity.content_hash, m.Activity.recording)
                              .order_by(m.Activity.id))) == [
            (sha256(first), None), (sha256(second), None)]
    rebuild(db, raw, P)
    with db() as s:
        assert list(s.execute(select(m.Activity.content_hash, m.Activity.recording))) == [
            (sha256(first), fit.decode(first)[0].recording)]


def _sync_after_import(path: Path, monkeypatch: pytest.MonkeyPatch, seed: int,
                      file_id: dict[str, object] | None = None) -> str:
    """A 2 h run imported by `import` from `path` (written with `seed`, `file_id`), then
    `sync` of its day from a Garmin listing it as activity 501: what the sync says."""
    monkeypatch.setenv(garmin.ENV_PACE, "0")
    assert runner.invoke(app, INIT).exit_code == 0
    garmin_login.save_tokens(load().paths.tokens_dir("anna"), json.dumps({"di_token": "x"}))
    path.write_bytes(run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=seed, file_id=file_id))
    assert _cli("import", str(path))[0] == 0
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    day = LONG_RUN.date().isoformat()
    with mocked(fake):
        code, out = _cli("sync", "--since", day, "--until", day)
    assert code == 0, out
    return out


def test_sync_names_a_download_of_a_recording_imported_from_the_watch_as_import_does(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stridelift sync` counts Connect's download of a recording imported from the watch
    among those already stored, and names it under them in the import's words."""
    out = _sync_after_import(tmp_path / "watch.fit", monkeypatch, seed=7)
    assert "0 new activities (0 without a FIT file), 1 already stored;" in out
    assert "  Garmin activity 501: the same recording as watch.fit (stored, Sun 09 Mar 2025), " \
        "not stored again\n" in out


def test_a_serial_less_file_synced_from_garmin_after_its_copy_was_imported_is_one_run(
        db_url: str, tmp_path: Path) -> None:
    """A third-party app's file (no serial number, no product in its file_id) imported, and
    Garmin Connect's copy of it (other bytes) synced: one row, which gains the Garmin id;
    stored twice before, the day's load doubled."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    app_file = {"manufacturer": "development", "product": None, "serial_number": None}
    mine = run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7, file_id=app_file)
    (tmp_path / "app.fit").write_bytes(mine)
    assert import_paths(store.db, store.raw, P, [tmp_path / "app.fit"], workers=1).imported
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    fake.downloads[501] = zipped("501_ACTIVITY.fit", run_fit(
        LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=8, file_id=app_file))
    report = store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    assert (report.new, report.already_stored) == (0, 1)
    assert [(row.content_hash, row.garmin_id) for row in store.rows()] == [(sha256(mine), 501)]


SDK_COPIES = ("HrmPluginTestActivity.fit", "WithGearChangeData.fit")
SDK_EXAMPLES = ("Activity.fit", "activity_poolswim.fit")  # one second, one start, two serials


@pytest.mark.parametrize("batches", ["one import", "two imports"])
def test_the_fit_sdks_serial_less_copies_of_watch_files_are_those_activities(
        db_url: str, tmp_path: Path, batches: str) -> None:
    """The FIT SDK's re-encoded copies of two watch files (fit-python-sdk/: the maker,
    product, creation time, start, sport, timer time to the second and record times of the
    watch's; no serial number) were stored beside them, their load counted twice. Each is
    the watch's activity now, in one import or two; the SDK's two example activities
    written in one second from one start, told apart by their serial numbers alone, stay
    two. Rebuilt, the same rows."""
    folder = shared_fixture("fit")
    watch = [folder / "fit" / name for name in SDK_COPIES]
    copies = [folder / "fit-python-sdk" / name for name in SDK_COPIES]
    examples = [folder / "fit" / name for name in SDK_EXAMPLES]
    db, raw = open_db(db_url), RawStore(tmp_path / "raw")
    if batches == "one import":
        report = import_paths(db, raw, P, [*watch, *copies, *examples], workers=1)
        assert (report.imported, report.duplicates) == (4, 2)
    else:
        assert import_paths(db, raw, P, [*watch, *examples], workers=1).imported == 4
        report = import_paths(db, raw, P, copies, workers=1)
        assert (report.imported, report.duplicates) == (0, 2)
    assert [one["path"] for one in report.same_recording] == [str(path) for path in copies]
    with db() as s:
        hashes = [h or "" for h in s.scalars(select(m.Activity.content_hash))]  # none is None
        assert sorted(hashes) == sorted(
            sha256(path.read_bytes()) for path in [*watch, *examples])
    stored = table_contents(db)
    rebuild(db, raw, P)
    assert table_contents(db) == stored


def _hashes(db: sessionmaker[Session]) -> list[str]:
    with db() as s:
        return sorted(h or "" for h in s.scalars(select(m.Activity.content_hash)))


@pytest.mark.parametrize("batches", ["one import", "two imports"])
def test_a_serial_less_copy_stored_first_never_makes_two_watches_files_one(
        db_url: str, tmp_path: Path, batches: str) -> None:
    """A serial-less copy stored first may be any watch's of its model: the files of two
    watches of one model started in one second (one sport, one timer time), imported after
    it, were both taken for it, the second watch's activity lost (never two serial numbers,
    as when the watches' files come first). The first watch's file takes the copy's place,
    the second's is stored: both watches' files, never a loss; the FIT SDK's copies, first,
    give way to the watch files the same (in one import, each copy is said to be the same
    recording as its watch's file, not imported). Rebuilt, the same rows."""
    folder = shared_fixture("fit")
    files = {"copy.fit": _recording(1, serial_number=None),
             "watch 1.fit": _recording(2, serial_number=1),
             "watch 2.fit": _recording(3, serial_number=2)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    watch = [folder / "fit" / name for name in SDK_COPIES] + [
        tmp_path / name for name in files if name != "copy.fit"]
    paths = [folder / "fit-python-sdk" / name for name in SDK_COPIES] + [
        folder / "fit" / name for name in SDK_COPIES] + [tmp_path / name for name in files]
    db, raw = open_db(db_url), RawStore(tmp_path / "raw")
    if batches == "one import":  # each copy the same recording as the file after it
        [report] = [import_paths(db, raw, P, paths, workers=1)]
        assert (report.imported, report.duplicates) == (4, 3)
        assert [(one["path"], one["same_as"]) for one in report.same_recording] == [
            (str(copy), str(file)) for copy, file in zip(
                [*paths[:2], tmp_path / "copy.fit"], watch[:3], strict=True)]
    else:  # each copy stored, then replaced
        reports = [import_paths(db, raw, P, [path], workers=1) for path in paths]
        assert sum(report.imported for report in reports) == len(paths)
        assert [one for report in reports for one in report.same_recording] == []
    assert _hashes(db) == sorted(sha256(path.read_bytes()) for path in watch)
    stored = table_contents(db)
    rebuild(db, raw, P)
    assert table_contents(db) == stored


def test_a_serial_less_copy_imported_before_the_watchs_file_gives_way_to_it(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run imported from an app's serial-less copy, then from the watch's file: one
    activity, the watch's file in the copy's row (its id kept), the day's load counted once
    (twice before); rebuilt, the same; `db check` finds nothing missing."""
    _new_athlete(tmp_path / "one", monkeypatch)
    (tmp_path / "alone.fit").write_bytes(_recording(1))
    assert _cli("import", str(tmp_path / "alone.fit"))[0] == 0
    alone = _atl(T0.date())
    _new_athlete(home, monkeypatch)
    (tmp_path / "copy.fit").write_bytes(_recording(2, serial_number=None))
    assert _cli("import", str(tmp_path / "copy.fit"))[0] == 0
    with open_db(load().database_url())() as s:
        copy_id = s.scalars(select(m.Activity.id)).one()
    _atl(T0.date())  # analysed with the copy
    code, out = _cli("import", "--json", str(tmp_path / "alone.fit"))
    assert (code, json.loads(out)["imported"]) == (0, 1)
    assert _rows() == [(sha256((tmp_path / "alone.fit").read_bytes()), 0,
                        "garmin:fr965:3900000001:2025-05-03T07:00:00Z:2025-05-03T07:00:00Z")]
    with open_db(load().database_url())() as s:
        assert s.scalars(select(m.Activity.id)).one() == copy_id
    assert _atl(T0.date()) == pytest.approx(alone) and alone > 0
    facts = _facts()
    assert _cli("db", "rebuild")[0] == 0
    assert _facts() == facts
    code, out = _cli("db", "check")
    assert code == 0 and "journal fit: 2, missing from the database 0\n" in out, out


def test_a_serial_less_copy_gives_way_only_to_the_watch_file_it_can_be_a_copy_of(
        db_url: str, tmp_path: Path) -> None:
    """Never a guess: a copy stored after the files of two watches (neither's: stored_as)
    may be either's, so a third watch's file of that second leaves it. A copy of another
    timer time or sport than a watch's file is another activity: it stays beside it."""
    db, raw = open_db(db_url), RawStore(tmp_path / "raw")
    day2, day3 = T0 + timedelta(days=1), T0 + timedelta(days=2)
    files = {"watch 1.fit": _recording(1, serial_number=1),
             "watch 2.fit": _recording(2, serial_number=2),
             "copy.fit": _recording(3, serial_number=None),
             "longer copy.fit": run_fit(day2, [LapSpec(2460, 3.0, 145)], seed=4,
                                        file_id={"serial_number": None}),
             "cycling copy.fit": run_fit(day3, [LapSpec(2400, 8.0, 145)], seed=5,
                                         sport="cycling", file_id={"serial_number": None}),
             "watch 3.fit": _recording(6, serial_number=3), "day 2.fit": _recording(7, day2),
             "day 3.fit": _recording(8, day3)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    reports = [import_paths(db, raw, P, [tmp_path / name], workers=1) for name in files]
    assert [(r.imported, r.same_recording) for r in reports] == [(1, [])] * len(files)
    assert _hashes(db) == sorted(sha256(data) for data in files.values())


def test_a_serial_less_copy_synced_from_garmin_after_the_watchs_file_is_that_run(
        db_url: str, tmp_path: Path) -> None:
    """The watch's file imported, then a download of an app's copy of it without the serial
    number (other bytes): one row, which gains the Garmin id; stored twice before."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    watch, fake = _watch_run_imported(store, tmp_path)
    fake.downloads[501] = zipped("501_ACTIVITY.fit", run_fit(
        LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=8, file_id={"serial_number": None}))
    report = store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    assert (report.new, report.already_stored, len(report.same_recording)) == (0, 1, 1)
    assert [(row.content_hash, row.garmin_id) for row in store.rows()] == [(sha256(watch), 501)]


def test_a_watch_file_synced_from_garmin_after_its_serial_less_copy_was_imported_is_that_run(
        db_url: str, tmp_path: Path) -> None:
    """An app's serial-less copy of a run imported, then the watch's file downloaded from
    Garmin Connect: the copy's row takes the watch's file and the Garmin id (stored twice
    before, the day's load doubled). Rebuilt, the same row."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    (tmp_path / "copy.fit").write_bytes(run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=8,
                                                file_id={"serial_number": None}))
    assert import_paths(store.db, store.raw, P, [tmp_path / "copy.fit"], workers=1).imported
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    watch = extract_fit(fake.downloads[501]) or b""
    report = store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    assert (report.new, report.upgraded, report.replaced, report.same_recording) == (
        0, 0, 1, [])  # no summary upgraded
    assert report.counts()["activities_replaced"] == 1
    assert [(row.content_hash, row.garmin_id) for row in store.rows()] == [(sha256(watch), 501)]
    synced = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == synced


def test_sync_says_a_watch_file_took_the_place_of_its_serial_less_copy(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`stridelift sync` downloading the watch's file of a run imported from an app's
    serial-less copy says the file took the copy's place: it said '1 upgraded with their
    late file', of an activity never stored from a summary nor waiting for a file."""
    out = _sync_after_import(tmp_path / "copy.fit", monkeypatch, seed=8,
                             file_id={"serial_number": None})
    assert "anna: 0 new activities (0 without a FIT file), 1 stored from the watch's file in " \
        "place of a serial-less copy, 0 already stored;" in out, out
    assert "upgraded" not in out


def test_a_serial_less_file_is_no_copy_of_two_recordings_nor_of_another_activity(
        db_url: str, tmp_path: Path) -> None:
    """Never a guess: a file without a serial number alike but for it to two stored
    recordings (two serial numbers, the FIT SDK's examples' case) is neither, and one of
    another sport or timer time is not the recording it is alike to: each is stored."""
    day2 = T0 + timedelta(days=1)
    files = {"serial 1.fit": _recording(1, serial_number=1),
             "serial 2.fit": _recording(2, serial_number=2),
             "neither.fit": _recording(3, serial_number=None),
             "day 2.fit": _recording(4, day2),
             "longer.fit": run_fit(day2, [LapSpec(2460, 3.0, 145)], seed=5,
                                   file_id={"serial_number": None}),
             "day 3.fit": _recording(6, T0 + timedelta(days=2)),
             "cycling.fit": run_fit(T0 + timedelta(days=2), [LapSpec(2400, 8.0, 145)], seed=7,
                                    sport="cycling", file_id={"serial_number": None})}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    db = open_db(db_url)
    report = import_paths(db, RawStore(tmp_path / "raw"), P,
                          [tmp_path / name for name in files], workers=1)
    assert (report.imported, report.same_recording) == (len(files), [])


def test_db_check_finds_a_serial_less_copy_not_stored_not_missing(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The FIT SDK's copy of a watch file, imported after it, is journalled and not stored
    (the watch's file is its recording's): `db check` names nothing missing."""
    folder = shared_fixture("fit")
    _new_athlete(home, monkeypatch)
    for copy in ("fit", "fit-python-sdk"):
        assert _cli("import", str(folder / copy / SDK_COPIES[0]))[0] == 0
    code, out = _cli("db", "check")
    assert code == 0 and "journal fit: 2, missing from the database 0\n" in out, out


def _copy_synced(store: WaitStore) -> FakeGarmin:
    """An app's serial-less copy of a 2 h run, synced from Garmin Connect as activity 501."""
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    fake.downloads[501] = zipped("501_ACTIVITY.fit", run_fit(
        LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=8, file_id={"serial_number": None}))
    store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    return fake


def test_a_serial_less_copy_synced_from_garmin_gives_way_to_the_watchs_file_by_hand(
        db_url: str, tmp_path: Path) -> None:
    """A serial-less copy synced as Garmin's activity 501, then the watch's file imported by
    hand: the watch's file takes the copy's row, which keeps the Garmin id and what Garmin's
    summary told (stored beside it before, the day's load doubled); a later sync downloads
    nothing again. Rebuilt, the same row."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    fake = _copy_synced(store)
    [copy] = store.rows()
    watch = run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7)
    (tmp_path / "watch.fit").write_bytes(watch)
    report = import_paths(store.db, store.raw, P, [tmp_path / "watch.fit"], workers=1)
    assert (report.imported, report.same_recording) == (1, [])
    [row] = store.rows()
    assert (row.id, row.content_hash, row.garmin_id, row.name) == (
        copy.id, sha256(watch), 501, "Activity 501")
    store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=3))
    assert sum(c.endswith("/download-service/files/activity/501") for c in fake.calls) == 1
    assert [(one.content_hash, one.garmin_id) for one in store.rows()] == [(sha256(watch), 501)]
    stored = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == stored


def test_a_serial_less_copy_of_one_garmin_id_never_gives_way_to_a_file_of_another(
        db_url: str, tmp_path: Path) -> None:
    """Never two Garmin activities made one: the watch's file synced as another Garmin id
    (502) than the copy's (501) is stored beside it."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    fake = _copy_synced(store)
    fake.add_run(502, LONG_RUN, minutes=120)
    fake.downloads[502] = zipped("502_ACTIVITY.fit", run_fit(
        LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7))
    store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    assert sorted(row.garmin_id or 0 for row in store.rows()) == [501, 502]


@pytest.mark.parametrize("as_json", [False, True])
def test_one_import_of_copies_and_their_watchs_file_says_what_it_stored(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool) -> None:
    """Two apps' serial-less copies of a run and then the watch's file, in one import: the
    watch's file is stored, in the copies' place. It said 2 imported (the first copy and the
    watch's file) for one row stored, the second copy 'the same recording as' the first,
    never stored; now 1 imported, each copy the same recording as the watch's file."""
    _new_athlete(home, monkeypatch)
    files = {"copy 1.fit": _recording(1, serial_number=None),
             "copy 2.fit": _recording(2, serial_number=None), "watch.fit": _recording(3)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    code, out = _cli("import", *(["--json"] if as_json else []),
                     *(str(tmp_path / name) for name in files))
    assert code == 0, out
    watch = files["watch.fit"]
    assert _rows() == [(sha256(watch), 0, fit.decode(watch)[0].recording)]
    same = [{"path": str(tmp_path / name), "same_as": str(tmp_path / "watch.fit"),
             "day": T0.date().isoformat()} for name in ("copy 1.fit", "copy 2.fit")]
    if as_json:
        report = json.loads(out)
        assert (report["imported"], report["duplicates"], report["same_recording"]) == (
            1, 2, same)
    else:
        assert out.startswith("imported 1, duplicates 2, not activities 0, failed 0\n"), out
        assert out.count(f"the same recording as {tmp_path / 'watch.fit'} (stored, ") == 2, out



def test_one_import_of_a_copy_and_its_watchs_file_over_a_garmin_summary_says_what_it_stored(
        db_url: str, tmp_path: Path) -> None:
    """A run stored from Garmin's summary (501, its file awaited), then one import of an
    app's serial-less copy and the watch's file: the copy takes the summary's row, the
    watch's file the copy's. It said 2 imported for one row stored; now 1 imported, the copy
    the same recording as the watch's file. Rebuilt, the same row."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    fake = FakeGarmin()
    fake.add_run(501, LONG_RUN, minutes=120)
    del fake.downloads[501]  # not processed yet: stored from its summary
    store.sync(fake, today=LONG_RUN.date(), since=LONG_RUN.date() - timedelta(days=1))
    files = {"copy.fit": run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=8,
                                 file_id={"serial_number": None}),
             "watch.fit": run_fit(LONG_RUN, [LapSpec(7200, 3.0, 145)], seed=7)}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = import_paths(store.db, store.raw, P, [tmp_path / name for name in files],
                          workers=1)
    assert (report.imported, report.duplicates, report.same_recording) == (1, 1, [
        {"path": str(tmp_path / "copy.fit"), "same_as": str(tmp_path / "watch.fit"),
         "day": LONG_RUN.date().isoformat()}])
    assert [(row.content_hash, row.garmin_id, row.name) for row in store.rows()] == [
        (sha256(files["watch.fit"]), 501, "Activity 501")]
    stored = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == stored


def test_a_multisport_copy_synced_from_garmin_keeps_its_summary_on_every_leg_for_its_watchs_file(
        db_url: str, tmp_path: Path) -> None:
    """A serial-less copy of a duathlon race synced as Garmin's 501 (a sync puts the summary's
    name and race flag on every leg), then the watch's file by hand: every leg keeps them, as
    a sync of the watch's file stores it. The second leg lost them (its row holds no id).
    Rebuilt, the same rows."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    fake = FakeGarmin()
    fake.items.append(list_item(501, T0, "multi_sport", 60, eventType={"typeKey": "race"}))
    fake.downloads[501] = zipped("501_ACTIVITY.fit", _duathlon(1, serial_number=None))
    store.sync(fake, today=T0.date(), since=T0.date() - timedelta(days=1))
    (tmp_path / "watch.fit").write_bytes(_duathlon(2))
    assert import_paths(store.db, store.raw, P, [tmp_path / "watch.fit"], workers=1).imported
    assert [(row.content_hash, row.garmin_id, row.name, row.is_race)
            for row in store.rows()] == [
        (sha256(_duathlon(2)), 501, "Activity 501", True),
        (sha256(_duathlon(2)), None, "Activity 501", True)]
    stored = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == stored


def _duathlon(seed: int, **file_id: object) -> bytes:
    return multisport_fit(T0, [LegSpec("running", [LapSpec(1200, 3.0, 150)]),
                               LegSpec("cycling", [LapSpec(2400, 8.0, 145)])],
                          seed=seed, file_id=file_id or None)


@pytest.mark.parametrize("watch_id", [None, 501], ids=["by hand", "synced as 501"])
def test_a_multisport_copy_holding_its_parents_garmin_id_and_its_watchs_file_are_one(
        db_url: str, tmp_path: Path, watch_id: int | None) -> None:
    """A serial-less copy of a duathlon stored from Garmin's parent activity 501 (its id on
    the first leg, as a sync stores it), then the watch's file. By hand: the watch's file
    takes the copy's rows, 501 kept on the first. With that id (no sync downloads an id
    stored from its file again; the store must not double it all the same): the file is the
    id's activity, each leg a duplicate (the second leg was stored again, the first found by
    the id). Each leg once."""
    db, raw = open_db(db_url), RawStore(tmp_path / "raw")
    copy, watch = _duathlon(1, serial_number=None), _duathlon(2)
    with transaction(db) as s:
        who = repo.athlete(s, P)
        assert repo.save_activities(s, who, fit.decode(copy), sha256(copy), 501).new == 2
    if watch_id is None:
        (tmp_path / "watch.fit").write_bytes(watch)
        assert import_paths(db, raw, P, [tmp_path / "watch.fit"], workers=1).imported == 1
    else:
        with transaction(db) as s:
            saved = repo.save_activities(s, repo.athlete(s, P), fit.decode(watch),
                                         sha256(watch), watch_id)
            assert (saved.new, saved.duplicates) == (0, 2)
    kept = sha256(watch if watch_id is None else copy)
    with db() as s:
        assert list(s.execute(select(m.Activity.content_hash, m.Activity.session_index,
                                     m.Activity.garmin_id).order_by(m.Activity.id))) == [
            (kept, 0, 501), (kept, 1, None)]



@pytest.mark.parametrize("kind", ["multi_sport", "running"])
def test_a_summary_awaiting_its_file_a_copy_by_hand_then_the_watchs_file_are_one_activity(
        db_url: str, tmp_path: Path, kind: str) -> None:
    """Garmin's 501 synced while its file was not there yet (its summary stored, awaiting
    it; Garmin's start 5 s before the file's), then a serial-less copy imported by hand (not
    the summary's start: stored beside it), then the watch's file synced as 501: the file
    refilled the summary's row and its copy stayed, the activity stored twice (a duathlon's
    legs four rows). The watch's file takes the copy's rows, 501 on the first; the summary
    goes. Rebuilt, the same rows."""
    store = WaitStore(open_db(db_url), RawStore(tmp_path / "raw"))
    copy, watch = ((_duathlon(1, serial_number=None), _duathlon(2)) if kind == "multi_sport"
                   else (_recording(1, serial_number=None), _recording(2)))
    fake = FakeGarmin()
    fake.items.append(list_item(501, T0 - timedelta(seconds=5), kind, 60))  # no file yet
    store.sync(fake, today=T0.date(), since=T0.date() - timedelta(days=1))
    (tmp_path / "copy.fit").write_bytes(copy)
    assert import_paths(store.db, store.raw, P, [tmp_path / "copy.fit"], workers=1).imported
    assert next((row.content_hash, row.awaits_file) for row in store.rows()) == (None, True)
    fake.downloads[501] = zipped("501_ACTIVITY.fit", watch)
    store.sync(fake, today=T0.date(), since=T0.date() - timedelta(days=1))
    legs = len(fit.decode(watch))
    assert [(row.content_hash, row.session_index, row.garmin_id, row.name)
            for row in store.rows()] == [(sha256(watch), leg, 501 if leg == 0 else None,
                                          "Activity 501") for leg in range(legs)]
    stored = table_contents(store.db)
    rebuild(store.db, store.raw, P)
    assert table_contents(store.db) == stored
