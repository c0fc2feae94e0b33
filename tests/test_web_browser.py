"""The web app in a real browser: headless Chromium (the system one, by path, as the report's
browser tests launch it) against `stridelift serve`'s app on a real port over a real SQLite
home. Every page renders without console errors and without sideways scrolling on a phone; a
session is done set by set, one skipped, one moved; screenshots at phone and laptop size."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from freezegun import freeze_time
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from typer.testing import CliRunner

from db import repo, wellness_days
from db.session import transaction
from demo.fitwrite import LapSpec, run_fit
from domain.wellness import DailyWellness
from jobs.defaults import REPORT_WEEKS_AHEAD
from jobs.home import Home
from jobs.web_login import set_password
from stridelift.cli import app as cli
from stridelift.web.app import create_app
from tests.test_report import build_athlete
from tests.test_report_browser import PHONE, _overflow
from tests.test_web import NOTHING_DONE, WEDNESDAY

TUESDAY = WEDNESDAY - timedelta(days=1)  # this week still holds open sessions

LAPTOP = {"width": 1280, "height": 800}
SMALL_PHONE = {"width": 360, "height": 640}  # most Android phones
TODAY = TUESDAY.date()  # a fixed day, whatever the suite's pinned one: three sessions ahead
runner = CliRunner()
PASSWORD = "a long enough one"



def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """A built athlete's home (real SQLite), opened."""
    return _build(tmp_path_factory.mktemp("web"))


def _build(root: Path) -> Home:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("STRIDELIFT_DB_URL", raising=False)
        mp.setenv("STRIDELIFT_HOME", str(root / "home"))
        with freeze_time(TUESDAY, tick=True):
            build_athlete(root / "home")
        home = Home.open()
        with transaction(home.db) as db:  # this morning's texts, Garmin's longest words
            wellness_days.save_wellness(db, repo.athlete(db, home.athlete("anna")),
                                        DailyWellness(day=TODAY, hrv_last_night=50.0,
                                                      hrv_status="UNBALANCED",
                                                      readiness_level="MODERATE",
                                                      sleep_score=70, resting_hr=52))
        return home


@contextmanager
def _serving(home: Home, *, require_login: bool, slow: list[float] | None = None,
             asked: list[str] | None = None) -> Iterator[str]:
    """The app over `home`, served by uvicorn in a thread; the app's today is pinned (the
    server itself runs on the real clock). `slow`: seconds every request waits before the
    app sees it, changed as the test goes (a weak signal); `asked`: the paths it was asked
    for, in order."""
    app = create_app(home, require_login=require_login, today_of=lambda _p: TODAY)
    if slow is not None:
        app = _slowed(app, slow, [] if asked is None else asked)
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


def _slowed(app: Any, slow: list[float], asked: list[str]) -> Any:
    """`app` behind a line that carries nothing for `slow[0]` seconds, then everything."""
    async def slowed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            asked.append(scope["path"])
        if scope["type"] == "http" and slow[0]:
            await asyncio.sleep(slow[0])
        await app(scope, receive, send)
    return slowed


@pytest.fixture(scope="module")
def server(built: Home) -> Iterator[str]:
    with _serving(built, require_login=False) as base:
        yield base


@pytest.fixture(scope="module")
def login_server(built: Home) -> Iterator[str]:
    """The same home behind its password, as `stridelift serve` beyond this machine."""
    set_password(built, PASSWORD)
    with _serving(built, require_login=True) as base:
        yield base


class Tab:
    """One browser tab: console errors, page errors, and requests off the server."""

    def __init__(self, browser: Any, base: str, viewport: dict[str, int],
                 touch: bool = False) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport, has_touch=touch,
                                           is_mobile=touch, device_scale_factor=1)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _dialog(self, dialog: Any) -> None:
        self.errors.append(dialog.message)
        dialog.dismiss()

    def _request(self, request: Any) -> None:
        if not request.url.startswith((self.base, "data:")):
            self.foreign.append(request.url)

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.status == 200, path
        return self.page

    def tap_link(self, name: str) -> Any:
        """Tap the link `name` (exactly) on the page shown, and wait for the page it opens."""
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role("link", name=name, exact=True).tap()
        return self.page

    def assert_clean(self) -> None:
        assert self.errors == [] and self.foreign == []
        layout = _overflow(self.page)
        assert layout["doc"] <= layout["viewport"], layout
        assert layout["sticking_out"] == [], layout
        assert _clipped_placeholders(self.page) == []
        assert _broken_values(self.page) == []
        # the sticky menu keeps to one row: in the gym the sets need the screen
        rows = self.page.eval_on_selector_all(".top nav a", "els => els.map(e => e.offsetTop)")
        assert len(set(rows)) <= 1, rows

    def close(self) -> None:
        self.context.close()


