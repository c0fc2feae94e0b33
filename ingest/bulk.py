"""Bulk import: decode FIT files in parallel processes (ingest/decoders.py), store them in
group commits.

The main process walks the inputs, hashes each payload and skips content it already holds
(no decoding at all for duplicates); workers decode and pack the streams (pure CPU), given
the files a few at a time through shared memory (ingest/spool.py); the main process then
writes the raw payloads, journals them and commits their activities, several files in one
transaction after one fsync round for their objects and one for their journal lines (a
backlog, when storing is the slower side, becomes bigger commits). A broken file is reported
and skipped, and everything else in the batch lands; so is a file on which the decoder dies
(its worker process ends): the files that were with it are decoded again one by one in new
workers, which finds it. Content counts as held only once it is stored: a broken file is a
failure each time it appears, never a "duplicate", and nothing that failed to decode reaches
the raw store.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db import activities, repo
from db import models as m
from db.raw import RawStore, sha256
from db.session import transaction
from domain.profile import Profile
from ingest import export
from ingest.decoders import Decoded, Payload, Workers, decode_task
from ingest.fit import FitError
from ingest.spool import Span


@dataclass
class ImportReport:
    imported: int = 0  # files that added at least one activity
    duplicates: int = 0  # files whose content, or recording, was already stored
    skipped: int = 0  # FIT files that hold no activity (settings, workouts, ...)
    failed: list[dict[str, str]] = field(default_factory=list)
    # duplicates of another file's recording: {"path", "same_as": the file kept, "day": its day}
    same_recording: list[dict[str, str]] = field(default_factory=list)
    # of the files failed, those whose run was refused for its date (the watch's clock set
    # wrong or never), which no copy of the file mends
    misdated: int = 0

    def files(self) -> int:
        """Files (and zip members) met, whatever became of them."""
        return self.imported + self.duplicates + self.skipped + len(self.failed)

    def as_json(self) -> dict[str, object]:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "skipped": self.skipped, "failed": self.failed,
                "same_recording": self.same_recording}


@dataclass(frozen=True)
class Target:
    """Where imported files go: the database, the raw store, and whose they are."""

    db: sessionmaker[Session]
    raw: RawStore
    who: m.Athlete  # detached row: only its id, name and tz are read


@dataclass(frozen=True)
class _Job:
    found: export.Found
    data: bytes
    digest: str


def store_fits(target: Target, files: list[tuple[_Job, Decoded]],
               journalled: Callable[[], Collection[str]]) -> list[repo.Saved]:
    """Commit the files' activities in one transaction, once their payloads are kept and
    journalled (durably: an fsync round for all the objects, then one for the journal). A file
    of a recording stored from another file is journalled once (`journalled`: the hashes in
    the journal, read only then): not stored, it is read again by each import of its folder,
    which otherwise added a line to the journal each time."""
    with transaction(target.db) as session:
        saved = repo.save_fit_files(session, target.who,
                                    [(job.digest, decoded) for job, decoded in files])
        kept = [job for (job, _), outcome in zip(files, saved, strict=True)
                if outcome.new or outcome.same_as is None or job.digest not in journalled()]
        for job in kept:
            target.raw.put(job.data, job.digest)
        if kept:
            target.raw.record(target.who.name, *({"kind": "fit", "hash": job.digest,
                                                  "name": Path(job.found.label).name}
                                                 for job in kept))
    return saved


@dataclass
class Tally:
    """How far an import is: files and bytes done out of the totals found up front."""

    files: int = 0
    files_total: int = 0
    bytes: int = 0
    bytes_total: int = 0

    def count(self, found: export.Found) -> None:
        self.files += 1
        self.bytes += found.size


Progress = Callable[[Tally], None]


# Files out with each worker: four tasks of one-hour runs (~130 ms), so that while the
# importing process stores a commit of _GROUP_COMMIT files, the worker still holds a task
# after the one it is decoding.
_QUEUED_FILES = 32
_QUEUED_BYTES = 64 << 20  # per worker
_TASK_BYTES = 512 << 10  # files sent to a worker together: ~8 one-hour runs, ~30 ms
# Decoded files stored together when the workers are ahead: a commit's own cost (its two fsync
# rounds, the transaction and its five statements) is shared by more files. 8 -> 16: the
# importing process's CPU for 200 one-hour runs 214-225 -> 191-202 ms (three runs each);
# 16 -> 32: its database work (repo.save_fit_files) 67-71 -> 57 ms, two runs each. A killed
# import still leaves whole commits only, and a broken file fails alone as before.
_GROUP_COMMIT = 32


@dataclass(frozen=True)
class _Task:
    """Files sent to a worker together, and where they lie in the spool (None: in the task)."""

    jobs: list[_Job]
    span: Span | None


CRASHED = ("the decoder died on this file (its worker process ended); the other files were "
           "imported")


@dataclass
class _Batch:
    """One import's state: what is stored already, what is being decoded, what is counted."""

    target: Target
    known: set[str]  # content hashes stored (before this import, or by it)
    report: ImportReport
    tally: Tally
    progress: Progress | None
    workers: Workers
    journalled: ImportedNames  # the files imported before, by content hash
    not_after: datetime | None  # the latest start a file's activities may have (None: any)
    pending: dict[Future[list[Decoded | FitError]], _Task] = field(default_factory=dict)
    task: list[_Job] = field(default_factory=list)  # to send to a worker next
    decoded: list[tuple[_Job, Decoded]] = field(default_factory=list)  # to store next
    labels: dict[str, str] = field(default_factory=dict)  # content hash -> label, stored here

    def take(self, found: export.Found) -> _Job | None:
        """The file to decode, or None when it is already counted (unreadable or stored).
        Content is only "known" once stored: a broken file fails each time it appears."""
        data, error = export.payload(found)
        if data is None:
            self._fail(found, error)
            return None
        digest = sha256(data)
        if digest in self.known:
            self.report.duplicates += 1
            self._done(found)
            return None
        return _Job(found, data, digest)

    def add(self, job: _Job) -> None:
        """Queue a file for decoding, sent with the next ones in a task of ~_TASK_BYTES.
        A worker then holds work for tens of ms without the main process: feeding it a file
        at a time, the pool's feeding threads waited for the GIL while the main process
        stored, and left the worker idle a fifth of the time."""
        self.task.append(job)
        if sum(len(queued.data) for queued in self.task) >= _TASK_BYTES:
            self.send()

    def send(self) -> None:
        if self.task:
            self._submit(self.task)
            self.task = []

    def _submit(self, jobs: list[_Job]) -> None:
        spool = self.workers.spool
        span = spool.put([job.data for job in jobs]) if spool else None
        payloads: Sequence[Payload] = span.places if span else [job.data for job in jobs]
        files = [(payload, job.found.label) for payload, job in zip(payloads, jobs, strict=True)]
        try:
            future = self.workers.pool.submit(decode_task, files)
        except BrokenProcessPool:  # a worker died since the last task went out
            if span is not None and spool is not None:
                spool.free(span)
            self._recover([])
            self._submit(jobs)
            return
        self.pending[future] = _Task(jobs, span)

    def full(self, workers: int) -> bool:
        """Enough queued to keep the workers busy while the main process stores (its fsyncs
        can take tens of ms on a busy disk); few enough to bound memory on huge archives."""
        queued = [job for task in self.pending.values() for job in task.jobs]
        return len(queued) >= _QUEUED_FILES * workers or \
            sum(len(job.data) for job in queued) >= _QUEUED_BYTES * workers

    def collect(self) -> None:
        """Wait for the oldest task; store the decoded files in one commit once there are
        enough of them to share its fsyncs, or nothing else is being decoded. Tasks are taken
        in the order they went out (the workers take them so, and mostly finish so): files are
        stored in the order they were found, so that of two files of one recording the first
        is kept, however many workers decode them."""
        wait([next(iter(self.pending))])
        again = []
        while self.pending and (oldest := next(iter(self.pending))).done():
            again += self._finish(oldest)
        if again:
            self._recover(again)
        if len(self.decoded) >= _GROUP_COMMIT or not self.pending:
            self._store()

    def _recover(self, again: list[_Job]) -> None:
        """A worker died: the pool is gone, and every task still out ends with it. New
        workers decode those tasks' files again, one file at a time, so that a death names
        its file (which then fails alone)."""
        again += [job for future in list(self.pending) for job in self._finish(future)]
        self.workers.restart()
        for job in again:
            future = self.workers.pool.submit(decode_task, [(job.data, job.found.label)])
            try:
                [result] = future.result()
            except BrokenProcessPool:
                self._fail(job.found, CRASHED)
                self.workers.restart()
            else:
                self._settle(job, result)

    def _finish(self, future: Future[list[Decoded | FitError]]) -> list[_Job]:
        """Settle a finished task's files; the files to decode again if its worker died."""
        task = self.pending.pop(future)
        if task.span is not None and self.workers.spool is not None:
            self.workers.spool.free(task.span)
        try:
            results = future.result()
        except BrokenProcessPool:
            return task.jobs
        for job, result in zip(task.jobs, results, strict=True):
            self._settle(job, result)
        return []

    def _settle(self, job: _Job, result: Decoded | FitError) -> None:
        if isinstance(result, FitError):
            self._fail(job.found, result.reason, misdated=result.misdated)
        elif (late := too_late((act.start for act, _ in result), self.not_after)) is not None:
            self._fail(job.found, late, misdated=True)
        elif not result:
            self.report.skipped += 1
            self._done(job.found)
        elif job.digest in self.known:  # a copy earlier in this import was stored meanwhile
            self.report.duplicates += 1
            self._done(job.found)
        else:
            self.decoded.append((job, result))
            self.known.add(job.digest)  # stored with this commit, or the import fails

    def _store(self) -> None:
        if not self.decoded:
            return
        saved = store_fits(self.target, self.decoded, lambda: self.journalled.names)
        self.labels.update((job.digest, job.found.label) for job, _ in self.decoded)
        for (job, _), outcome in zip(self.decoded, saved, strict=True):
            if outcome.new:
                self.report.imported += 1
            else:
                self.report.duplicates += 1
                if outcome.same_as is not None:
                    self.report.same_recording.append(same_recording(
                        job.found.label, outcome.same_as, self._name))
            self._done(job.found)
        self.decoded = []

    def _name(self, digest: str) -> str | None:
        """A stored file's label in this import, or the name it was imported under before."""
        return self.labels.get(digest) or self.journalled.names.get(digest)

    def _fail(self, found: export.Found, error: str, misdated: bool = False) -> None:
        self.report.failed.append({"path": found.label, "error": error})
        self.report.misdated += misdated
        self._done(found)

    def _done(self, found: export.Found) -> None:
        self.tally.count(found)
        if self.progress:
            self.progress(self.tally)


