"""The report page: ReportData in, one self-contained HTML string out (pure: no I/O, no clock).

The page's skeleton, header, tables and notes are assembled here; the charts come from
`charts`, the style and the zoom script from the package's report.css and report.js, all
inlined, so the file opens offline and nothing is fetched from anywhere. Every value that
comes from the data is escaped before it lands in the page (`markup.esc` here, `hesc` in the
charts' hover labels).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from importlib import resources
from string import Template

from analysis.load import ATL_DAYS, CTL_DAYS
from analysis.recovery_text import shown_form
from domain.pointer import SERVER
from jobs.report_rows import (
    HEAVY_LOWER_CAP,
    LOAD_KINDS,
    MAX_DAYS,
    AdjustmentItem,
    ReportData,
    WeekSummary,
)
from stridelift.report.charts import CHART_IDS, chart_divs, x_range
from stridelift.report.markup import esc, finite, short_day
from stridelift.report.style import LEVEL_COLOURS, READINESS_COLOURS


def _asset(name: str) -> str:
    """A file shipped beside this module as package data (see pyproject.toml)."""
    return resources.files("stridelift.report").joinpath(name).read_text(encoding="utf-8")


# Read once on import, so render itself stays free of I/O.
_CSS = _asset("report.css")
_SCRIPT = _asset("report.js")


def render(data: ReportData, on_web: bool = False,
           ranges: Sequence[tuple[str, str, bool]] = (),
           menu: Sequence[tuple[str, str, bool]] = (), as_stored: str | None = None) -> str:
    """The whole report as one HTML document; `on_web`: the web app's report page, whose
    notes name no command (a runner on a phone has no shell), not the CLI's file, `ranges`
    its links to the other ranges and `menu` to the app's other pages (words, link, whether
    it is this one); `as_stored`: the page's line when the plan is shown as stored (another
    run holding the athlete's lock)."""
    charts = chart_divs(data)
    sections = [
        _section("load", "Daily load", charts[0], _load_note()),
        _section("form", "Fitness, fatigue and form", charts[1], _form_note()),
        _section("recovery", "Recovery", charts[2], _recovery_note()),
        _section("sessions", "Strength sessions", charts[3], _sessions_note()),
        _section("weekly", "Weekly summary", _weekly_table(data.weeks), _weekly_note()),
        _section("changes", "Plan changes and why", _adjustments_table(data.adjustments),
                 ""),
    ]
    return _PAGE.substitute(
        title=esc(f"stridelift · {data.athlete} · recovery versus load"), css=_CSS,
        header=_links("menu", "pages", menu) + _header(data, on_web, ranges)
        + (f"<p class='note' role='status'>{esc(as_stored)}</p>" if as_stored else ""),
        sections="\n".join(sections), script=_script(data))


def _script(data: ReportData) -> str:
    """report.js with its placeholders filled: the charts, the report's range, and the day
    the week buttons count back from (today, kept inside the range)."""
    anchor = _anchor(data).isoformat()
    script = _SCRIPT
    for placeholder, value in (("__IDS__", CHART_IDS), ("__RANGE__", x_range(data)),
                               ("__ANCHOR__", anchor)):
        script = script.replace(placeholder, json.dumps(value))
    return script