def _broken_values(page: Any) -> list[str]:
    """The one-word values of a label-value list drawn on more than one line ("BALAN" over
    "CED"): a value column squeezed by its labels."""
    return list(page.evaluate("""() => [...document.querySelectorAll('dd')].filter(dd => {
        const text = dd.textContent.trim();
        if (!text || /\\s/.test(text)) return false;
        const range = document.createRange();
        range.selectNodeContents(dd);
        return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1;
    }).map(dd => dd.textContent.trim())"""))


def _clipped_placeholders(page: Any) -> list[str]:
    """The inputs whose placeholder is wider than the room inside them ("bodywei"): its
    text measured in the input's own font."""
    return list(page.evaluate("""() => {
        const ctx = document.createElement('canvas').getContext('2d');
        return [...document.querySelectorAll('input[placeholder]')].filter(i => {
            const s = getComputedStyle(i);
            ctx.font = s.font;
            const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return ctx.measureText(i.placeholder).width > room + 0.5;
        }).map(i => i.name + ': ' + i.placeholder);
    }"""))


PAGES = ["/a/anna/week", "/a/anna/why", "/a/anna/status", "/a/anna/races", "/coach", "/login"]


def test_every_page_renders_clean_on_a_phone_and_a_laptop(server: str, browser: Any,
                                                          tmp_path: Path) -> None:
    shots = []
    for size, viewport, touch in (("phone", PHONE, True), ("small-phone", SMALL_PHONE, True),
                                  ("laptop", LAPTOP, False)):
        tab = Tab(browser, server, viewport, touch)
        try:
            for path in PAGES:
                tab.go(path)
                tab.assert_clean()
                name = path.strip("/").replace("/", "-")
                shots.append(tmp_path / f"web-{name}-{size}.png")
                tab.page.screenshot(path=str(shots[-1]), full_page=True)
            first = tab.go("/a/anna/week").locator(".card h3 a").first
            first.click()
            tab.page.wait_for_load_state("load")
            tab.assert_clean()
            shots.append(tmp_path / f"web-session-{size}.png")
            tab.page.screenshot(path=str(shots[-1]), full_page=True)
            tab.go("/a/anna/report")
            assert tab.errors == [] and tab.foreign == []
        finally:
            tab.close()
    print(f"\nscreenshots in {tmp_path}")
    assert all(s.stat().st_size > 5_000 for s in shots)


def test_the_menu_keeps_to_one_row_at_every_phone_width(server: str, browser: Any) -> None:
    """Phones are 320 to 412 px wide, fewer with a larger display size: from 381 to 389 px,
    between the tight tabs and the full ones, the menu wrapped 'Report' to a second row."""
    tab = Tab(browser, server, SMALL_PHONE, touch=True)
    try:
        tab.go("/a/anna/why")
        for width in range(320, 421, 4):
            tab.page.set_viewport_size({"width": width, "height": 640})
            tab.assert_clean()
    finally:
        tab.close()


