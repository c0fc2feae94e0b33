"""Garmin Connect through garminconnect 0.3.2: one guarded call (login and tokens:
ingest/garmin_login.py).

Every data call goes through `Connect.call`: it paces requests, retries 429/5xx/timeouts with
exponential backoff and jitter (honouring Retry-After), and turns garminconnect's exceptions,
which carry the HTTP status only inside their message, into the typed one-line errors below.
Nothing here logs or raises tokens or passwords: upstream messages are never passed through.
"""

from __future__ import annotations

import email.utils
import io
import logging
import os
import random
import re
import time
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from garminconnect import (
    Garmin,
    GarminConnectAuthenticationError,
    GarminConnectConnectionError,
    GarminConnectTooManyRequestsError,
    client,
)
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from ingest.export import MAX_MEMBER_BYTES

log = logging.getLogger(__name__)
T = TypeVar("T")

# For tests only: send every API call to this base URL (a local fake) instead of Garmin's.
ENV_BASE_URL = "STRIDELIFT_GARMIN_BASE_URL"
ENV_PACE = "STRIDELIFT_GARMIN_PACE"  # seconds between calls
LOGIN_HINT = "run `stridelift login`"
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
MAX_ZIP_MEMBERS = 64
SOCIAL_PROFILE = "/userprofile-service/socialProfile"
RATE_LIMITED = 429  # too many requests: Garmin is up, the account is asked to wait


class GarminError(Exception):
    """Garmin Connect failed in a way the user should hear about; the message is one line."""


class GarminAuthError(GarminError):
    """The saved login is missing or refused: the run stops and asks for `stridelift login`."""


class GarminUnavailable(GarminError):
    """Garmin kept answering 429/5xx or timing out after every retry."""


class GarminRateLimited(GarminUnavailable):
    """Garmin kept answering 429 (too many requests: the account's calls, Garmin up), or
    asked to wait longer than we do."""


class GarminKeptFailing(GarminUnavailable):
    """Every attempt of one call failed (5xx, timeouts; a 429 is the account's, never one
    item's): Garmin is down, or this one item is broken on Garmin's side (PassingOver)."""


class GarminNoData(GarminError):
    """A 4xx other than 401/403/429 (e.g. 404) or no body: this item is skipped."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # Garmin's answer: only 404 and 410 say the item is no more


class GarminBadBody(GarminError):
    """The body was not the JSON promised (malformed or empty): this item is skipped."""


class _Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Policy:
    """How patient to be with Garmin: bounded attempts, capped waits, a pause between calls."""

    attempts: int = 5
    base_s: float = 2.0  # first backoff; doubles per attempt, plus up to base_s of jitter
    max_wait_s: float = 120.0  # a Retry-After beyond this ends the run instead of sleeping
    pace_s: float = 0.3
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    @classmethod
    def from_env(cls) -> Policy:
        text = os.environ.get(ENV_PACE)
        try:
            return cls(pace_s=max(0.0, float(text))) if text else cls()
        except ValueError:
            raise GarminError(f"{ENV_PACE}={text!r} is not a number of seconds") from None


class _Client(client.Client):
    """garminconnect's client, aimed at an optional base URL, remembering Retry-After."""

    def __init__(self, base_url: str | None = None) -> None:
        super().__init__()
        if base_url:
            self._connectapi = base_url.rstrip("/")
        self.retry_after: float | None = None

    def _fresh_api_session(self) -> requests.Session:
        sess = super()._fresh_api_session()
        sess.hooks["response"].append(self._remember)
        return sess

    def _remember(self, resp: requests.Response, *_: Any, **__: Any) -> None:
        self.retry_after = parse_retry_after(resp.headers.get("Retry-After"))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def new_api(base_url: str | None = None) -> Garmin:
    """An unauthenticated garminconnect API object on our client (base URL from the env)."""
    logging.getLogger("garminconnect").setLevel(logging.CRITICAL)  # we report faults ourselves
    api = Garmin()
    api.client = _Client(base_url or os.environ.get(ENV_BASE_URL))
    return api


