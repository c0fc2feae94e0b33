"""The actions (POST): done with the sets ticked, skip, pin, move, add and remove a race,
log in and out. Each checks the form's CSRF token, writes through the CLI's code
(jobs.session_actions, jobs.race_entry), leaves a message for the next page and redirects
(POST-redirect-GET): a reload or a second tap finds the work done and changes nothing."""

from __future__ import annotations

import math
import re
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from domain.profile import ProfileError, RaceError
from jobs.race_entry import add_race, remove_race
from jobs.session_actions import Ticked, act
from jobs.web_login import check_password
from stridelift.web import pages
from stridelift.web.guard import checked_form, log_in
from stridelift.web.pages import athlete_of, show, web_of

# "Done with the sets ticked" with none ticked (or each at 0: nothing done either): a slip of
# the thumb, not a bad form
NOTHING_TICKED = "nothing recorded: no set is ticked, or each one ticked is at 0; tick the " \
    "sets you did, or use Done as planned"
REPS_FIELD = re.compile(r"reps:(?P<exercise>[\w.-]+):(?P<n>\d+)$")
RACE_FIELDS = {"day": "Date", "distance": "Distance", "priority": "Priority"}  # races.html


class NothingTicked(Exception):
    """Done with the sets ticked, none ticked (raised inside the action's transaction, so
    nothing is recorded)."""