def test_done_set_by_set_skip_and_move(server: str, browser: Any, tmp_path: Path) -> None:
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        page = tab.go("/a/anna/week")
        cards = page.locator(".card:not(.status-done):not(.status-skipped) h3 a")
        hrefs = list(dict.fromkeys(cards.evaluate_all(
            "els => els.filter(e => e.textContent.includes('strength'))"
            ".map(e => e.getAttribute('href'))")))
        hrefs = [h for h in hrefs if date.fromisoformat(
            h.rsplit("/", 1)[1].split("%23")[0]) >= TODAY - date.resolution * 7]
        assert len(hrefs) >= 3, hrefs
        done, skipped, moved = hrefs[:3]

        page = tab.go(done)
        ticks = page.locator("input[type=checkbox]")
        assert ticks.count() >= 3
        for i in range(ticks.count()):  # set by set, as in the gym
            ticks.nth(i).tap()
        page.locator("input[name^='reps:']").first.fill("4")
        page.locator("input[name^='reps:']").first.dispatch_event("change")
        page.reload(wait_until="load")  # the phone locked between sets: nothing lost
        ticks = page.locator("input[type=checkbox]")
        assert all(ticks.nth(i).is_checked() for i in range(ticks.count()))
        assert page.locator("input[name^='reps:']").first.input_value() == "4"
        page.evaluate("navigator.serviceWorker.ready")  # in control of the next page
        page = tab.go(done)
        tab.context.set_offline(True)  # no signal in the gym: the post is lost, not the sets
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Done with the sets ticked").tap()
        assert "Not sent" in page.locator("[role=alert]").inner_text()  # not the browser's page
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # styled
        assert len(tab.errors) == 1 and "503" in tab.errors[0], tab.errors  # nothing else failed
        tab.errors.clear()  # the 503 the page came with
        page.go_back(wait_until="load")
        ticks = page.locator("input[type=checkbox]")
        assert all(ticks.nth(i).is_checked() for i in range(ticks.count()))
        tab.context.set_offline(False)
        page.get_by_role("button", name="Done with the sets ticked").tap()
        page.wait_for_load_state("load")
        assert "done" in page.locator(".flash").inner_text()
        tab.context.set_offline(True)  # the page kept with its one-time message ...
        page.reload(wait_until="load")
        assert page.locator("#offline").is_visible() and page.locator(".flash").count() == 0
        tab.context.set_offline(False)  # ... shows it once, not every time it is kept
        # settled: nothing kept any more (once the page's deferred script has run)
        page.wait_for_function("() => Object.keys(localStorage).length === 0", timeout=5_000)
        assert page.locator(".tag", has_text="done").count() >= 1
        page.screenshot(path=str(tmp_path / "web-done-phone.png"), full_page=True)
        tab.assert_clean()

        page = tab.go(skipped)
        page.get_by_role("button", name="Skip").tap()
        page.wait_for_load_state("load")
        assert "skipped" in page.locator(".flash").inner_text()

        page = tab.go(moved)
        legal = page.locator(".days li.legal input[type=radio]")
        assert legal.count() >= 1 and page.locator(".days li.illegal").count() >= 1
        legal.first.check()
        page.get_by_role("button", name="Move").tap()
        page.wait_for_load_state("load")
        assert "moved" in page.locator(".flash").inner_text()
        tab.assert_clean()

        page = tab.go("/a/anna/why")
        assert page.locator(".change", has_text="moved by the runner").count() == 1
        tab.assert_clean()
    finally:
        tab.close()


def test_done_with_no_set_ticked_stays_on_the_session_with_what_was_typed(
        server: str, browser: Any) -> None:
    """"Done with the sets ticked" tapped with none ticked left the gym's page for a "Cannot
    do that" page (a 400) and its Back link: the phone stays on the session, saying nothing
    was recorded and what to do, the reps typed still there."""
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        page = tab.go("/a/anna/week")
        href = page.locator(".card:not(.status-done):not(.status-skipped) h3 a").evaluate_all(
            "els => els.filter(e => e.textContent.includes('strength'))"
            ".map(e => e.getAttribute('href'))")[-1]
        page = tab.go(href)
        reps = page.locator("input[name^='reps:']").first
        reps.fill("3")
        reps.dispatch_event("change")
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Done with the sets ticked").tap()
        assert page.url == tab.base + href
        assert page.locator(".flash").inner_text() == NOTHING_DONE
        assert page.locator("input[name^='reps:']").first.input_value() == "3"
        assert page.locator(".tag", has_text="done").count() == 0
        tab.assert_clean()
    finally:
        tab.close()


def test_move_asks_for_a_day_before_sending_and_offers_no_button_where_none_takes_it(
        browser: Any, tmp_path: Path) -> None:
    """In the gym, Move tapped before a day was chosen left the session for a "Cannot do
    that" page; on a session no other day of its week takes (each refused, as the week
    after today's often is), Move was there and could only fail so. The browser now asks
    for a day and sends nothing; a session no day takes shows no Move button, and says so.
    Its own home: the module's has sessions moved and skipped by the tests before."""
    with _serving(_build(tmp_path), require_login=False) as base:
        _try_moves(Tab(browser, base, PHONE, touch=True))


