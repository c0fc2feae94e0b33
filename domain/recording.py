"""Which recording a FIT file holds, as a key (ingest.fit_normalise.recording writes it from the
file; db.repo stores one file of each): maker, product, serial number, time created and start,
e.g. "garmin:fr255:3420897194:2023-09-02T13:15:24Z:2023-09-02T13:15:24Z"; maker and product
hold no colon."""

from __future__ import annotations

from collections.abc import Collection

MATCHED_DURATION_S = 1.0  # a re-encoded copy rounds the timer time (308.545 s: 309 s)


def _serial_apart(recording: str) -> tuple[str, str]:
    """The key without its serial number, and the serial number ("" when the file has none)."""
    maker, product, serial, times = recording.split(":", 3)
    return f"{maker}:{product}::{times}", serial


def copy_key(recording: str) -> str | None:
    """The key of a copy of the recording without its serial number (the FIT SDK's re-encoded
    copy of a watch's file drops it; so may other apps); None for a key without one."""
    key, serial = _serial_apart(recording)
    return key if serial else None


def serial_dropped(stored: str, found: str) -> bool:
    """Whether a file's key is a stored recording's but for the serial number the stored file
    has and it lacks. The other way round (a serial-less copy stored first, the watch's file
    taking its place) only where no file of another watch of its model starting then is
    stored: the copy may be any watch's of its model (db.recordings.copy_of). Not two serial
    numbers: the FIT SDK's own examples are two activities written in one second from one
    start by one maker and product, told apart by their serial numbers alone."""
    return copy_key(stored) == found


def held(found: str, stored: Collection[str]) -> bool:
    """Whether a file's recording is one of `stored`, or a serial-less copy of one of them
    (told apart by sport and timer time as well when stored: db.recordings)."""
    return found in stored or any(serial_dropped(one, found) for one in stored)


def same_activity(sport: str, duration_s: float, other_sport: str,
                  other_duration_s: float) -> bool:
    """What a serial-less copy must share with the file it is taken for beyond the key: its
    sport and its timer time (to MATCHED_DURATION_S)."""
    return sport == other_sport and abs(duration_s - other_duration_s) <= MATCHED_DURATION_S
