from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.raw import RawStore, sha256


def test_objects_are_content_addressed_and_idempotent(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    digest = store.put(b"payload")
    assert digest == sha256(b"payload") and store.put(b"payload") == digest
    assert store.get(digest) == b"payload"
    assert store.get_json(store.put_json({"b": 1, "a": [2]})) == {"a": [2], "b": 1}
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_digest_the_caller_has_stores_the_same_object(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    digest = store.put(b"payload", sha256(b"payload"))
    assert digest == sha256(b"payload") and store.get(digest) == b"payload"
    assert store.put(b"payload") == digest
    assert [p.name for p in (tmp_path / "objects").rglob("*") if p.is_file()] == [digest]


def test_journal_keeps_order_and_survives_a_torn_last_line(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    store.record("anna", {"kind": "fit", "hash": "1"})
    store.record("anna", {"kind": "fit", "hash": "2"})
    with (tmp_path / "journal" / "anna.jsonl").open("a") as fh:
        fh.write('{"kind": "fi')  # the process died mid-append
    assert [e["hash"] for e in store.entries("anna")] == ["1", "2"]
    assert store.athletes() == ["anna"]
    assert list(store.entries("ben")) == []


def test_hash_names_cannot_escape_the_store(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        RawStore(tmp_path).get("../../etc/passwd")


def test_an_object_cut_short_by_a_crash_is_written_again(tmp_path: Path) -> None:
    digest = RawStore(tmp_path).put(b"payload")
    (tmp_path / "objects" / digest[:2] / digest).write_bytes(b"")  # what a crash can leave
    store = RawStore(tmp_path)
    assert store.put(b"payload") == digest and store.get(digest) == b"payload"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="names fds through /proc")
def test_objects_reach_the_disk_before_the_journal_lines_naming_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[Path] = []
    fsync = os.fsync

    def watched(fd: int) -> None:
        synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)
    monkeypatch.setattr(os, "fsync", watched)
    store = RawStore(tmp_path)
    digests = [store.put(b"one"), store.put(b"two")]
    store.record("anna", *({"kind": "fit", "hash": d} for d in digests))
    objects = {tmp_path / "objects" / d[:2] / d for d in digests}
    journal = tmp_path / "journal" / "anna.jsonl"
    assert objects | {p.parent for p in objects} <= set(synced[:synced.index(journal)])
    assert [e["hash"] for e in store.entries("anna")] == digests
    synced.clear()
    store.record("anna", {"kind": "fit", "hash": digests[0]})
    assert synced == [journal]  # nothing new to sync: one fsync, the journal's