def _try_moves(tab: Tab) -> None:
    posted: list[str] = []
    tab.page.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    try:
        page = tab.go("/a/anna/week")
        hrefs = list(dict.fromkeys(page.locator(".card h3 a").evaluate_all(
            "els => els.filter(e => e.textContent.includes('strength'))"
            ".map(e => e.getAttribute('href'))")))
        seen = set()
        for href in hrefs:
            page = tab.go(href)
            if page.locator("form[action$='/move']").count() == 0:
                continue  # done or skipped: no moving
            movable = page.locator(".days li.legal").count() > 0
            seen.add(movable)
            move = page.get_by_role("button", name="Move")
            if movable:
                move.tap()
                assert page.evaluate("document.querySelector('.days input:invalid') !== null")
                assert page.url == tab.base + href and posted == [], (href, posted)
            else:
                assert move.count() == 0
                assert "No other day of its week takes it" in page.locator("main").inner_text()
        assert seen == {True, False}, (hrefs, seen)
        tab.assert_clean()
    finally:
        tab.close()


def test_the_report_page_keeps_the_menu_back_to_the_app(server: str, browser: Any) -> None:
    """The Report page, opened from the menu, had no menu of its own: on a phone the way back
    to the week was the browser's back button alone. It starts with the athlete's menu, on
    one row, Report marked, and Week leads back to today's session."""
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        tab.go("/a/anna/week")
        page = tab.tap_link("Report")
        menu = page.locator("nav.menu a")
        assert menu.all_inner_texts() == ["Week", "Status", "Why", "Races", "Report"]
        expect(page.locator("nav.menu a[aria-current=page]")).to_have_text("Report")
        assert len(set(menu.evaluate_all("els => els.map(e => e.offsetTop)"))) == 1
        layout = _overflow(page)
        assert layout["doc"] <= layout["viewport"] and layout["sticking_out"] == [], layout
        tab.tap_link("Week")
        assert page.url == f"{server}/a/anna/week#today"
        assert tab.errors == [] and tab.foreign == []
    finally:
        tab.close()


def test_the_app_opens_at_today_below_the_menu(server: str, browser: Any) -> None:
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        page = tab.go("/")  # what the runner opens in the gym
        assert page.url.endswith("/a/anna/week#today")
        menu = page.evaluate("document.querySelector('.top').getBoundingClientRect().bottom")
        today = page.evaluate("document.getElementById('today').getBoundingClientRect().top")
        assert page.evaluate("window.scrollY") > 0  # Tuesday: Monday is scrolled past
        assert menu <= today < PHONE["height"] / 2, (menu, today)  # in sight, not under it
    finally:
        tab.close()


def test_a_ticked_set_starts_its_rest_and_a_locked_phone_keeps_time(server: str,
                                                                    browser: Any) -> None:
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        tab.page.clock.install()
        tab.page.add_init_script("window.buzzes = 0; navigator.vibrate = () => ++window.buzzes;")
        page = tab.go("/a/anna/week")
        href = page.locator(".card:not(.status-done):not(.status-skipped) h3 a",
                            has_text="strength").last.get_attribute("href")
        page = tab.go(href)
        first = page.locator("fieldset.exercise").first
        rest = int(first.get_attribute("data-rest"))
        name = first.locator("legend").inner_text()
        timer = page.locator("#rest")
        assert rest >= 30 and timer.is_hidden()
        first.locator("input[name^='tick:']").first.tap()
        assert timer.is_visible() and f"{rest // 60}:{rest % 60:02d}" in timer.inner_text()
        assert f"set 2 · {name}" in timer.inner_text()  # what comes next
        assert page.evaluate("""() => {  // the set's number in sight, not cut by the ellipsis
            const what = document.querySelector('.rest-what'), text = what.firstChild;
            const at = text.data.indexOf('set 2'), range = document.createRange();
            range.setStart(text, at); range.setEnd(text, at + 5);
            return range.getBoundingClientRect().right <= what.getBoundingClientRect().right;
        }""")
        page.clock.run_for(20_000)
        left = rest - 20
        assert f"{left // 60}:{left % 60:02d}" in timer.inner_text()
        page.reload(wait_until="load")  # locked and woken: the same clock, not a new rest
        assert f"{left // 60}:{left % 60:02d}" in page.locator("#rest").inner_text()
        page.clock.run_for(rest * 1000)
        assert "rest over" in page.locator("#rest").inner_text()
        assert page.evaluate("window.buzzes") == 1  # the phone buzzes as the rest ends
        page.reload(wait_until="load")
        page.clock.run_for(1_000)
        assert "rest over" in page.locator("#rest").inner_text()
        assert page.evaluate("window.buzzes") == 0  # and not at every look after
        tab.assert_clean()
        page.locator("#rest button").tap()
        assert page.locator("#rest").is_hidden()
        page.reload(wait_until="load")
        assert page.locator("#rest").is_hidden()  # stopped stays stopped
        second = page.locator("fieldset.exercise").first.locator("input[name^='tick:']").nth(1)
        second.tap()
        assert page.locator("#rest").is_visible()
        second.tap()  # a tap on the wrong set, taken back: its rest goes with it
        assert page.locator("#rest").is_hidden()
    finally:
        tab.close()