def _number(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise HTTPException(400, f"{what}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise HTTPException(400, f"{what}: {text!r} is not a number")
    return value


def ticked(form: FormData) -> Ticked:
    """What the form says was lifted: per exercise, the reps of each set by its number (0 for
    a set not ticked) and the load (empty: bodyweight or by feel)."""
    sets: dict[str, dict[int, int]] = {}
    for name, value in form.multi_items():
        if (m := REPS_FIELD.match(name)) and isinstance(value, str):
            ex, n = m["exercise"], int(m["n"])
            tick = form.get(f"tick:{ex}:{n}") is not None
            reps = _number(value or "0", f"{ex} set {n + 1} reps")
            if not reps.is_integer():  # 6.7 was stored as 6
                raise HTTPException(400, f"{ex} set {n + 1} reps: {value!r} is not a whole "
                                    "number")
            sets.setdefault(ex, {})[n] = int(reps) if tick else 0
    out: Ticked = {}
    for ex, by_set in sets.items():
        kg = str(form.get(f"load:{ex}") or "").strip()
        out[ex] = (by_set, _number(kg, f"{ex} load") if kg else None)
    return out


def session_path(athlete: str, key: str) -> str:
    return f"/a/{quote(athlete, safe='')}/session/{quote(key, safe='')}"


async def _session_action(request: Request, action: str) -> Response:
    """One of the session's forms. Its fields are read only once the session's status has
    answered (done again is no change, a done session refused whatever the form holds): a
    page kept from before, sent again, hears "already done", not what its fields lack."""
    form = await checked_form(request)
    profile = athlete_of(request)
    web = web_of(request)
    key = request.path_params["key"]
    # refused (a PlanError): the app's page for it, by kind (app.plan_error)
    try:
        outcome = await run_in_threadpool(
            partial(act, web.home, profile, action, key, today=web.today_of(profile),
                    pinned=form.get("pinned") == "1", day=_day(form),
                    sent=lambda: _sent(action, form)))
    except NothingTicked:  # back on the session's page, its sets as the runner left them
        request.session["flash"] = NOTHING_TICKED
    else:
        request.session["flash"] = outcome.on_web()
    return RedirectResponse(session_path(profile.name, key), status_code=303)


def _sent(action: str, form: FormData) -> dict[str, Any]:
    """What the form says for `action` (400 on what no page sends; NothingTicked)."""
    if action == "done":
        rpe = str(form.get("rpe") or "").strip()
        sent: dict[str, Any] = {"rpe": _number(rpe, "RPE") if rpe else None}
        if form.get("as_planned") is None:
            sets = ticked(form)
            if not any(sum(reps.values()) for reps, _ in sets.values()):
                raise NothingTicked
            sent["ticked"] = sets
        return sent
    if action == "move" and _day(form) is None:
        raise HTTPException(400, "choose a day to move the session to")
    return {}


def _day(form: FormData) -> date | None:
    """The day the move form chose (None: none, or no date); the session's status answers
    a move to the day it is on, before the form's refusal of no day."""
    try:
        return date.fromisoformat(str(form.get("day") or ""))
    except ValueError:
        return None


async def done(request: Request) -> Response:
    return await _session_action(request, "done")


async def skip(request: Request) -> Response:
    return await _session_action(request, "skip")


async def pin(request: Request) -> Response:
    return await _session_action(request, "pin")


async def move(request: Request) -> Response:
    return await _session_action(request, "move")


def races_path(athlete: str) -> str:
    return f"/a/{quote(athlete, safe='')}/races"


async def add_a_race(request: Request) -> Response:
    """The race as `stridelift race add DATE:DISTANCE:PRIORITY [--replace]` adds it; the
    same race twice is one race. Refused: the races page again with the reason and the
    form as sent."""
    form = await checked_form(request)
    profile = athlete_of(request)
    sent = {k: str(form.get(k) or "").strip() for k in ("day", "distance", "priority")}
    text = ":".join((sent["day"], sent["distance"], sent["priority"]))
    try:
        web = web_of(request)
        added = await run_in_threadpool(
            add_race, web.home, profile, text, web.today_of(profile),
            form.get("replace") is not None)
    except ProfileError as exc:
        return await run_in_threadpool(pages.races, request, refusal(exc), sent)
    request.session["flash"] = added.words("Why")
    return RedirectResponse(races_path(profile.name), status_code=303)


def refusal(exc: ProfileError) -> str:
    """A race refused, in the form's words: the field at fault, not the CLI's
    DATE:DISTANCE:PRIORITY the form's fields are joined into."""
    if isinstance(exc, RaceError):
        return f"{RACE_FIELDS[exc.part]}: {exc.problem}"
    return exc.on_web()


async def remove_a_race(request: Request) -> Response:
    """The entered race of the day removed, as `stridelift race remove DATE` does; a race
    already gone (a double tap) changes nothing and says so."""
    form = await checked_form(request)
    profile = athlete_of(request)
    try:
        day = date.fromisoformat(str(form.get("day") or ""))
    except ValueError:
        raise HTTPException(400, "which race? its date is missing or not YYYY-MM-DD") from None
    try:
        web = web_of(request)
        removed = await run_in_threadpool(remove_race, web.home, profile, day,
                                          web.today_of(profile))
        request.session["flash"] = removed.words("Why")
    except ProfileError as exc:
        request.session["flash"] = exc.on_web()
    return RedirectResponse(races_path(profile.name), status_code=303)


async def login(request: Request) -> Response:
    form = await checked_form(request)
    web = web_of(request)
    client = request.client.host if request.client else "unknown"
    if web.limiter.blocked(client):
        raise HTTPException(429, "too many failed logins: wait a minute and try again")
    if not await run_in_threadpool(check_password, web.home, str(form.get("password") or "")):
        web.limiter.failed(client)
        response = show(request, "login.html", athlete=None, error="wrong password")
        response.status_code = 401
        return response
    log_in(request)
    return RedirectResponse("/", status_code=303)


async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


def routes() -> list[Route]:
    prefix = "/a/{name}/session/{key}"
    return [Route(f"{prefix}/done", done, methods=["POST"]),
            Route(f"{prefix}/skip", skip, methods=["POST"]),
            Route(f"{prefix}/pin", pin, methods=["POST"]),
            Route(f"{prefix}/move", move, methods=["POST"]),
            Route("/a/{name}/races/add", add_a_race, methods=["POST"]),
            Route("/a/{name}/races/remove", remove_a_race, methods=["POST"]),
            Route("/login", login, methods=["POST"]),
            Route("/logout", logout, methods=["POST"])]
