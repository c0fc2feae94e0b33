"""`stridelift classify` on several files and folders, multisport files leg by leg, the
file-alone profile, and stored classifications re-judged when the classifier changes."""

from __future__ import annotations

import gzip
import json
import os
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from analysis.classify import classify
from analysis.multisport import multisport_race
from analysis.zones import file_profile
from db import repo
from db.session import open_db, transaction
from demo.fitwrite import (
    LapSpec,
    LegSpec,
    multisport_fit,
    run_fit,
    strength_fit,
    workout_file_fit,
)
from domain.activity import Activity
from domain.profile import Profile
from ingest import fit
from jobs.analyse import analyse
from stridelift.cli import app
from tests.conftest import shared_fixture
from tests.processes import stridelift
from tests.runsamples import Run
from tests.test_fit import panicking_fit

runner = CliRunner()
T0 = datetime(2025, 4, 1, 6, 0, tzinfo=UTC)
P = Profile(name="anna", tz="UTC", sex="f", max_hr=190, rest_hr=50, threshold_hr=170, runs={})


def _triathlon() -> bytes:
    return multisport_fit(T0, [LegSpec("swimming", [LapSpec(1500, 1.0, 150)]),
                               LegSpec("transition", [LapSpec(120, 1.0, 150)]),
                               LegSpec("cycling", [LapSpec(3600, 9.0, 158)]),
                               LegSpec("transition", [LapSpec(60, 1.0, 155)]),
                               LegSpec("running", [LapSpec(2400, 3.4, 165)])])