KEPT = """async () => (await (await caches.open('stridelift-pages')).keys())
          .map(r => new URL(r.url).pathname)"""


def test_a_page_seen_once_opens_without_signal_and_says_so(server: str, browser: Any) -> None:
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        page = tab.go("/a/anna/week")
        page.evaluate("navigator.serviceWorker.ready")  # installed and in control
        page = tab.go("/a/anna/week")  # seen once more through it
        href = page.locator(".card h3 a", has_text="strength").last.get_attribute("href")
        page = tab.go(href)
        sets = page.locator("input[name^='tick:']").count()
        page.wait_for_function(f"async () => ({KEPT})().then(k => k.includes(location.pathname))")
        assert page.locator("#offline").is_hidden()
        tab.context.set_offline(True)  # a gym without signal
        page.reload(wait_until="load")
        assert page.locator("input[name^='tick:']").count() == sets  # the kept copy
        assert page.locator("#offline").is_visible()
        page.locator("input[name^='tick:']").first.tap()  # its script came along
        assert page.locator("#rest").is_visible()
        tab.context.set_offline(False)
        page.reload(wait_until="load")
        assert page.locator("#offline").is_hidden()
        assert page.locator("input[name^='tick:']").first.is_checked()
        tab.assert_clean()
        kept = """async () => (await (await caches.open('stridelift-pages')).keys())
                  .map(r => new URL(r.url).pathname).filter(p => p.startsWith('/a/'))"""
        assert len(page.evaluate(kept)) >= 2
        with page.expect_navigation(wait_until="load"):  # log out: nothing of anna's stays
            page.evaluate("""() => { const f = document.createElement('form');
                f.method = 'post'; f.action = '/logout';
                f.append(document.querySelector('input[name=csrf]').cloneNode());
                document.body.append(f); f.submit(); }""")
        assert page.evaluate(kept) == []
    finally:
        tab.close()


def test_the_app_opens_offline_and_a_login_gone_leaves_no_page(login_server: str,
                                                               browser: Any) -> None:
    """The worker reads a redirect as an opaque one: it kept no "/" (the home screen's
    address failed offline) and never saw a page sent to /login, so an expired login left
    the athlete's pages for whoever held the phone offline."""
    tab = Tab(browser, login_server, PHONE, touch=True)
    try:
        page = tab.go("/login")
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Log in").tap()
        page.evaluate("navigator.serviceWorker.ready")
        tab.go("/")  # through the worker: the home screen's address and the week
        page.wait_for_function(f"async () => ({KEPT})().then(k => k.includes('/'))")
        tab.context.set_offline(True)
        page = tab.go("/")
        assert page.url.endswith("/a/anna/week#today") and page.locator("#today").count() == 1
        tab.context.set_offline(False)
        tab.context.clear_cookies()  # the login expired (14 days), or the key changed
        page = tab.go("/a/anna/week")
        assert page.url.endswith("/login")
        assert [p for p in page.evaluate(KEPT) if not p.startswith("/static/")] == []
        tab.context.set_offline(True)
        for path in ("/", "/a/anna/week"):
            with pytest.raises(PlaywrightError):
                page.goto(login_server + path)
        tab.errors.clear()  # the browser's own error page
    finally:
        tab.close()


