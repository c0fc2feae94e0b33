"""Storage is private and can be cared for: 0600/0700 files, `db backup`, `db check`.
Real SQLite, real FIT files imported through the CLI, the raw store on disk."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from db import leftovers, maintenance
from db import models as m
from db.raw import sha256
from db.session import DatabaseError, open_db, transaction
from jobs.config import load
from stridelift.cli import app
from tests import pause_at
from tests.garmin_fake import table_contents
from tests.test_import import INIT, _import, _run

runner = CliRunner()


@pytest.fixture
def athlete(home: Path) -> Iterator[Path]:
    old = os.umask(0o022)  # the usual umask: without care, files would be 0644
    try:
        assert runner.invoke(app, INIT).exit_code == 0
        yield home
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _import_runs(tmp_path: Path, days: range) -> None:
    for day in days:
        (tmp_path / f"{day}.fit").write_bytes(_run(day))
    assert _import(*(str(tmp_path / f"{day}.fit") for day in days))[0] == 0


def _check() -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["db", "check", "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_database_and_raw_store_are_the_owners_alone(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(2))
    db_files = list(athlete.glob("stridelift.db*"))
    assert {p.name for p in db_files} >= {"stridelift.db", "stridelift.db-wal"}
    assert {p.name: _mode(p) for p in db_files} == {p.name: 0o600 for p in db_files}
    raw = athlete / "raw"
    folders = [raw, *(p for p in raw.rglob("*") if p.is_dir())]
    files = [p for p in raw.rglob("*") if p.is_file()]
    assert len(files) == 3  # two objects and the journal
    assert {_mode(p) for p in folders} == {0o700} and {_mode(p) for p in files} == {0o600}


def test_an_older_readable_database_is_tightened_on_open(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(1))
    (athlete / "stridelift.db").chmod(0o644)
    (athlete / "raw").chmod(0o755)
    _import_runs(tmp_path, range(1, 2))
    assert _mode(athlete / "stridelift.db") == 0o600 and _mode(athlete / "raw") == 0o700


def test_backup_is_a_private_copy_with_the_same_rows(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(3))
    target = tmp_path / "copies" / "backup.db"
    result = runner.invoke(app, ["db", "backup", str(target), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["bytes"] == target.stat().st_size > 0
    assert _mode(target) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    original = table_contents(open_db(load().database_url()))
    assert table_contents(open_db(f"sqlite:///{target}")) == original
    assert len(original["activities"]) == 3
    again = runner.invoke(app, ["db", "backup", str(target)])
    assert again.exit_code == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.output


def test_backup_refuses_postgresql_and_names_pg_dump(tmp_path: Path) -> None:
    factory = sessionmaker(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with pytest.raises(maintenance.MaintenanceError, match="pg_dump"):
        maintenance.backup(factory, tmp_path / "x.db")  # refused before any connection
    assert not list(tmp_path.iterdir())


def test_check_counts_rows_against_the_journal(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(3))
    code, report = _check()
    assert code == 0 and report["ok"] is True and report["integrity"] == ["ok"]
    assert report["tables"]["activities"] == 3  # type: ignore[index]
    assert report["journal"]["fit"] == {"journalled": 3, "missing": []}  # type: ignore[index]

    factory = open_db(load().database_url())
    with factory.begin() as session:  # lose one imported activity's row
        lost = session.scalars(select(m.Activity.content_hash)).first()
        session.execute(delete(m.Activity).where(m.Activity.content_hash == lost))
    code, report = _check()
    assert code == 1 and report["ok"] is False
    assert report["journal"]["fit"] == {"journalled": 3, "missing": [lost]}  # type: ignore[index]

    (athlete / "raw" / "journal" / "anna.jsonl").unlink()  # now nothing is journalled
    code, report = _check()
    assert code == 1 and report["activities_not_journalled"] == 2


def test_check_prints_a_readable_summary(athlete: Path, tmp_path: Path) -> None:
    _import_runs(tmp_path, range(2))
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "integrity: ok" in result.stdout and "activities 2" in result.stdout
    assert "journal fit: 2, missing from the database 0" in result.stdout


def test_a_database_locked_past_the_timeout_is_one_clear_error(tmp_path: Path) -> None:
    factory = open_db(f"sqlite:///{tmp_path / 'x.db'}")
    holder = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's write transaction
    try:
        with (pytest.raises(DatabaseError, match="stayed locked by another process"),
              transaction(factory) as session):
            session.execute(text("PRAGMA busy_timeout=0"))  # give up at once, not in 10 s
            session.add(m.Athlete(name="anna", tz="UTC"))
            session.flush()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with transaction(factory) as session:  # nothing was changed, and the file is usable
        assert session.scalars(select(m.Athlete)).all() == []


@pytest.mark.parametrize("then", [["import"], ["db", "check"]])
def test_a_killed_imports_temporary_object_is_removed_by_the_next_import_or_check(
        athlete: Path, tmp_path: Path, then: list[str]) -> None:
    """An import killed while its file's raw object is written whole under its temporary
    name, before the rename, left that file in the raw store for good. The next import
    (the file stored now) or `db check` (which names it) removes it."""
    run = tmp_path / "run.fit"
    run.write_bytes(_run(0))
    digest = sha256(run.read_bytes())
    pause_at.killed_at(["import", str(run)], digest, tmp_path / "paused")
    [left] = (athlete / "raw" / "objects" / digest[:2]).glob(f".{digest}.*.tmp")
    result = runner.invoke(app, [*then, *([str(run)] if then == ["import"] else [])])
    assert result.exit_code == 0, result.output
    assert not left.exists()
    assert not list((athlete / "raw" / "objects").glob("*/.*"))
    if then == ["db", "check"]:
        assert f"removed 1 temporary files that killed runs left: {left}\n" in result.stdout
        assert _check()[1]["leftovers_removed"] == []  # gone: nothing to say again


def _gone_pid() -> int:
    """The pid of a process that has ended: a killed writer's."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return gone.pid


