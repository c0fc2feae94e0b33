"""Bulk import: decode FIT files in parallel processes, store them in group commits.

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
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db import activities, repo
from db import models as m
from db.raw import RawStore, sha256
from db.session import transaction
from db.streams import Packed
from domain.activity import Activity, Streams
from domain.profile import Profile
from ingest import export, fit
from ingest.spool import Span, Spool

if sys.platform == "linux":
    import fcntl


@dataclass
class ImportReport:
    imported: int = 0  # files that added at least one activity
    duplicates: int = 0  # files whose content, or recording, was already stored
    skipped: int = 0  # FIT files that hold no activity (settings, workouts, ...)
    failed: list[dict[str, str]] = field(default_factory=list)
    # duplicates of another file's recording: {"path", "same_as": the file kept, "day": its day}
    same_recording: list[dict[str, str]] = field(default_factory=list)

    def files(self) -> int:
        """Files (and zip members) met, whatever became of them."""
        return self.imported + self.duplicates + self.skipped + len(self.failed)

    def as_json(self) -> dict[str, object]:
        return {"imported": self.imported, "duplicates": self.duplicates,
                "skipped": self.skipped, "failed": self.failed,
                "same_recording": self.same_recording}


Decoded = list[tuple[Activity, Packed | None]]  # activities without samples, streams packed


def _decode(data: bytes, label: str) -> Decoded | str:
    """Worker: the activities with their streams packed here (the main process only stores
    them, and the packed blobs are about a seventh of the arrays' bytes to send back), or the
    FitError's one-line reason (the report names the file beside it)."""
    try:
        activities = fit.decode(data, Path(label).name)
    except fit.FitError as exc:
        return exc.reason
    return [(replace(a, streams=Streams.empty()), Packed.of(a.streams)) for a in activities]


Payload = bytes | tuple[int, int]  # a file's bytes, or where they lie in the spool


def _decode_task(files: list[tuple[Payload, str]]) -> list[Decoded | str]:
    """Worker: several files' `_decode`, each on its own (a broken one spoils no other). A
    panic's backtrace on the terminal broke the importing process's progress bar."""
    with fit.quiet_decoder():
        return [_decode(_bytes(data), label) for data, label in files]


def _bytes(data: Payload) -> bytes:
    if isinstance(data, bytes):
        return data
    if _SPOOL is None:  # never: places are sent only to workers forked with the spool
        raise RuntimeError("a spool place sent to a worker without the spool")
    return _SPOOL.read(*data)


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


# Files out with each worker: three tasks of one-hour runs (~100 ms), so that while the
# importing process stores a commit of _GROUP_COMMIT files, the worker still holds a task
# after the one it is decoding.
_QUEUED_FILES = 24
_QUEUED_BYTES = 64 << 20  # per worker
_TASK_BYTES = 512 << 10  # files sent to a worker together: ~8 one-hour runs, ~30 ms
_SPOOL_BYTES = 4 << 20  # per worker: what is queued for it, when its files are not huge
# Decoded files stored together when the workers are ahead: a commit's own cost (its two fsync
# rounds, the transaction and its five statements) is shared by more files. 8 -> 16: the
# importing process's CPU for 200 one-hour runs 214-225 -> 191-202 ms (three runs each).
_GROUP_COMMIT = 16
_MAX_RESTARTS = 100  # new worker pools in one import, each after a worker died
_RESULTS_PIPE_BYTES = 1 << 20  # Linux's pipe-max-size unless raised: room for ~40 runs' results


@dataclass(frozen=True)
class _Task:
    """Files sent to a worker together, and where they lie in the spool (None: in the task)."""

    jobs: list[_Job]
    span: Span | None


class WorkersDied(Exception):
    """The worker processes keep dying, whatever file they are given."""


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
    workers: _Workers
    pending: dict[Future[list[Decoded | str]], _Task] = field(default_factory=dict)
    task: list[_Job] = field(default_factory=list)  # to send to a worker next
    decoded: list[tuple[_Job, Decoded]] = field(default_factory=list)  # to store next
    labels: dict[str, str] = field(default_factory=dict)  # content hash -> label, stored here
    journal: dict[str, str] | None = None  # content hash -> name, journalled before (read once)

    def take(self, found: export.Found) -> _Job | None:
        """The file to decode, or None when it is already counted (unreadable or stored).
        Content is only "known" once stored: a broken file fails each time it appears."""
        data, error = _read(found)
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
            future = self.workers.pool.submit(_decode_task, files)
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
            future = self.workers.pool.submit(_decode_task, [(job.data, job.found.label)])
            try:
                [result] = future.result()
            except BrokenProcessPool:
                self._fail(job.found, CRASHED)
                self.workers.restart()
            else:
                self._settle(job, result)

    def _finish(self, future: Future[list[Decoded | str]]) -> list[_Job]:
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

    def _settle(self, job: _Job, result: Decoded | str) -> None:
        if isinstance(result, str):
            self._fail(job.found, result)
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
        saved = store_fits(self.target, self.decoded, self._journalled)
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
        return self.labels.get(digest) or self._journalled().get(digest)

    def _journalled(self) -> dict[str, str]:
        """The FIT files in the journal (read once, when first needed): content hash -> name."""
        if self.journal is None:
            self.journal = imported_names(self.target.raw, self.target.who.name)
        return self.journal

    def _fail(self, found: export.Found, error: str) -> None:
        self.report.failed.append({"path": found.label, "error": error})
        self._done(found)

    def _done(self, found: export.Found) -> None:
        self.tally.count(found)
        if self.progress:
            self.progress(self.tally)


def _read(found: export.Found) -> tuple[bytes | None, str]:
    """The payload, or None and why it could not be read."""
    if found.error is not None or found.read is None:
        return None, found.error or "unreadable"
    try:
        return found.read(), ""
    except export.MemberRefused as exc:
        return None, f"refused: {exc}"
    except export.UNREADABLE as exc:
        return None, f"unreadable ({exc})"


def survey(paths: list[Path], limits: export.Limits) -> Tally:
    """The totals a progress bar needs: every file the walk will yield, and their sizes."""
    tally = Tally()
    for found in export.walk(paths, limits):
        tally.files_total += 1
        tally.bytes_total += found.size
    return tally


def import_paths(db: sessionmaker[Session], raw: RawStore, profile: Profile, paths: list[Path],
                 progress: Progress | None = None, workers: int | None = None,
                 limits: export.Limits = export.LIMITS) -> ImportReport:
    with transaction(db) as session:
        who = repo.athlete(session, profile)
        known = activities.known_content_hashes(session, who)
    tally = survey(paths, limits)
    workers = workers or os.cpu_count() or 1
    with _Workers(workers) as decoders:
        batch = _Batch(Target(db=db, raw=raw, who=who), known, ImportReport(), tally, progress,
                       decoders)
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


class _Workers:
    """The worker processes, and the spool that carries the files to them when they fork
    (fork starts workers in milliseconds; they only decode and never touch the database).
    `restart` replaces a pool whose worker died; the spool stays mapped for the new one."""

    def __init__(self, count: int) -> None:
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.count, self.context = count, multiprocessing.get_context("fork" if fork else "spawn")
        self.spool = Spool(_SPOOL_BYTES * count) if fork else None  # shared across a fork only
        self.pool, self.restarts = self._start(), 0

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.count, mp_context=self.context,
                                   initializer=_start_worker, initargs=(os.getpid(), self.spool))
        _widen_results_pipe(pool)
        return pool

    def restart(self) -> None:
        self.restarts += 1
        if self.restarts > _MAX_RESTARTS:  # not one bad file: the workers cannot run here
            raise WorkersDied(f"the decoding processes died {self.restarts} times in this "
                              "import, not over one file (out of memory?); what was imported "
                              "is kept: run it again, perhaps with --workers 1")
        self.pool.shutdown(wait=True)
        self.pool = self._start()

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.pool.shutdown(wait=True)
        finally:
            if self.spool is not None:
                self.spool.close()


