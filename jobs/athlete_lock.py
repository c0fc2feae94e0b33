"""One writer per athlete: the runs that write an athlete's data (nightly, morning, import,
sync, push, db rebuild, a race entered or removed, a profile change followed, and the plan
brought up to date by a page or a command that shows it) never run at once for the same
athlete. Two plans saved at once would merge session by session (jobs.replan.save_sessions
writes what each changed): a week could end with sessions of two templates.

An OS file lock in the home (filelock: flock on POSIX) rather than a lock row or a long
SQLite transaction: the kernel drops it the moment its process dies, so a SIGKILLed run never
leaves a stale lock to expire; it does not hold a database transaction open for the whole run
(import commits file by file, nightly night by night); and it works the same with PostgreSQL.
A run that finds it held waits a moment (a plan brought up to date holds it about a second)
and is then refused with one line instead of waiting on, or failing with, "database is
locked". A page or a command that only shows the plan never waits: while another run holds
the lock it shows the plan as stored, and says so."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from filelock import FileLock, Timeout

from domain.pointer import Pointer, pointed
from domain.profile import Profile
from jobs.errors import Busy as Busy  # raised here; the shell names it
from jobs.home import Home

# How long a run waits for the lock before it is refused: a plan brought up to date for a
# page holds it well under this; a nightly run, an import or a sync holds it for minutes.
PATIENCE_S = 3.0
# Every run that holds the lock, as the words of a run refused and of a plan shown as stored
# name them: the lock does not say which one holds it.
HOLDERS = ("a nightly run, a morning pass, an import, a sync, a push, a rebuild, a race "
           "entered or removed, a profile change, or a page or command bringing the plan up "
           "to date")
# What a page or a command that shows the plan says when another run holds the lock.
AS_STORED = Pointer(cli="run this again when it ends for today's changes",
                    web="reload the page when it ends for today's changes")


@contextmanager
def athlete_lock(home: Home, athlete: str, what: str) -> Iterator[None]:
    """Hold the athlete's lock while `what` (e.g. "nightly run") runs; Busy if it stays held."""
    with _held(home, athlete, PATIENCE_S) as held:
        if not held:
            raise Busy(f"already running: {HOLDERS} for {athlete} is already in progress; "
                       f"this {what} did not start (try again when it ends)")
        yield


@contextmanager
def planning(home: Home, profile: Profile, what: str) -> Iterator[Profile]:
    """The athlete's lock held for a run that plans (athlete_lock), and their profile as
    saved now: the one read before it may be from before a profile change or a race entry
    this run waited for (PATIENCE_S), whose plan it would otherwise undo."""
    with athlete_lock(home, profile.name, what):
        yield home.athletes().get(profile.name, profile)


def plan_update(home: Home, athlete: str) -> AbstractContextManager[bool]:
    """The lock for bringing the plan up to date before showing it: True when held, False
    at once when another run holds it (the plan is then shown as stored: as_stored)."""
    return _held(home, athlete, 0)


def as_stored(athlete: str, what: str = "the plan", on_web: bool = False) -> str:
    """What a page (`on_web`) or a command showing `what` as stored says, with its pointer."""
    return pointed(f"another run for {athlete} holds its lock ({HOLDERS}): this is {what} as "
                   "stored, perhaps without today's changes", AS_STORED, on_web)


@contextmanager
def _held(home: Home, athlete: str, wait: float) -> Iterator[bool]:
    """The athlete's lock, waited for up to `wait` seconds: True while held, False when
    another run held it all that while."""
    locks = home.folder() / "locks"
    locks.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = FileLock(locks / f"{athlete}.lock", mode=0o600)
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
