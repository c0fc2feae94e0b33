"""A fake Garmin Connect for tests: recorded fixtures, own bodies, `responses`, a local server.

`FakeGarmin.route` answers one request from its state (activities, downloads, day bodies,
queued faults). The same router is served two ways: through `responses` on Garmin's real URLs
(the real garminconnect code path, in-process) and by a tiny HTTP server on 127.0.0.1 that a
`stridelift sync` subprocess reaches through STRIDELIFT_GARMIN_BASE_URL.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import models as m
from demo.fitwrite import LapSpec, SetSpec, run_fit, strength_fit
from ingest.garmin import Connect, Policy, new_api

FIXTURES = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "garmin-connect"
API = "https://connectapi.garmin.com"
DISPLAY_NAME = "runner"

Reply = tuple[int, dict[str, str], bytes] | Exception


def recorded(relative: str) -> dict[str, Any]:
    """One recorded response {method, url, status, body}; skips the test when absent."""
    path = FIXTURES / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (shared fixtures ship beside the repo, not in it)")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def recorded_group(group: str) -> list[tuple[str, dict[str, Any]]]:
    folder = FIXTURES / group
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent (shared fixtures ship beside the repo, not in it)")
    return [(p.name, json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(folder.glob("*.json"))]


def fast_policy(sleeps: list[float] | None = None, attempts: int = 4) -> Policy:
    """No pacing and no real sleeping; the waits asked for land in `sleeps`."""
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return Policy(attempts=attempts, base_s=0.01, max_wait_s=60.0, pace_s=0.0, sleep=record)


def connect_without_login(policy: Policy | None = None, base_url: str | None = None) -> Connect:
    api = new_api(base_url)
    api.client.loads('{"di_token": "x"}')
    api.display_name = DISPLAY_NAME
    return Connect(api, policy or fast_policy())


# -- bodies in Garmin's documented shapes, varying by day so that days cannot be mixed up ------


def own_day_bodies(day: str) -> dict[str, Any]:
    n = date.fromisoformat(day).toordinal() % 10
    return {
        "hrv": {"hrvSummary": {"calendarDate": day, "weeklyAvg": 48, "lastNightAvg": 45 + n,
                               "baseline": {"balancedLow": 42, "balancedUpper": 57},
                               "status": "BALANCED"}},
        "sleep": {"dailySleepDTO": {"calendarDate": day, "sleepTimeSeconds": 26000 + 60 * n,
                                    "sleepScores": {"overall": {"value": 70 + n}}},
                  "restingHeartRate": 44},
        "readiness": [
            {"calendarDate": day, "timestamp": f"{day}T20:00:00.0", "score": 40, "level": "LOW",
             "inputContext": "UPDATE_REALTIME_VARIABLES"},
            {"calendarDate": day, "timestamp": f"{day}T06:30:00.0", "score": 60 + n,
             "level": "HIGH", "inputContext": "AFTER_WAKEUP_RESET"}],
        "body_battery": [{"date": day, "charged": 50 + n, "drained": 48,
                          "bodyBatteryValuesArray": [[1, 30], [2, 90 - n], [3, 41]],
                          "bodyBatteryValueDescriptorDTOList": [
                              {"bodyBatteryValueDescriptorIndex": 0,
                               "bodyBatteryValueDescriptorKey": "timestamp"},
                              {"bodyBatteryValueDescriptorIndex": 1,
                               "bodyBatteryValueDescriptorKey": "bodyBatteryLevel"}]}],
        "summary": {"calendarDate": day, "restingHeartRate": 45 + n % 3,
                    "averageStressLevel": 25 + n},
        "training_status": {"mostRecentTrainingStatus": {"latestTrainingStatusData": {"7": {
            "calendarDate": day, "trainingStatus": 7, "deviceId": 7, "primaryTrainingDevice": 7,
            "trainingStatusFeedbackPhrase": "PRODUCTIVE_3" if n % 2 else "MAINTAINING_1"}}}},
    }


def list_item(gid: int, start_gmt: datetime, type_key: str = "running", minutes: int = 10,
              **extra: Any) -> dict[str, Any]:
    """An activity list item with the fields the sync reads (shape of activity_list_0)."""
    local = start_gmt + timedelta(hours=2)
    return {"activityId": gid, "activityName": f"Activity {gid}",
            "startTimeLocal": local.strftime("%Y-%m-%d %H:%M:%S"),
            "startTimeGMT": start_gmt.strftime("%Y-%m-%d %H:%M:%S"),
            "activityType": {"typeId": 1, "typeKey": type_key},
            "eventType": {"typeId": 9, "typeKey": "uncategorized"},
            "distance": 3000.0 * minutes / 10, "duration": 60.0 * minutes,
            "elapsedDuration": 60.0 * minutes + 5, "averageHR": 141.0, "maxHR": 160.0,
            "aerobicTrainingEffect": 2.7, "anaerobicTrainingEffect": 0.4,
            "trainingEffectLabel": "AEROBIC_BASE", "activityTrainingLoad": 50.9, **extra}


def exercise_sets_body(gid: int) -> dict[str, Any]:
    """get_activity_exercise_sets as Garmin documents it: weight in grams, ranked guesses."""
    squat = [{"category": "SQUAT", "name": "BARBELL_BACK_SQUAT", "probability": 97.5},
             {"category": "LUNGE", "name": "DUMBBELL_LUNGE", "probability": 2.5}]
    return {"activityId": gid, "exerciseSets": [
        {"exercises": squat, "repetitionCount": 8, "weight": 60000.0, "duration": 35.0,
         "setType": "ACTIVE"},
        {"exercises": [], "repetitionCount": None, "weight": None, "duration": 90.0,
         "setType": "REST"},
        {"exercises": squat, "repetitionCount": 6, "weight": 65000.0, "duration": 30.0,
         "setType": "ACTIVE"}]}


def zipped(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return buf.getvalue()


# -- the router --------------------------------------------------------------------------------

_DAY_ROUTES: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(r"/hrv-service/hrv/(\d{4}-\d\d-\d\d)$"), "hrv", None),
    (re.compile(r"/wellness-service/wellness/dailySleepData/[^/]+$"), "sleep", "date"),
    (re.compile(r"/metrics-service/metrics/trainingreadiness/(\d{4}-\d\d-\d\d)$"), "readiness",
     None),
    (re.compile(r"/wellness-service/wellness/bodyBattery/reports/daily$"), "body_battery",
     "startDate"),
    (re.compile(r"/usersummary-service/usersummary/daily/[^/]+$"), "summary", "calendarDate"),
    (re.compile(r"/metrics-service/metrics/trainingstatus/aggregated/(\d{4}-\d\d-\d\d)$"),
     "training_status", None),
]


def _json(body: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    if body is None and status == 204:
        return 204, {}, b""
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


@dataclass
class FakeGarmin:
    items: list[dict[str, Any]] = field(default_factory=list)
    downloads: dict[int, bytes] = field(default_factory=dict)
    sets: dict[int, Any] = field(default_factory=dict)
    calendar: list[dict[str, Any]] = field(default_factory=list)  # calendarItems
    day_bodies: Callable[[str], dict[str, Any]] = own_day_bodies
    faults: list[tuple[re.Pattern[str], Reply]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, pattern: str, *replies: Reply) -> None:
        """Answer the next requests whose path?query matches `pattern` with `replies`."""
        self.faults += [(re.compile(pattern), r) for r in replies]

    def add_run(self, gid: int, start: datetime, minutes: int = 10, type_key: str = "running",
                laps: list[LapSpec] | None = None, **extra: Any) -> None:
        """A run of `minutes` at an easy pace, or of `laps` (intervals, a tempo)."""
        fit = run_fit(start, laps or [LapSpec(minutes * 60, 3.0, 145)], seed=gid % 1000)
        self.items.append(list_item(gid, start, type_key, minutes, **extra))
        self.downloads[gid] = zipped(f"{gid}_ACTIVITY.fit", fit)

    def add_strength(self, gid: int, start: datetime, with_fit_sets: bool = False) -> None:
        """A strength session; its FIT has set messages only when `with_fit_sets`."""
        sets = [SetSpec("squat", "barbell_back_squat", 8, 60.0, 35.0)] if with_fit_sets else []
        fit = strength_fit(start, sets)
        self.items.append(list_item(gid, start, "strength_training", 20))
        self.downloads[gid] = zipped(f"{gid}_ACTIVITY.fit", fit)
        self.sets[gid] = exercise_sets_body(gid)

    def route(self, method: str, url: str) -> Reply:
        parts = urlsplit(url)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        target = f"{path}?{parts.query}" if parts.query else path
        with self.lock:
            self.calls.append(target)
            for i, (pattern, reply) in enumerate(self.faults):
                if pattern.search(target):
                    del self.faults[i]
                    return reply
        if method != "GET":
            return _json({"message": "method not allowed"}, 405)
        return self._answer(path, query)

    def _answer(self, path: str, query: dict[str, str]) -> Reply:
        if path == "/userprofile-service/socialProfile":
            return _json({"displayName": DISPLAY_NAME, "fullName": "Test Runner"})
        if path == "/activitylist-service/activities/search/activities":
            return _json(self._page(query))
        found = re.fullmatch(r"/download-service/files/activity/(\d+)", path)
        if found and int(found.group(1)) in self.downloads:
            return 200, {"Content-Type": "application/zip"}, self.downloads[int(found.group(1))]
        found = re.fullmatch(r"/activity-service/activity/(\d+)/exerciseSets", path)
        if found and int(found.group(1)) in self.sets:
            return _json(self.sets[int(found.group(1))])
        found = re.fullmatch(r"/activity-service/activity/(\d+)", path)
        listed = [i for i in self.items if found and i["activityId"] == int(found.group(1))]
        if listed:
            return _json(listed[0])
        found = re.fullmatch(r"/calendar-service/year/(\d+)/month/(\d+)", path)
        if found:  # Garmin counts months from 0 here
            month = f"{found.group(1)}-{int(found.group(2)) + 1:02d}"
            return _json({"calendarItems": [i for i in self.calendar
                                            if str(i.get("date", "")).startswith(month)]})
        for pattern, part, param in _DAY_ROUTES:
            match = pattern.search(path)
            if match:
                day = query.get(param, "") if param else match.group(1)
                body = self.day_bodies(day).get(part)
                return _json(body, 200 if body is not None else 204)
        return _json({"message": "not found"}, 404)

    def _page(self, query: dict[str, str]) -> list[dict[str, Any]]:
        first, last = query.get("startDate", ""), query.get("endDate", "9999")
        chosen = sorted((i for i in self.items if first <= _local_day(i) <= last),
                        key=lambda i: i["startTimeGMT"])
        start, limit = int(query.get("start", 0)), int(query.get("limit", 20))
        return chosen[start:start + limit]


def _local_day(item: dict[str, Any]) -> str:
    """The day Garmin files an activity under: its local day (the GMT one where a test gave
    it an odd startTimeLocal: Garmin itself knows the real one)."""
    local = str(item.get("startTimeLocal"))[:10]
    return local if re.fullmatch(r"\d{4}-\d\d-\d\d", local) else str(item["startTimeGMT"])[:10]


# -- serving it --------------------------------------------------------------------------------


@contextmanager
def mocked(fake: FakeGarmin) -> Iterator[responses.RequestsMock]:
    """`responses` answering every request to Garmin's real API host from `fake`."""
    def callback(request: requests.PreparedRequest) -> Reply:
        return fake.route(str(request.method), str(request.url))  # an Exception is raised
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for method in ("GET", "POST", "PUT", "DELETE"):
            rsps.add_callback(method, re.compile(re.escape(API) + r"/.*"), callback=callback)
        yield rsps