def test_several_files_and_folders_give_one_row_each(home: Path, tmp_path: Path,
                                                     columns: Callable[[int], None]) -> None:
    folder = tmp_path / "watch"
    (folder / "2025").mkdir(parents=True)
    (folder / "2025" / "easy.FIT").write_bytes(run_fit(T0, [LapSpec(2400, 3.0, 140)]))
    (folder / "notes.txt").write_text("not a FIT file")
    (folder / "plan.fit").write_bytes(workout_file_fit(["active", "rest"]))  # no activity
    long = tmp_path / "long.fit"
    long.write_bytes(Run().easy(100).fit())
    result = runner.invoke(app, ["classify", str(folder), str(long), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(Path(r["source"]).name, r["kind"]) for r in rows] == [("easy.FIT", "easy"),
                                                                   ("long.fit", "long")]
    assert rows[1]["traits"] == ["long"] and rows[1]["moving_s"] == pytest.approx(6000, abs=5)
    assert [leg["sport"] for leg in rows[0]["legs"]] == ["running"]
    assert "plan.fit: skipped" in result.stderr
    columns(200)
    text = runner.invoke(app, ["classify", str(folder), str(long)])
    assert text.exit_code == 0
    line = next(x for x in text.stdout.splitlines() if x.startswith("long.fit"))
    # kind, traits, time, km, moving, GAP or pace per km, HR, main reason
    assert line.split()[1:6] == ["long", "long", "1:40", "17.4", "1:40"]
    assert "100 min moving" in line
    columns(80)
    narrow = runner.invoke(app, ["classify", str(folder), str(long)])
    lines = narrow.stdout.splitlines()
    assert narrow.exit_code == 0 and max(map(len, lines)) <= 80 and lines == [
        x.rstrip() for x in lines]
    columns(60)  # the facts wrap: a dot ends the fact before it, never starts a line
    tight = runner.invoke(app, ["classify", str(folder), str(long)]).stdout.splitlines()
    assert max(map(len, tight)) <= 60 and len(tight) > len(lines)
    assert not any(x.lstrip().startswith("·") for x in tight)
    # each activity's facts, then its reason whole below them: no column of single words
    at = next(i for i, x in enumerate(lines) if x.startswith("long.fit: long (long) · 1:40"))
    assert "17.4 km · moving 1:40" in " ".join(lines[at:at + 2])
    words = " ".join(x.strip() for x in lines[at + 1:at + 4])
    assert rows[1]["reason"] in words


def test_the_pace_column_says_whether_it_is_grade_adjusted(
        home: Path, tmp_path: Path, columns: Callable[[int], None]) -> None:
    """The table's one "GAP /km" column showed a run without altitude's plain pace as GAP;
    the pace now sits under "GAP /km" or "pace /km" as the run's speed is, and `--json`
    adds `graded` beside the `gap_mps` it kept."""
    run = Run().easy(40)
    (tmp_path / "hilly.fit").write_bytes(run.fit())
    (tmp_path / "flat.fit").write_bytes(run.fit(include_altitude=False))
    files = [str(tmp_path / "hilly.fit"), str(tmp_path / "flat.fit")]
    rows = json.loads(runner.invoke(app, ["classify", *files, "--json"]).stdout)
    assert [(r["graded"], r["legs"][0]["graded"]) for r in rows] == [(True, True),
                                                                      (False, False)]
    assert rows[0]["gap_mps"] == pytest.approx(rows[1]["gap_mps"], rel=0.01)
    columns(200)
    lines = runner.invoke(app, ["classify", *files]).stdout.splitlines()
    head = lines[0].split()
    assert head[6:9] == ["GAP", "/km", "pace"]
    # kind, traits, time, km, moving, GAP per km, pace per km, HR
    assert [x.split()[6:8] for x in lines[1:3]] == [["5:45", "-"], ["-", "5:45"]]
    columns(60)
    narrow = " ".join(runner.invoke(app, ["classify", *files]).stdout.split())
    assert "moving 0:40 · GAP 5:45/km" in narrow and "moving 0:40 · pace 5:45/km" in narrow


def test_lines_keep_to_the_terminal_when_a_file_name_has_wide_letters(
        home: Path, tmp_path: Path, columns: Callable[[int], None]) -> None:
    """A letter of Japanese or an emoji takes two columns of a terminal: counted as one, an
    activity's line ran past 80 columns and the terminal broke it anywhere."""
    folder = tmp_path / "watch"
    folder.mkdir()
    names = ["朝のランニング、公園を三周して帰宅した記録.fit", "🏃" * 50 + ".fit",
             "[b]easy[red].fit"]
    for name in names:
        (folder / name).write_bytes(run_fit(T0, [LapSpec(2400, 3.0, 140)]))
    columns(80)
    result = runner.invoke(app, ["classify", str(folder)])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0 and max(map(cell_len, lines)) <= 80, lines
    assert lines == [x.rstrip() for x in lines]
    assert any(x.startswith(f"{names[0]}: easy") for x in lines)
    assert any(x.startswith("[b]easy[red].fit: easy") for x in lines)  # not read as markup
    columns(3)  # narrower than a line's indent and a letter: a letter a line, no endless loop
    assert runner.invoke(app, ["classify", str(folder)]).exit_code == 0


def test_a_named_file_that_is_not_an_activity_is_an_error(home: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.fit"
    broken.write_bytes(b"\x0e\x10garbage")
    result = runner.invoke(app, ["classify", str(broken)])
    assert result.exit_code == 1 and "broken.fit" in result.output
    assert "Traceback" not in result.output


def test_a_file_the_decoder_panics_on_is_skipped_in_one_line(home: Path,
                                                               tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    (folder / "easy.fit").write_bytes(run_fit(T0, [LapSpec(2400, 3.0, 140)]))
    (folder / "panics.fit").write_bytes(panicking_fit())
    done = stridelift("classify", str(folder), "--json")
    assert done.returncode == 1, done.stderr  # as `import`: a broken file fails the command
    assert [Path(r["source"]).name for r in json.loads(done.stdout)] == ["easy.fit"]
    said = done.stderr.splitlines()  # the Rust panic's own lines and backtrace note, before
    assert len(said) == 1 and said[0].startswith(f"{folder / 'panics.fit'}: failed (")
    assert "DecoderPanic" in said[0]


def test_a_file_is_classified_with_no_stderr_at_all(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "easy.fit"
    path.write_bytes(run_fit(T0, [LapSpec(2400, 3.0, 140)]))
    done = stridelift("classify", str(path), "--json", without_stderr=True)
    assert done.returncode == 0  # before: OSError (bad file descriptor) from quiet_decoder
    assert [Path(r["source"]).name for r in json.loads(done.stdout)] == ["easy.fit"]


def test_a_named_pipe_is_refused_not_waited_on(home: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.fit"
    os.mkfifo(pipe)
    result = runner.invoke(app, ["classify", str(pipe)])
    assert result.exit_code == 1
    assert (f"{pipe}: not a regular file (a device, pipe or socket): give a .fit, .fit.gz or "
            ".zip file, or a folder") in result.output  # what import and classify read


def test_a_triathlon_file_is_a_race_listing_every_leg_with_its_load(home: Path,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "ironman.fit"
    path.write_bytes(_triathlon())
    [row] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    assert (row["kind"], row["sport"]) == ("race", "multisport")
    assert row["reason"].startswith("a triathlon: swimming -> cycling -> running legs "
                                    "chained by 2 transitions, 128 min")
    legs = row["legs"]
    assert [leg["sport"] for leg in legs] == ["swimming", "transition", "cycling",
                                              "transition", "running"]
    assert all(leg["load"] > 0 for leg in legs if leg["sport"] != "transition")
    assert row["load"] == pytest.approx(sum(leg["load"] for leg in legs), abs=0.2)
    assert legs[-1]["kind"] == "race" and "race" in legs[-1]["traits"]


def test_a_multisport_file_named_as_training_is_not_a_race() -> None:
    legs = fit.decode(_triathlon(), "brick.fit")
    assert multisport_race(legs) is not None
    assert multisport_race([replace(a, name="Brick training") for a in legs]) is None
    assert multisport_race([a for a in legs if a.sport == "running"]) is None
    apart = [replace(a, start=a.start + timedelta(hours=3)) if a.sport == "running" else a
             for a in legs]
    assert multisport_race(apart) is None  # not chained: a run three hours later


def _legs(*legs: tuple[str, int]) -> list[Activity]:
    return fit.decode(multisport_fit(T0, [LegSpec(sport, [LapSpec(seconds, 8.0 if sport ==
                                                                   "cycling" else 3.3, 155)])
                                          for sport, seconds in legs]), "multisport.fit")


def test_a_bike_then_a_run_without_a_transition_is_a_brick_not_a_duathlon() -> None:
    assert multisport_race(_legs(("cycling", 3600), ("running", 1200))) is None
    duathlon = multisport_race(_legs(("running", 1200), ("cycling", 2400), ("running", 900)))
    assert duathlon is not None and duathlon.reason.startswith(
        "a duathlon: running -> cycling -> running legs chained, 75 min")
    joined = _legs(("cycling", 3600), ("transition", 60), ("running", 1200))
    assert multisport_race(joined) is not None  # a transition: raced as one
    untimed = _legs(("swimming", 600), ("cycling", 1800), ("running", 900))
    assert multisport_race(untimed) is not None  # all three: a triathlon, transitions or not


def test_a_multisport_file_shorter_than_any_race_is_no_race() -> None:
    """A race's post-race window from a 77-s test file (a real fixture's length) would take
    strength work off the next days for nothing."""
    legs = _legs(("swimming", 120), ("transition", 30), ("cycling", 300), ("transition", 30),
                 ("running", 300))
    assert multisport_race(legs) is None
    assert multisport_race(_legs(("swimming", 300), ("transition", 60), ("cycling", 900),
                                 ("transition", 30), ("running", 600))) is not None


def test_file_alone_uses_the_files_own_max_hr_where_plausible() -> None:
    [hard] = fit.decode(Run().easy(10).add(240, 4.5, 202).easy(5).fit(), "hard.fit")
    profile, note = file_profile([hard])
    assert 195 <= profile.max_hr <= 210
    assert note.startswith(f"no athlete profile: zones from this file's own max HR "
                           f"{profile.max_hr}") and "Z5 from" in note
    [easy] = fit.decode(Run().easy(30).fit(), "easy.fit")
    profile, note = file_profile([easy])
    assert profile.max_hr == 190 and "generic max HR 190" in note
    spike = replace(hard, streams=replace(hard.streams, channels={}), max_hr=245)
    profile, note = file_profile([spike])
    assert profile.max_hr == 190 and "the file's peak 245 is not a plausible max" in note


def test_a_new_classifier_version_rejudges_stored_runs(db_url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    factory = open_db(db_url)
    with transaction(factory) as s:
        repo.save_activities(s, repo.athlete(s, P), fit.decode(run_fit(T0, [
            LapSpec(2400, 3.0, 149)])), content_hash="0" * 64)
    until = date(2025, 4, 3)
    with transaction(factory) as s:
        assert analyse(s, P, until).classified == 1
    with transaction(factory) as s:
        assert analyse(s, P, until).classified == 0
    monkeypatch.setattr("jobs.analyse.CLASSIFIER_VERSION", 10_000)
    with transaction(factory) as s:
        assert analyse(s, P, until).classified == 1
    with transaction(factory) as s:  # judged again once, not every night
        assert analyse(s, P, until).classified == 0


def test_stored_triathlon_legs_are_races_and_a_commute_then_a_run_is_not(
        db_url: str) -> None:
    factory = open_db(db_url)
    commute = run_fit(T0 + timedelta(days=2), [LapSpec(1200, 6.0, 130)], sport="cycling")
    after = run_fit(T0 + timedelta(days=2, minutes=25), [LapSpec(2400, 3.0, 140)])
    with transaction(factory) as s:
        who = repo.athlete(s, P)
        for i, data in enumerate([_triathlon(), commute, after]):
            repo.save_activities(s, who, fit.decode(data), content_hash=f"{i:064d}")
    with transaction(factory) as s:
        analyse(s, P, date(2025, 4, 4))
    with factory() as s:
        from sqlalchemy import select

        from db import models as m
        rows = s.execute(select(m.Activity.local_date, m.Activity.sport, m.RunClass.kind,
                                m.RunClass.reasons).join(m.RunClass)
                         .order_by(m.Activity.start_utc)).all()
    tri = [r for r in rows if r.local_date == date(2025, 4, 1)]
    assert [r.sport for r in tri] == ["swimming", "transition", "cycling", "transition",
                                      "running"]
    assert tri[-1].kind == "race" and all(any("a triathlon" in x for x in r.reasons)
                                          for r in tri)
    assert [r.kind for r in rows if r.local_date == date(2025, 4, 3)] == ["other", "easy"]


def test_an_activity_without_timer_time_is_classified_with_its_heart_rate(
        tmp_path: Path, home: Path) -> None:
    """A session stopped as soon as it started (0 s on the timer) still has its heart rate:
    the file's average HR, weighted by duration, divided by zero."""
    path = tmp_path / "stopped.fit"
    path.write_bytes(strength_fit(T0, []))
    [act] = fit.decode(path.read_bytes(), path.name)
    assert act.duration_s == 0 and act.avg_hr
    result = runner.invoke(app, ["classify", str(path), "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert row["duration_s"] == 0 and row["avg_hr"] == act.avg_hr


def test_gzipped_files_and_zips_are_read_as_import_reads_them(home: Path,
                                                               tmp_path: Path) -> None:
    easy = run_fit(T0, [LapSpec(2400, 3.0, 140)])
    (tmp_path / "1.fit.gz").write_bytes(gzip.compress(easy))  # Strava's export keeps them so
    folder = tmp_path / "strava" / "activities"
    folder.mkdir(parents=True)
    (folder / "2.FIT.GZ").write_bytes(gzip.compress(Run().easy(100).fit()))
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.writestr("activities/3.fit", easy)
        archive.writestr("activities/cut.fit.gz", gzip.compress(easy)[:-40])
    done = runner.invoke(app, ["classify", str(tmp_path / "1.fit.gz"), str(tmp_path / "strava"),
                               str(tmp_path / "export.zip"), "--json"])
    assert done.exit_code == 1, done.output  # the cut copy in the zip, as `import` says
    assert [(r["source"], r["kind"]) for r in json.loads(done.stdout)] == [
        (str(tmp_path / "1.fit.gz"), "easy"), (str(folder / "2.FIT.GZ"), "long"),
        (f"{tmp_path / 'export.zip'}!activities/3.fit", "easy")]
    assert done.stderr == (f"{tmp_path / 'export.zip'}!activities/cut.fit.gz: failed "
                           "(unreadable (the gzip stream ends early (a cut copy)))\n")


def test_a_named_gzip_that_cannot_be_read_is_one_line(home: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.fit.gz"
    bomb.write_bytes(gzip.compress(bytes(5_000_000)))
    done = runner.invoke(app, ["classify", str(bomb)])
    assert done.exit_code == 1 and done.output.startswith(f"error: {bomb}: refused: ")
    assert len(done.output.splitlines()) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    done = runner.invoke(app, ["classify", str(bomb), str(empty)])  # before reading any file
    assert done.output == f"error: {empty}: holds no FIT file (.fit, .fit.gz or a zip of them)\n"
    (empty / "cut.fit.gz").write_bytes(gzip.compress(run_fit(T0, [LapSpec(600, 3.0, 140)]))[:-9])
    done = runner.invoke(app, ["classify", str(empty)])  # why nothing was classified, too
    assert done.exit_code == 1 and done.stderr == (
        f"{empty / 'cut.fit.gz'}: failed (unreadable (the gzip stream ends early (a cut copy)))\n"
        f"error: no activity to classify in {empty}\n")


def test_a_run_whose_session_leaves_out_its_average_hr_shows_its_samples_average(
        home: Path, columns: Callable[[int], None]) -> None:
    """A real Fenix 2 file's session has no average HR; its reasons give the samples' one
    (154 bpm), and so do the table's HR column and --json (they showed none)."""
    path = shared_fixture("fit", "python-fitparse", "activity-small-fenix2-run.fit")
    [act] = fit.decode(path.read_bytes(), path.name)
    assert act.avg_hr is None
    [row] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    said = next(r for r in row["reasons"] if "average HR" in r)
    assert f"average HR {row['avg_hr']:.0f} bpm" in said
    assert row["legs"][0]["avg_hr"] == row["avg_hr"]
    columns(200)  # the table: its HR column
    table = runner.invoke(app, ["classify", str(path)]).stdout.splitlines()
    assert f" {row['avg_hr']:.0f} " in table[1]  # its reason holds no such number
    columns(80)  # a line of facts per run
    assert f"HR {row['avg_hr']:.0f}" in runner.invoke(app, ["classify", str(path)]).stdout


def test_a_runs_classification_carries_the_average_hr_it_judged_on() -> None:
    [act] = fit.decode(run_fit(T0, [LapSpec(1800, 3.0, 150)]), "easy.fit")
    assert classify(act, P).avg_hr == act.avg_hr
    hr = act.streams.get("heart_rate")
    assert hr is not None
    unsaid = classify(replace(act, avg_hr=None), P)
    assert unsaid.avg_hr == pytest.approx(float(np.nanmean(hr)))
    no_hr = {k: v for k, v in act.streams.channels.items() if k != "heart_rate"}
    assert classify(replace(act, streams=replace(act.streams, channels=no_hr), avg_hr=None),
                    P).avg_hr is None


def test_a_strap_locked_high_while_it_settles_is_not_the_files_max_hr() -> None:
    """A lock at about 212 bpm in the first 4 min made it the file's max (99.5th percentile:
    zones from 214), and a 20-min tempo at 164 read easy; only HR held a minute after the
    first minutes is a max."""
    run = Run().add(240, 2.9, 212).easy(16, hr=140).add(20 * 60, 3.6, 164).easy(5, hr=140)
    [a] = fit.decode(run.fit(), "locked.fit")
    profile, note = file_profile([a])
    assert profile.max_hr == 190 and "generic max HR 190" in note, note
    assert classify(a, profile, []).kind == "threshold"


def test_classify_shows_a_warning_when_hr_held_above_the_profiles_max(
        home: Path, tmp_path: Path) -> None:
    assert runner.invoke(app, ["init", "--non-interactive", "--name", "anna", "--tz", "UTC",
                               "--sex", "f", "--max-hr", "170", "--rest-hr", "50",
                               "--runs", "sat=long"]).exit_code == 0
    path = tmp_path / "easy.fit"
    path.write_bytes(Run().easy(10, hr=150).easy(20, hr=182).fit())
    out = runner.invoke(app, ["classify", str(path)], terminal_width=200)
    assert out.exit_code == 0, out.output
    assert "easy.fit: check your max HR: HR held 18" in out.stdout, out.stdout
    [row] = json.loads(runner.invoke(app, ["classify", str(path), "--json"]).stdout)
    # --json: the reasons hold the fact as stored (for every front end), the warnings the
    # same fact with its fix in the CLI's words (README)
    [fact] = [r for r in row["reasons"] if r.startswith("check your max HR: HR held ")]
    assert "stridelift" not in fact and "; " not in fact
    assert row["warnings"] == [f"{fact}; set max_hr in config to your real max "
                               "(`stridelift init --max-hr N`)"]