def test_logging_out_leaves_no_set_ticked_on_the_phone(login_server: str, browser: Any) -> None:
    tab = Tab(browser, login_server, PHONE, touch=True)
    try:
        page = tab.go("/login")
        assert page.locator(".top nav a").count() == 0  # nowhere to go before logging in
        page.get_by_label("Password").fill(PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Log in").tap()
        href = tab.go("/a/anna/week").locator(".card:not(.status-done):not(.status-skipped) "
                                               "h3 a", has_text="strength").first.get_attribute(
            "href")
        page = tab.go(href)
        page.evaluate("navigator.serviceWorker.ready")
        page = tab.go(href)  # through the worker
        page.locator("input[name^='tick:']").first.tap()
        assert page.evaluate("Object.keys(localStorage)")  # kept between sets
        tab.context.set_offline(True)  # logging out without signal: the phone forgets all,
        with page.expect_navigation(wait_until="load"):  # the server is not told
            page.get_by_role("button", name="Log out").tap()
        said = page.locator("[role=alert]").inner_text()
        assert "Not logged out" in said and "stay on this phone" not in said, said
        # styled: logging out deleted the style sheet kept with the pages, and the page came
        # bare; it holds nothing of anyone's, so it stays (and the scripts), no page does
        assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
        assert page.evaluate("Object.keys(localStorage)") == []
        assert "/static/style.css" in page.evaluate(KEPT)
        assert [p for p in page.evaluate(KEPT) if not p.startswith("/static/")] == []
        assert len(tab.errors) == 1 and "503" in tab.errors[0], tab.errors  # nothing else failed
        tab.errors.clear()  # the 503 the page came with
        tab.context.set_offline(False)
        page = tab.go(href)  # still logged in
        page.locator("input[name^='tick:']").first.tap()
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name="Log out").tap()
        assert page.url.endswith("/login")
        assert page.evaluate("Object.keys(localStorage)") == []
        tab.assert_clean()
    finally:
        tab.close()


def test_a_kept_page_says_so_while_the_phone_has_signal(built: Home, browser: Any) -> None:
    """The home server out of reach (its line down, or restarting for an upgrade) while the
    phone has signal: the kept copy was shown as if fresh, since the line saying so went by
    navigator.onLine alone; yesterday's plan looked like today's."""
    with _serving(built, require_login=False) as base:
        tab = Tab(browser, base, PHONE, touch=True)
        page = tab.go("/a/anna/week")
        page.evaluate("navigator.serviceWorker.ready")
        tab.go("/a/anna/week")  # kept, with its style sheet and script
    try:
        page.reload(wait_until="load")  # the server is gone; the phone is online
        assert page.evaluate("navigator.onLine")
        assert page.locator(".day").count() >= 7  # the kept copy
        assert page.locator("#offline").is_visible()  # its text is there, shown or not
        tab.assert_clean()  # the copy's script and style sheet load under its policy
    finally:
        tab.close()


def test_a_weak_signal_shows_the_kept_page_instead_of_waiting(built: Home,
                                                              browser: Any) -> None:
    """A signal too weak to carry a page neither answers nor fails: the runner waited for
    the browser to give up (a minute or more) before the kept copy showed. Now it shows
    once the server has not answered in the worker's patience (4 s), and the week "/"
    leads to and the page's style sheet and scripts come from the phone at once (each
    waited the patience again: 12 s in all); a page never kept still waits for the
    server."""
    slow, asked = [0.0], list[str]()
    with _serving(built, require_login=False, slow=slow, asked=asked) as base:
        tab = Tab(browser, base, PHONE, touch=True)
        try:
            page = tab.go("/a/anna/week")
            page.evaluate("navigator.serviceWorker.ready")
            page = tab.go("/")  # kept: the home screen's address, the week, its files
            page.wait_for_function(f"""async () => ({KEPT})().then(k => ['/', '/a/anna/week',
                '/static/style.css', '/static/app.js'].every(p => k.includes(p)))""")
            slow[0] = 12.0  # far over the patience, far under the test's time limit
            asked.clear()
            page = tab.go("/")  # what the runner opens in the gym
            assert page.url.endswith("/a/anna/week#today") and page.locator(".day").count() >= 7
            assert page.locator("#offline").is_visible()  # the kept copy, saying so
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # styled
            assert [p for p in asked if p != "/sw.js"] == ["/"]  # the patience once
            slow[0] = 6.0  # a page never kept: the server's own, however slow
            page = tab.go("/a/anna/races")
            assert page.locator("#offline").is_hidden()
            slow[0] = 0.0
            tab.assert_clean()
        finally:
            tab.close()