@contextmanager
def served(fake: FakeGarmin) -> Iterator[str]:
    """A local HTTP server on 127.0.0.1 answering from `fake`; yields its base URL."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = fake.route("GET", self.path)
            status, headers, body = reply if not isinstance(reply, Exception) else (
                500, {}, b"")
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client was killed mid-request: that is the point of some tests

        def log_message(self, *_: Any) -> None:  # keep pytest's output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def table_contents(factory: sessionmaker[Session]) -> dict[str, list[str]]:
    """Every row of every table, surrogate ids replaced by natural keys, sorted: two databases
    with equal contents compare equal whatever order their rows were inserted in."""
    out: dict[str, list[str]] = {}
    with factory() as session:
        athletes = {i: name for i, name in session.execute(select(m.Athlete.id, m.Athlete.name))}
        acts = {row.id: (athletes[row.athlete_id], row.garmin_id, row.content_hash,
                         row.session_index) for row in session.scalars(select(m.Activity))}
        for table in m.Base.metadata.sorted_tables:
            rows = []
            for row in session.execute(select(table)).mappings():
                values = {k: v for k, v in row.items() if k != "id"}
                if "activity_id" in values:
                    values["activity_id"] = acts[values["activity_id"]]
                if "athlete_id" in values:
                    values["athlete_id"] = athletes[values["athlete_id"]]
                rows.append(repr(sorted(values.items())))
            out[table.name] = sorted(rows)
    return out