def survey(paths: list[Path], limits: export.Limits) -> Tally:
    """The totals a progress bar needs: every file the walk will yield, and their sizes."""
    tally = Tally()
    for found in export.walk(paths, limits):
        tally.files_total += 1
        tally.bytes_total += found.size
    return tally


def import_paths(db: sessionmaker[Session], raw: RawStore, profile: Profile, paths: list[Path],
                 progress: Progress | None = None, workers: int | None = None,
                 limits: export.Limits = export.LIMITS,
                 not_after: datetime | None = None) -> ImportReport:
    """Import the FIT files found in `paths`; a file with an activity starting after
    `not_after` (from the caller's clock) fails."""
    with collecting_own_objects():
        return _import(db, raw, profile, paths, progress, workers, limits, not_after)


def _import(db: sessionmaker[Session], raw: RawStore, profile: Profile, paths: list[Path],
            progress: Progress | None, workers: int | None, limits: export.Limits,
            not_after: datetime | None) -> ImportReport:
    with transaction(db) as session:
        who = repo.athlete(session, profile)
        known = activities.known_content_hashes(session, who)
    tally = survey(paths, limits)
    workers = workers or os.cpu_count() or 1
    with Workers(workers) as decoders:
        batch = _Batch(Target(db=db, raw=raw, who=who), known, ImportReport(), tally, progress,
                       decoders, ImportedNames(raw, who.name), not_after)
        for found in export.walk(paths, limits):
            job = batch.take(found)
            if job is not None:
                batch.add(job)
            while batch.full(workers):
                batch.collect()
        batch.send()
        while batch.pending:
            batch.collect()
    return batch.report


