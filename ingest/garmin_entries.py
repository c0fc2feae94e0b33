"""The journal's Garmin entries and how each is stored: a sync writes and stores them, and
`db rebuild` (ingest/rebuild.py) stores them again, in order, through the same functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from db import models as m
from db import repo, wellness_days
from db.raw import RawStore
from domain.activity import Activity
from ingest import fit, garmin_wellness
from ingest.garmin_activity import garmin_activities

ACTIVITY, DAY = "garmin-activity", "garmin-day"
# The end of an activity's wait for its file, journalled by the sync that decided it: awaited
# WAIT_DAYS (ingest.sync), it stays as its summary; gone from Garmin, the athlete deleted it.
WAIT_ENDED, GONE = "garmin-wait-ended", "garmin-activity-gone"
# An awaited file downloaded again by id on a night (ingest.sync's retries), journalled once
# Garmin answered the download (an ACTIVITY entry it stored holds the night as `retried`):
# the next nights' turns go to the files tried longest ago, after a rebuild too.
RETRIED = "garmin-file-retried"


def store_garmin_activity(session: Session, who: m.Athlete, raw: RawStore,
                          entry: dict[str, Any]) -> repo.Saved:
    """Store one journalled ACTIVITY entry from the payloads it names."""
    fit_hash = entry.get("fit")
    decoded = (fit.decode(raw.get(fit_hash), f"{entry['garmin_id']}.fit", dated=False)
               if fit_hash else [])
    sets_body = raw.get_json(entry["sets"]) if entry.get("sets") else None
    return save_activity(session, who, entry, raw.get_json(entry["summary"]), decoded, sets_body)


def save_activity(session: Session, who: m.Athlete, entry: dict[str, Any],
                  summary: dict[str, Any], decoded: list[Activity], sets_body: Any) -> repo.Saved:
    """An ACTIVITY entry's activity, from its payloads as read or fetched."""
    activities = garmin_activities(summary, decoded, sets_body)
    since = entry.get("awaits_since")  # absent from the entries journalled before it was kept
    awaits = entry.get("awaits_file") is True
    saved = repo.save_activities(session, who, activities,
                                 content_hash=entry.get("fit") if decoded else None,
                                 garmin_id=int(entry["garmin_id"]), awaits_file=awaits,
                                 awaits_since=date.fromisoformat(since) if since else None,
                                 awaits_summary=entry["summary"] if awaits else None)
    if entry.get("retried"):  # downloaded again by id that night (ingest.sync's retries)
        repo.retried(session, who, int(entry["garmin_id"]), date.fromisoformat(entry["retried"]))
    return saved


def summaries(raw: RawStore, athlete: str, waits: Mapping[int, str | None],
              skip: Callable[[str], None]) -> dict[int, Any]:
    """The list items awaited files were stored from, by Garmin id, from their digests:
    what a sync that no longer lists them (ingest.sync's retries) stores with their files.
    Those of waits begun before migration 0014 (no digest) are the ones journalled last for
    their ids: the journal is read for them alone (none is left 14 days after it); a line
    edited by hand there is named to `skip`, as `db rebuild` names it, and its file is not
    downloaded."""
    digests: dict[int, Any] = {gid: digest for gid, digest in waits.items() if digest}
    if len(digests) < len(waits):
        digests |= {int(e["garmin_id"]): e.get("summary") for e in raw.entries(athlete)
                    if e.get("kind") == ACTIVITY and e.get("garmin_id") in waits
                    and not waits[e["garmin_id"]]}
    items = {}
    for gid, digest in digests.items():
        try:
            item = raw.get_json(digest)
        except FileNotFoundError:  # a raw store swapped under the database: not downloaded
            continue
        except (TypeError, ValueError):  # not a digest, or not JSON: edited by hand
            item = None
        if isinstance(item, dict) and str(item.get("activityId")) == str(gid):
            items[gid] = item
        else:  # edited by hand, maybe to another object's digest
            skip(f"journal {raw.journal(athlete)}: the last {ACTIVITY} line of activity {gid} "
                 f"holds {digest!r} for its list item, not the digest of that item in the raw "
                 "store: put back the one it held (db rebuild refuses the line too); its file "
                 "is not downloaded until then")
    return items


def store_garmin_wait(session: Session, who: m.Athlete, entry: dict[str, Any]) -> None:
    """Store one journalled WAIT_ENDED or GONE entry."""
    repo.end_wait(session, who, int(entry["garmin_id"]), gone=entry["kind"] == GONE)


def store_garmin_retry(session: Session, who: m.Athlete, entry: dict[str, Any]) -> None:
    """Store one journalled RETRIED entry."""
    repo.retried(session, who, int(entry["garmin_id"]), date.fromisoformat(entry["night"]))


def store_garmin_day(session: Session, who: m.Athlete, raw: RawStore,
                     entry: dict[str, Any]) -> None:
    """Store one journalled DAY entry (an upsert: the latest fetch of a day wins, value by
    value but for a record's, DailyWellness.over). A value it lacks keeps the one stored:
    Garmin answers 204 or an empty body for a part not computed yet, and on a hiccup, which
    must not erase what an earlier fetch gave."""
    bodies = {part: raw.get_json(digest) for part, digest in entry["parts"].items()}
    day = garmin_wellness.day(date.fromisoformat(entry["day"]), bodies)
    stored = wellness_days.wellness(session, who, day.day, day.day)
    wellness_days.save_wellness(session, who, day.over(stored[0]) if stored else day)
