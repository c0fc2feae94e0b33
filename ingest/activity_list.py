"""Garmin Connect's activity list of a window of days, paged by hand, and whether an activity
it no longer holds is gone from Garmin. Reads only: ingest.sync stores what it finds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ingest import garmin_wellness
from ingest.garmin import Connect, GarminBadBody, GarminNoData, GarminPassedOver
from ingest.garmin_activity import garmin_id, gmt, parent_id

PAGE = 20  # activities per list request, as Garmin's own web page asks for them


@dataclass(frozen=True)
class Listed:
    items: list[dict[str, Any]]  # one each, by start, a multisport parent before its legs
    whole: bool  # the list surely reached its end
    unusable: int  # items without a usable id or start time, left out


def listed(conn: Connect, start: date, end: date) -> Listed:
    """The window's list items; GarminNoData or GarminBadBody when there is no list."""
    body, whole = _pages(conn, start, end)
    items, ids, unusable = [], set(), 0
    for item in body:
        try:
            gid = garmin_id(item["activityId"])
            gmt(item["startTimeGMT"])
        except (TypeError, KeyError, ValueError):
            gid = None
        if gid is None:
            unusable += 1
            continue
        if gid not in ids:  # an upload during the listing shifts a page: one comes twice
            ids.add(gid)
            items.append(item)
    return Listed(sorted(items, key=lambda i: (str(i["startTimeGMT"]),
                                               parent_id(i) is not None)), whole, unusable)


def _pages(conn: Connect, start: date, end: date) -> tuple[list[Any], bool]:
    """The activity list, page by page, and whether it surely ended. Not garminconnect's
    get_activities_by_date, which asks for pages until one is empty: it took an object
    (an error) for a page of its keys, and a page served again whatever its `start` for
    a new page, forever. A short page, or one with no activity not seen yet, is the last;
    only a short page that holds some, or the first, surely ends the list (Garmin gives
    no total: an empty page after full ones may be a hiccup)."""
    api, what = conn.api, f"the activity list {start}..{end}"
    params = {"startDate": start.isoformat(), "endDate": end.isoformat(),
              "limit": str(PAGE), "sortOrder": "asc"}
    pages: list[Any] = []
    seen: set[str] = set()
    while True:
        page = conn.call(what, api.connectapi, api.garmin_connect_activities,
                         params={**params, "start": str(len(pages))})
        if not isinstance(page, list):
            if garmin_wellness.has_data(page):
                raise GarminBadBody(f"{what}: Garmin sent no list")
            return pages, not pages  # {}: garminconnect's 204
        ids = {str(item.get("activityId")) for item in page if isinstance(item, dict)}
        if len(page) < PAGE or ids <= seen:
            ended = 0 < len(page) < PAGE and not ids <= seen  # a short page of new ones
            return pages + page, ended or not pages
        pages += page
        seen |= ids


GONE = (404, 410)  # "not found", "gone": the only answers that say an activity is no more


def deleted(conn: Connect, gid: int) -> bool:
    """Whether Garmin answers that the activity is no more (404, 410): a list that misses
    it may have been cut (an empty first page reads as a whole, empty list). Any other
    answer keeps it: another 4xx says nothing of it; a 401/403 or a rate limit end the run
    (GarminAuthError, GarminUnavailable), deleting nothing; a 500 for it alone is passed over
    (GarminPassedOver: it must not end every night)."""
    try:
        conn.call(f"activity {gid}", conn.api.get_activity, gid)
    except GarminNoData as exc:
        return exc.status in GONE
    except (GarminBadBody, GarminPassedOver):
        pass
    return False
