"""Find FIT files in what a runner hands us: files, folders, and Garmin export archives.

Garmin Connect's "export your data" archive nests zips (DI_CONNECT/.../UploadedFiles_*.zip)
holding the original .fit files. Everything here is untrusted: members are read with a size
cap, nesting is bounded and member names are only labels, never paths we write to.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # far above any real activity file
MAX_ZIP_DEPTH = 4
# What reading a zip or a member can raise: bad or huge archives, encrypted members,
# unsupported compression, corrupt deflate streams, I/O errors.
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
              NotImplementedError, zlib.error)


@dataclass(frozen=True)
class Found:
    """A FIT payload (`read` gives its bytes while the walk is at it) or a place that failed."""

    label: str
    read: Callable[[], bytes] | None = None
    error: str | None = None


def walk(paths: list[Path]) -> Iterator[Found]:
    for path in paths:
        yield from _walk_path(path)


def _walk_path(path: Path) -> Iterator[Found]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and _wanted(child.name):
                yield from _walk_path(child)
    elif not path.exists():
        yield Found(str(path), error="no such file or folder")
    elif path.suffix.lower() == ".zip":
        yield from _walk_zip(str(path), lambda: path.open("rb"), depth=1)
    else:
        yield Found(str(path), read=path.read_bytes)


def _wanted(name: str) -> bool:
    return name.lower().endswith((".fit", ".zip"))


def _walk_zip(label: str, opener: Callable[[], io.BufferedIOBase | io.BytesIO],
              depth: int) -> Iterator[Found]:
    try:
        with opener() as fh, zipfile.ZipFile(fh) as archive:
            members = [i for i in archive.infolist() if not i.is_dir() and _wanted(i.filename)]
            for info in members:
                inner = f"{label}!{info.filename}"
                if info.file_size > MAX_MEMBER_BYTES:
                    yield Found(inner, error=f"member larger than {MAX_MEMBER_BYTES} bytes")
                elif info.filename.lower().endswith(".zip"):
                    if depth >= MAX_ZIP_DEPTH:
                        yield Found(inner, error="zips nested too deep")
                        continue
                    try:
                        data = _read_member(archive, info)
                    except UNREADABLE as exc:
                        yield Found(inner, error=f"unreadable zip member ({exc})")
                        continue
                    yield from _walk_zip(inner, lambda d=data: io.BytesIO(d), depth + 1)  # type: ignore[misc]
                else:
                    yield Found(inner, read=lambda i=info: _read_member(archive, i))  # type: ignore[misc]
    except UNREADABLE as exc:
        yield Found(label, error=f"unreadable zip ({exc})")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read at most the cap even if the header lies about the size (zip bombs)."""
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)
    if len(data) > MAX_MEMBER_BYTES:
        raise zipfile.LargeZipFile(f"{info.filename} inflates past {MAX_MEMBER_BYTES} bytes")
    return data