def test_a_done_unanswered_on_a_weak_signal_says_so_and_still_lands(browser: Any,
                                                                    tmp_path: Path) -> None:
    """A Done sent on a signal too weak to carry it neither answered nor failed: the runner
    looked at a blank page for as long as the browser waited. Now the worker says, after its
    patience (10 s), that no answer came yet and that the sets stay on the phone; the form
    goes on its way, and once it lands the session shows done and nothing is kept."""
    slow = [0.0]
    with _serving(_build(tmp_path), require_login=False, slow=slow) as base:
        tab = Tab(browser, base, PHONE, touch=True)
        try:
            page = tab.go("/a/anna/week")
            hrefs = list(dict.fromkeys(page.locator(
                ".card:not(.status-done):not(.status-skipped) h3 a").evaluate_all(
                "els => els.filter(e => e.textContent.includes('strength'))"
                ".map(e => e.getAttribute('href'))")))
            page.evaluate("navigator.serviceWorker.ready")
            page = tab.go(hrefs[0])
            page.locator("input[type=checkbox]").first.tap()
            slow[0] = 14.0  # over the patience, under the test's time limit
            with page.expect_navigation(wait_until="load"):
                page.get_by_role("button", name="Done with the sets ticked").tap()
            alert = page.locator("[role=alert]").inner_text()
            assert "No answer yet" in alert and "stay on this phone" in alert
            assert tab.errors and all("504" in e for e in tab.errors), tab.errors
            tab.errors.clear()  # the 504 the page came with
            slow[0] = 0.0
            for _ in range(30):  # reloaded until it lands: the line carries it late
                page = tab.go(hrefs[0])
                if page.locator(".tag", has_text="done").count():
                    break
                time.sleep(1)
            assert page.locator(".tag", has_text="done").count() == 1
            page.wait_for_function("() => Object.keys(localStorage).length === 0",
                                   timeout=5_000)
            tab.assert_clean()
            page = tab.go("/a/anna/races")  # a form of no session: no word of sets
            form = page.locator("#add-race")
            form.get_by_label("Date").fill((TODAY + timedelta(days=50)).isoformat())
            form.get_by_label("Distance").select_option("10k")
            slow[0] = 14.0
            with page.expect_navigation(wait_until="load"):
                form.get_by_role("button", name="Add race").tap()
            alert = page.locator("[role=alert]").inner_text()
            assert "No answer yet" in alert and "sets" not in alert, alert
            tab.errors.clear()
            slow[0] = 0.0
            for _ in range(30):
                page = tab.go("/a/anna/races")
                if page.locator(".card.race", has_text="· 10k").count():
                    break
                time.sleep(1)
            assert page.locator(".card.race", has_text="· 10k").count() == 1
        finally:
            tab.close()


def test_two_tabs_of_a_session_keep_each_others_sets(server: str, browser: Any) -> None:
    """Each tab wrote the sets it knew: a set ticked in one was dropped by a tick in the
    other, and the Done of either posted without it."""
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        page = tab.go("/a/anna/week")
        href = page.locator(".card:not(.status-done):not(.status-skipped) h3 a",
                            has_text="strength").first.get_attribute("href")
        first, second = tab.go(href), tab.context.new_page()
        second.goto(server + href, wait_until="load")
        first.locator("input[name^='tick:']").nth(0).tap()
        second.locator("input[name^='tick:']").nth(1).tap()
        expect(first.locator("input[name^='tick:']").nth(1)).to_be_checked()  # seen at once
        first.reload(wait_until="load")
        ticks = first.locator("input[name^='tick:']")
        assert ticks.nth(0).is_checked() and ticks.nth(1).is_checked()
        tab.assert_clean()
    finally:
        tab.close()


