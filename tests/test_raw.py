from __future__ import annotations

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