def test_an_import_sweeps_only_the_raw_folders_it_writes_to(athlete: Path,
                                                           tmp_path: Path) -> None:
    """Every import listed all 256 folders of the raw store for killed writers' temporary
    files (50-70 ms for one file into a home of 20,000 objects). It sweeps the folders it
    writes to; a leftover elsewhere stays until a write there or `db check`. A live
    writer's (a sync or another athlete's import at once) in that folder stays."""
    run = tmp_path / "run.fit"
    run.write_bytes(_run(0))
    digest, pid = sha256(run.read_bytes()), _gone_pid()
    objects = athlete / "raw" / "objects"
    beside, elsewhere = (objects / prefix / f".{prefix}{'a' * 62}.{pid}.tmp"
                         for prefix in (digest[:2], "00" if digest[:2] != "00" else "01"))
    for left in (beside, elsewhere):
        left.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        left.write_bytes(b"x")
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        writing = beside.with_name(f".{digest[:2]}{'b' * 62}.{writer.pid}.tmp")
        writing.write_bytes(b"x")
        assert _import(str(run))[0] == 0
        assert not beside.exists() and elsewhere.exists() and writing.exists()
        code, report = _check()
        assert code == 0 and report["leftovers_removed"] == [str(elsewhere)]
        assert not elsewhere.exists() and writing.exists()
    finally:
        writer.kill()
        writer.wait()


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    """`folder` read-only as a read-only mount is: no entry added nor removed. Root ignores
    modes: the immutable attribute then (chattr +i, where the file system has it)."""
    if os.geteuid() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("no chattr +i here: as root, no folder is read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_db_check_names_the_leftovers_it_cannot_remove_and_still_checks(
        athlete: Path, tmp_path: Path) -> None:
    """A killed writer's temporary file in a read-only folder of the raw store stopped
    `db check` at it (Read-only file system, exit 1), the database unchecked. It names the
    file, checks the database and exits by what it found there: the file holds nothing the
    database lacks, and a check that can write removes it."""
    _import_runs(tmp_path, range(1))
    folder = next((athlete / "raw" / "objects").iterdir())
    left = folder / f".{folder.name}{'a' * 62}.{_gone_pid()}.tmp"
    left.write_bytes(b"x")
    with _read_only(folder):
        told = runner.invoke(app, ["db", "check"])
        code, report = _check()
    assert told.exit_code == 0 and told.stdout.endswith("ok\n")
    assert told.stderr == (f"could not remove 1 temporary files that killed runs left "
                           f"(read-only?): {left}; run `stridelift db check` again where the "
                           "home is writable\n")
    assert (code, report["ok"], report["journal"]) == (0, True, {
        kind: {"journalled": int(kind == "fit"), "missing": []}
        for kind in ("fit", "garmin-activity", "garmin-day")})
    assert (report["leftovers_removed"], report["leftovers_not_removed"]) == ([], [str(left)])
    assert _check()[1]["leftovers_removed"] == [str(left)] and not left.exists()


