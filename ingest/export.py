"""Find FIT files in what a runner hands us: files, folders, and Garmin export archives.

Garmin Connect's "export your data" archive nests zips (DI_CONNECT/.../UploadedFiles_*.zip)
holding the original .fit files; Strava's keeps each activity gzipped (activities/*.fit.gz).
Everything here is untrusted: members are read with a size cap, nesting is bounded and member
names are only labels, never paths we write to.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_MEMBER_BYTES = 64 * 1024 * 1024  # one activity downloaded from Garmin (ingest.garmin)
MAX_ZIP_DEPTH = 4
GZIPPED = ".fit.gz"
GZIP_MAGIC = b"\x1f\x8b"  # how every gzip member starts (RFC 1952 2.3.1)
_GZIP_CHUNK = 4096  # bytes of a gzip inflated at a time
# A .fit.gz holds one member, a few when joined (`cat`), or a member per block of at most
# 65536 bytes (bgzip: 1000 hold 65 MB, past any activity). A file of empty 20-byte members
# took ~1 s per 10 MB of them to inflate to nothing: refused at this many.
MAX_GZIP_MEMBERS = 1000
BGZIP_BLOCK = 64 * 1024  # the most a bgzip member inflates to
# What reading a zip or a member can raise: bad or huge archives, encrypted members,
# unsupported compression, corrupt deflate streams, I/O errors.
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
              NotImplementedError, zlib.error)


MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """How far a zip member may inflate. The largest real activity file is a few MB and FIT
    data deflates 2-10:1, so 200 MB or 100:1 is a bomb, not a run. The ratio is judged only
    past `ratio_from_bytes`: a small member of padding can honestly deflate 1000:1."""

    member_bytes: int = 200 * MB
    ratio: int = 100
    ratio_from_bytes: int = 1 * MB


LIMITS = Limits()


@dataclass(frozen=True)
class Found:
    """A FIT payload (`read` gives its bytes while the walk is at it) or a place that failed.
    `size` is what the payload says it weighs (the file's, or the zip header's), for progress."""

    label: str
    read: Callable[[], bytes] | None = None
    error: str | None = None
    size: int = 0


def payload(found: Found) -> tuple[bytes | None, str]:
    """The payload's bytes, or None and why they could not be read."""
    if found.error is not None or found.read is None:
        return None, found.error or "unreadable"
    try:
        return found.read(), ""
    except MemberRefused as exc:
        return None, f"refused: {exc}"
    except UNREADABLE as exc:
        return None, f"unreadable ({exc})"


class MemberRefused(zipfile.LargeZipFile):
    """A member inflates past the limits."""


def walk(paths: list[Path], limits: Limits = LIMITS) -> Iterator[Found]:
    for path in paths:
        yield from _walk_path(path, limits)


def _walk_path(path: Path, limits: Limits) -> Iterator[Found]:
    # one stat a path, where pathlib's is_dir, exists, is_file and stat took six (an import
    # walks twice, its progress bar's totals first): a walk of 200 files 3.5-4.3 -> 1.1-1.5 ms
    status = _status(path)
    if status is not None and stat.S_ISDIR(status.st_mode):
        for child in sorted(path.rglob("*")):
            if child.is_file() and _wanted(child.name):
                yield from _walk_path(child, limits)
    elif status is None:
        yield Found(str(path), error="no such file or folder")
    elif path.suffix.lower() == ".zip" and stat.S_ISREG(status.st_mode):
        yield from _walk_zip(str(path), lambda: path.open("rb"), 1, limits)
    elif (why := _refused(status, limits)) is not None:
        yield Found(str(path), error=why)
    elif _gzipped(path.name):
        yield Found(str(path), read=lambda: _gunzip(path.read_bytes(), limits),
                    size=status.st_size)
    else:
        yield Found(str(path), read=path.read_bytes, size=status.st_size)


def refusal(path: Path, limits: Limits = LIMITS) -> str | None:
    """Why a path named as an activity file is not read, or None. A device or a pipe would be
    read forever or wait for a writer (`import /dev/zero` ran out of memory, a FIFO hung),
    and no activity file comes near a zip member's limit. A path that is not there is for
    the read to report."""
    status = _status(path)
    return None if status is None else _refused(status, limits)


def _refused(status: os.stat_result, limits: Limits) -> str | None:
    """`refusal` of a path that is there, by its stat."""
    if not stat.S_ISREG(status.st_mode):
        return ("not a regular file (a device, pipe or socket): give a .fit, .fit.gz or .zip file, "
                "or a folder")
    if status.st_size > limits.member_bytes:
        return (f"refused: {status.st_size // MB} MB, more than any activity file "
                f"({limits.member_bytes // MB} MB at most)")
    return None


_NOT_THERE = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)  # as pathlib's exists()


def _status(path: Path) -> os.stat_result | None:
    """The path's stat (its target's, for a link), None where `path.exists()` is False; an
    error it raises (no permission to look) raised alike."""
    try:
        return path.stat()
    except OSError as exc:
        if exc.errno not in _NOT_THERE:
            raise
        return None
    except ValueError:  # a name the file system cannot hold (a NUL in it)
        return None


def _wanted(name: str) -> bool:
    return name.lower().endswith((".fit", ".zip", GZIPPED))


