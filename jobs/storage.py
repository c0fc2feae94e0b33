"""The database's care: a backup, and a check of its pages and of its rows against the raw
journal (what the raw store says was imported, and what the database holds of it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import activities, leftovers, maintenance, repo
from db.maintenance import MaintenanceError as MaintenanceError  # the shell's exit codes
from db.session import locked_refused, transaction
from domain import recording
from domain.profile import Profile
from jobs.home import Home

KINDS = {"fit": "FIT files imported", "garmin-activity": "Garmin activities synced",
         "garmin-day": "Garmin wellness days synced"}


def backup_database(home: Home, target: Path) -> int:
    """A consistent copy of the SQLite database at `target`; its size in bytes. A home with
    no database yet has nothing to copy (opening one would make an empty file to copy); one
    whose file is gone says so."""
    if not home.stored():
        raise home.gone() or MaintenanceError("no database to back up yet: `stridelift init` "
                                              "makes it")
    return maintenance.backup(home.db, target)


@dataclass
class Journalled:
    """One kind of journal entry: how many distinct ones, and those the database lacks."""

    kind: str
    journalled: int = 0
    missing: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    integrity: list[str]  # ["ok"]; [] where the database checks itself (PostgreSQL)
    tables: dict[str, int]
    journal: list[Journalled]
    activities_not_journalled: int  # rows `db rebuild` could not recreate
    days_not_journalled: int
    leftovers: list[str] = field(default_factory=list)  # temporary files removed: killed runs'
    leftovers_kept: list[str] = field(default_factory=list)  # could not be removed: read-only

    @property
    def ok(self) -> bool:
        return (self.integrity in ([], ["ok"]) and not any(j.missing for j in self.journal)
                and not self.activities_not_journalled and not self.days_not_journalled)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "integrity": self.integrity, "tables": self.tables,
                "journal": {j.kind: {"journalled": j.journalled, "missing": j.missing}
                            for j in self.journal},
                "activities_not_journalled": self.activities_not_journalled,
                "days_not_journalled": self.days_not_journalled,
                "leftovers_removed": self.leftovers,
                "leftovers_not_removed": self.leftovers_kept}


def check_database(home: Home, profile: Profile) -> CheckReport:
    """The check; on the way, the temporary files killed runs left in the raw store, beside
    config.toml and beside the athletes' Garmin token files removed (db.leftovers), and
    named; those that cannot be (a folder it may not write in) named too, and the check
    goes on."""
    swept = _remove_leftovers(home)
    keys, synced = _journal_keys(home, profile)
    with transaction(home.db) as session:
        who = repo.find_athlete(session, profile.name)  # None before a first import
        integrity = maintenance.integrity(session)
        tables = maintenance.rows_per_table(session)
        rows = maintenance.activity_keys(session, who) if who else []
        days = maintenance.wellness_days(session, who) if who else set()
    hashes = {h for h, _, _ in rows if h is not None}
    ids = {str(g) for _, g, _ in rows if g is not None}
    recordings = {r for _, _, r in rows if r is not None}
    lacked = {gid: synced[gid] for gid in keys["garmin-activity"] - ids}
    held = {"fit": hashes | _same_recordings(home, keys["fit"] - hashes, recordings),
            "garmin-activity": ids | _kept_as_another(home, profile, lacked),
            "garmin-day": days}
    journal = [Journalled(kind, len(keys[kind]), sorted(keys[kind] - held[kind]))
               for kind in KINDS]
    rebuildable = keys["fit"] | keys["garmin-fit"]
    orphans = sum(1 for h, g, _ in rows if h not in rebuildable and str(g) not in keys[
        "garmin-activity"])
    return CheckReport(integrity, tables, journal, orphans, len(days - keys["garmin-day"]),
                       [str(path) for path in swept.removed], [str(path) for path in swept.kept])


def _remove_leftovers(home: Home) -> leftovers.Swept:
    """The sweep of every place a killed run can leave a temporary file in."""
    swept = home.raw.remove_leftovers() + leftovers.remove_beside(home.config.paths.config_file)
    tokens = [folder for folder in map(home.config.paths.tokens_dir, home.config.athletes)
              if folder.is_dir()]
    if tokens:
        from ingest import garmin_login  # garminconnect: only for a home that logged in

        swept = sum(map(garmin_login.remove_leftovers, tokens), swept)
    return swept


def _same_recordings(home: Home, digests: set[str], recordings: set[str]) -> set[str]:
    """Of the journalled files the database lacks, those of a recording it holds from another
    file: not stored on purpose (the first file of a recording is kept). Read from the raw
    store, as `db rebuild` reads them: a file lost from it stays missing."""
    from ingest import fit  # only when files are missing: `db check` starts light

    same = set()
    for digest in digests:
        try:
            with fit.quiet_decoder():
                found = fit.decode(home.raw.get(digest), digest)
        except (OSError, ValueError, fit.FitError):  # ValueError: not a digest
            continue
        if any(act.recording and recording.held(act.recording, recordings) for act in found):
            same.add(digest)
    return same


def _kept_as_another(home: Home, profile: Profile, lacked: dict[str, dict[str, Any]]
                     ) -> set[str]:
    """Of the synced Garmin activities the database has no row of (by id), those whose last
    line, stored again now, leaves no row holding the id: kept in another's on purpose, as
    `db rebuild` keeps them (a summary at the start of a file stored; a multisport leg, its
    parent's file). Each is stored and rolled back; one that cannot be stored is missing."""
    kept: set[str] = set()
    if not lacked:
        return kept
    from ingest import fit, rebuild  # only when ids are lacking: `db check` starts light

    with locked_refused(), home.db() as session:  # its trial writes wait for a sync's
        who = repo.find_athlete(session, profile.name)
        if who is None:  # no row yet: none is kept
            return kept
        for gid, entry in lacked.items():
            try:
                with fit.quiet_decoder():
                    rebuild.replay_line(session, who, home.raw, entry)
                # not Saved's counts: a file's row given back its lost id adds none
                if int(gid) not in activities.known_garmin_ids(session, who):
                    kept.add(gid)
            except (rebuild.RebuildError, ValueError):  # ValueError: an id that is no number
                pass  # missing
            finally:
                session.rollback()
    return kept


def _journal_keys(home: Home, profile: Profile
                  ) -> tuple[dict[str, set[str]], dict[str, dict[str, Any]]]:
    """The distinct keys of the athlete's journal, by kind (a line replayed twice counts once),
    and the last line of each synced Garmin activity; `garmin-fit` holds the FIT hashes synced
    activities carry. An activity deleted in Garmin since (GONE, as `db rebuild` replays it)
    is no key until a later line syncs it again. The kinds are ingest.garmin_entries's, by
    name: `db check` starts light."""
    keys: dict[str, set[str]] = {kind: set() for kind in (*KINDS, "garmin-fit")}
    synced: dict[str, dict[str, Any]] = {}
    for entry in home.raw.entries(profile.name):
        kind = entry.get("kind")
        if kind == "fit":
            keys["fit"].add(str(entry.get("hash")))
        elif kind == "garmin-activity":
            keys["garmin-activity"].add(str(entry.get("garmin_id")))
            synced[str(entry.get("garmin_id"))] = entry
            if entry.get("fit"):
                keys["garmin-fit"].add(str(entry["fit"]))
        elif kind == "garmin-activity-gone":
            keys["garmin-activity"].discard(str(entry.get("garmin_id")))
        elif kind == "garmin-day":
            keys["garmin-day"].add(str(entry.get("day")))
    return keys, synced