def _widen_results_pipe(pool: ProcessPoolExecutor) -> None:
    """Room in the pool's result pipe for a task's results at once (~210 KB for 8 one-hour
    runs, nearly all packed streams): through Linux's default 64 KB the worker waited for the
    importing process's reader thread to drain each part, 0.38 ms a task against 0.12 with
    1 MB (measured in the worker); its idle gaps in an import of 200 runs: 23 -> 15 ms.
    The pipe is the pool's own (a private attribute, looked up with care): where it, or the
    call, is missing, or the system refuses that size, it stays as it is."""
    if sys.platform != "linux":
        return
    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    if reader is not None:
        with suppress(OSError):  # more than /proc/sys/fs/pipe-max-size, or the user's quota
            fcntl.fcntl(reader.fileno(), fcntl.F_SETPIPE_SZ, _RESULTS_PIPE_BYTES)


_SPOOL: Spool | None = None  # in a worker: its import's spool, inherited as it forks


def _start_worker(parent: int, spool: Spool | None) -> None:
    global _SPOOL
    _SPOOL = spool
    # What the worker inherits (modules, the database's objects: the whole importing process)
    # stays out of its garbage collections, which then see only what it makes. Its first
    # full collection walked all of it and wrote to every page holding a tracked object, each
    # then copied from the parent: the first task of a fresh import of one-hour runs took
    # 91-95 ms instead of 36-38 (8,100 page faults against 1,700), and a 200-run import
    # 854-896 ms against 832-838 (four each). Freezing in the worker leaves the importing
    # process's own collections as they were.
    gc.freeze()
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """Worker: exit once the importing process is gone. A SIGKILLed import would otherwise
    leave its workers waiting forever, holding what they inherited across fork: the output
    pipe and the athlete's lock (so every later import would say "already running")."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="die-with-parent").start()


def imported_names(raw: RawStore, athlete: str) -> dict[str, str]:
    """The FIT files in the athlete's journal: content hash -> the name imported under."""
    return {str(e.get("hash")): str(e.get("name") or "") for e in raw.entries(athlete)
            if e.get("kind") == "fit"}


def same_recording(path: str, kept: repo.Kept, name: Callable[[str], str | None]
                   ) -> dict[str, str]:
    """A file not stored as another file of its recording is (`kept`, the first stored), as
    `import` and `sync` report it: {"path", "same_as", "day"}; the file kept is called by
    `name` (its name imported under), else by its Garmin activity (a download synced)."""
    digest = kept.content_hash or ""
    same_as = name(digest) or (f"Garmin activity {kept.garmin_id}" if kept.garmin_id is not None
                               else f"a file stored before ({digest[:12]})")
    return {"path": path, "same_as": same_as, "day": kept.day.isoformat()}
