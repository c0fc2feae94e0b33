"""The analysis job and its commands: stored results, recompute only what changed, the CLI."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event, select
from typer.testing import CliRunner

from analysis.classify import label_kind
from analysis.recovery import WellnessColumns, recovery_frame, recovery_statuses
from db import models as m
from db import repo, wellness_days
from db.session import open_db, transaction
from demo.fitwrite import LapSpec, SetSpec, run_fit, strength_fit
from domain.profile import Profile
from domain.wellness import WORDS, DailyWellness
from ingest import fit
from ingest.garmin_activity import activity_from_summary
from jobs.analyse import analyse, classify_one
from jobs.analyse import statuses as jobs_statuses
from jobs.config import load
from stridelift.cli import app
from tests.conftest import shared_fixture

runner = CliRunner()
P = Profile(name="anna", tz="Europe/Berlin", sex="f", max_hr=190, rest_hr=50, threshold_hr=170,
            runs={"sat": "long"})
T0 = datetime(2025, 4, 1, 6, 0, tzinfo=UTC)
INIT = ["init", "--non-interactive", "--name", "anna", "--tz", "Europe/Berlin", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--threshold-hr", "170", "--runs", "sat=long"]


def _intervals() -> bytes:
    laps = [LapSpec(600, 2.8, 135, "warmup")]
    laps += [LapSpec(180, 4.6, 174, "interval"), LapSpec(120, 2.4, 135, "recovery")] * 5
    return run_fit(T0 + timedelta(days=1), laps, seed=1)


def _store(db_url: str, files: list[bytes]) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        who = repo.athlete(s, P)
        for i, data in enumerate(files):
            repo.save_activities(s, who, fit.decode(data), content_hash=f"{i:064d}")


def test_analyse_stores_classes_and_days_and_redoes_only_what_changed(db_url: str) -> None:
    _store(db_url, [run_fit(T0, [LapSpec(2400, 3.0, 149)]), _intervals(),
                    strength_fit(T0 + timedelta(days=2), [SetSpec("squat", None, 6, 50, 40)])])
    factory = open_db(db_url)
    until = date(2025, 4, 5)
    with transaction(factory) as s:
        first = analyse(s, P, until)
    assert (first.classified, first.unchanged, first.days_written) == (3, 0, 5)
    with factory() as s:
        kinds = {rc.kind for rc in s.scalars(select(m.RunClass))}
        series = {rc.load_series for rc in s.scalars(select(m.RunClass))}
        days = {d.day: d for d in s.scalars(select(m.DailyStatus))}
    assert kinds == {"easy", "speed", "strength"} and series == {"endurance", "strength"}
    assert days[date(2025, 4, 3)].strength_load > 0
    assert days[date(2025, 4, 1)].endurance_load > 0 and days[date(2025, 4, 2)].endurance_load > 0
    assert days[date(2025, 4, 4)].endurance_load == 0 and (days[date(2025, 4, 4)].atl or 0) > 0
    assert days[date(2025, 4, 5)].reasons  # a status even with no wellness data
    with transaction(factory) as s:
        again = analyse(s, P, until)
    assert (again.classified, again.unchanged, again.days_written) == (0, 3, 0)
    with transaction(factory) as s:  # a new profile value changes every fingerprint
        changed = analyse(s, Profile(**{**P.__dict__, "threshold_hr": 160}), until)
    assert changed.classified == 3


def test_a_new_wellness_day_rewrites_only_the_days_it_touches(db_url: str) -> None:
    _store(db_url, [run_fit(T0, [LapSpec(2400, 3.0, 149)])])
    factory = open_db(db_url)
    with transaction(factory) as s:
        analyse(s, P, date(2025, 4, 10))
        wellness_days.save_wellness(s, repo.athlete(s, P), DailyWellness(day=date(2025, 4, 10),
                                                                sleep_score=40))
    with transaction(factory) as s:
        report = analyse(s, P, date(2025, 4, 10))
    assert report.days_written == 1
    with factory() as s:
        day = s.scalar(select(m.DailyStatus).where(m.DailyStatus.day == date(2025, 4, 10)))
        assert day is not None and day.level == "amber"
        assert any("sleep score 40" in r for r in day.reasons)


def test_wellness_columns_from_the_database_decide_as_the_records_do(db_url: str) -> None:
    """The analysis job reads wellness as columns (one select, no ORM objects); the same
    days read as DailyWellness records and turned into columns decide exactly alike."""
    _store(db_url, [run_fit(T0, [LapSpec(2400, 3.0, 149)])])
    first, until = date(2025, 3, 10), date(2025, 4, 3)
    factory = open_db(db_url)
    with transaction(factory) as s:
        who = repo.athlete(s, P)
        for i in range((until - first).days + 1):
            wellness_days.save_wellness(s, who, DailyWellness(
                day=first + timedelta(days=i),
                hrv_last_night=None if i % 9 == 4 else 50.0 + (i * 7) % 11,
                hrv_status=[" balanced", "LOW", None][i % 3] if i > 20 else "BALANCED",
                readiness_level=["HIGH", "low", None, "PRIME", "?"][i % 5],
                sleep_score=None if i == 22 else 55 + i % 30,
                resting_hr=0 if i == 23 else 48 + i % 4))
        other = repo.athlete(s, Profile(**{**P.__dict__, "name": "ben"}))
        wellness_days.save_wellness(s, other, DailyWellness(day=until, sleep_score=10))
    with transaction(factory) as s:
        analyse(s, P, until)
    with factory() as s:
        who = repo.athlete(s, P)
        columns = wellness_days.wellness_columns(s, who, first, until)
        records = wellness_days.wellness(s, who, first, until)
        assert columns.day.tolist() == [w.day for w in records] and len(records) == 25
        assert columns.sleep_score[21] == 55 + 21 and np.isnan(columns.sleep_score[22])
        assert columns.readiness_level.tolist()[:3] == ["HIGH", "low", None]
        load, statuses = jobs_statuses(s, who, until)
        stored = {d.day: d for d in s.scalars(select(m.DailyStatus)
                                              .where(m.DailyStatus.athlete_id == who.id))}
    start = until - timedelta(days=4)  # a few days, with a baseline behind them
    from_records = recovery_frame(WellnessColumns.from_days(records), load, start, until)
    pd.testing.assert_frame_equal(recovery_frame(columns, load, start, until), from_records)
    assert statuses == recovery_statuses(records, load, first, until)
    assert [stored[x.day].level for x in statuses] == [x.level for x in statuses]
    assert from_records["level"].tolist() == [x.level for x in statuses[-5:]]
    # readiness "low" is amber, HRV status LOW red; " balanced" cleaned, "?" kept but judged
    # as no readiness, 0 bpm missing
    assert from_records["level"].tolist() == ["green", "amber", "red", "green", "green"]
    assert from_records["hrv_status"].tolist()[-1] == "BALANCED"
    assert from_records["readiness_level"].tolist()[-1] == "?"
    assert from_records["readiness_level"].isna().tolist() == [False, False, True, False, False]
    assert "training readiness (unknown level ?)" in statuses[-1].missing
    assert not np.isnan(from_records["band_low"]).any()


def test_garmins_words_come_from_the_select_as_numbers(db_url: str) -> None:
    """Garmin's own words are mapped to numbers in SQL (no text object a day); a column with
    any other word stored is read as the texts stored, the other column still as numbers."""
    factory = open_db(db_url)
    first = date(2026, 3, 1)
    with transaction(factory) as s:
        who = repo.athlete(s, P)
        for i, (status, level) in enumerate([("LOW", "PRIME"), (None, "Prime "),
                                             ("BALANCED", None)]):
            wellness_days.save_wellness(s, who, DailyWellness(
                day=first + timedelta(days=i), hrv_status=status, readiness_level=level))
    with factory() as s:
        columns = wellness_days.wellness_columns(s, repo.athlete(s, P), first,
                                                 first + timedelta(days=2))
    assert columns.hrv_status.names == WORDS["hrv_status"]
    assert columns.hrv_status.tolist() == ["LOW", None, "BALANCED"]
    assert columns.readiness_level.names == ("PRIME", "Prime ")
    assert columns.readiness_level.tolist() == ["PRIME", "Prime ", None]


def test_a_day_synced_while_the_words_are_read_again_is_read_whole(db_url: str) -> None:
    """A word Garmin does not write makes the select read again; a day a sync commits between
    the two reads (a read outside a transaction, PostgreSQL's READ COMMITTED) was in the
    texts read again, not in the other columns: 'every wellness column must have one value
    per day'. Every column comes from the one select read again."""
    factory = open_db(db_url)
    first = date(2026, 3, 1)
    with transaction(factory) as s:
        who = repo.athlete(s, P)
        wellness_days.save_wellness(s, who, DailyWellness(day=first, hrv_last_night=50.0,
                                                          readiness_level="Prime "))
    engine = factory.kw["bind"]
    reads: list[str] = []  # the read's statements, not the sync's
    syncing = False

    def sync_meanwhile(*args: object) -> None:
        nonlocal syncing
        if syncing:
            return
        reads.append(str(args[2]))
        if len(reads) == 1:  # after the first read of the wellness: a sync commits a day
            syncing = True
            with transaction(factory) as sync:
                wellness_days.save_wellness(sync, repo.athlete(sync, P), DailyWellness(
                    day=first + timedelta(days=1), hrv_last_night=60.0, readiness_level="LOW"))
            syncing = False
    with factory() as s:
        who = repo.athlete(s, P)
        event.listen(engine, "after_cursor_execute", sync_meanwhile)
        try:
            columns = wellness_days.wellness_columns(s, who, first, first + timedelta(days=1))
        finally:
            event.remove(engine, "after_cursor_execute", sync_meanwhile)
    assert len(reads) == 2 and all("FROM wellness" in read for read in reads)
    assert columns.day.tolist() == [first, first + timedelta(days=1)]
    assert columns.hrv_last_night.tolist() == [50.0, 60.0]
    assert columns.readiness_level.tolist() == ["Prime ", "LOW"]


def test_classify_a_file_without_any_setup(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "intervals.fit"
    path.write_bytes(_intervals())
    result = runner.invoke(app, ["classify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [run] = json.loads(result.stdout)
    assert run["kind"] == "speed" and run["fatigue"] == "high" and run["sport"] == "running"
    assert {"start", "duration_s", "distance_m", "reasons"} <= set(run)
    assert any("generic max HR 190" in r for r in run["reasons"])
    text = runner.invoke(app, ["classify", str(path)])
    assert "speed" in text.output and "worklaps" in "".join(text.output.split())


def test_classify_uses_the_profile_when_there_is_one(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, INIT).exit_code == 0
    path = tmp_path / "easy.fit"
    path.write_bytes(run_fit(T0, [LapSpec(2400, 3.0, 149)]))
    [run] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    assert any("% of threshold HR 170" in r for r in run["reasons"])


def test_classify_bad_input(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.fit"
    broken.write_bytes(b"\x0e\x10garbage")
    for args, code, words in [([str(broken)], 1, "broken.fit"),
                              ([str(tmp_path / "none.fit")], 1, "no such file or folder"),
                              ([], 2, "give FIT files or folders, or --activity")]:
        result = runner.invoke(app, ["classify", *args])
        assert result.exit_code == code and words in result.output, result.output
        assert "Traceback" not in result.output


def test_damaged_stored_samples_are_one_line_with_the_repair(home: Path,
                                                             tmp_path: Path) -> None:
    """A stream blob damaged in the database (disk, a hand edit) names the activity and
    `db rebuild`, exit 1, no traceback; the rebuild brings the samples back."""
    assert runner.invoke(app, INIT).exit_code == 0
    (tmp_path / "a.fit").write_bytes(_intervals())
    assert runner.invoke(app, ["import", str(tmp_path)]).exit_code == 0
    with transaction(open_db(load().database_url())) as s:
        stream = s.scalars(select(m.Stream)).one()
        heart_rate = stream.heart_rate
        assert heart_rate is not None
        stream.heart_rate = heart_rate[: len(heart_rate) // 2]
        activity_id = stream.activity_id
    damaged = runner.invoke(app, ["classify", "--activity", str(activity_id)])
    assert damaged.exit_code == 1 and "Traceback" not in damaged.output
    assert f"activity {activity_id} of 2025-" in damaged.output
    assert "damaged" in damaged.output and "stridelift db rebuild" in damaged.output
    assert len(damaged.output.strip().splitlines()) == 1

    assert runner.invoke(app, ["db", "rebuild"]).exit_code == 0
    with open_db(load().database_url())() as s:
        rebuilt = s.scalars(select(m.Activity.id)).one()
    [run] = json.loads(runner.invoke(app, ["classify", "--activity", str(rebuilt),
                                           "--json"]).stdout)
    assert run["kind"] == "speed"


def test_classify_a_stored_activity_and_status(home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, INIT).exit_code == 0
    (tmp_path / "a.fit").write_bytes(_intervals())
    assert runner.invoke(app, ["import", str(tmp_path)]).exit_code == 0
    with open_db(load().database_url())() as s:
        activity_id = s.scalars(select(m.Activity.id)).one()
    [run] = json.loads(runner.invoke(app, ["classify", "--activity", str(activity_id),
                                           "--json"]).stdout)
    assert run["kind"] == "speed"
    missing = runner.invoke(app, ["classify", "--activity", "999"])
    assert missing.exit_code == 1 and "no activity 999" in missing.output

    result = runner.invoke(app, ["status", "--date", "2025-04-03", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["date"] == "2025-04-03"
    assert out["recovery"]["level"] in ("green", "amber", "red")
    assert "no recovery data: planning on load alone" in out["recovery"]["reasons"]
    assert out["load"]["atl"] > 0 and set(out["load"]) >= {"atl", "ctl", "tsb", "acwr"}
    bad = runner.invoke(app, ["status", "--date", "tomorrow"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    with open_db(load().database_url())() as s:
        first = s.scalars(select(m.Activity.local_date)).one()
    before = runner.invoke(app, ["status", "--date", "2000-01-01"])  # says why there is none
    assert before.exit_code == 1 and f"history starts on {first:%a %d %b %Y}" in before.stderr


def test_every_running_fixture_file_gets_a_kind_and_reasons() -> None:
    folder = shared_fixture("fit")
    runs = 0
    for path in sorted(folder.rglob("*.fit")):
        try:
            activities = fit.decode(path.read_bytes(), path.name)
        except fit.FitError:
            continue
        for a in activities:
            if a.is_run:
                c, load = classify_one(a, P, [])
                assert c.kind in ("race", "speed", "threshold", "long", "easy", "recovery")
                assert c.reasons and all(isinstance(r, str) and r for r in c.reasons)
                assert load.value >= 0 and load.reason
                runs += 1
    assert runs >= 10


def test_agreement_with_garmins_labels_on_recorded_activities(
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = shared_fixture("garmin-connect", "activity-list")
    pairs = []
    for path in sorted(folder.glob("*.json")):
        body = json.loads(path.read_text())["body"]
        for item in body if isinstance(body, list) else []:
            label = item.get("trainingEffectLabel")
            if "startTimeGMT" not in item:  # the fitness-stats list has another shape
                continue
            activity = activity_from_summary(item)
            if label and activity.is_run:
                # Judge without the label, so that agreement means something.
                ours = classify_one(activity, P, [])[0].kind
                pairs.append((label_kind(label), ours))
    assert pairs
    agree = sum(theirs == ours for theirs, ours in pairs)
    with capsys.disabled():
        print(f"\nagreement with Garmin's training effect labels: {agree}/{len(pairs)} "
              f"({agree / len(pairs):.0%}) on recorded runs, judged without the label")
