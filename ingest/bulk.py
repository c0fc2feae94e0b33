"""Bulk import: decode FIT files in parallel processes, store each file in its own transaction.

The main process walks the inputs, hashes each payload and skips content it already holds
(no decoding at all for duplicates); workers only decode (pure CPU); the main process then
writes the raw payload, journals it and commits the file's activities. A broken file is
reported and skipped, and everything else in the batch lands.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db import activities, repo
from db import models as m
from db.raw import RawStore, sha256
from db.session import transaction
from domain.activity import Activity
from domain.profile import Profile
from ingest import export, fit

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ImportReport:
    imported: int = 0  # files that added at least one activity
    duplicates: int = 0  # files whose content was already stored
    skipped: int = 0  # FIT files that hold no activity (settings, workouts, ...)
    failed: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "skipped": self.skipped, "failed": self.failed}


def _decode(data: bytes, label: str) -> list[Activity] | str:
    """Worker: the activities, or the FitError's one-line message."""
    try:
        return fit.decode(data, Path(label).name)
    except fit.FitError as exc:
        return str(exc)


@dataclass(frozen=True)
class Target:
    """Where imported files go: the database, the raw store, and whose they are."""

    db: sessionmaker[Session]
    raw: RawStore
    who: m.Athlete  # detached row: only its id, name and tz are read


def store_fit(target: Target, data: bytes, digest: str, label: str,
              activities: list[Activity]) -> repo.Saved:
    """Keep the payload, journal it, then commit its activities in one transaction."""
    target.raw.put(data)
    target.raw.record(target.who.name, {"kind": "fit", "hash": digest, "name": Path(label).name})
    with transaction(target.db) as session:
        return repo.save_activities(session, target.who, activities, digest)


def import_paths(db: sessionmaker[Session], raw: RawStore, profile: Profile, paths: list[Path],
                 progress: Progress | None = None, workers: int | None = None) -> ImportReport:
    report = ImportReport()
    with transaction(db) as session:
        who = repo.athlete(session, profile)
        known = activities.known_content_hashes(session, who)
    target = Target(db=db, raw=raw, who=who)
    total = sum(1 for _ in export.walk(paths))
    done = 0
    workers = workers or os.cpu_count() or 1
    with _pool(workers) as pool:
        pending: dict[Future[list[Activity] | str], tuple[str, bytes, str]] = {}
        for item in _payloads(paths, known, report):
            if isinstance(item, str):  # failed or duplicate: already counted
                done += 1
            else:
                label, data, _ = item
                pending[pool.submit(_decode, data, label)] = item
            while len(pending) >= 4 * workers:  # bounded memory on huge archives
                done += _collect(target, pending, report)
            if progress:
                progress(done, total)
        while pending:
            done += _collect(target, pending, report)
            if progress:
                progress(done, total)
    return report


def _payloads(paths: list[Path], known: set[str],
              report: ImportReport) -> Iterator[str | tuple[str, bytes, str]]:
    for found in export.walk(paths):
        if found.error is not None or found.read is None:
            report.failed.append({"path": found.label, "error": found.error or "unreadable"})
            yield found.label
            continue
        try:
            data = found.read()
        except export.UNREADABLE as exc:
            report.failed.append({"path": found.label, "error": f"unreadable ({exc})"})
            yield found.label
            continue
        digest = sha256(data)
        if digest in known:
            report.duplicates += 1
            yield found.label
            continue
        known.add(digest)  # the same content twice in one batch is stored once too
        yield found.label, data, digest


def _collect(target: Target,
             pending: dict[Future[list[Activity] | str], tuple[str, bytes, str]],
             report: ImportReport) -> int:
    finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in finished:
        label, data, digest = pending.pop(future)
        result = future.result()
        if isinstance(result, str):
            report.failed.append({"path": label, "error": result})
        elif not result:
            report.skipped += 1
        elif store_fit(target, data, digest, label, result).new:
            report.imported += 1
        else:
            report.duplicates += 1
    return len(finished)


def _pool(workers: int) -> ProcessPoolExecutor:
    # fork starts workers in milliseconds; they only decode and never touch the database.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
