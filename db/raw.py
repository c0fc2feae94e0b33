"""Raw payloads on disk, by content hash, with a journal per athlete.

Every FIT file and Garmin JSON body that reaches the database is first written here, so that
`stridelift db rebuild` can recreate the database offline by replaying the journal (as
GarminDB does). Objects are immutable and written atomically; a journal line is appended only
after its objects are on disk (fsynced), and replaying a line twice stores nothing twice.
Health data: the store is the owner's alone, folders 0700 and files 0600 whatever the umask.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from db import leftovers


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


class RawStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._secured = False
        self._unsynced: set[Path] = set()  # objects and folders written since the last record
        self._folders: set[Path] = set()  # made (or found) by this store already

    def _folder(self, path: Path) -> Path:
        """`path` (a folder in the store) made, 0700; the root tightened once per store, which
        also closes the objects an older version wrote readable."""
        if not self._secured:
            self.root.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
            if stat.S_IMODE(self.root.stat().st_mode) != PRIVATE_DIR:
                self.root.chmod(PRIVATE_DIR)
            self._secured = True
        if path in self._folders:
            return path
        parts = path.relative_to(self.root).parts
        for depth in range(1, len(parts) + 1):  # each level 0700 (mkdir's parents would not be)
            folder = self.root.joinpath(*parts[:depth])
            try:
                folder.mkdir(mode=PRIVATE_DIR)
            except FileExistsError:
                continue
            self._unsynced.add(folder.parent)  # its new entry must reach the disk too
        self._folders.add(path)
        return path

    def _object(self, digest: str) -> Path:
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a sha256 digest: {digest[:80]!r}")
        return self.root / "objects" / digest[:2] / digest

    def put(self, data: bytes, digest: str | None = None) -> str:
        """Store an object; it is on disk for sure once the next `record` returns. An object
        cut short by a crash before then (a length that is not the payload's) is written anew.
        `digest` is sha256(data) when the caller has it already (an import hashes every file
        first to skip content it holds: hashing again costs 1 % of the decode time)."""
        digest = digest or sha256(data)
        path = self._object(digest)
        if not _holds(path, len(data)):
            self._objects_folder(path.parent)
            tmp = leftovers.temporary(path)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            tmp.replace(path)
        # one found here too: a run killed before its fsyncs may have left it in the page cache
        self._unsynced.update((path, path.parent))
        return digest

    def _objects_folder(self, folder: Path) -> None:
        """`_folder` for a folder of objects, the temporary files killed writers left in it
        removed the first time this store writes there: an import sweeps the few folders it
        writes to, not the whole store (`remove_leftovers`, `db check`'s: 256 folders)."""
        if folder not in self._folders:
            leftovers.remove(folder, leftovers.DIGEST)
        self._folder(folder)

    def remove_leftovers(self) -> leftovers.Swept:
        """Remove the objects' temporary files that killed writers left (db.leftovers)."""
        folder = self.root / "objects"
        if not folder.is_dir():
            return leftovers.Swept()
        return sum((leftovers.remove(one, leftovers.DIGEST) for one in sorted(folder.iterdir())),
                   leftovers.Swept())

    def get(self, digest: str) -> bytes:
        return self._object(digest).read_bytes()

    def put_json(self, body: Any) -> str:
        return self.put(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())

    def get_json(self, digest: str) -> Any:
        return json.loads(self.get(digest))

    def journal(self, athlete: str) -> Path:
        """The athlete's journal file (named in messages about its lines)."""
        return self.root / "journal" / f"{athlete}.jsonl"

    def record(self, athlete: str, *entries: dict[str, Any]) -> None:
        """Append journal entries, durably, before their data is committed to the database:
        first every object written since the last call reaches the disk, then the lines."""
        self._sync_objects()
        path = self.journal(athlete)
        self._folder(path.parent)
        if not path.exists():
            self._unsynced.add(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(entry, sort_keys=True) + "\n" for entry in entries))
            fh.flush()
            os.fsync(fh.fileno())
        self._sync_objects()  # the journal's folder entries, when it was made just now

    def _sync_objects(self) -> None:
        """fsync what was written since the last call, all at once from threads: the file
        system then commits them together, for about the price of one fsync instead of one
        each (an import stores many objects per database commit)."""
        paths, self._unsynced = sorted(self._unsynced), set()
        if len(paths) == 1:
            _fsync(paths[0])
        elif paths:
            list(_syncers().map(_fsync, paths))

    def entries(self, athlete: str) -> Iterator[dict[str, Any]]:
        """The journal in order; a torn last line (a crash mid-append) is ignored."""
        path = self.journal(athlete)
        if not path.exists():
            return
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def athletes(self) -> list[str]:
        folder = self.root / "journal"
        return sorted(p.stem for p in folder.glob("*.jsonl")) if folder.exists() else []

    def journalled(self, athletes: Iterable[str]) -> bool:
        """Whether the journal of one of `athletes` holds a line: what it lists reached a
        database (a line is appended as its data is committed there)."""
        return any(path.is_file() and path.stat().st_size
                   for path in map(self.journal, athletes))


@cache
def _syncers() -> ThreadPoolExecutor:
    """The threads that fsync, started on first use and kept (a pool per call costs more than
    its fsyncs): each blocks in the kernel, so 16 cost no CPU while they wait."""
    return ThreadPoolExecutor(16, thread_name_prefix="fsync")


def _holds(path: Path, size: int) -> bool:
    """Whether the object is there whole (a crash can leave it shorter, even empty)."""
    try:
        return path.stat().st_size == size
    except FileNotFoundError:
        return False


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)  # a folder too: its entries reach the disk
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
