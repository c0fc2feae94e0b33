"""The spool that carries an import's files to its workers: a ring that never hands out
space still in use, and an import that reads the same files whichever way they travel."""

from __future__ import annotations

import gc
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from db import activities
from db import models as m
from db.raw import RawStore
from db.session import open_db
from demo.fitwrite import LapSpec, run_fit
from domain.profile import Profile
from ingest import bulk, decoders
from ingest.spool import Span, Spool


def test_spans_wrap_around_and_wait_for_the_oldest() -> None:
    spool = Spool(100)
    a, b = spool.put([b"a" * 25, b"A" * 15]), spool.put([b"b" * 40])
    assert a is not None and b is not None
    assert (a.places, b.places) == ([(0, 25), (25, 15)], [(40, 40)])
    assert spool.put([b"c" * 30]) is None  # 20 left at the end, none before the oldest
    spool.free(b)
    assert spool.put([b"c" * 30]) is None  # b is free, but a (older) still holds the start
    spool.free(a)
    c = spool.put([b"c" * 30])  # all free: from the start again
    assert c is not None and c.places == [(0, 30)]
    d = spool.put([b"d" * 60])
    assert d is not None and d.places == [(30, 60)]
    spool.free(c)
    e = spool.put([b"e" * 20])  # wrapped: before d, which is still in use
    assert e is not None and e.places == [(0, 20)]
    assert spool.put([b"f" * 10]) is None  # would reach d's start
    assert spool.read(*d.places[0]) == b"d" * 60 and spool.read(*e.places[0]) == b"e" * 20


def test_live_spans_are_never_overwritten() -> None:
    rng = random.Random(7)
    spool = Spool(1000)
    live: list[tuple[Span, list[bytes]]] = []
    placed = 0
    for step in range(2000):
        if live and rng.random() < 0.45:
            finished, _ = live.pop(rng.randrange(len(live)))  # tasks finish in any order
            spool.free(finished)
            continue
        payloads = [bytes([step % 251]) * rng.randrange(0, 120) for _ in range(rng.randrange(1, 4))]
        span = spool.put(payloads)
        if span is not None:
            placed += sum(map(len, payloads))
            live.append((span, payloads))
        for held, data in live:
            assert [spool.read(*place) for place in held.places] == data
    assert placed > 20 * 1000  # the ring went round and round
    for span, _ in live:
        spool.free(span)
    assert spool.put([bytes(1000)]) is not None  # all given back: the whole ring again


ANNA = Profile(name="anna", tz="Europe/Berlin", sex="f", max_hr=186, rest_hr=48,
               runs={"sat": "long"})


# what an activity stored holds: start, distance, laps, the samples' times and channels, as bytes
Stored = tuple[object, object, object, bytes, dict[str, bytes]]


def _stored(tmp_path: Path, name: str, files: list[Path]) -> list[Stored]:
    db = open_db(f"sqlite:///{tmp_path / name}.db")
    report = bulk.import_paths(db, RawStore(tmp_path / name), ANNA, files, workers=2)
    assert report.imported == len(files) - 1 and len(report.failed) == 1
    with db() as session:
        acts = [activities.to_domain(row) for row in session.scalars(
            select(m.Activity).order_by(m.Activity.start_utc))]
    return [(a.start, a.distance_m, a.laps, a.streams.t.tobytes(),
              {k: v.tobytes() for k, v in a.streams.channels.items()}) for a in acts]


@pytest.mark.parametrize("spool_bytes", [1, 50_000])  # no room at all; room for a task
def test_files_the_spool_cannot_hold_travel_in_the_task(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spool_bytes: int) -> None:
    monkeypatch.setattr(bulk, "_TASK_BYTES", 60_000)  # two 35 KB runs a task: six tasks
    start = datetime(2025, 5, 3, 7, 0, tzinfo=UTC)
    files = []
    for day in range(12):
        path = tmp_path / f"run-{day}.fit"
        path.write_bytes(run_fit(start + timedelta(days=day), [LapSpec(1800, 3.0, 145)],
                                 seed=day)[: None if day != 5 else 300])  # one broken
        files.append(path)
    placed: list[bool] = []
    put = Spool.put

    def counted(spool: Spool, payloads: list[bytes]) -> Span | None:
        span = put(spool, payloads)
        placed.append(span is not None)
        return span

    monkeypatch.setattr(Spool, "put", counted)
    spooled = _stored(tmp_path, "spooled", files)
    assert placed and all(placed)  # every task went through the spool
    placed.clear()
    monkeypatch.setattr(decoders, "SPOOL_BYTES", spool_bytes)
    assert _stored(tmp_path, "small", files) == spooled
    assert any(not went for went in placed)  # ... and here some through the pipe
    assert len(spooled) == 11 and all(len(t) == 1800 * 8 for _, _, _, t, _ in spooled)


@pytest.mark.skipif(sys.platform != "linux", reason="pipe sizes are set on Linux only")
def test_the_results_pipe_holds_a_task_s_results_at_once() -> None:
    """A worker writes a task's results (~210 KB for 8 one-hour runs) without waiting for the
    importing process to drain a 64 KB pipe; a restarted pool's pipe too."""
    import fcntl

    if int(Path("/proc/sys/fs/pipe-max-size").read_text()) < decoders.RESULTS_PIPE_BYTES:
        pytest.skip("this system caps pipes below the size asked for (it is kept as it is)")
    with decoders.Workers(1) as workers:
        for _ in range(2):
            results: Any = workers.pool._result_queue  # its _reader: CPython's, not typeshed's
            pipe = results._reader.fileno()
            assert fcntl.fcntl(pipe, fcntl.F_GETPIPE_SZ) == decoders.RESULTS_PIPE_BYTES
            workers.restart()


def test_a_worker_leaves_what_it_inherits_out_of_its_collections() -> None:
    """Its first full collection would walk (and copy, page by page) the importing process."""
    with decoders.Workers(1) as workers:
        assert workers.pool.submit(gc.get_freeze_count).result() > 10_000
    assert gc.get_freeze_count() == 0  # the importing process's own collections: as they were
