"""The Starlette app: sessions (HttpOnly, SameSite=Lax cookies signed with the home's kept
key), the login gate, security headers, the routes of `pages` and `actions`, the style sheet,
and errors as pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from jinja2 import Environment, PackageLoader
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from db.errors import DatabaseError, DatabaseLocked
from db.session import unusable
from domain.pointer import SERVER
from domain.profile import Profile
from jobs.clock import today_for
from jobs.config import ConfigError
from jobs.errors import Busy, Conflict, NoSession, PlanConfigError, PlanError
from jobs.home import Home
from jobs.web_login import session_key
from stridelift.web import actions, pages
from stridelift.web.guard import LoginLimiter, csrf_token, logged_in
from stridelift.web.pages import web_of

SESSION_DAYS = 14
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
OPEN_PATHS = ("/login", "/static/", "/sw.js")
CONFIG_BROKEN = f"the configuration on {SERVER} cannot be read; any stridelift command there " \
    "says why"
DATABASE_BROKEN = f"the database on {SERVER} cannot be used; any stridelift command there says " \
    "why"
# The athlete's pages that show without making the plan: the only ones the menu offers on
# the page of a configuration no plan can be made from, or of stored samples damaged (the
# others fail the same way)
WITHOUT_A_PLAN = ("races",)
# A refused action or page by what refused it: a session gone (its page is gone too), what
# is stored (its status, another session still open): a conflict; any other: a bad request.
REFUSED_AS = ((NoSession, 404), (Conflict, 409))
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "same-origin"}
# The pages load only their own style sheet; the report inlines its script and styles.
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
REPORT_POLICY = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                 "img-src data: blob:; frame-ancestors 'none'; base-uri 'none'")


@dataclass
class Web:
    """What every view needs: the opened home and how the app is locked."""

    home: Home
    require_login: bool
    templates: Jinja2Templates
    today_of: Callable[[Profile], date] = today_for
    limiter: LoginLimiter = field(default_factory=LoginLimiter)


def templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("stridelift.web", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["csrf_token"] = csrf_token
    env.globals["logged_in"] = logged_in
    env.globals["server"] = SERVER
    env.globals["menu"] = pages.menu
    return Jinja2Templates(env=env)


class Gate(BaseHTTPMiddleware):
    """No page without a login when one is required; security headers on every answer."""

    async def dispatch(self, request: Request,
                       call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        web: Web = request.app.state.web
        path = request.url.path
        if web.require_login and not logged_in(request) and not path.startswith(OPEN_PATHS):
            if request.method != "GET":
                return PlainTextResponse("log in first", status_code=403)
            return RedirectResponse("/login", status_code=303)
        response = await call_next(request)
        response.headers.update(HEADERS)
        # the report, not the error page of a report refused (it loads the style sheet)
        policy = REPORT_POLICY if path.endswith("/report") and response.status_code == 200 \
            else PAGE_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        if path.startswith("/static/"):  # asked again each time (a 304): an upgrade's at once
            response.headers.setdefault("Cache-Control", "no-cache")
        return response


async def http_error(request: Request, exc: Exception) -> Response:
    """A refused page or form. Under an athlete of the home it keeps their menu, and a form
    refused (a page kept from before the plan changed, a lost cookie) leads back to the page
    it sits on, as it is now."""
    assert isinstance(exc, HTTPException)
    menu = _menu(request)
    # a form refused as not found acts on a thing gone: its page is gone too
    back = (_back(request) if menu["athlete"] and request.method == "POST" and
            exc.status_code != 404 else None)
    return _error_page(request, exc.status_code, exc.detail, back=back, **menu)


def _menu(request: Request) -> dict[str, object]:
    """The athlete's menu on an error page (`athlete`, `athletes` of base.html), under an
    athlete of the home the page's path names. None to a visitor not logged in, nor when
    config.toml cannot be read (the error may be that: drawing the menu must not fail)."""
    web: Web = request.app.state.web
    try:
        athletes = sorted(web.home.athletes()) if _known(request) else []
    except ConfigError:
        athletes = []
    name = request.path_params.get("name")
    return {"athlete": name if name in athletes else None, "athletes": athletes}


def _back(request: Request) -> str | None:
    """Where a refused POST leads back to: the page it was sent to when that page takes GET
    (a form's address that only takes GET), else the page above it (a form's action, its
    session's page); None when neither is a page."""
    path = request.scope["path"]  # decoded: a session's key holds '#', quoted for the link
    for page in (path, path.rsplit("/", 1)[0]):
        scope = {"type": "http", "path": page, "method": "GET"}
        if any(route.matches(scope)[0] == Match.FULL for route in request.app.routes):
            return quote(page)
    return None


def _known(request: Request) -> bool:
    """Whether the page may name the home's athletes: not to a visitor not logged in (only
    /login and the static files answer them, but the error pages do not count on that)."""
    web: Web = request.app.state.web
    return not web.require_login or logged_in(request)


async def plan_error(request: Request, exc: Exception) -> Response:
    """A refusal of the plan's (a session gone, an action what is stored refuses, a form
    the plan cannot take) as the page a refused page or form gets, with its status code."""
    assert isinstance(exc, PlanError)
    code = next((code for kind, code in REFUSED_AS if isinstance(exc, kind)), 400)
    return await http_error(request, HTTPException(code, exc.on_web()))


async def busy(request: Request, exc: Exception) -> Response:
    """A race entered or removed while a nightly run, an import or a sync for the athlete
    holds its lock (jobs.athlete_lock): nothing was changed; a 409 saying so."""
    assert isinstance(exc, Busy)
    return _error_page(request, 409, str(exc), heading="Already running", **_menu(request))


async def config_error(request: Request, exc: Exception) -> Response:
    """config.toml, read again after a change, is broken, or holds what no plan can be made
    from (a PlanConfigError: [weights] naming no exercise): say so, in the CLI's one line but
    for its pointer. To a visitor not logged in only that: the line names athletes and the
    home's folder. Its menu offers only pages that work meanwhile: none when config.toml
    cannot be read (every page reads it), the pages without a plan when no plan can be made
    from it; Coach and Home need what failed."""
    assert isinstance(exc, ConfigError | PlanConfigError)
    working = WITHOUT_A_PLAN if isinstance(exc, PlanConfigError) else ()
    return _server_error(request, exc.on_web(), CONFIG_BROKEN, "The configuration needs fixing",
                         menu_only=working)


async def database_error(request: Request, exc: Exception) -> Response:
    """The database cannot be used (stored samples damaged, a file it cannot open):
    its one line, the fix on the server in the web's words; to a visitor only that, as for
    the configuration (the line may name the database's file). Its menu offers the pages
    that make no plan: the others read the samples too."""
    assert isinstance(exc, DatabaseError)
    return _repair(request, exc, working=WITHOUT_A_PLAN)


async def database_unusable(request: Request, exc: Exception) -> Response:
    """A statement that failed because the database is no longer one the app can use (an
    older one put in place, deleted, replaced, a table dropped, damaged, its folder gone:
    db.session.unusable): the page of a database that needs repair, saying so, where it was a
    bare 500, with no menu (every page reads the database). Any other failure stays the
    server's error."""
    assert isinstance(exc, DBAPIError)
    error = unusable(exc, web_of(request).home.config.database_url())
    if error is None:
        raise exc
    return _repair(request, error, working=())


def _repair(request: Request, error: DatabaseError, working: tuple[str, ...]) -> Response:
    """The page of a database that needs repair, its menu offering only the pages that
    `working` names (the others fail the same way)."""
    return _server_error(request, error.on_web(), DATABASE_BROKEN, "The database needs repair",
                         menu_only=working)


async def database_locked(request: Request, exc: Exception) -> Response:
    """Another process (the nightly run, an import) held the database past the busy timeout:
    nothing is wrong and what was being written was not saved, so a 503 saying so (its line
    names no file), not the page of a database that needs repair."""
    assert isinstance(exc, DatabaseLocked)
    return _error_page(request, 503, exc.on_web(), heading="The database is busy",
                       **_menu(request))


def _server_error(request: Request, message: str, to_visitor: str, heading: str,
                  **context: object) -> Response:
    """What only the server can fix: a 500 page with its line and the athlete's menu, or
    `to_visitor` to a visitor not logged in."""
    return _error_page(request, 500, message if _known(request) else to_visitor,
                       heading=heading, **_menu(request), **context)


def _error_page(request: Request, code: int, message: str, **context: object) -> Response:
    web: Web = request.app.state.web
    return web.templates.TemplateResponse(
        request, "error.html",
        {"code": code, "message": message, "login": web.require_login, **context},
        status_code=code)


def create_app(home: Home, *, require_login: bool, secure_cookies: bool = False,
               allowed_hosts: Sequence[str] | None = None,
               today_of: Callable[[Profile], date] = today_for) -> Starlette:
    """The app over an opened home. `require_login`: every page but /login needs the
    password (`stridelift serve --set-password`); `secure_cookies`: HTTPS only (behind TLS);
    `allowed_hosts`: the Host headers answered (a page open without a login answers only
    its loopback names, so a hostile site cannot reach it by DNS rebinding)."""
    routes = [*pages.routes(), *actions.routes(),
              Mount("/static", StaticFiles(packages=[("stridelift.web", "static")]),
                    name="static")]
    middleware = [
        Middleware(SessionMiddleware, secret_key=session_key(home),
                   session_cookie="stridelift", max_age=SESSION_DAYS * 86400,
                   same_site="lax", https_only=secure_cookies),
        Middleware(Gate),
    ]
    if allowed_hosts is not None:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts))
    app = Starlette(routes=[Route("/", pages.home_page), *routes], middleware=middleware,
                    exception_handlers={HTTPException: http_error,
                                        ConfigError: config_error,
                                        PlanConfigError: config_error,
                                        PlanError: plan_error,
                                        Busy: busy,
                                        DatabaseError: database_error,
                                        DatabaseLocked: database_locked,
                                        DBAPIError: database_unusable})
    app.state.web = Web(home, require_login, templates(), today_of)
    return app
