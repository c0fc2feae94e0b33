"""The recovery-versus-load report: data read back from a real database, the page it renders
(self-contained, escaped, every chart present), the weekly numbers, and the command."""

from __future__ import annotations

import html
import math
import re
import shutil
import tomllib
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.offline
import pytest
import typer
from freezegun import freeze_time
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from analysis.recovery_text import shown_acwr
from db import models as m
from db import repo, wellness_days
from db.session import transaction
from demo.fitwrite import LapSpec, SetSpec, run_fit, strength_fit
from domain.profile import Profile, Race
from domain.wellness import DailyWellness
from ingest import fit
from jobs.home import Home
from jobs.replan import replan
from jobs.report_rows import ACTIVITY_COLUMNS, LOAD_KINDS, ReportData
from planner.model import week_start
from stridelift.cli import profile as profile_cli
from stridelift.cli.report import register
from stridelift.report import load_report, render
from stridelift.report.charts import CHART_IDS, load_chart
from stridelift.report.hover import activity_hover, band_hover, form_hover, signal_hover
from stridelift.report.style import FORM_ZONES, RACE_COLOURS
from tests.conftest import PINNED

runner = CliRunner()
NAME = "anna"
RUNS = "mon=easy,wed=speed,sat=long,sun=recovery"  # Thu and Fri free for strength
INIT = ["init", "--non-interactive", "--name", NAME, "--tz", "UTC", "--sex", "f",
        "--max-hr", "190", "--rest-hr", "50", "--runs", RUNS]
EVIL_NAME = '<script>alert("pwn")</script><img src=x onerror=alert(1)> & "Tempo"'
EVIL_REASON = "<img src=x onerror=alert(2)> legs </td></tr></table><b>heavy</b>"
WEEKS_OF_RUNS = 3