def test_a_killed_backups_temporary_copy_is_removed_by_the_next_backup(
        athlete: Path, tmp_path: Path) -> None:
    """`db backup` killed before renaming its copy into place left the hidden copy (a whole
    database of health data) beside the target for good; the next backup removes it."""
    target = tmp_path / "backup.db"
    pause_at.killed_at(["db", "backup", str(target)], target.name, tmp_path / "paused")
    [left] = tmp_path.glob(".backup.db.*.tmp")
    assert runner.invoke(app, ["db", "backup", str(target)]).exit_code == 0
    assert not left.exists() and target.exists()


def test_a_backup_killed_while_copying_leaves_nothing_after_the_next_backup(
        athlete: Path, tmp_path: Path) -> None:
    """Killed while SQLite copies the pages into the hidden copy, a backup leaves the copy's
    rollback journal beside it too (`.backup.db.{pid}.tmp-journal`); the next backup removed
    the copy and left the journal for good. A process copying as `db backup` does (SQLite's
    backup into the temporary name), killed mid-copy."""
    _import_runs(tmp_path, range(3))
    target, marker = tmp_path / "backup.db", tmp_path / "copying"
    copying = (f"import sqlite3, time\nfrom pathlib import Path\nfrom db import leftovers\n"
               f"source = sqlite3.connect({str(athlete / 'stridelift.db')!r})\n"
               f"copy = sqlite3.connect(leftovers.temporary(Path({str(target)!r})))\n"
               f"source.backup(copy, pages=1, progress=lambda *_: (Path({str(marker)!r})"
               ".touch(), time.sleep(60)))")
    proc = subprocess.Popen([sys.executable, "-c", copying], cwd=pause_at.ROOT)
    while not marker.exists() and proc.poll() is None:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    assert {path.name for path in tmp_path.glob(".backup.db.*")} == {
        f".backup.db.{proc.pid}.tmp", f".backup.db.{proc.pid}.tmp-journal"}
    assert runner.invoke(app, ["db", "backup", str(target)]).exit_code == 0
    assert target.exists() and not list(tmp_path.glob(".backup.db.*"))


def test_only_the_temporary_files_of_writers_gone_or_a_day_old_are_removed(
        tmp_path: Path) -> None:
    """A leftover is removed only when no live process can own it: its writer (the pid in its
    name) is gone, or, a name without a pid (before names carried one), a day old. Another
    process's file being written, a fresh one without a pid, other hidden files and files of
    other names stay: also a file being written of a longer name (config.toml.20261207's),
    which was read as config.toml's of a writer 20261207, gone, and removed."""
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        names = {f".config.toml.{gone.pid}.ab12_xyz.tmp": False,  # mkstemp's, writer gone
                 f".config.toml.{gone.pid}.tmp": False,
                 f".config.toml.{writer.pid}.ab12_xyz.tmp": True,  # being written
                 # config.toml.20261207's being written, not config.toml's of a pid gone
                 f".config.toml.20261207.{writer.pid}.tmp": True,
                 f".config.toml.2.{writer.pid}.ab12_xyz.tmp": True,
                 f".config.toml.{os.getpid()}.tmp": True,  # this process's own
                 ".config.toml.k2j_3h4x.tmp": True,  # without a pid, fresh
                 ".config.toml.q9w_8e7r.tmp": False,  # without a pid, two days old
                 f".config.toml.bak.{gone.pid}.tmp": True,  # another file's
                 f".other.{gone.pid}.tmp": True, ".config.toml": True, "config.toml": True}
        for name in names:
            (tmp_path / name).write_bytes(b"x")
        two_days_ago = time.time() - 2 * leftovers.STALE_S
        os.utime(tmp_path / ".config.toml.q9w_8e7r.tmp", (two_days_ago, two_days_ago))
        removed = leftovers.remove_beside(tmp_path / "config.toml").removed
        assert sorted(path.name for path in removed) == sorted(
            name for name, stays in names.items() if not stays)
        assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
            name for name, stays in names.items() if stays)
    finally:
        writer.kill()
        writer.wait()


def test_a_stray_file_among_the_raw_stores_folders_fails_no_import_nor_check(
        athlete: Path, tmp_path: Path) -> None:
    """A file where the raw store keeps its folders of objects (a Finder's .DS_Store, a note
    put there by hand) failed every import and `db check` on listing it as a folder (Not a
    directory) once they looked there for leftovers. It is left alone."""
    _import_runs(tmp_path, range(1))
    stray = athlete / "raw" / "objects" / ".DS_Store"
    stray.write_bytes(b"x")
    _import_runs(tmp_path, range(1, 2))
    assert _check()[0] == 0
    assert stray.read_bytes() == b"x"