class Connect:
    """A logged-in Garmin API behind one paced, retrying, fault-classifying call."""

    def __init__(self, api: Garmin, policy: Policy | None = None) -> None:
        self.api = api
        self.policy = policy or Policy.from_env()
        self._last_call = -float("inf")

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args)`; `what` names the call in messages ("HRV 2025-07-07")."""
        retrying = Retrying(stop=stop_after_attempt(self.policy.attempts), wait=self._wait,
                            retry=retry_if_exception_type(_Transient), sleep=self.policy.sleep,
                            reraise=True)
        try:
            return retrying(self._once, what, fn, *args, **kwargs)
        except _Transient as exc:
            if exc.reason == f"HTTP {RATE_LIMITED}":
                raise GarminRateLimited(f"Garmin Connect kept rate-limiting {what} "
                                        f"({exc.reason}) after {self.policy.attempts} "
                                        "attempts; try again later") from None
            raise GarminKeptFailing(f"Garmin Connect kept failing on {what} ({exc.reason}) "
                                    f"after {self.policy.attempts} attempts; try again "
                                    "later") from None

    def _once(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self._pace()
        if isinstance(self.api.client, _Client):
            self.api.client.retry_after = None
        try:
            return fn(*args, **kwargs)
        except (GarminConnectConnectionError, GarminConnectTooManyRequestsError,
                GarminConnectAuthenticationError) as exc:
            retry_after = getattr(self.api.client, "retry_after", None)
            raise self._classify(what, exc, retry_after) from None

    def _pace(self) -> None:
        wait = self._last_call + self.policy.pace_s - time.monotonic()
        if wait > 0:
            self.policy.sleep(wait)
        self._last_call = time.monotonic()

    def _wait(self, state: RetryCallState) -> float:
        backoff = self.policy.base_s * 2 ** (state.attempt_number - 1)
        backoff = min(backoff + random.uniform(0, self.policy.base_s), self.policy.max_wait_s)
        exc = state.outcome.exception() if state.outcome else None
        retry_after = exc.retry_after if isinstance(exc, _Transient) else None
        return max(backoff, retry_after or 0.0)

    def _classify(self, what: str, exc: Exception, retry_after: float | None) -> Exception:
        cause = exc.__cause__
        if isinstance(cause, requests.exceptions.JSONDecodeError):  # malformed or empty body
            return GarminBadBody(f"{what}: Garmin sent a body that is not JSON")
        status = http_status(exc)
        if status in (401, 403):
            return GarminAuthError(f"Garmin Connect refused the saved login ({status}) on "
                                   f"{what}: {LOGIN_HINT}")
        if status == RATE_LIMITED or (status is not None and status >= 500):
            if retry_after is not None and retry_after > self.policy.max_wait_s:
                waits = GarminRateLimited if status == RATE_LIMITED else GarminUnavailable
                return waits(f"Garmin Connect asks to wait {retry_after:.0f} s "
                             f"({status} on {what}); try again later")
            return _Transient(f"HTTP {status}", retry_after)
        if status is not None:
            return GarminNoData(f"{what}: Garmin answered {status}", status)
        if isinstance(cause, requests.Timeout):
            return _Transient("timed out")
        if isinstance(cause, requests.RequestException):
            return _Transient("connection failed")
        return GarminError(f"{what}: Garmin Connect failed ({type(exc).__name__})")

    def display_name(self) -> str:
        """Fetch and set the profile's display name (the URLs of several endpoints need it)."""
        prof = self.call("the user profile", self.api.connectapi, SOCIAL_PROFILE)
        name = prof.get("displayName") if isinstance(prof, dict) else None
        if not name:
            raise GarminError("Garmin Connect returned no display name for this account: set one "
                              "at connect.garmin.com")
        self.api.display_name = name
        self.api.full_name = prof.get("fullName")
        return str(name)


class PassingOver(Connect):
    """A sync's calls: one Garmin kept failing on (a 500 for one day's HRV) raises
    GarminPassedOver, to skip like an item without data, not to end this night and every
    one after it; a second in a row is Garmin down, and raises as it came."""

    def __init__(self, conn: Connect) -> None:  # not super().__init__: conn paces its calls
        self.api, self.policy, self.conn = conn.api, conn.policy, conn
        self.failed = False  # the last call kept failing

    def call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            result = self.conn.call(what, fn, *args, **kwargs)
        except GarminKeptFailing as exc:
            if self.failed:
                raise
            self.failed = True
            raise GarminPassedOver(str(exc).removesuffix("; try again later")) from None
        except (GarminNoData, GarminBadBody):
            self.failed = False  # Garmin answered
            raise
        self.failed = False
        return result

    def call_afresh(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`call`, as if the call before had not failed: for one of a few calls to one
        service, asked after another of them kept failing (a calendar's next month), whose
        failure then is that service's, passed over, and not Garmin down."""
        self.failed = False
        return self.call(what, fn, *args, **kwargs)


class GarminPassedOver(GarminError):
    """One call of a run Garmin kept failing on, to pass over (PassingOver)."""


_STATUS = re.compile(r"(?:API Error |error \()(\d{3})\b")


def http_status(exc: Exception) -> int | None:
    """The HTTP status garminconnect buried in the exception's message."""
    found = _STATUS.search(str(exc))
    if found:
        return int(found.group(1))
    if isinstance(exc, GarminConnectTooManyRequestsError):
        return RATE_LIMITED
    if isinstance(exc, GarminConnectAuthenticationError):
        return 401
    return None


# -- downloads -------------------------------------------------------------------------------


def is_fit(data: bytes) -> bool:
    return len(data) >= 12 and data[8:12] == b".FIT"


def is_whole(data: bytes) -> bool:
    """A FIT file, or a zip whose directory (at its end) arrived: a download cut short, an
    error page or an empty body is neither."""
    return is_fit(data) or zipfile.is_zipfile(io.BytesIO(data))


def extract_fit(data: bytes) -> bytes | None:
    """The FIT file inside an ORIGINAL download. The zip is untrusted: its size, member count
    and inflated sizes are capped, only `.fit` members are read, and names are never paths."""
    if len(data) > MAX_DOWNLOAD_BYTES:
        return None
    if is_fit(data):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()[:MAX_ZIP_MEMBERS]
            for info in members:
                if info.is_dir() or not info.filename.lower().endswith(".fit"):
                    continue
                if info.file_size > MAX_MEMBER_BYTES:
                    continue
                with archive.open(info) as member:
                    payload = member.read(MAX_MEMBER_BYTES + 1)
                if len(payload) <= MAX_MEMBER_BYTES and is_fit(payload):
                    return payload
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
            RuntimeError, NotImplementedError):
        return None  # RuntimeError: an encrypted member; NotImplementedError: odd compression
    return None