def make_app() -> typer.Typer:
    """A fresh app with `init` and `report`: works whether or not cli/__init__ has report."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    profile_cli.register(app)
    register(app)
    return app


@pytest.fixture(autouse=True)
def _pinned(pinned_clock: datetime) -> None:
    """Every test here (and the CLI it calls) sees the pinned day, whatever day CI runs."""


def today_utc() -> date:
    return datetime.now(UTC).date()


def _at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _run(day: date, kind: str, seed: int) -> bytes:
    """A run built to be classified as `kind` (the classifier's own test shapes)."""
    if kind == "speed":
        laps = [LapSpec(600, 2.8, 135, "warmup")]
        laps += [LapSpec(180, 4.6, 174, "interval"), LapSpec(120, 2.4, 135, "recovery")] * 4
        laps.append(LapSpec(600, 2.8, 135, "cooldown"))
        return run_fit(_at(day), laps, seed=seed)
    if kind == "threshold":
        laps = [LapSpec(600, 3.0, 135, "warmup"), LapSpec(1200, 3.6, 158, "active"),
                LapSpec(180, 3.0, 140, "rest"), LapSpec(1200, 3.6, 158, "active"),
                LapSpec(600, 3.0, 135, "cooldown")]
        return run_fit(_at(day), laps, seed=seed)
    if kind == "long":
        return run_fit(_at(day), [LapSpec(3600, 3.0, 146), LapSpec(3600, 3.0, 148)], seed=seed)
    if kind == "recovery":
        return run_fit(_at(day), [LapSpec(1500, 2.6, 125)], aerobic_te=1.4, seed=seed)
    return run_fit(_at(day), [LapSpec(2400, 2.9, 136)], seed=seed)


def build_athlete(home: Path, weeks: int = WEEKS_OF_RUNS) -> Profile:
    """An athlete with a few weeks of runs (one with a hostile name), a strength workout,
    six weeks of wellness, the plan replanned over those nights, one session done, one
    skipped, and an adjustment with a hostile reason."""
    result = runner.invoke(make_app(), INIT)
    assert result.exit_code == 0, result.output
    h = Home.open()
    profile = h.athlete(NAME)
    today = today_utc()
    template = {0: "easy", 2: "speed", 4: "threshold", 5: "long", 6: "recovery"}
    rng = np.random.default_rng(7)
    with transaction(h.db) as db:
        who = repo.athlete(db, profile)
        first = today - timedelta(days=7 * weeks)
        named = False  # the first run gets the hostile name
        for i in range((today - first).days):
            day = first + timedelta(days=i)
            kind = template.get(day.weekday())
            if kind is None:
                continue
            [act] = fit.decode(_run(day, kind, seed=i), f"{day}.fit")
            if not named:
                act, named = replace(act, name=EVIL_NAME), True
            repo.save_activities(db, who, [act], f"{i:064x}")
        lift_day = today - timedelta(days=3)
        acts = fit.decode(strength_fit(_at(lift_day, 18), [
            SetSpec("squat", "barbell_back_squat", 6, 60.0, 40),
            SetSpec("squat", None, None, None, 90, set_type="rest"),
            SetSpec("squat", "barbell_back_squat", 6, 60.0, 40)]), "lift.fit")
        repo.save_activities(db, who, acts, "f" * 64)
        for i in range(42, 0, -1):
            day = today - timedelta(days=i)
            dip = i <= 4  # the last nights run below the band: amber, then red
            wellness_days.save_wellness(db, who, DailyWellness(
                day=day, hrv_last_night=float(round(48 if dip else 62 + rng.normal(0, 3))),
                sleep_score=55 if i == 2 else int(78 + rng.normal(0, 5)),
                resting_hr=int(50 + (4 if dip else 0) + rng.normal(0, 1)),
                readiness_level=("LOW" if dip else ["HIGH", "MODERATE", "PRIME"][i % 3]),
                readiness_score=40 if dip else 70))
    with transaction(h.db) as db:
        replan(db, profile, today - timedelta(days=7 * weeks))
    with transaction(h.db) as db:
        replan(db, profile, today - timedelta(days=1))
    with transaction(h.db) as db:
        who = repo.athlete(db, profile)
        past = list(db.scalars(select(m.PlannedSession).where(
            m.PlannedSession.athlete_id == who.id, m.PlannedSession.day < today,
            m.PlannedSession.kind == "strength").order_by(m.PlannedSession.day)))
        assert len(past) >= 3
        past[0].status = "done"
        past[1].status = "skipped"
        db.add(m.AdjustmentRow(athlete_id=who.id, session_key=past[2].key,
                               night=past[2].day - timedelta(days=1), rule="S7.3 amber",
                               action="lighten", before="before <b> barbell_back_squat 3x4",
                               after="after <i>",
                               reasons=[EVIL_REASON]))
    return profile


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One athlete for the module (building it replans six weeks: done once)."""
    home = tmp_path_factory.mktemp("report") / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STRIDELIFT_HOME", str(home))
        mp.delenv("STRIDELIFT_DB_URL", raising=False)
        with freeze_time(PINNED, tick=True):
            build_athlete(home)
    return home


@pytest.fixture
def athlete_home(built: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STRIDELIFT_HOME", str(built))
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    return built


def _data(start: date | None = None, end: date | None = None) -> ReportData:
    today = today_utc()
    h = Home.open()
    with h.db() as db:
        return load_report(db, NAME, start or today - timedelta(weeks=16),
                           end or today + timedelta(weeks=2), today,
                           races=h.athlete(NAME).races)


class _Tables(HTMLParser):
    """Rows of the weekly table as {data-col: text}, keyed by the row's data-week."""

    def __init__(self) -> None:
        super().__init__()
        self.weeks: dict[str, dict[str, str]] = {}
        self._week: str | None = None
        self._col: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-week"):
            self._week = a["data-week"]
            self.weeks[self._week or ""] = {}
        elif tag == "td" and self._week and a.get("data-col"):
            self._col = a["data-col"]
            self.weeks[self._week][self._col or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._col = None
        elif tag == "tr":
            self._week = None

    def handle_data(self, data: str) -> None:
        if self._week and self._col:
            self.weeks[self._week][self._col] += data


def _outside_plotlyjs(page: str) -> str:
    bundle = plotly.offline.get_plotlyjs()
    assert bundle in page, "plotly.js is not inlined"
    assert page.count(bundle) == 1, "plotly.js is inlined more than once"
    return page.replace(bundle, "")


def assert_self_contained(page: str) -> None:
    rest = _outside_plotlyjs(page)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.I)
    assert not re.search(r"<link[^>]*\bhref\s*=", rest, re.I)
    assert not re.search(r"https?://", rest), re.search(r".{60}https?://.{60}", rest)
    assert "cdn." not in rest and "mathjax.js" not in rest.lower()


# --- data and render --------------------------------------------------------------------

def test_data_reads_what_the_database_holds(athlete_home: Path) -> None:
    data = _data()
    today = today_utc()
    assert data.has_training and data.has_load and data.has_recovery and not data.empty
    kinds = Counter(data.activities.loc[data.activities["series"] == "endurance", "load_kind"])
    assert {"speed", "long", "easy"} <= set(kinds)
    assert (data.activities["series"] == "strength").sum() == 1
    assert data.days.index[0] == today - timedelta(weeks=16)
    assert data.days.index[-1] == today + timedelta(weeks=2)
    recent = data.days.loc[today - timedelta(days=1)]
    assert recent["level"] in ("amber", "red") and recent["status_reasons"]
    assert 30 < recent["band_low_ms"] < recent["band_high_ms"] < 90
    assert {s.category for s in data.sessions} >= {"done", "skipped", "planned"}
    # a session whose day is over, neither done nor skipped, is not logged, not "planned"
    open_ = [s for s in data.sessions if s.status not in ("done", "skipped")]
    assert {s.category == "not logged" for s in open_ if s.day < today} <= {True}
    assert "not logged" not in {s.category for s in data.sessions if s.day >= today}
    assert any(s.category == "not logged" for s in open_)
    assert any(s.day > today for s in data.sessions)  # the next two weeks of plan
    assert any(EVIL_REASON in a.reasons for a in data.adjustments)


def test_weekly_summary_matches_the_database(athlete_home: Path) -> None:
    today = today_utc()
    data = _data()
    h = Home.open()
    with h.db() as db:
        who = db.scalar(select(m.Athlete).where(m.Athlete.name == NAME))
        assert who is not None
        runs = db.execute(select(m.Activity.local_date, m.RunClass.kind).join(m.RunClass)
                          .where(m.Activity.athlete_id == who.id,
                                 m.RunClass.load_series == "endurance")).all()
        sessions = list(db.scalars(select(m.PlannedSession).where(
            m.PlannedSession.athlete_id == who.id)))
        mobility_keys = set(db.scalars(select(m.AdjustmentRow.session_key).where(
            m.AdjustmentRow.athlete_id == who.id, m.AdjustmentRow.action == "mobility")))
    page = render(data)
    parser = _Tables()
    parser.feed(page)
    assert len(parser.weeks) == len(data.weeks) >= 18
    checked = 0
    for week in data.weeks:
        monday, sunday = week.monday, week.monday + timedelta(days=6)
        expected = Counter(k for d, k in runs if monday <= d <= sunday)
        mine = [s for s in sessions if monday <= s.day <= sunday]
        strength = [s for s in mine if s.kind == "strength" or s.key in mobility_keys
                    or (s.kind == "mobility" and s.status == "lightened")]
        heavy = sum(bool(p.get("high_resistance_lower_body")) for s in mine
                    if s.status != "skipped" for p in s.exercises)
        row = parser.weeks[monday.isoformat()]
        for kind in LOAD_KINDS:
            want = expected[kind] if kind != "other" else sum(
                n for k, n in expected.items() if k not in LOAD_KINDS)
            assert week.runs[kind] == want and int(row[kind]) == want, (monday, kind)
        assert int(row["runs"]) == sum(n for k, n in expected.items() if k != "other")
        done = sum(s.status == "done" for s in strength)
        assert (week.strength_done, week.strength_planned) == (done, len(strength))
        assert row["strength"] == f"{done} / {len(strength)}"
        assert week.heavy_lower == heavy and row["heavy_lower"] == f"{heavy} / 8"
        steps = [s.step + 1 for s in mine]
        assert row["ladder_step"] == (str(max(steps)) if steps else "–")
        checked += bool(expected) or bool(mine)
    assert checked >= WEEKS_OF_RUNS + 2
    # The current week has its row (its counts were checked above: on a weekend it may hold
    # no sessions, the plan made last night starting after the week's last legal day).
    assert week_start(today).isoformat() in parser.weeks
    assert sum(w.strength_done for w in data.weeks) == 1


def test_render_is_self_contained_and_has_every_chart(athlete_home: Path) -> None:
    page = render(_data())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert_self_contained(page)
    for div_id in CHART_IDS:
        assert f'id="{div_id}"' in page
        assert re.search(rf'Plotly\.newPlot\(\s*"{div_id}"', page), div_id
    assert '"responsive": true' in page
    assert "id='weekly-table'" in page and "id='changes-table'" in page
    assert "GoldenCheetah" in page and "no data yet" not in page.lower()


def test_an_activity_without_a_name_is_named_by_its_sport_in_the_hover() -> None:
    """A run whose file names it not: the hover said "• nan"."""
    day = date(2026, 11, 29)
    acts = pd.DataFrame.from_records(
        [{"day": day, "name": None, "sport": "running", "kind": "recovery",
          "load_kind": "recovery", "load": 27.0, "series": "endurance", "duration_min": 25.0,
          "distance_km": 3.9, "reason": None},
         {"day": day, "name": float("nan"), "sport": "trail running", "kind": "easy",
          "load_kind": "easy", "load": 30.0, "series": "endurance", "duration_min": 30.0,
          "distance_km": 5.0, "reason": None}], columns=list(ACTIVITY_COLUMNS))
    [text] = activity_hover(acts, pd.Index([day]), "recovery")
    assert text is not None and "nan" not in text, text
    assert "• running<br>" in text and "• trail running<br>" in text, text


def test_an_activity_under_a_minute_is_shown_in_seconds_in_the_hover() -> None:
    """A 24-s run read "0 min" in the hover: seconds, as its reasons show it."""
    day = date(2026, 11, 29)
    acts = pd.DataFrame.from_records(
        [{"day": day, "name": "strides", "sport": "running", "kind": "recovery",
          "load_kind": "recovery", "load": 1.0, "series": "endurance", "duration_min": 0.4,
          "distance_km": 0.1, "reason": None},
         {"day": day, "name": "easy", "sport": "running", "kind": "easy",
          "load_kind": "easy", "load": 30.0, "series": "endurance", "duration_min": 30.2,
          "distance_km": 5.0, "reason": None}], columns=list(ACTIVITY_COLUMNS))
    [text] = activity_hover(acts, pd.Index([day]), "recovery")
    assert "recovery, 24 s, 0.1 km" in (text or "") and "easy, 30 min, 5.0 km" in (text or "")


ZONE_BOUNDS = [lo for lo, _, _, _ in FORM_ZONES if lo is not None]


@settings(max_examples=200, deadline=None)
@example(tsb=-30.04)  # read "-30.0: high risk", a number of the zone above it
@given(tsb=st.sampled_from(ZONE_BOUNDS).flatmap(lambda b: st.floats(b - 0.1, b + 0.1)))
def test_the_form_hover_shows_a_number_inside_the_zone_it_names(tsb: float) -> None:
    """The zone is the form's, and the number shown lies in it: one rounding for both."""
    text = form_hover(date(2026, 11, 29), tsb, float("nan"))
    match = re.search(r"form \(TSB\) (-?[\d.]+): ([a-z ]+)$", text or "")
    assert match, text
    shown, zone = float(match[1]), match[2]
    [(lo, hi)] = [(lo, hi) for lo, hi, label, _ in FORM_ZONES if label == zone]
    assert (lo is None or shown >= lo) and (hi is None or shown < hi), text
    assert (lo is None or tsb >= lo) and (hi is None or tsb < hi), text


def test_the_form_hover_shows_acwr_as_the_reasons_do() -> None:
    """An ACWR of 1.504 read "ACWR 1.50" beside the reason "EWMA ACWR 1.504 > 1.5"."""
    for acwr in (1.504, 1.4, 1.5049):
        assert (form_hover(date(2026, 11, 29), -5.0, acwr) or "").endswith(
            f"<br>ACWR {shown_acwr(acwr)}")
    assert (form_hover(date(2026, 11, 29), -5.0, 1.504) or "").endswith("ACWR 1.504")


@settings(max_examples=200, deadline=None)
@example(low=math.exp(4.0), high=math.exp(4.4), nudge=-0.0001)  # ln 3.9999 read "4.00"
@given(low=st.floats(20, 150), high=st.floats(20, 150), nudge=st.floats(-0.01, 0.01))
def test_the_hrv_hovers_keep_the_signal_on_its_side_of_the_band(
        low: float, high: float, nudge: float) -> None:
    """The signal's hover and the band's show the signal and the band limits to decimals
    that keep the signal on its side of each limit, in ms and in ln as the reasons do: a
    signal 0.01 % below the band read "ln 4.00" beside the band's low limit "ln 4.00"."""
    low, high = min(low, high), max(low, high) + 1.0
    signal, day = low * (1 + nudge), date(2026, 11, 29)
    numbers = re.compile(r"\d+(?:\.\d+)?")
    band = [float(n) for n in numbers.findall(band_hover(day, low, high, signal) or "")]
    text = (signal_hover(day, signal, low, high) or "").split("<br>")[1]
    sig = [float(n) for n in numbers.findall(text)]
    ms, ln = (signal, low, high), tuple(map(math.log, (signal, low, high)))
    for shown, exact in (((sig[1], *band[0:2]), ms), ((sig[2], *band[2:4]), ln)):
        for i in (1, 2):  # the signal against the low limit, then the high one
            side = (exact[0] > exact[i]) - (exact[0] < exact[i])
            assert (shown[0] > shown[i]) - (shown[0] < shown[i]) == side, (text, band)


def test_the_today_line_shows_form_as_its_reasons_do(tmp_path: Path) -> None:
    """The line above the charts read "form -30" beside its reason "form (TSB) -30.4": the
    form on the wrong side of the threshold the reason names."""
    from db.session import open_db
    from stridelift.report.render import _today_line
    today = PINNED.date()
    with open_db(f"sqlite:///{tmp_path / 'today.db'}")() as db:
        data = load_report(db, "nobody", today - timedelta(days=3), today, today, races=())
    days = data.days.astype({"level": object, "status_reasons": object})
    days.loc[today, ["level", "tsb", "ctl", "atl"]] = ["amber", -30.4, 50.0, 80.4]
    days.at[today, "status_reasons"] = ("form (TSB) -30.4 < -30",)
    line = _today_line(replace(data, days=days))
    assert "· form -30.4 · fitness 50 · fatigue 80" in line, line


def test_races_found_in_the_activities_are_marked_once_beside_those_entered(
        tmp_path: Path) -> None:
    """A run Garmin flags as a race is marked on the charts (a dotted line, "found in the
    synced activities" on hover), as `race add`'s races are; a day that holds an entered
    race is drawn once, as the race entered. Only the races `race add` entered were drawn."""
    from db.session import open_db
    from tests.test_plan_job import MONDAY, P

    sundays = [MONDAY + timedelta(days=6 + 7 * w) for w in (0, 1)]
    factory = open_db(f"sqlite:///{tmp_path / 'races.db'}")
    with transaction(factory) as db:
        replan(db, P, MONDAY - timedelta(days=1))
        for day in sundays:
            start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
            raced = [replace(a, is_race=True)  # Garmin's race flag
                     for a in fit.decode(run_fit(start, [LapSpec(1500, 3.5, 178),
                                                         LapSpec(1500, 3.6, 182)]))]
            repo.save_activities(db, repo.athlete(db, P), raced, str(day) * 6)
        replan(db, P, sundays[1])  # classified: the runs are races
    entered = Race(sundays[1], "10k", "A")
    with factory() as db:
        data = load_report(db, P.name, MONDAY, sundays[1] + timedelta(days=7), sundays[1],
                           races=[entered])
    assert [(r.day, r.distance, r.source) for r in data.races] == [
        (sundays[0], "10k", "found"), (sundays[1], "10k", "entered")]
    page = render(data)
    assert "found in the synced activities" in page and '"dash":"dot"' in page
    lines = re.findall(r'"dash":"(\w+)","width":1.5\},"name":"race","type":"line",'
                       r'"x0":"([\d-]+)"', page)
    # the load and recovery charts: each race once, a race entered dashed, one found dotted
    assert sorted(lines) == sorted([("dot", str(sundays[0])), ("dash", str(sundays[1]))] * 2)


def test_race_labels_read_on_their_white() -> None:
    """A race's label is 11 px text on white: WCAG AA asks 4.5:1 of such text (the B and C
    colours gave 4.2 and 3.5)."""
    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for priority, colour in RACE_COLOURS.items():
        assert 1.05 / (luminance(colour) + 0.05) >= 4.5, (priority, colour)


def test_render_escapes_names_and_reasons(athlete_home: Path) -> None:
    page = render(_data())
    for raw in (EVIL_NAME, "<script>alert", "<img src=x", EVIL_REASON, "before <b>",
                "after <i>", "</td></tr></table><b>heavy"):
        assert raw not in page, raw
    # the hostile activity name travels in the load chart's hover text, escaped
    hover = " ".join(t for trace in load_chart(_data()).data for t in trace.hovertext or ()
                     if t)
    assert '&lt;script&gt;alert("pwn")&lt;/script&gt;' in hover
    assert 'onerror=alert(1)&gt; &amp; "Tempo"' in hover and "<script" not in hover
    assert '&lt;script&gt;alert(\\"pwn\\")' in page  # in the chart's JSON
    # the hostile reason in the changes table (HTML) and in the session's hover (JSON)
    assert f"<li>{html_escaped(EVIL_REASON)}</li>" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "before &lt;b&gt; Barbell back squat 3x4" in page  # by name, not by id
    # Plotly's config and bundle, the 4 charts, the range script: nothing from the data
    assert page.count("<script") == page.count("</script>") == 7


def html_escaped(text: str) -> str:
    import html
    return html.escape(text, quote=True)


def test_an_athlete_with_nothing_yet_renders(tmp_path: Path) -> None:
    today = date(2025, 6, 2)
    from db.session import open_db
    factory = open_db(f"sqlite:///{tmp_path / 'empty.db'}")
    with factory() as db:
        data = load_report(db, "nobody", today - timedelta(weeks=16), today, today, races=())
    assert data.empty
    page = render(data)
    assert "No data yet." in page and "id='no-data'" in page
    assert_self_contained(page)
    for div_id in CHART_IDS:
        assert f'id="{div_id}"' in page
    with pytest.raises(ValueError, match="after"), factory() as db:
        load_report(db, "nobody", today, today - timedelta(days=1), today, races=())
    # the races are asked for: a caller that forgot them drew none, without a word
    with pytest.raises(TypeError, match="races"), factory() as db:
        load_report(db, "nobody", today, today, today)  # type: ignore[call-arg]


def test_the_page_assets_are_packaged() -> None:
    """render reads report.css and report.js on import: an install without them fails."""
    root = Path(__file__).parents[1]
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["stridelift"]
    for name in ("report.css", "report.js"):
        assert (root / "stridelift" / "report" / name).is_file(), name
        assert any(fnmatch(f"report/{name}", g) for g in globs), name


# --- the command ------------------------------------------------------------------------

def test_report_command_writes_the_default_file(athlete_home: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []

    def browser_open(url: str, *_: object, **__: object) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr("webbrowser.open", browser_open)
    result = runner.invoke(make_app(), ["report", "--open"])
    assert result.exit_code == 0, result.output
    path = athlete_home / "reports" / f"{NAME}-report.html"
    assert result.stdout.strip() == str(path)
    assert path.is_file() and opened == [path.resolve().as_uri()]
    page = path.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert all(f'id="{div_id}"' in page for div_id in CHART_IDS)
    assert EVIL_NAME not in page and EVIL_REASON not in page
    assert f"{today_utc() - timedelta(weeks=16):%d %b %Y}" in page


def test_report_command_range_and_out(athlete_home: Path, tmp_path: Path) -> None:
    today = today_utc()
    out = tmp_path / "deep" / "er" / "r.html"
    start, end = today - timedelta(days=20), today - timedelta(days=5)
    result = runner.invoke(make_app(), ["report", "--from", start.isoformat(), "--to",
                                        end.isoformat(), "--out", str(out), "--athlete", NAME])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out) and out.is_file()
    parser = _Tables()
    parser.feed(out.read_text(encoding="utf-8"))
    assert min(parser.weeks) == week_start(start).isoformat()
    assert max(parser.weeks) == week_start(end).isoformat()


def test_report_for_a_fresh_athlete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIDELIFT_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    app = make_app()
    assert runner.invoke(app, INIT).exit_code == 0
    out = tmp_path / "fresh.html"
    result = runner.invoke(app, ["report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert "No data yet." in page and "The sessions below are the plan" in page
    assert "no runs yet" in page and "no recovery data yet" in page
    assert all(f'id="{div_id}"' in page for div_id in CHART_IDS)


def test_a_range_without_the_stored_history_says_where_it_lies(athlete_home: Path,
                                                               tmp_path: Path) -> None:
    """An imported history of years past is not "no data yet, import FIT files": the page
    names the days stored and the range that shows them."""
    today = today_utc()
    out = tmp_path / "ahead.html"
    start, end = today + timedelta(days=30), today + timedelta(days=60)
    result = runner.invoke(make_app(), ["report", "--from", start.isoformat(), "--to",
                                        end.isoformat(), "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    first, last = _data().stored or (None, None)
    assert first is not None and last is not None and first < last <= today
    assert "No data in this range." in page and "No data yet." not in page
    assert f"between {first:%d %b %Y} and {last:%d %b %Y}" in page
    assert offered(page) == ["--athlete", NAME, "--from", str(first), "--to", str(last)]
    one_day = render(replace(_data(start, end), stored=(first, first)))
    assert f"What is stored of this athlete is from {first:%d %b %Y}." in one_day
    # twelve years stored: the command offered is one `report` accepts (ten years at most)
    years = render(replace(_data(start, end), stored=(first - timedelta(days=12 * 365), last)))
    since = last - timedelta(days=3660)
    assert f"--from {since} --to {last}</code> shows its last ten" in years
    ten = runner.invoke(make_app(), ["report", *offered(years),
                                     "--out", str(tmp_path / "ten.html")])
    assert ten.exit_code == 0, ten.output


def test_the_web_s_report_page_names_no_command(athlete_home: Path) -> None:
    """The same notes on the web app's report page say it in words: a runner on a phone
    has no shell to type `stridelift report --from ...` or `stridelift import` into."""
    today = today_utc()
    ahead = _data(today + timedelta(days=30), today + timedelta(days=60))
    assert ahead.stored is not None
    for data, note in ((ahead, "No data in this range."),
                       (replace(ahead, stored=None), "No data yet.")):
        cli_page, web_page = render(data), render(data, on_web=True)
        assert note in cli_page and note in web_page
        assert "<code>stridelift" in cli_page and "stridelift " not in web_page.split(
            "id='no-data'")[1].split("</p>")[0]
    assert f"This page shows {ahead.start:%d %b %Y} to {ahead.end:%d %b %Y}; everything, in " \
        "the ranges above, shows it" in render(ahead, on_web=True)
    # a history older than the page's 'everything' reaches (ten years back from its end):
    # that link shows none of it, the server's report does
    first = ahead.stored[0]
    old = render(replace(ahead, stored=(first - timedelta(days=12 * 365),
                                        ahead.end - timedelta(days=3661))), on_web=True)
    assert "it is older than the ten years a page shows: a report of it is made on the " \
        "computer that runs stridelift." in old and "everything, in the ranges" not in old


def offered(page: str) -> list[str]:
    """The options of the `stridelift report` command a page without data offers."""
    found = re.search(r"<code>stridelift report ([^<]*)</code>", page)
    assert found, "no command offered"
    return html.unescape(found[1]).split()


def test_the_range_offered_is_accepted_in_a_home_of_several_athletes(
        built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --athlete the command offered was refused where the coach keeps a second
    athlete ("several athletes configured: choose one with --athlete NAME")."""
    shutil.copytree(built, tmp_path / "home")
    monkeypatch.setenv("STRIDELIFT_HOME", str(tmp_path / "home"))
    second = [*INIT[:INIT.index("--name")], "--name", "bob", *INIT[INIT.index("--name") + 2:]]
    assert runner.invoke(make_app(), second).exit_code == 0
    ahead = today_utc() + timedelta(days=30)
    result = runner.invoke(make_app(), ["report", "--athlete", NAME, "--from", str(ahead),
                                        "--to", str(ahead), "--out", str(tmp_path / "a.html")])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    again = runner.invoke(make_app(), ["report", *offered(page),
                                       "--out", str(tmp_path / "b.html")])
    assert again.exit_code == 0, again.output
    assert "id='no-data'" not in (tmp_path / "b.html").read_text(encoding="utf-8")


def test_garmin_s_training_status_of_days_without_a_watch_is_no_stored_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Garmin gives the training status of any day, a watch synced or not: days holding
    only that made a fresh runner's page say its data lay in the very range it shows, and
    offer that range again; after a history of years past, that it ran up to today."""
    monkeypatch.setenv("STRIDELIFT_HOME", str(tmp_path / "fresh"))
    monkeypatch.delenv("STRIDELIFT_DB_URL", raising=False)
    assert runner.invoke(make_app(), INIT).exit_code == 0
    today, h = today_utc(), Home.open()
    with transaction(h.db) as db:
        who = repo.athlete(db, h.athlete(NAME))
        for back in range(3):
            wellness_days.save_wellness(db, who, DailyWellness(
                day=today - timedelta(days=back), training_status="NO_RESULT"))
    page = render(_data())
    assert "No data yet." in page and "<code>stridelift report" not in page
    years_ago = today - timedelta(days=3 * 365)
    with transaction(h.db) as db:
        [run] = fit.decode(_run(years_ago, "easy", seed=1), "old.fit")
        repo.save_activities(db, repo.athlete(db, h.athlete(NAME)), [run], "e" * 64)
    page = render(_data())
    assert offered(page)[-4:] == ["--from", str(years_ago), "--to", str(years_ago)]


@pytest.mark.parametrize("args, code, words", [
    (["--from", "2025-05-02", "--to", "2025-05-01"], 2, "--from 2025-05-02 is after --to"),
    (["--from", "last week"], 2, "YYYY-MM-DD"),
    (["--athlete", "bob"], 2, "no athlete named 'bob'"),
])
def test_report_bad_input(athlete_home: Path, args: list[str], code: int, words: str) -> None:
    result = runner.invoke(make_app(), ["report", *args])
    assert result.exit_code == code, result.output
    assert words in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output


def test_report_unwritable_out_is_one_clear_line(athlete_home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "report.html"  # a path under a file: unwritable, even for root
    result = runner.invoke(make_app(), ["report", "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith("error: cannot write the report to") and str(out) in lines[0]
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []


def test_an_activitys_reason_carries_the_warning_about_the_profiles_max_hr() -> None:
    """The report is where stored classes are shown: the warning stands beside the kind's
    reason (the reasons between them are the traits' and the facts'), its fix in the front
    end's words; a warning stored with the CLI's fix in it (before the fix was worded where
    it is shown) reads the same."""
    from jobs.report_rows import _activity_frame

    warning = "check your max HR: HR held 182 for 5 min, above your max HR 170 in the profile"
    cli_fix = "set max_hr in config to your real max (`stridelift init --max-hr N`)"
    easy = "no trait and not a recovery run, so an easy run"

    def rows(stored: str) -> list[tuple[object, ...]]:
        return [(date(2025, 4, 1), "Easy", "running", 2400.0, 7000.0, "threshold", 50.0,
                 "endurance", ["25 min continuous in HR zones 3-4", "40 min (40 min moving)",
                               stored]),
                (date(2025, 4, 2), "Easy", "running", 2400.0, 7000.0, "easy", 30.0,
                 "endurance", [easy, "40 min (40 min moving)"])]
    for stored in (warning, f"{warning}; {cli_fix}"):
        assert list(_activity_frame(rows(stored))["reason"]) == [
            f"25 min continuous in HR zones 3-4; {warning}; {cli_fix}", easy]
        assert list(_activity_frame(rows(stored), on_web=True)["reason"]) == [
            f"25 min continuous in HR zones 3-4; {warning}; set max_hr in config.toml on the "
            "computer that runs stridelift to your real max", easy]