@contextmanager
def collecting_own_objects() -> Iterator[None]:
    """Meanwhile the garbage collector walks only the objects made since, not the ~110,000
    the process held (modules, SQLAlchemy's, numpy's). A full collection falls due in a
    command's first import (its start-up left them pending; it came in the first database
    work) and now and then later (one import in 12 of bench/import_fit.py): over the whole
    heap it took 60-85 ms of the importing process's CPU, whose whole own work for 200
    one-hour runs is ~350 ms; frozen, a first import's collections took 7 ms in all. The
    nightly run and the morning pass hold it too (jobs): full passes over whatever the process
    held were most of what still grew from one year of history to five. Where objects are
    frozen already (a forked worker), nothing is done: not ours to undo."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


# Why a recording cannot be stored when it starts after the latest a recording made by now can
# (jobs.clock.latest_start): a run stored in 2100 made `replay` replay 2100, and would sit in
# every later plan's history the day it comes.
WRONG_CLOCK = ("the watch's clock was set wrong when it recorded (set its date and time), so "
               "no day can hold it")


def too_late(starts: Iterable[datetime], not_after: datetime | None,
             cause: str = WRONG_CLOCK) -> str | None:
    """Why activities starting at `starts` cannot be stored (`import`'s files, `sync`'s
    downloads and summaries): one starts after `not_after` (None: no limit); else None."""
    if not_after is None:
        return None
    late = [start for start in starts if start > not_after]
    if not late:
        return None
    return f"dated {min(late):%a %d %b %Y %H:%M} UTC, more than a day from now: {cause}"


class ImportedNames:
    """The FIT files in an athlete's journal, content hash -> the name imported under: the
    journal is read once, when first asked (only a file of a recording stored from another
    file asks, so most imports and syncs never read it)."""

    def __init__(self, raw: RawStore, athlete: str) -> None:
        self.raw, self.athlete = raw, athlete

    @cached_property
    def names(self) -> dict[str, str]:
        return {str(e.get("hash")): str(e.get("name") or "") for e in self.raw.entries(
            self.athlete) if e.get("kind") == "fit"}


def same_recording(path: str, kept: repo.Kept, name: Callable[[str], str | None]
                   ) -> dict[str, str]:
    """A file not stored as another file of its recording is (`kept`, the first stored), as
    `import` and `sync` report it: {"path", "same_as", "day"}; the file kept is called by
    `name` (its name imported under), else by its Garmin activity (a download synced)."""
    digest = kept.content_hash or ""
    same_as = name(digest) or (f"Garmin activity {kept.garmin_id}" if kept.garmin_id is not None
                               else f"a file stored before ({digest[:12]})")
    return {"path": path, "same_as": same_as, "day": kept.day.isoformat()}