def _gzipped(name: str) -> bool:
    return name.lower().endswith(GZIPPED)


def _gunzip(data: bytes, limits: Limits) -> bytes:
    """A gzipped FIT file's bytes, all its members (`cat a.gz b.gz` is one gzip file, RFC 1952
    2.2, which gzip itself reads whole; zlib alone stops at the end of a member), inflated no
    further than a zip member may be, in all (a bomb is MemberRefused; a damaged or cut
    stream, zlib.error). Bytes after a member that start no member (zeros padding it, or
    other) are passed over, as gzip passes them ("trailing garbage ignored"): refusing them
    refused a file read whole before members were. More than MAX_GZIP_MEMBERS members is
    no activity's file (MemberRefused)."""
    if not data.startswith(GZIP_MAGIC):
        raise zlib.error("not a gzip file")
    cap, inflated, pos, members = _cap(len(data), limits), bytearray(), 0, 0
    while data.startswith(GZIP_MAGIC, pos):
        members += 1
        if members > MAX_GZIP_MEMBERS:
            raise MemberRefused(f"more than {MAX_GZIP_MEMBERS} gzip members (a .fit.gz holds "
                                "one, a few joined, or one per bgzip block of at most "
                                f"{_mb(BGZIP_BLOCK)}: {_mb(MAX_GZIP_MEMBERS * BGZIP_BLOCK)} "
                                f"in {MAX_GZIP_MEMBERS}, past any activity): not an "
                                "activity file")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16: the gzip header and trailer
        while not inflater.eof:
            if pos == len(data):
                raise zlib.error("the gzip stream ends early (a cut copy)")
            # bounded input: what a member leaves unused is copied, once per member
            chunk = memoryview(data)[pos:pos + _GZIP_CHUNK]
            inflated += inflater.decompress(chunk, cap + 1 - len(inflated))
            if len(inflated) > cap:
                raise MemberRefused(_past(cap, len(data), limits))
            pos += len(chunk) - len(inflater.unused_data)
    return bytes(inflated)


def _walk_zip(label: str, opener: Callable[[], io.BufferedIOBase | io.BytesIO],
              depth: int, limits: Limits) -> Iterator[Found]:
    try:
        with opener() as fh, zipfile.ZipFile(fh) as archive:
            members = [i for i in archive.infolist() if not i.is_dir() and _wanted(i.filename)]
            for info in members:
                yield from _walk_member(label, archive, info, depth, limits)
    except UNREADABLE as exc:
        yield Found(label, error=f"unreadable zip ({exc})")


def _walk_member(label: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int,
                 limits: Limits) -> Iterator[Found]:
    inner = f"{label}!{info.filename}"
    refusal = _refusal(info.file_size, info.compress_size, limits)
    if refusal:
        yield Found(inner, error=f"refused: {refusal}")
    elif info.filename.lower().endswith(".zip"):
        if depth >= MAX_ZIP_DEPTH:
            yield Found(inner, error="zips nested too deep")
            return
        try:
            data = _read_member(archive, info, limits)
        except MemberRefused as exc:
            yield Found(inner, error=f"refused: {exc}")
            return
        except UNREADABLE as exc:
            yield Found(inner, error=f"unreadable zip member ({exc})")
            return
        yield from _walk_zip(inner, lambda: io.BytesIO(data), depth + 1, limits)
    elif _gzipped(info.filename):
        yield Found(inner, read=lambda: _gunzip(_read_member(archive, info, limits), limits),
                    size=info.file_size)
    else:
        yield Found(inner, read=lambda: _read_member(archive, info, limits),
                    size=info.file_size)


def _cap(compressed: int, limits: Limits) -> int:
    """The most `compressed` bytes may inflate to within the limits."""
    return min(limits.member_bytes, max(compressed * limits.ratio, limits.ratio_from_bytes))


def _past(cap: int, compressed: int, limits: Limits) -> str:
    """Why a payload read no further than its `cap` is refused: all that is known is that it
    inflates past it (the true size is never reached)."""
    if cap == limits.member_bytes:
        return f"more than {_mb(cap)} once unpacked (the limit for one file)"
    return (f"more than {_mb(cap)} once unpacked from {_mb(compressed)}, past the limit of "
            f"{limits.ratio}:1 (a compression bomb, not an activity)")


def _refusal(inflated: int, compressed: int, limits: Limits) -> str | None:
    """Why a member of this size is refused, or None."""
    if inflated > limits.member_bytes:
        return f"inflates past {_mb(limits.member_bytes)} (the limit for one member)"
    ratio = inflated / max(compressed, 1)
    if inflated > limits.ratio_from_bytes and ratio > limits.ratio:
        return (f"inflates {ratio:.0f}:1 to {_mb(inflated)}, past the limit of "
                f"{limits.ratio}:1 (a compression bomb, not an activity)")
    return None


def _mb(size: int) -> str:
    if size < MB:
        return f"{size} bytes"
    return f"{size / MB:.1f} MB" if size < 10 * MB else f"{size // MB} MB"


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Read at most the limits allow even if the header lies about the size (zip bombs)."""
    cap = _cap(info.compress_size, limits)
    with archive.open(info) as member:
        data = member.read(cap + 1)
    if len(data) > cap:
        raise MemberRefused(_past(cap, info.compress_size, limits))
    return data
