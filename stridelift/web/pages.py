"""The pages (GET): the weeks, one session, why, status, the races, the report, the coach's
view and the login form. Each asks jobs/ for its data and fills a template (autoescaped)."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from domain.profile import PRIORITY_WORDS, RACE_DISTANCES, RACE_PRIORITIES, Profile
from jobs import web_pages
from stridelift.report.render import render

# The athlete's menu, on every page of theirs and on the report page: its pages and labels
MENU = (("week", "Week"), ("status", "Status"), ("why", "Why"), ("races", "Races"),
        ("report", "Report"))


def menu(athlete: str, path: str) -> list[tuple[str, str, str, bool]]:
    """The athlete's menu as (page, label, link, whether `path` is on it). A session's page
    is part of the week; the week opens at today, the gym's day."""
    parts = path.split("/")
    here = parts[3] if path.startswith("/a/") and len(parts) > 3 else ""
    here = "week" if here == "session" else here
    name = quote(athlete, safe="")
    return [(page, label, f"/a/{name}/{page}" + ("#today" if page == "week" else ""),
             page == here) for page, label in MENU]


def web_of(request: Request) -> Any:
    return request.app.state.web


def athlete_of(request: Request) -> Profile:
    """The athlete the path names, as saved now (the CLI may have changed a race or a
    setting since the app started)."""
    profile = web_of(request).home.athletes().get(request.path_params["name"])
    if profile is None:
        raise HTTPException(404, "no such athlete in this home")
    return profile


def show(request: Request, template: str, **context: Any) -> Response:
    """A page, with the message an action left for it (shown once)."""
    web = web_of(request)
    context.update(flash=request.session.pop("flash", None), login=web.require_login,
                   athletes=sorted(web.home.athletes()))
    return web.templates.TemplateResponse(request, template, context)


def home_page(request: Request) -> Response:
    names = sorted(web_of(request).home.athletes())
    if len(names) == 1:
        return RedirectResponse(f"/a/{names[0]}/week#today", status_code=303)
    return RedirectResponse("/coach", status_code=303)


def week(request: Request) -> Response:
    profile = athlete_of(request)
    today = web_of(request).today_of(profile)
    note = web_pages.up_to_date(web_of(request).home, profile, today)
    return show(request, "week.html", athlete=profile.name, today=today, as_stored=note,
                weeks=web_pages.weeks(web_of(request).home, profile, today))


def session(request: Request) -> Response:
    profile = athlete_of(request)
    today = web_of(request).today_of(profile)
    # a session not there is the app's 404 (app.plan_error), a broken config its config page
    note = web_pages.up_to_date(web_of(request).home, profile, today)
    s = web_pages.session_page(web_of(request).home, profile, today, request.path_params["key"])
    return show(request, "session.html", athlete=profile.name, today=today, s=s,
                as_stored=note)


def why(request: Request) -> Response:
    profile = athlete_of(request)
    today = web_of(request).today_of(profile)
    note = web_pages.up_to_date(web_of(request).home, profile, today)
    return show(request, "why.html", athlete=profile.name, as_stored=note,
                changes=web_pages.changes(web_of(request).home, profile, today))


def status(request: Request) -> Response:
    profile = athlete_of(request)
    today = web_of(request).today_of(profile)
    note = web_pages.up_to_date(web_of(request).home, profile, today)
    return show(request, "status.html", athlete=profile.name, today=today, as_stored=note,
                status=web_pages.status(web_of(request).home, profile, today))


def races(request: Request, error: str | None = None,
          form: dict[str, str] | None = None) -> Response:
    """The races with what each does to the plan, a form to add one and a button to remove
    each entered one; `error` and the `form` as sent when an addition was refused (400)."""
    profile = athlete_of(request)
    today = web_of(request).today_of(profile)
    rows = web_pages.races(web_of(request).home, profile, today)
    entered = any(r["source"] == "entered" for r in rows)
    sent = form or {"priority": "B" if entered else "A"}  # the CLI's default priority
    response = show(request, "races.html", athlete=profile.name, today=today, races=rows,
                    error=error, form=sent, distances=RACE_DISTANCES,
                    priorities=[(p, PRIORITY_WORDS[p]) for p in RACE_PRIORITIES])
    response.status_code = 400 if error else 200
    return response


def report(request: Request) -> Response:
    """The report over the range its links choose (`?weeks=`; 400 for one they do not)."""
    profile = athlete_of(request)
    chosen = request.query_params.get("weeks", web_pages.REPORT_RANGE)
    if chosen not in web_pages.REPORT_RANGES:
        words = [w for _, w in web_pages.REPORT_RANGES.values()]
        raise HTTPException(400, f"no report range {chosen!r}: the report shows "
                            f"{', '.join(words[:-1])} or {words[-1]} (its links)")
    now = datetime.combine(web_of(request).today_of(profile),
                           datetime.now(profile.zone).time(), profile.zone)
    note = web_pages.up_to_date(web_of(request).home, profile, now.date())
    data = web_pages.report_data(web_of(request).home, profile, now,
                                 web_pages.REPORT_RANGES[chosen][0])
    ranges = [(words, f"?weeks={key}", key == chosen)
              for key, (_, words) in web_pages.REPORT_RANGES.items()]
    links = [(label, link, current) for _, label, link, current in
             menu(profile.name, request.url.path)]
    return HTMLResponse(render(data, on_web=True, ranges=ranges, menu=links, as_stored=note))


def coach(request: Request) -> Response:
    web = web_of(request)
    return show(request, "coach.html", athlete=None,
                rows=web_pages.coach(web.home, web.today_of))


def login_form(request: Request) -> Response:
    return show(request, "login.html", athlete=None)


def service_worker(request: Request) -> Response:
    """static/sw.js at the root: a service worker serves only the paths below its own."""
    script = (files("stridelift.web") / "static" / "sw.js").read_bytes()
    return Response(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


def routes() -> list[Route]:
    return [Route("/coach", coach), Route("/sw.js", service_worker),
            Route("/login", login_form, methods=["GET"]),
            Route("/a/{name}/week", week), Route("/a/{name}/session/{key}", session),
            Route("/a/{name}/why", why), Route("/a/{name}/status", status),
            Route("/a/{name}/races", races, methods=["GET"]),
            Route("/a/{name}/report", report)]