_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>$css</style>
</head>
<body>
<main>
<header>$header</header>
$sections
</main>
<script>$script</script>
</body>
</html>
""")


# --- tables and text --------------------------------------------------------------------

def _weekly_table(weeks: Sequence[WeekSummary]) -> str:
    if not weeks:
        return '<p class="note">no weeks in this range</p>'
    head = ("<tr><th class='text'>week</th>"
            + "".join(f"<th>{esc(k)}</th>" for k in LOAD_KINDS)
            + "<th title='runs of every kind'>runs</th>"
            + "<th title='strength sessions done / planned'>strength<br>done / plan</th>"
            + "<th title='mobility sessions'>mobility</th>"
            + f"<th title='high-resistance lower-body exercises against the weekly cap of "
            f"{HEAVY_LOWER_CAP}'>heavy lower<br>body / {HEAVY_LOWER_CAP}</th>"
            + "<th title='ladder step the week trains'>ladder<br>step</th></tr>")
    rows = []
    for w in weeks:
        cells = [f"<td class='text' data-col='week'>{w.monday:%d %b %Y}"
                 + (" <span class='tag'>plan</span>" if w.upcoming else "") + "</td>"]
        cells += [f"<td data-col='{esc(k)}'>{_count(w.runs.get(k, 0))}</td>" for k in LOAD_KINDS]
        cells.append(f"<td data-col='runs'>{w.runs_total}</td>")
        cells.append(f"<td data-col='strength'>{w.strength_done} / {w.strength_planned}</td>")
        cells.append(f"<td data-col='mobility'>{_count(w.mobility)}</td>")
        over = " class='over'" if w.over_cap else ""
        cells.append(f"<td data-col='heavy_lower'{over}>{w.heavy_lower} / {HEAVY_LOWER_CAP}"
                     "</td>")
        step = str(w.ladder_step) if w.ladder_step is not None else "–"
        cells.append(f"<td data-col='ladder_step'>{step}</td>")
        rows.append(f"<tr data-week='{w.monday.isoformat()}'>{''.join(cells)}</tr>")
    return (f"<div class='table-wrap'><table id='weekly-table' class='first-sticky'>"
            f"<thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></div>")


def _count(n: int) -> str:
    return str(n) if n else "<span class='zero'>0</span>"


def _adjustments_table(changes: Sequence[AdjustmentItem]) -> str:
    if not changes:
        return "<p class='note'>No changes in this range: the plan ran as first laid out.</p>"
    head = ("<tr><th class='text'>night · change</th><th class='text wide'>reasons</th>"
            "<th class='text wide'>from → to</th></tr>")
    rows = []
    for a in sorted(changes, key=lambda a: a.night, reverse=True):
        reasons = "".join(f"<li>{esc(r)}</li>" for r in a.reasons)
        rows.append(
            f"<tr><td class='text'><b>{a.night:%a %d %b}</b><br>{esc(a.action)} · "
            f"{esc(a.rule)}<br><span class='key'>{esc(a.session_key)}</span></td>"
            f"<td class='text wide'><ul>{reasons}</ul></td>"
            f"<td class='text wide'><div>{esc(a.before)}</div><div>→ {esc(a.after)}</div></td>"
            "</tr>")
    return (f"<div class='table-wrap'><table id='changes-table'><thead>{head}</thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _section(anchor: str, title: str, body: str, note: str) -> str:
    caption = f"<p class='hint'>{note}</p>" if note else ""
    return (f"<section id='{anchor}'><h2>{esc(title)}</h2>{caption}"
            f"<div class='body'>{body}</div></section>")


def _header(data: ReportData, on_web: bool, ranges: Sequence[tuple[str, str, bool]]) -> str:
    parts = [f"<h1>Recovery versus load</h1><p class='meta'><b>{esc(data.athlete)}</b> · "
             f"{data.start:%d %b %Y} – {data.end:%d %b %Y} · today {data.today:%a %d %b %Y}"]
    if data.generated is not None:
        parts.append(f" · made {data.generated:%Y-%m-%d %H:%M}")
    parts.append("</p>")
    parts.append(_links("range", "weeks the report holds", ranges, "report holds "))
    parts.append("<nav class='range' aria-label='time shown in the charts'>charts show "
                 + "".join(f"<button type='button' data-weeks='{w}'>{label}</button>"
                           for w, label in _views(data))
                 + "</nav>")
    if data.empty:
        plan = (" The sessions below are the plan, laid out from the weekly template."
                if data.sessions else "")
        parts.append(_no_data_note(data, plan, on_web))
    else:
        parts.append(_today_line(data))
    return "".join(parts)


def _links(kind: str, label: str, links: Sequence[tuple[str, str, bool]],
           lead: str = "") -> str:
    """A row of links (words, link, whether it is this page) as a nav of class `kind`;
    nothing without links (the CLI's file)."""
    if not links:
        return ""
    return (f"<nav class='{kind}' aria-label='{esc(label)}'>{esc(lead)}"
            + "".join(f"<a href='{esc(link)}'{' aria-current=page' if shown else ''}>"
                      f"{esc(words)}</a>" for words, link, shown in links) + "</nav>")


def _views(data: ReportData) -> list[tuple[int, str]]:
    """The range buttons: the last 4 and 8 weeks where the range reaches further back than
    that from the day they count back from (shorter, they would show it all), and all."""
    back = (_anchor(data) - data.start).days
    return [*((w, f"{w} weeks") for w in (4, 8) if back > 7 * w), (0, "all")]


def _anchor(data: ReportData) -> date:
    """The day the week buttons count back from: today, kept inside the range."""
    return min(max(data.today, data.start), data.end)


def _no_data_note(data: ReportData, plan: str, on_web: bool) -> str:
    """Why the charts are empty: nothing stored yet, or all of it outside the range (an
    imported history of years past), which then says where it lies; and how to fill them
    or show it, as a command in the CLI's file and in words on the web app's page (its
    ranges' links)."""
    if data.stored is None:
        how = ("They appear here once FIT files are imported or Garmin Connect is synced on "
               f"{SERVER}." if on_web else
               "Import FIT files (<code>stridelift import</code>) or sync Garmin Connect "
               "(<code>stridelift sync</code>), then make the report again.")
        return ("<p class='note' id='no-data'><b>No data yet.</b> There are no runs and no "
                f"recovery numbers for this athlete in this range.{plan} {how}</p>")
    first, last = data.stored
    where = (f"is from {first:%d %b %Y}" if first == last
             else f"lies between {first:%d %b %Y} and {last:%d %b %Y}")
    if on_web:
        # its 'everything' ends where this page does and spans ten years at most: older
        # history only a report made on the server shows
        reach = ("everything, in the ranges above, shows it (ten years at most)"
                 if last >= data.end - timedelta(days=MAX_DAYS) else
                 f"it is older than the ten years a page shows: a report of it is made on "
                 f"{SERVER}")
        how = f"This page shows {data.start:%d %b %Y} to {data.end:%d %b %Y}; {reach}."
    else:
        since = max(first, last - timedelta(days=MAX_DAYS))  # a report spans ten years at most
        shows = "shows it" if since == first else "shows its last ten years"
        # --athlete: in a home of several athletes `report` refuses a command without it
        how = (f"<code>stridelift report --athlete {esc(data.athlete)} --from {since} "
               f"--to {last}</code> {shows}.")
    return ("<p class='note' id='no-data'><b>No data in this range.</b> What is stored of "
            f"this athlete {where}.{plan} {how}</p>")


def _today_line(data: ReportData) -> str:
    d = data.days
    known = d[d["level"].map(lambda v: isinstance(v, str))]
    known = known[known.index <= data.today]
    if known.empty:
        return ""
    day = known.index[-1]
    row = known.iloc[-1]
    level = str(row["level"])
    text = (f"<p class='today'><span class='chip' style='background:"
            f"{LEVEL_COLOURS.get(level, '#ccc')}'></span> <b>{short_day(day)}</b>: recovery "
            f"<b>{esc(level)}</b>")
    if finite(row["tsb"]):
        # form as the reasons below quote it: -30.4 read "form -30" beside "form (TSB) -30.4"
        text += (f" · form {shown_form(row['tsb'])} · fitness {row['ctl']:.0f} · fatigue "
                 f"{row['atl']:.0f}")
    reasons = row["status_reasons"] if isinstance(row["status_reasons"], tuple) else ()
    if reasons:
        text += "<br><span class='why'>" + "; ".join(esc(r) for r in reasons) + "</span>"
    return text + "</p>"


def _chips(items: Iterable[tuple[str, str]]) -> str:
    return " ".join(f"<span class='chip' style='background:{colour}'></span>{esc(label)}"
                    for label, colour in items)


def _load_note() -> str:
    return ("Endurance load per day, stacked by run kind; strength load is the bar beside it. "
            "Tap or hover a bar for the sessions. A dashed line marks each race entered, labelled "
            "by priority (A goal, B important, C tune-up) and distance; a dotted line a race "
            "found in the synced activities (Garmin's race flag, a triathlon).")


def _form_note() -> str:
    return (f"Fitness (CTL, {CTL_DAYS}-day) and fatigue (ATL, {ATL_DAYS}-day) from the "
            "endurance load; form (TSB) = yesterday's fitness − fatigue, over GoldenCheetah's "
            "zones.")


def _recovery_note() -> str:
    return ("HRV: the 7-day signal against the normal band of the 60 days before, in ms (the "
            "status reasons quote them as ln ms). Status: "
            + _chips((k, v) for k, v in LEVEL_COLOURS.items()) + ". Readiness: "
            + _chips((k.lower(), v) for k, v in READINESS_COLOURS.items()) + ".")


def _sessions_note() -> str:
    return ("Each strength or mobility session of the plan, by outcome (not logged: its day is "
            "over, neither done nor skipped); hover for exercises and the reasons behind every "
            "change.")


def _weekly_note() -> str:
    return (f"Runs by kind, strength sessions done of those planned, high-resistance "
            f"lower-body exercises against the weekly cap of {HEAVY_LOWER_CAP} (RULES.md S4), "
            "and the ladder step trained (S5).")
