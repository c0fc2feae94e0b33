"""Temporary files a killed writer left behind: a file is written beside its place under a
hidden temporary name, `.{name}.{pid}.tmp` (or `.{name}.{pid}.{random}.tmp`, mkstemp's), and
renamed over it; a process killed in between leaves the temporary file for good. Only such
names are touched, and only once no live process can own them: the writer named is gone, or
(a name without a writer, from before names carried one) the file is a day old. One that
cannot be removed (a folder the process may not write in) is left, and named in the sweep's
outcome."""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

STALE_S = 24 * 3600  # a temporary file without its writer's pid this old is nobody's
DIGEST = "[0-9a-f]{64}"  # the raw store's objects (db.raw)
# mkstemp's random part: of its exact shape, so the temporary file of a longer name is never
# read as one of this name's (`.x.db.20261207.{pid}.tmp`, x.db.20261207's, as x.db's of a
# writer 20261207 long gone, while its writer lives)
RANDOM = "[a-z0-9_]{8}"
JOURNAL = "-journal"  # SQLite's rollback journal of a copy being written (db.maintenance)


def temporary(path: Path) -> Path:
    """The name a process writes `path` under before renaming it there."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def temporary_prefix(path: Path) -> str:
    """mkstemp's prefix for `path`'s temporary file: its writer's pid in the name."""
    return f".{path.name}.{os.getpid()}."


@dataclass(frozen=True)
class Swept:
    """A sweep's outcome: the leftovers removed, and those it could not remove (a folder
    the process may not write in: left as they are, for a sweep that can write there)."""

    removed: tuple[Path, ...] = ()
    kept: tuple[Path, ...] = ()

    def __add__(self, other: Swept) -> Swept:
        return Swept(self.removed + other.removed, self.kept + other.kept)


def remove_beside(path: Path) -> Swept:
    """Remove the leftover temporary files of `path`."""
    return remove(path.parent, re.escape(path.name))


def remove(folder: Path, name: str) -> Swept:
    """Remove the leftover temporary files in `folder` of the files whose names match the
    pattern `name`."""
    pattern = re.compile(
        rf"\.{name}\.(?:(?P<pid>\d+)(?:\.{RANDOM})?|{RANDOM})\.tmp(?:{JOURNAL})?")
    removed, kept = [], []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):  # none, or a stray file (a .DS_Store)
        return Swept()
    for entry in entries:
        found = pattern.fullmatch(entry.name)
        if found is None or not entry.is_file(follow_symlinks=False) or not _abandoned(
                Path(entry.path), found["pid"]):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:  # its writer renamed it, or another sweep took it
            continue
        except OSError:  # read-only (EROFS, EACCES, EPERM): no reason to fail the caller
            kept.append(Path(entry.path))
            continue
        removed.append(Path(entry.path))
    return Swept(tuple(removed), tuple(kept))


def _abandoned(path: Path, pid: str | None) -> bool:
    """Whether no live process can still be writing `path`: its writer (`pid`) is gone;
    without one, it is older than STALE_S."""
    if pid is None:
        try:
            return time.time() - path.stat().st_mtime > STALE_S
        except FileNotFoundError:
            return False
    return not _alive(int(pid))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # no signal sent: asks whether the process exists
    except (ProcessLookupError, OverflowError):  # none, or no pid at all
        return False
    except PermissionError:  # another user's
        return True
    return True
