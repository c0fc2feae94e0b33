"""The decoder's worker processes: FIT files decoded, and their streams packed, away from
the importing process (ingest/bulk.py), which only stores what comes back.

Workers are forked where the system can (they start in milliseconds and inherit the spool,
ingest/spool.py, that carries the files to them through shared memory), never touch the
database, and exit once the importing process is gone. A pool whose worker died is replaced
(`Workers.restart`) until that happens too often to be one bad file.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

from db.streams import Packed
from domain.activity import Activity, Streams
from ingest import fit
from ingest.spool import Spool

if sys.platform == "linux":
    import fcntl

Decoded = list[tuple[Activity, Packed | None]]  # activities without samples, streams packed


def _decode(data: bytes, label: str) -> Decoded | fit.FitError:
    """Worker: the activities with their streams packed here (the main process only stores
    them, and the packed blobs are about a seventh of the arrays' bytes to send back), or the
    FitError (its one-line reason: the report names the file beside it)."""
    try:
        activities = fit.decode(data, Path(label).name)
    except fit.FitError as exc:
        return exc
    return [(replace(a, streams=Streams.empty()), Packed.of(a.streams)) for a in activities]


Payload = bytes | tuple[int, int]  # a file's bytes, or where they lie in the spool


def decode_task(files: list[tuple[Payload, str]]) -> list[Decoded | fit.FitError]:
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


SPOOL_BYTES = 4 << 20  # per worker: what is queued for it, when its files are not huge
MAX_RESTARTS = 100  # new worker pools in one import, each after a worker died
RESULTS_PIPE_BYTES = 1 << 20  # Linux's pipe-max-size unless raised: room for ~40 runs' results


class WorkersDied(Exception):
    """The worker processes keep dying, whatever file they are given."""


class Workers:
    """The worker processes, and the spool that carries the files to them when they fork
    (fork starts workers in milliseconds; they only decode and never touch the database).
    `restart` replaces a pool whose worker died; the spool stays mapped for the new one."""

    def __init__(self, count: int) -> None:
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.count, self.context = count, multiprocessing.get_context("fork" if fork else "spawn")
        self.spool = Spool(SPOOL_BYTES * count) if fork else None  # shared across a fork only
        self.pool, self.restarts = self._start(), 0

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=self.count, mp_context=self.context,
                                   initializer=_start_worker, initargs=(os.getpid(), self.spool))
        _widen_results_pipe(pool)
        return pool

    def restart(self) -> None:
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:  # not one bad file: the workers cannot run here
            raise WorkersDied(f"the decoding processes died {self.restarts} times in this "
                              "import, not over one file (out of memory?); what was imported "
                              "is kept: run it again, perhaps with --workers 1")
        self.pool.shutdown(wait=True)
        self.pool = self._start()

    def __enter__(self) -> Workers:
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
            fcntl.fcntl(reader.fileno(), fcntl.F_SETPIPE_SZ, RESULTS_PIPE_BYTES)


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