@pytest.mark.parametrize("command", [["plan"], ["db", "check"], ["db", "upgrade"],
                                     ["import", "0.fit"], ["db", "backup", "copy.db"]])
def test_a_database_file_deleted_is_not_made_anew_empty(
        athlete: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    """The database file deleted, the raw store still holding what was imported: the next
    command made a new, empty database as a new home's, silently (the plan without a run
    of the history). It says in one line that the file is gone and how to get it back,
    and makes nothing; `db rebuild` makes it anew from the raw store."""
    _import_runs(tmp_path, range(2))
    for part in athlete.glob("stridelift.db*"):
        part.unlink()
    monkeypatch.chdir(tmp_path)
    told = runner.invoke(app, command)
    assert told.exit_code == 1 and "Traceback" not in told.output
    assert " ".join(told.stderr.split()) == (
        f"error: the database file {athlete / 'stridelift.db'} is gone, though the raw store's "
        f"journal ({athlete / 'raw'}) lists what was stored in it; copy your backup "
        "(`stridelift db backup`) to its place, or run `stridelift db rebuild` (for each "
        "athlete) to recreate the activities and wellness days in a new one")
    assert not list(athlete.glob("stridelift.db*")) and not (tmp_path / "copy.db").exists()
    assert runner.invoke(app, ["db", "rebuild"]).exit_code == 0
    code, report = _check()
    assert code == 0 and report["tables"]["activities"] == 2  # type: ignore[index]


def test_a_home_on_a_read_only_file_system_is_said_so(athlete: Path, tmp_path: Path) -> None:
    """A home on a read-only file system (a mount, a backup disk): `db check` said "cannot
    create .../stridelift.db: Read-only file system" of the file there. It says what is true,
    exit 1 as before. The home mounted read-only in a mount namespace of its own (root)."""
    _import_runs(tmp_path, range(1))
    mount = (f"mount --bind {athlete} {athlete} && mount -o remount,bind,ro {athlete} && "
             f"{sys.executable} -m stridelift db check")
    try:
        told = subprocess.run(["unshare", "-m", "sh", "-c", mount], capture_output=True,
                              text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})
    except FileNotFoundError:
        pytest.skip("no unshare here")
    if "mount:" in told.stderr or "unshare:" in told.stderr:
        pytest.skip(f"cannot mount the home read-only here: {told.stderr.strip()}")
    assert told.returncode == 1 and told.stderr == (
        f"error: cannot write to {athlete / 'stridelift.db'}: the file system is read-only\n")


def test_a_data_folder_kept_without_its_configuration_is_a_new_home_for_init(
        athlete: Path, tmp_path: Path) -> None:
    """The data folder kept (a new machine, a config folder lost), config.toml and the
    database not: `init` was refused for the journal there, pointing at `db rebuild`, which
    needs the athlete `init` adds, so neither could start. The journals counted are the
    configured athletes' (none): `init` starts the home, then `db rebuild` fills it."""
    _import_runs(tmp_path, range(2))
    for part in [*athlete.glob("stridelift.db*"), athlete / "config.toml"]:
        part.unlink()
    told = runner.invoke(app, INIT)
    assert told.exit_code == 0, told.output
    assert runner.invoke(app, ["db", "rebuild"]).exit_code == 0
    code, report = _check()
    assert code == 0 and report["tables"]["activities"] == 2  # type: ignore[index]


def test_a_database_folder_it_may_not_search_is_one_line(athlete: Path, tmp_path: Path) -> None:
    """The database's folder not the user's to search (mode 000): asking whether the file
    was there (is it gone?) raised PermissionError, a traceback where it said "cannot create
    ...: Permission denied". It cannot tell whether the file is there, and says "open".
    Root ignores modes: run without the capabilities that let it (setpriv)."""
    _import_runs(tmp_path, range(1))
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    assert runner.invoke(app, ["db", "backup", str(folder / "s.db")]).exit_code == 0
    command = [sys.executable, "-m", "stridelift", "plan"]
    if os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    folder.chmod(0o000)
    try:
        told = subprocess.run(command, capture_output=True, text=True, timeout=120, env={
            **os.environ, "COLUMNS": "200", "STRIDELIFT_DB_URL": f"sqlite:///{folder}/s.db"})
    except FileNotFoundError:
        pytest.skip("no setpriv here")
    finally:
        folder.chmod(0o700)
    if "setpriv:" in told.stderr:
        pytest.skip(f"cannot drop root's capabilities here: {told.stderr.strip()}")
    assert told.returncode == 1 and told.stderr == (
        f"error: cannot open {folder / 's.db'}: Permission denied\n")
