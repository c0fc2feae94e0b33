"""Files the user reads (report, calendar) and keys the app keeps: written whole or not at
all, private."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from db import leftovers


def write_private(path: Path, data: bytes) -> None:
    """`data` at `path`, replacing what was there by an atomic rename; mode 0600 (mkstemp's):
    these files hold health data."""
    with replacing_private(path, data):
        pass


@contextmanager
def replacing_private(path: Path, data: bytes) -> Iterator[None]:
    """`data` written beside `path` at once (where it cannot be, this fails before the block
    runs), renamed over `path` when the block ends well, dropped when it fails: what the
    block stores and the file land together. Only a file is replaced: a folder, device or
    pipe named by mistake (`--out /dev/full` as root) would be renamed over, or the rename
    fail obscurely."""
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "it is a folder, device or pipe, not a file: name a file")
    tmp = _written_beside(path, data)
    try:
        yield
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def create_private_once(path: Path, data: bytes) -> None:
    """`data` at `path` (0600), unless another process made it first: its file wins. Linked
    in place, as a link never replaces an existing file."""
    tmp = _written_beside(path, data)
    try:
        with contextlib.suppress(FileExistsError):  # made first by the other process
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _written_beside(path: Path, data: bytes) -> Path:
    """A temporary file beside `path` holding `data`, flushed to disk (a rename or link must
    not outrun the data on a crash); those a killed writer of `path` left, removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    leftovers.remove_beside(path)
    fd, name = tempfile.mkstemp(prefix=leftovers.temporary_prefix(path), suffix=".tmp",
                                dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp
