"""The web app's locks: a login when it listens beyond this machine, a CSRF token on every
form, and at most a few failed logins a minute from one client."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

CSRF_FIELD = "csrf"
MAX_FAILURES, WINDOW_S = 5, 60.0  # failed logins per client per minute


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's (403 otherwise)."""
    form = await request.form()
    sent, kept = form.get(CSRF_FIELD), request.session.get(CSRF_FIELD)
    if not isinstance(sent, str) or not isinstance(kept, str) or \
            not hmac.compare_digest(sent, kept):
        raise HTTPException(403, "the form's security token is missing or stale: reload "
                            "the page and try again")
    return form


def logged_in(request: Request) -> bool:
    return request.session.get("user") == "owner"


def log_in(request: Request) -> None:
    """A fresh session (no fixation): the user mark and a new CSRF token."""
    request.session.clear()
    request.session["user"] = "owner"
    csrf_token(request)


class LoginLimiter:
    """Failed logins per client: after MAX_FAILURES in WINDOW_S seconds, no more tries
    until the oldest failure leaves the window."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        failures, now = self._failures[client], time.monotonic()
        while failures and now - failures[0] > WINDOW_S:
            failures.popleft()
        return failures

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= MAX_FAILURES

    def failed(self, client: str) -> None:
        self._recent(client).append(time.monotonic())
