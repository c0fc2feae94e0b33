"""The report in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven by
Playwright. No console errors, every chart drawn, no network, screenshots at laptop and
phone size, and no sideways scrolling on a phone except inside the tables.

Playwright never downloads a browser here: it launches the system Chromium by path. When
/usr/bin/chromium is absent the tests skip and say so; when Playwright's driver or the
browser cannot start, they fail with the error (an environment problem worth seeing).
"""

from __future__ import annotations

import os
import shutil
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from typer.testing import CliRunner

from jobs.home import Home
from jobs.race_entry import add_race
from stridelift.report.charts import CHART_IDS
from tests.conftest import CHROMIUM, PINNED
from tests.test_report import INIT, NAME, build_athlete, make_app, today_utc

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
runner = CliRunner()

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) "
                "to run the browser tests", allow_module_level=True)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The full report of a built athlete, and a fresh athlete's empty one, on the pinned
    day (a module's fixture runs before any test's own pinned clock)."""
    root = tmp_path_factory.mktemp("browser")
    out: dict[str, Path] = {}
    with pytest.MonkeyPatch.context() as mp, freeze_time(PINNED, tick=True):
        mp.delenv("STRIDELIFT_DB_URL", raising=False)
        mp.setenv("STRIDELIFT_HOME", str(root / "full"))
        build_athlete(root / "full")
        result = runner.invoke(make_app(), ["report", "--out", str(root / "full.html")])
        assert result.exit_code == 0, result.output
        out["full"] = root / "full.html"
        assert f"today {PINNED:%a %d %b %Y}" in out["full"].read_text()  # the pinned day
        years_ago = (today_utc() - timedelta(days=6 * 365)).isoformat()
        result = runner.invoke(make_app(), ["report", "--from", years_ago,
                                            "--out", str(root / "years.html")])
        assert result.exit_code == 0, result.output
        out["years"] = root / "years.html"
        monday = today_utc() - timedelta(days=2)  # an easy run and the morning's numbers
        for name, first, last in (("one-day", monday, monday),
                                  ("short", today_utc() - timedelta(days=20), today_utc())):
            result = runner.invoke(make_app(), ["report", "--from", first.isoformat(),
                                                "--to", last.isoformat(),
                                                "--out", str(root / f"{name}.html")])
            assert result.exit_code == 0, result.output
            out[name] = root / f"{name}.html"
        home = Home.open()
        for race, _ in RACES:
            add_race(home, home.athlete(NAME), race, today_utc())
        result = runner.invoke(make_app(), ["report", "--out", str(root / "races.html")])
        assert result.exit_code == 0, result.output
        out["races"] = root / "races.html"
        for race in CROWDED:
            add_race(home, home.athlete(NAME), race, today_utc())
        result = runner.invoke(make_app(), ["report", "--out", str(root / "crowded.html")])
        assert result.exit_code == 0, result.output
        out["crowded"] = root / "crowded.html"
        mp.setenv("STRIDELIFT_HOME", str(root / "empty"))
        assert runner.invoke(make_app(), INIT).exit_code == 0
        result = runner.invoke(make_app(), ["report", "--out", str(root / "empty.html")])
        assert result.exit_code == 0, result.output
        out["empty"] = root / "empty.html"
    return out


# The races entered before the "races" report, and whether its range (16 weeks back, 2
# ahead) holds them.
RACES = ((f"{PINNED.date() - timedelta(days=20)}:10k:C", True),
         (f"{PINNED.date() + timedelta(days=10)}:half:A", True),
         (f"{PINNED.date() + timedelta(days=60)}:marathon:B", False))
# Added to RACES for the "crowded" report: a season of races days apart, on the range's
# first and last days too (the range: 16 weeks back from the pinned day, 2 ahead).
CROWDED = tuple(f"{PINNED.date() + timedelta(days=d)}:{distance}:{priority}" for d, distance,
                priority in ((-112, "ultra", "B"), (-61, "5k", "C"), (-60, "marathon", "C"),
                             (-45, "half", "B"), (-19, "5k", "B"), (-5, "10k", "C"),
                             (-4, "5k", "C"), (13, "10k", "C")))


class Visit:
    """One page load: console messages, page errors and every request the page made."""

    def __init__(self, browser: Any, path: Path, viewport: dict[str, int],
                 touch: bool = False) -> None:
        self.context = browser.new_context(viewport=viewport, has_touch=touch,
                                           is_mobile=touch, device_scale_factor=1)
        self.page = self.context.new_page()
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda msg: self.console.append((msg.type, msg.text)))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function(
            "ids => ids.every(id => { const gd = document.getElementById(id);"
            " return gd && gd._fullLayout && gd.querySelector('.main-svg'); })",
            arg=list(CHART_IDS), timeout=20_000)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        self.requests.append(url)
        if url.startswith("file:"):
            route.continue_()
        else:  # the report must never reach the network
            route.abort()

    def shot(self, where: Path) -> Path:
        self.page.screenshot(path=str(where), full_page=True)
        return where

    def close(self) -> None:
        self.context.close()

    def assert_clean(self) -> None:
        errors = [text for kind, text in self.console if kind == "error"]
        assert not errors, errors
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs  # no alert() from a hostile name ever ran
        assert [u for u in self.requests if not u.startswith("file:")] == []


def _drawn(page: Any, div_id: str) -> dict[str, int]:
    """What Plotly drew in one chart: bars, line/marker paths, and the svg size."""
    return page.evaluate("""id => {
        const gd = document.getElementById(id);
        const svg = gd.querySelector('.main-svg');
        return {
          svgs: gd.querySelectorAll('.js-plotly-plot .main-svg').length,
          traces: gd.querySelectorAll('.cartesianlayer .trace').length,
          bars: gd.querySelectorAll('.cartesianlayer .trace.bars .point path').length,
          lines: [...gd.querySelectorAll('.cartesianlayer .scatterlayer .js-line')]
                   .filter(p => (p.getAttribute('d') || '').length > 10).length,
          points: gd.querySelectorAll('.cartesianlayer .scatterlayer .points path').length,
          width: Math.round(svg.getBoundingClientRect().width),
          height: Math.round(svg.getBoundingClientRect().height),
        };
    }""", div_id)


def _overflow(page: Any) -> dict[str, Any]:
    """How far the page is wider than the viewport, and which elements stick out (those
    inside a scrollable .table-wrap are allowed to: they scroll)."""
    return page.evaluate("""() => {
        const vw = document.documentElement.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
          if (el.closest('.table-wrap') || el.closest('svg')) continue;
          const r = el.getBoundingClientRect();
          if (r.width && (r.right > vw + 1 || r.left < -1)) {
            out.push(el.tagName + '.' + el.className + ' ' + Math.round(r.left) + '..'
                     + Math.round(r.right));
          }
        }
        const wraps = [...document.querySelectorAll('.table-wrap')].map(w => ({
          scrolls: getComputedStyle(w).overflowX, right: w.getBoundingClientRect().right,
          inner: w.scrollWidth, outer: w.clientWidth}));
        return {viewport: vw, body: document.body.scrollWidth,
                doc: document.documentElement.scrollWidth, sticking_out: out.slice(0, 10),
                wraps: wraps};
    }""")


def test_full_report_in_chromium(browser: Any, reports: dict[str, Path],
                                 tmp_path: Path) -> None:
    started = time.perf_counter()
    shots = []
    for name, viewport, touch in (("laptop", LAPTOP, False), ("phone", PHONE, True)):
        visit = Visit(browser, reports["full"], viewport, touch)
        try:
            visit.assert_clean()
            for div_id in CHART_IDS:
                drawn = _drawn(visit.page, div_id)
                assert drawn["svgs"] >= 1 and drawn["traces"] >= 1, (name, div_id, drawn)
                assert drawn["width"] <= viewport["width"], (name, div_id, drawn)
                assert drawn["bars"] + drawn["lines"] + drawn["points"] > 0, (div_id, drawn)
            assert _drawn(visit.page, "chart-load")["bars"] >= 10
            assert _drawn(visit.page, "chart-form")["lines"] >= 3
            assert _drawn(visit.page, "chart-recovery")["bars"] >= 30
            assert _drawn(visit.page, "chart-sessions")["points"] >= 5
            layout = _overflow(visit.page)
            assert layout["doc"] <= layout["viewport"], layout
            assert layout["body"] <= layout["viewport"], layout
            assert layout["sticking_out"] == [], layout
            assert all(w["scrolls"] == "auto" and w["right"] <= layout["viewport"] + 1
                       for w in layout["wraps"]), layout
            if name == "phone":  # the tables are wider than a phone: they scroll, the page not
                assert any(w["inner"] > w["outer"] for w in layout["wraps"]), layout
            shots.append(visit.shot(tmp_path / f"report-{name}.png"))
        finally:
            visit.close()
    print(f"\nscreenshots: {', '.join(map(str, shots))} "
          f"({time.perf_counter() - started:.1f} s in the browser)")
    for shot in shots:
        assert shot.stat().st_size > 20_000


def test_zooming_one_chart_zooms_them_all(browser: Any, reports: dict[str, Path]) -> None:
    visit = Visit(browser, reports["full"], LAPTOP)
    try:
        visit.page.evaluate("""() => Plotly.relayout('chart-form',
            {'xaxis2.range[0]': '2020-01-01', 'xaxis2.range[1]': '2020-02-01'})""")
        visit.page.wait_for_timeout(300)
        ranges = visit.page.evaluate("""ids => ids.map(id =>
            document.getElementById(id)._fullLayout.xaxis.range.map(String))""",
                                     list(CHART_IDS))
        assert all(r[0].startswith("2020-01-01") and r[1].startswith("2020-02-01")
                   for r in ranges), ranges
        visit.assert_clean()
    finally:
        visit.close()


def test_a_phone_starts_on_eight_weeks_and_can_show_all(browser: Any,
                                                       reports: dict[str, Path]) -> None:
    visit = Visit(browser, reports["full"], PHONE, touch=True)
    try:
        page = visit.page
        page.wait_for_function("() => document.querySelector('nav.range button[data-weeks=\"8\"]')"
                               ".getAttribute('aria-pressed') === 'true'")
        first = page.evaluate("() => document.getElementById('chart-load')._fullLayout.xaxis"
                              ".range.map(String)")
        days = (date.fromisoformat(first[1][:10]) - date.fromisoformat(first[0][:10])).days
        assert 8 * 7 <= days <= 8 * 7 + 15, first  # 8 weeks back, the plan weeks ahead
        assert page.evaluate("() => document.getElementById('chart-load')._fullLayout"
                             ".dragmode") is False  # touches scroll the page
        page.click("nav.range button[data-weeks='0']")
        page.wait_for_timeout(300)
        ranges = page.evaluate("""ids => ids.map(id =>
            document.getElementById(id)._fullLayout.xaxis.range.map(String))""",
                               list(CHART_IDS))
        assert len({tuple(r) for r in ranges}) == 1
        days = (date.fromisoformat(ranges[0][1][:10])
                - date.fromisoformat(ranges[0][0][:10])).days
        assert days == 16 * 7 + 2 * 7 + 1, ranges
        visit.assert_clean()
    finally:
        visit.close()


HOVER = """([id, needle]) => {
    const gd = document.getElementById(id);
    for (let c = 0; c < gd.data.length; c++) {
      const texts = gd.data[c].hovertext || [];
      for (let p = 0; p < texts.length; p++) {
        if (texts[p] && texts[p].includes(needle)) {
          Plotly.Fx.hover(gd, [{curveNumber: c, pointNumber: p}]);
          return gd.querySelector('.hoverlayer').textContent;
        }
      }
    }
    return null;
}"""


HOSTILE = (("chart-load", 'alert("pwn")', '<script>alert("pwn")</script><img src=x'),
           ("chart-sessions", "onerror=alert(2)", "<img src=x onerror=alert(2)> legs"))


def test_hostile_text_shows_as_text_in_the_hover(browser: Any, reports: dict[str, Path],
                                                 tmp_path: Path) -> None:
    visit = Visit(browser, reports["full"], LAPTOP)
    try:
        for div_id, needle, shown in HOSTILE:
            text = visit.page.evaluate(HOVER, [div_id, needle])
            assert text is not None and shown in text, text
            assert visit.page.evaluate("() => document.querySelectorAll('img').length") == 0
            visit.page.locator(f"#{div_id}").screenshot(path=str(tmp_path / f"{div_id}.png"))
        visit.page.wait_for_timeout(200)
        visit.assert_clean()
    finally:
        visit.close()


TICKS = """id => [...document.getElementById(id).querySelectorAll('.xtick text')]
    .map(t => t.textContent)"""


def test_tick_labels_say_the_year_when_the_range_spans_years(
        browser: Any, reports: dict[str, Path]) -> None:
    """Six years of axis: each tick names its year (not "01 Jan" under every tick); a
    phone's first 8 weeks and a laptop's 16 still read by day and month."""
    visit = Visit(browser, reports["years"], LAPTOP)
    try:
        ticks = visit.page.evaluate(TICKS, "chart-load")
        assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), ticks
        assert all(any(str(y) in t for y in range(2000, 2100)) for t in ticks), ticks
        visit.assert_clean()
    finally:
        visit.close()
    for viewport, touch in ((LAPTOP, False), (PHONE, True)):
        visit = Visit(browser, reports["full"], viewport, touch)
        try:
            ticks = visit.page.evaluate(TICKS, "chart-load")
            assert ticks and all(len(t.split()) == 2 and t.split()[0].isdigit()
                                 for t in ticks), ticks
        finally:
            visit.close()


def test_empty_report_in_chromium(browser: Any, reports: dict[str, Path],
                                  tmp_path: Path) -> None:
    visit = Visit(browser, reports["empty"], PHONE, touch=True)
    try:
        visit.assert_clean()
        assert visit.page.locator("text=no runs yet in this range").count() >= 1
        layout = _overflow(visit.page)
        assert layout["doc"] <= layout["viewport"] and layout["sticking_out"] == [], layout
        print(f"\nscreenshot: {visit.shot(tmp_path / 'report-empty-phone.png')}")
    finally:
        visit.close()


RACE_MARKS = """id => {
    const gd = document.getElementById(id), ax = gd._fullLayout.xaxis;
    const lines = gd._fullLayout.shapes.filter(s => s.name === 'race');
    const labels = [...gd.querySelectorAll('.annotation')].filter(a => /^[ABC] /.test(
        a.textContent));
    const box = gd.querySelector('.main-svg').getBoundingClientRect();
    return {lines: lines.map(s => String(s.x0).slice(0, 10)),
            px: lines.map(s => Math.round(ax.l2p(ax.d2l(s.x0)) + ax._offset)),
            labels: labels.map(a => {
                const r = a.getBoundingClientRect();
                return {text: a.textContent, left: r.left - box.left, right: r.right - box.left,
                        width: box.width};
            }),
            hover: gd._fullLayout.annotations.filter(a => a.name === 'race')
                     .map(a => a.hovertext)};
}"""


def test_races_are_marked_on_the_load_and_recovery_charts(
        browser: Any, reports: dict[str, Path], tmp_path: Path) -> None:
    """Each race entered in the range is a dashed line on its day with a label (priority and
    distance) that reads inside the chart at phone and laptop width and names the race on
    hover; a race outside the range is not drawn, nor are any on a report without races."""
    inside = sorted(r.split(":") for r, shown in RACES if shown)
    for viewport, touch in ((PHONE, True), (LAPTOP, False), ({"width": 360, "height": 800},
                                                              True)):
        visit = Visit(browser, reports["races"], viewport, touch)
        try:
            # all: both races in view (a tap on a phone: a click's emulated mouse there left
            # the next tap on a label without its hover, which a finger's tap does not)
            button = visit.page.locator("nav.range button[data-weeks='0']")
            button.tap() if touch else button.click()
            visit.page.wait_for_timeout(300)
            for div_id in ("chart-load", "chart-recovery"):
                marks = visit.page.evaluate(RACE_MARKS, div_id)
                assert marks["lines"] == [day for day, _, _ in inside], marks
                assert sorted(a["text"] for a in marks["labels"]) == sorted(
                    f"{p} {d}" for _, d, p in inside), marks
                for label in marks["labels"]:  # legible: whole, inside the chart
                    assert label["left"] >= 0 and label["right"] <= label["width"], marks
                for (day, distance, priority), hover in zip(inside, marks["hover"],
                                                           strict=True):
                    shown = date.fromisoformat(day)
                    assert f"{shown:%a %d %b}" in hover and distance in hover, hover
                    assert f"{priority} race" in hover, hover
                # the line stands on the race day's bar: the day's x, not the day before
                assert visit.page.evaluate(
                    "([id, day]) => { const ax = document.getElementById(id)._fullLayout.xaxis;"
                    " return Math.round(ax.l2p(ax.d2l(day)) + ax._offset); }",
                    [div_id, inside[0][0]]) == marks["px"][0]
            day, distance, priority = inside[0]  # a tap or the mouse on its label names it
            label = visit.page.locator("#chart-load .annotation", has_text=f"{priority} "
                                       f"{distance}").first
            label.tap() if touch else label.hover()
            visit.page.wait_for_timeout(300)
            shown = visit.page.evaluate(
                "() => document.querySelector('#chart-load .hoverlayer').textContent")
            assert shown == f"{date.fromisoformat(day):%a %d %b} · {priority} race " \
                f"(tune-up), {distance}", shown
            visit.page.locator("#load").screenshot(
                path=str(tmp_path / f"races-{viewport['width']}.png"))
            visit.assert_clean()
        finally:
            visit.close()
    visit = Visit(browser, reports["full"], LAPTOP)
    try:
        for div_id in ("chart-load", "chart-recovery"):
            marks = visit.page.evaluate(RACE_MARKS, div_id)
            assert marks["lines"] == [] and marks["labels"] == [], marks
    finally:
        visit.close()


def test_race_labels_close_together_cover_none_of_each_other(
        browser: Any, reports: dict[str, Path]) -> None:
    """Ten races in a season, some on consecutive days: every label reads whole, none over
    another, on the narrowest phone and on a laptop (races a day apart were drawn one label
    over the other)."""
    for width in (320, 360, 414, 1280):
        visit = Visit(browser, reports["crowded"], {"width": width, "height": 900}, width < 600)
        try:
            visit.page.locator("nav.range button[data-weeks='0']").click()
            visit.page.wait_for_timeout(300)
            for div_id in ("chart-load", "chart-recovery"):
                boxes = visit.page.evaluate(
                    "id => [...document.getElementById(id).querySelectorAll('.annotation')]"
                    ".filter(a => /^[ABC] /.test(a.textContent)).map(a => {"
                    " const r = a.querySelector('rect').getBoundingClientRect();"
                    " return [a.textContent, r.left, r.right, r.top, r.bottom]; })", div_id)
                assert len(boxes) == len(RACES) - 1 + len(CROWDED), boxes
                for i, (one, *a) in enumerate(boxes):
                    for other, *b in boxes[i + 1:]:
                        apart = a[1] <= b[0] or b[1] <= a[0] or a[3] <= b[2] or b[3] <= a[2]
                        assert apart, (width, div_id, one, a, other, b)
            visit.assert_clean()
        finally:
            visit.close()


BAR_WIDTHS = """id => [...document.getElementById(id).querySelectorAll(
    '.cartesianlayer .trace.bars .point path')].map(p => p.getBoundingClientRect().width)
    .filter(w => w > 0)"""


def test_a_one_day_report_draws_its_day_whole(browser: Any, reports: dict[str, Path]) -> None:
    """One day: the load bar and the status strips fill the day (Plotly drew them 1 ms wide),
    and the axis has one tick, the day's, not one every few hours each reading that day."""
    for viewport, touch in ((PHONE, True), (LAPTOP, False)):
        visit = Visit(browser, reports["one-day"], viewport, touch)
        try:
            plot = visit.page.evaluate(
                "() => document.getElementById('chart-load')._fullLayout.xaxis._length")
            for div_id, bars in (("chart-load", 1), ("chart-recovery", 2)):
                widths = visit.page.evaluate(BAR_WIDTHS, div_id)
                assert len(widths) >= bars and min(widths) > plot * 0.4, (div_id, widths)
            ticks = visit.page.evaluate(TICKS, "chart-load")
            assert ticks == [f"{PINNED.date() - timedelta(days=2):%d %b}"], ticks
            visit.assert_clean()
        finally:
            visit.close()


def test_a_phone_shows_all_of_a_range_shorter_than_eight_weeks(
        browser: Any, reports: dict[str, Path]) -> None:
    """Three weeks: the phone starts on all of it, and offers no 4 or 8 weeks (each would be
    all of it again); ticks a day or more apart."""
    visit = Visit(browser, reports["short"], PHONE, touch=True)
    try:
        page = visit.page
        page.wait_for_function("() => document.querySelector('nav.range button[data-weeks=\"0\"]')"
                               ".getAttribute('aria-pressed') === 'true'")
        assert page.evaluate("() => [...document.querySelectorAll('nav.range button')]"
                             ".map(b => b.textContent)") == ["all"]
        ticks = visit.page.evaluate(TICKS, "chart-load")
        assert len(ticks) == len(set(ticks)), ticks
        visit.assert_clean()
    finally:
        visit.close()


def test_chromium_is_the_system_one() -> None:
    """Playwright was pointed at Debian's Chromium, not a downloaded one."""
    assert CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)
    assert shutil.which("chromium") in (None, str(CHROMIUM)) or CHROMIUM.is_file()
