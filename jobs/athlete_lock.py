"""One writer per athlete: the long runs that write an athlete's data (nightly, morning,
import, sync, push --apply, db rebuild) never run at once for the same athlete.

An OS file lock in the home (filelock: flock on POSIX) rather than a lock row or a long
SQLite transaction: the kernel drops it the moment its process dies, so a SIGKILLed run never
leaves a stale lock to expire; it does not hold a database transaction open for the whole run
(import commits file by file, nightly night by night); and it works the same with PostgreSQL.
The second run is refused at once with one line instead of waiting on, or failing with,
"database is locked"."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from filelock import FileLock, Timeout

from jobs.errors import Busy as Busy  # raised here; the shell names it
from jobs.home import Home


@contextmanager
def athlete_lock(home: Home, athlete: str, what: str) -> Iterator[None]:
    """Hold the athlete's lock while `what` (e.g. "nightly run") runs; Busy if it is held."""
    locks = home.folder() / "locks"
    locks.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = FileLock(locks / f"{athlete}.lock", mode=0o600)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise Busy(f"already running: a nightly run, morning pass, import, sync, push or "
                   f"rebuild for {athlete} is already in progress; this {what} did not start "
                   "(try again when it ends)") from None
    try:
        yield
    finally:
        lock.release()