def test_dark_mode_follows_the_system(server: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(server + "/a/anna/week", wait_until="load")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 20, 20)"
        taps = page.evaluate("""() => [...document.querySelectorAll('.button, button')]
            .map(b => b.getBoundingClientRect().height)""")
        assert taps and min(taps) >= 44  # thumb-sized tap targets
        page.screenshot(path=str(tmp_path / "web-week-phone-dark.png"), full_page=True)
    finally:
        context.close()


def test_add_and_remove_a_race_on_a_phone(server: str, browser: Any, tmp_path: Path) -> None:
    tab = Tab(browser, server, PHONE, touch=True)
    try:
        tab.go("/a/anna/week")
        page = tab.tap_link("Races")
        form = page.locator("#add-race")
        form.get_by_label("Date").fill((TODAY + timedelta(days=40)).isoformat())
        form.get_by_label("Distance").select_option("half")
        form.get_by_label("Priority").select_option("C")
        with page.expect_navigation(wait_until="load"):
            form.get_by_role("button", name="Add race").tap()
        when = (TODAY + timedelta(days=40)).strftime("%a %d %b %Y")
        assert f"added the C race half on {when}" in page.locator(".flash").inner_text()
        card = page.locator(".card.race", has_text=f"{when} · half")
        assert card.count() == 1 and "40 days to go" in card.inner_text()
        tab.assert_clean()
        page.screenshot(path=str(tmp_path / "web-races-phone.png"), full_page=True)
        with page.expect_navigation(wait_until="load"):
            card.get_by_role("button", name="Remove").tap()
        assert f"removed the C race half on {when}" in page.locator(".flash").inner_text()
        assert page.locator(".card.race", has_text=f"{when} · half").count() == 0
        tab.assert_clean()
    finally:
        tab.close()


def test_the_report_s_range_links_load_their_range_and_draw_it(
        browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Report page's links in a real browser: each one clicked loads its range (8 weeks,
    a year, everything stored: a run 400 days ago, back to 16 weeks), marks itself as the
    one shown, and the charts span that range on a laptop, with no error and nothing asked
    of another server."""
    home = _build(tmp_path / "own")  # its own home: the module's keeps its history short
    ran = TODAY - timedelta(days=400)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.fit").write_bytes(run_fit(
        datetime.combine(ran, datetime.min.time(), UTC).replace(hour=7),
        [LapSpec(1800, 2.8, 140)], seed=1))
    monkeypatch.setenv("STRIDELIFT_HOME", str(tmp_path / "own" / "home"))
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    with freeze_time(TUESDAY, tick=True):
        imported = runner.invoke(cli, ["import", str(tmp_path / "old")])
    assert imported.exit_code == 0, imported.output
    last = TODAY + timedelta(weeks=REPORT_WEEKS_AHEAD)
    with _serving(home, require_login=False) as base:
        tab = Tab(browser, base, LAPTOP)
        try:
            page = tab.go("/a/anna/report")
            expect(page.locator("nav.range a[aria-current=page]")).to_have_text("16 weeks")
            for words, key, first in (("8 weeks", "8", TODAY - timedelta(weeks=8)),
                                      ("a year", "52", TODAY - timedelta(weeks=52)),
                                      ("everything", "all", ran),
                                      ("16 weeks", "16", TODAY - timedelta(weeks=16))):
                with page.expect_navigation(wait_until="load"):
                    page.get_by_role("link", name=words, exact=True).click()
                assert page.url == f"{base}/a/anna/report?weeks={key}"
                expect(page.locator("nav.range a[aria-current=page]")).to_have_text(words)
                assert f"{first:%d %b %Y} – {last:%d %b %Y}" in page.locator(".meta") \
                    .inner_text()
                page.wait_for_function("() => document.getElementById('chart-load')"
                                       "._fullLayout")
                shown = page.evaluate("() => document.getElementById('chart-load')"
                                      "._fullLayout.xaxis.range.map(String)")
                days = (date.fromisoformat(shown[1][:10]) -
                        date.fromisoformat(shown[0][:10])).days
                assert days == (last - first).days + 1, (words, shown)
                assert tab.errors == [] and tab.foreign == [], words
        finally:
            tab.close()
