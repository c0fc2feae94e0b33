"""The report page: ReportData in, one self-contained HTML string out (pure: no I/O, no clock).

plotly.js is inlined once (include_plotlyjs=True on the first chart), so the file opens
offline; nothing is fetched from anywhere. Every value that comes from the data is escaped
before it lands in the page, in tables and in chart hover text alike (Plotly renders a
subset of HTML in hover labels, so names and reasons are escaped there too).
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from string import Template
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analysis.load import ATL_DAYS, CTL_DAYS
from stridelift.report.data import (
    HEAVY_LOWER_CAP,
    LOAD_KINDS,
    SESSION_CATEGORIES,
    AdjustmentItem,
    ReportData,
    SessionItem,
    WeekSummary,
)

CHART_IDS = ("chart-load", "chart-form", "chart-recovery", "chart-sessions")
CONFIG = {"responsive": True, "displaylogo": False, "scrollZoom": False,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}
KIND_COLOURS = {"race": "#c0392b", "speed": "#e67e22", "threshold": "#d4ac0d",
                "long": "#1f77b4", "easy": "#2ca02c", "recovery": "#8fd18f",
                "other": "#8c8c8c", "strength": "#8e44ad"}
LEVEL_COLOURS = {"green": "#2e9d4f", "amber": "#f0a202", "red": "#d62828"}
READINESS_COLOURS = {"POOR": "#d62828", "LOW": "#f08c00", "MODERATE": "#f2c94c",
                     "HIGH": "#8fd18f", "PRIME": "#2e9d4f"}
NONE = "rgba(0, 0, 0, 0)"  # the colour of a day without a value
SESSION_STYLE = {  # colour and marker symbol per timeline row
    "done": ("#2e9d4f", "circle"), "moved": ("#1f77b4", "triangle-right"),
    "lightened": ("#f0a202", "diamond"), "mobility": ("#17a2b8", "square"),
    "skipped": ("#d62828", "x"), "planned": ("#7f8c8d", "circle-open")}
# Form zones, GoldenCheetah's Performance Manager convention (TrainingPeaks uses the same
# TSB bands): above +25 transition (detraining), +5..+25 fresh (race-ready), -10..+5 grey
# zone (neither fresh nor training effect), -30..-10 optimal training, below -30 high risk
# (RULES.md S7.3 turns a day amber below -30 too).
FORM_ZONES = (  # (low, high, label, fill colour); None is open-ended
    (25.0, None, "transition", "rgba(241, 196, 15, 0.16)"),
    (5.0, 25.0, "fresh", "rgba(52, 152, 219, 0.14)"),
    (-10.0, 5.0, "grey zone", "rgba(149, 165, 166, 0.16)"),
    (-30.0, -10.0, "optimal training", "rgba(46, 157, 79, 0.15)"),
    (None, -30.0, "high risk", "rgba(214, 40, 40, 0.15)"),
)
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
HOVER_WIDTH = 56  # characters a hover line wraps at (hover labels never wrap by themselves)


def esc(value: object) -> str:
    """Text from the data, made safe for the page's HTML (attributes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def hesc(value: object) -> str:
    """Text from the data, made safe for Plotly's label markup: with < > & escaped no tag
    can form, and Plotly shows &quot; literally (it decodes only a few entities), so quotes
    stay as they are; the JSON encoding takes care of them in the script."""
    return html.escape("" if value is None else str(value), quote=False)


def render(data: ReportData) -> str:
    """The whole report as one HTML document."""
    charts = [_chart_html(fig, div_id, first=i == 0) for i, (fig, div_id) in enumerate(
        zip((load_chart(data), form_chart(data), recovery_chart(data),
             sessions_chart(data)), CHART_IDS, strict=True))]
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
        header=_header(data), sections="\n".join(sections),
        script=_SYNC_SCRIPT.replace("__IDS__", json.dumps(CHART_IDS))
        .replace("__RANGE__", json.dumps(_x_range(data)))
        .replace("__ANCHOR__", json.dumps(min(max(data.today, data.start), data.end)
                                          .isoformat())))


# --- charts -------------------------------------------------------------------------------

def load_chart(data: ReportData) -> go.Figure:
    """Daily load: run kinds stacked in one bar, strength load in a bar beside it."""
    fig = go.Figure()
    index = data.days.index
    x = _x(index)
    acts = data.activities
    base = pd.Series(0.0, index=index)
    for kind in LOAD_KINDS:
        chosen = acts[(acts["load_kind"] == kind) & (acts["series"] == "endurance")]
        if chosen.empty:
            continue
        per_day = chosen.groupby("day")["load"].sum().reindex(index, fill_value=0.0)
        fig.add_bar(x=x, y=_nonzero(per_day), base=list(base), offsetgroup="runs",
                    name=kind, marker_color=KIND_COLOURS[kind],
                    hovertext=_activity_hover(chosen, index, kind),
                    hovertemplate="%{hovertext}<extra></extra>")
        base += per_day
    strength = acts[acts["series"] == "strength"]
    if not strength.empty:
        per_day = strength.groupby("day")["load"].sum().reindex(index, fill_value=0.0)
        fig.add_bar(x=x, y=_nonzero(per_day), offsetgroup="strength", name="strength load",
                    marker_color=KIND_COLOURS["strength"],
                    hovertext=_activity_hover(strength, index, "strength"),
                    hovertemplate="%{hovertext}<extra></extra>")
    fig.update_layout(barmode="group", bargap=0.08, bargroupgap=0.0)
    fig.update_yaxes(title_text="training load", rangemode="tozero")
    if acts.empty:
        _no_data(fig, "no runs yet in this range")
    return _finish(fig, data, height=360)


def form_chart(data: ReportData) -> go.Figure:
    """CTL (fitness), ATL (fatigue) and TSB (form) over the shaded form zones."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.5, 0.5])
    d = data.days
    x = _x(d.index)
    for column, name, colour, dash in (("ctl", "fitness (CTL)", "#1f77b4", "solid"),
                                       ("atl", "fatigue (ATL)", "#e74c3c", "solid")):
        fig.add_scatter(x=x, y=_values(d[column]), name=name, mode="lines",
                        line={"color": colour, "width": 2, "dash": dash},
                        hovertemplate=f"{name} %{{y:.1f}}<extra></extra>", row=1, col=1)
    tsb = d["tsb"]
    fig.add_scatter(x=x, y=_values(tsb), name="form (TSB)", mode="lines",
                    line={"color": "#2c3e50", "width": 2},
                    hovertext=[_form_hover(day, v, a) for day, v, a in
                               zip(d.index, tsb, d["acwr"], strict=True)],
                    hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    low = min(-40.0, _floor(tsb.min()) - 5)
    high = max(35.0, _ceil(tsb.max()) + 5)
    for lo, hi, label, colour in FORM_ZONES:
        y0, y1 = lo if lo is not None else low, hi if hi is not None else high
        fig.add_shape(type="rect", xref="x domain", x0=0, x1=1, yref="y2", y0=y0, y1=y1,
                      fillcolor=colour, line_width=0, layer="below")
        fig.add_annotation(xref="x domain", x=0.005, yref="y2", y=(y0 + y1) / 2,
                           text=label, showarrow=False, xanchor="left",
                           font={"size": 10, "color": "#55606e"})
    fig.update_yaxes(title_text="CTL · ATL", rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title_text="TSB", range=[low, high], zeroline=True, row=2, col=1)
    if not data.has_load:
        _no_data(fig, "no load numbers yet")
    return _finish(fig, data, height=460)


def recovery_chart(data: ReportData) -> go.Figure:
    """HRV with its normal band, resting HR, sleep score, and the daily status strips."""
    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, vertical_spacing=0.04,
                        row_heights=[0.34, 0.24, 0.24, 0.18])
    d = data.days
    x = _x(d.index)
    band = "rgba(46, 157, 79, 0.18)"
    fig.add_scatter(x=x, y=_values(d["band_high_ms"]), mode="lines", line_width=0,
                    showlegend=False, hoverinfo="skip", legendgroup="band", row=1, col=1)
    fig.add_scatter(x=x, y=_values(d["band_low_ms"]), mode="lines", line_width=0,
                    fill="tonexty", fillcolor=band, name="normal band", legendgroup="band",
                    hovertext=[_band_hover(day, lo, hi) for day, lo, hi in
                               zip(d.index, d["band_low_ms"], d["band_high_ms"], strict=True)],
                    hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
    fig.add_scatter(x=x, y=_values(d["hrv_signal_ms"]), mode="lines", name="HRV 7-day",
                    line={"color": "#1e8449", "width": 2},
                    hovertext=[_signal_hover(day, v) for day, v in
                               zip(d.index, d["hrv_signal_ms"], strict=True)],
                    hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
    fig.add_scatter(x=x, y=_values(d["hrv_ms"]), mode="markers", name="HRV night",
                    marker={"color": "#1e8449", "size": 5, "opacity": 0.55},
                    hovertemplate="HRV last night %{y:.0f} ms<extra></extra>", row=1, col=1)
    fig.add_scatter(x=x, y=_values(d["resting_hr"]), mode="lines+markers", name="resting HR",
                    line={"color": "#c0392b", "width": 1.5}, marker_size=4,
                    hovertemplate="resting HR %{y:.0f} bpm<extra></extra>", row=2, col=1)
    fig.add_scatter(x=x, y=_values(d["resting_hr_mean30"]), mode="lines", name="30-day mean",
                    line={"color": "#c0392b", "width": 1, "dash": "dot"},
                    hovertemplate="30-day mean %{y:.1f} bpm<extra></extra>", row=2, col=1)
    fig.add_scatter(x=x, y=_values(d["sleep_score"]), mode="lines+markers", name="sleep",
                    line={"color": "#5b4fcf", "width": 1.5}, marker_size=4,
                    hovertemplate="sleep score %{y:.0f}<extra></extra>", row=3, col=1)
    fig.add_hline(y=60, line={"color": "#f0a202", "width": 1, "dash": "dash"}, row=3, col=1)
    levels = d["level"]
    fig.add_bar(x=x, y=[1 if isinstance(v, str) else None for v in levels], base=0,
                marker_color=[LEVEL_COLOURS.get(v, "#cccccc") if isinstance(v, str) else NONE
                              for v in levels],
                hovertext=[_status_hover(day, v, r) for day, v, r in
                           zip(d.index, levels, d["status_reasons"], strict=True)],
                hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                name="status", row=4, col=1)
    ready = d["readiness_level"]
    fig.add_bar(x=x, y=[1 if isinstance(v, str) else None for v in ready], base=1.15,
                marker_color=[READINESS_COLOURS.get(v, "#cccccc") if isinstance(v, str)
                              else NONE for v in ready],
                hovertext=[_readiness_hover(day, v, s) for day, v, s in
                           zip(d.index, ready, d["readiness_score"], strict=True)],
                hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                name="readiness", row=4, col=1)
    fig.update_layout(barmode="overlay", bargap=0.0)  # the strips sit on different bases
    fig.update_yaxes(row=1, col=1, title_text="HRV ms")
    fig.update_yaxes(row=2, col=1, title_text="rest HR")
    fig.update_yaxes(row=3, col=1, title_text="sleep", range=[0, 100])
    fig.update_yaxes(row=4, col=1, range=[0, 2.15], tickvals=[0.5, 1.65],
                     ticktext=["status", "ready"], showgrid=False, fixedrange=True)
    if not data.has_recovery:
        _no_data(fig, "no recovery data yet")
    return _finish(fig, data, height=640)


def sessions_chart(data: ReportData) -> go.Figure:
    """The plan's sessions on the time axis, one row per outcome, reasons on hover."""
    fig = go.Figure()
    rows = list(reversed(SESSION_CATEGORIES))  # done at the top
    for category in SESSION_CATEGORIES:
        chosen = [s for s in data.sessions if s.category == category]
        if not chosen:
            continue
        colour, symbol = SESSION_STYLE[category]
        fig.add_scatter(x=[s.day.isoformat() for s in chosen], y=[category] * len(chosen),
                        mode="markers", name=category, cliponaxis=False,
                        marker={"color": colour, "symbol": symbol, "size": 13,
                                "line": {"width": 1.5, "color": colour}},
                        hovertext=[_session_hover(s) for s in chosen],
                        hovertemplate="%{hovertext}<extra></extra>")
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=rows,
                     range=[-0.6, len(rows) - 0.4], fixedrange=True)
    fig.update_layout(showlegend=False)
    if not data.sessions:
        _no_data(fig, "no sessions planned in this range yet")
    return _finish(fig, data, height=310)


def _finish(fig: go.Figure, data: ReportData, height: int) -> go.Figure:
    """What every chart shares: the time axis and its range, today, the look."""
    fig.update_layout(
        template="plotly_white", autosize=True, height=height,
        margin={"l": 48, "r": 12, "t": 28, "b": 32},
        font={"family": FONT, "size": 12, "color": "#1d2433"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 0,
                "xanchor": "left", "font": {"size": 11}},
        hovermode="closest", hoverlabel={"align": "left", "font_size": 12},
        dragmode="zoom")
    fig.update_xaxes(type="date", range=_x_range(data), showline=True, linecolor="#c8ced6",
                     tickformat="%d %b", hoverformat="%a %d %b %Y")
    if data.start <= data.today <= data.end:
        noon = f"{data.today.isoformat()} 12:00"
        fig.add_shape(type="rect", xref="x", yref="paper", x0=noon,
                      x1=_x_range(data)[1], y0=0, y1=1, fillcolor="rgba(120, 130, 150, 0.07)",
                      line_width=0, layer="below")
        fig.add_shape(type="line", xref="x", yref="paper", x0=noon, x1=noon, y0=0, y1=1,
                      line={"color": "#7f8c8d", "width": 1, "dash": "dot"})
    return fig


def _chart_html(fig: go.Figure, div_id: str, first: bool) -> str:
    return str(pio.to_html(fig, full_html=False, include_plotlyjs=first, div_id=div_id,
                           config=CONFIG, default_width="100%"))


def _no_data(fig: go.Figure, text: str) -> None:
    fig.add_annotation(xref="paper", yref="paper", x=0.5, y=0.5, text=hesc(text),
                       showarrow=False, font={"size": 14, "color": "#7f8c8d"})


# --- hover text (escaped: these land in Plotly's HTML-like labels) -------------------------

def _wrap(text: str, width: int = HOVER_WIDTH) -> str:
    return "<br>".join(hesc(line) for line in textwrap.wrap(str(text), width) or [""])


def _day(day: date) -> str:
    return f"{day:%a %d %b}"


def _activity_hover(acts: pd.DataFrame, index: pd.Index, what: str) -> list[str | None]:
    by_day: dict[date, list[str]] = {}
    for row in acts.itertuples(index=False):
        size = f"{row.duration_min:.0f} min"
        if isinstance(row.distance_km, float) and math.isfinite(row.distance_km):
            size += f", {row.distance_km:.1f} km"
        line = (f"• {_wrap(row.name or row.sport)}<br>&nbsp;&nbsp;{hesc(row.kind)}, {size}, "
                f"load {row.load:.0f}")
        if row.reason:
            line += "<br>&nbsp;&nbsp;" + _wrap(row.reason).replace("<br>", "<br>&nbsp;&nbsp;")
        by_day.setdefault(row.day, []).append(line)
    total = acts.groupby("day")["load"].sum()
    return [f"<b>{_day(day)}</b> · {hesc(what)} load {total[day]:.0f}<br>"
            + "<br>".join(by_day[day]) if day in by_day else None for day in index]


def _form_hover(day: date, tsb: float, acwr: float) -> str | None:
    if not _finite(tsb):
        return None
    zone = next(label for lo, hi, label, _ in FORM_ZONES
                if (lo is None or tsb >= lo) and (hi is None or tsb < hi))
    text = f"<b>{_day(day)}</b><br>form (TSB) {tsb:.1f}: {zone}"
    if _finite(acwr):
        text += f"<br>ACWR {acwr:.2f}"
    return text


def _band_hover(day: date, low: float, high: float) -> str | None:
    if not (_finite(low) and _finite(high)):
        return None
    return (f"normal band {low:.0f}–{high:.0f} ms<br>(ln {math.log(low):.2f}–"
            f"{math.log(high):.2f}: 60-day mean ± 0.5 SD)")


def _signal_hover(day: date, value: float) -> str | None:
    """The status reasons quote ln(ms): the hover gives both."""
    if not _finite(value):
        return None
    return f"<b>{_day(day)}</b><br>HRV 7-day signal {value:.0f} ms (ln {math.log(value):.2f})"


def _status_hover(day: date, level: object, reasons: object) -> str | None:
    if not isinstance(level, str):
        return None
    lines = [f"<b>{_day(day)}</b> · recovery {hesc(level)}"]
    lines += [f"• {_wrap(r)}" for r in (reasons if isinstance(reasons, tuple) else ())]
    return "<br>".join(lines)


def _readiness_hover(day: date, level: object, score: float) -> str | None:
    if not isinstance(level, str):
        return None
    return f"<b>{_day(day)}</b> · Garmin readiness {hesc(level)}" + (
        f" ({score:.0f})" if _finite(score) else "")


def _session_hover(s: SessionItem) -> str:
    head = f"<b>{_day(s.day)}</b> · {hesc(s.kind)} · {hesc(s.status)}"
    if s.pinned:
        head += " · pinned"
    lines = [head, f"session {hesc(s.key)} · block {s.block}.{s.week_in_block} · "
             f"ladder step {s.step + 1}"]
    lines += [f"• {hesc(e.name)} {hesc(e.work)}" + (" (heavy lower body)" if e.heavy_lower
                                                   else "") for e in s.exercises]
    for a in s.adjustments:
        lines.append(f"<b>{_day(a.night)}: {hesc(a.action)}</b> ({hesc(a.rule)})")
        lines += [f"&nbsp;&nbsp;– {_wrap(r)}".replace("<br>", "<br>&nbsp;&nbsp;&nbsp;&nbsp;")
                  for r in a.reasons]
    return "<br>".join(lines)


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


def _header(data: ReportData) -> str:
    parts = [f"<h1>Recovery versus load</h1><p class='meta'><b>{esc(data.athlete)}</b> · "
             f"{data.start:%d %b %Y} – {data.end:%d %b %Y} · today {data.today:%a %d %b %Y}"]
    if data.generated is not None:
        parts.append(f" · made {data.generated:%Y-%m-%d %H:%M}")
    parts.append("</p>")
    parts.append("<nav class='range' aria-label='time shown in the charts'>charts show "
                 + "".join(f"<button type='button' data-weeks='{w}'>{label}</button>"
                           for w, label in ((4, "4 weeks"), (8, "8 weeks"), (0, "all")))
                 + "</nav>")
    if data.empty:
        plan = (" The sessions below are the plan, laid out from the weekly template."
                if data.sessions else "")
        parts.append(
            "<p class='note' id='no-data'><b>No data yet.</b> There are no runs and no "
            f"recovery numbers for this athlete in this range.{plan} Import FIT files "
            "(<code>stridelift import</code>) or sync Garmin Connect "
            "(<code>stridelift sync</code>), then make the report again.</p>")
    else:
        parts.append(_today_line(data))
    return "".join(parts)


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
            f"{LEVEL_COLOURS.get(level, '#ccc')}'></span> <b>{_day(day)}</b>: recovery "
            f"<b>{esc(level)}</b>")
    if _finite(row["tsb"]):
        text += f" · form {row['tsb']:.0f} · fitness {row['ctl']:.0f} · fatigue {row['atl']:.0f}"
    reasons = row["status_reasons"] if isinstance(row["status_reasons"], tuple) else ()
    if reasons:
        text += "<br><span class='why'>" + "; ".join(esc(r) for r in reasons) + "</span>"
    return text + "</p>"


def _chips(items: Iterable[tuple[str, str]]) -> str:
    return " ".join(f"<span class='chip' style='background:{colour}'></span>{esc(label)}"
                    for label, colour in items)


def _load_note() -> str:
    return ("Endurance load per day, stacked by run kind; strength load is the bar beside it. "
            "Tap or hover a bar for the sessions.")


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
    return ("Each strength or mobility session of the plan, by outcome; hover for exercises "
            "and the reasons behind every change.")


def _weekly_note() -> str:
    return (f"Runs by kind, strength sessions done of those planned, high-resistance "
            f"lower-body exercises against the weekly cap of {HEAVY_LOWER_CAP} (RULES.md S4), "
            "and the ladder step trained (S5).")


# --- numbers ------------------------------------------------------------------------------

def _x(index: pd.Index) -> list[str]:
    return [d.isoformat() for d in index]


def _x_range(data: ReportData) -> list[str]:
    return [f"{data.start - timedelta(days=1)} 12:00", f"{data.end} 12:00"]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _values(column: pd.Series) -> list[float | None]:
    return [float(v) if _finite(v) else None for v in column]


def _nonzero(column: pd.Series) -> list[float | None]:
    return [float(v) if _finite(v) and v > 0 else None for v in column]


def _floor(value: Any) -> float:
    return math.floor(value) if _finite(value) else 0.0


def _ceil(value: Any) -> float:
    return math.ceil(value) if _finite(value) else 0.0


_CSS = """
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:#f4f6f8;color:#1d2433;
  font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:12px 16px 32px}
header h1{font-size:1.45rem;margin:8px 0 2px}
.meta{margin:0 0 8px;color:#55606e;font-size:.9rem}
section{background:#fff;border:1px solid #e3e7ec;border-radius:10px;padding:12px 14px;
  margin:14px 0;min-width:0}
h2{font-size:1.1rem;margin:0 0 4px}
.hint{margin:0 0 6px;color:#55606e;font-size:.85rem}
.note{background:#fff8e1;border:1px solid #f0d58c;border-radius:8px;padding:10px 12px}
.today{margin:4px 0 0;font-size:.95rem}.why{color:#55606e;font-size:.85rem}
.chip{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin:0 2px 0 6px;
  vertical-align:-1px}
.body{min-width:0;width:100%}
.plotly-graph-div{max-width:100%}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{padding:5px 8px;border-bottom:1px solid #e8ebef;text-align:right;white-space:nowrap;
  vertical-align:top}
th{font-weight:600;background:#f7f9fb}
table.first-sticky td:first-child,table.first-sticky th:first-child{position:sticky;left:0;
  z-index:1;background:#fff;box-shadow:1px 0 0 #e8ebef}
table.first-sticky th:first-child{background:#f7f9fb}
.key{color:#55606e;font-size:.8rem}
nav.range{margin:6px 0 0;font-size:.85rem;color:#55606e}
nav.range button{font:inherit;margin-left:6px;padding:3px 10px;border:1px solid #c8ced6;
  border-radius:14px;background:#fff;color:#1d2433;cursor:pointer}
nav.range button[aria-pressed=true]{background:#1d2433;color:#fff;border-color:#1d2433}
th.text,td.text{text-align:left}
td.wide,th.wide{white-space:normal;min-width:18em}
td ul{margin:0;padding-left:1.1em}
td.over{color:#b03a2e;font-weight:700}
.zero{color:#b8bfc8}
.tag{font-size:.72rem;background:#eef1f5;border-radius:4px;padding:0 4px;color:#55606e}
code{font-size:.9em}
@media (max-width:600px){
  .js-plotly-plot .modebar-container{display:none}
  main{padding:6px 6px 24px}
  section{padding:8px 8px;margin:10px 0;border-radius:8px}
  header h1{font-size:1.25rem}
  table{font-size:.8rem}
  td.wide,th.wide{min-width:13em}
}
"""

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

# Zooming one chart zooms them all (the charts share one time axis); a double click resets
# every chart to the report's range. On touch screens the charts do not capture drags, so
# the page scrolls, and a tap still shows the hover label.
_SYNC_SCRIPT = """
(function () {
  var ids = __IDS__, home = __RANGE__, anchor = __ANCHOR__, busy = false;
  function charts() {
    return ids.map(function (id) { return document.getElementById(id); })
      .filter(function (gd) { return gd && gd.on; });
  }
  function setup() {
    var all = charts();
    if (window.matchMedia && window.matchMedia('(pointer: coarse)').matches) {
      all.forEach(function (gd) { Plotly.relayout(gd, {dragmode: false}); });
    }
    all.forEach(function (gd) {
      gd.on('plotly_relayout', function (ev) {
        if (busy) { return; }
        var range = null;
        Object.keys(ev).forEach(function (key) {
          var m = /^xaxis\\d*\\.(range|autorange)(\\[(0|1)\\])?$/.exec(key);
          if (!m) { return; }
          if (m[1] === 'autorange') { range = home.slice(); return; }
          range = range || [null, null];
          if (m[3] === undefined) { range = ev[key].slice(); } else { range[+m[3]] = ev[key]; }
        });
        if (!range || range[0] === null || range[1] === null) { return; }
        pressed(range[0] === home[0] && range[1] === home[1] ? 0 : -1);
        busy = true;
        var jobs = all.map(function (other) {
          return Plotly.relayout(other, {'xaxis.range': range});
        });
        Promise.all(jobs).then(function () { busy = false; }, function () { busy = false; });
      });
    });
  }
  function show(all, weeks) {
    var range = home.slice();
    if (weeks > 0) {
      var t = Date.parse(anchor + 'T12:00:00Z') - weeks * 7 * 86400000;
      var from = new Date(t).toISOString().slice(0, 10) + ' 12:00';
      range[0] = from > home[0] ? from : home[0];
    }
    busy = true;
    Promise.all(all.map(function (gd) { return Plotly.relayout(gd, {'xaxis.range': range}); }))
      .then(function () { busy = false; }, function () { busy = false; });
    pressed(weeks);
  }
  function pressed(weeks) {
    document.querySelectorAll('nav.range button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(+b.dataset.weeks === weeks));
    });
  }
  function start() {
    setup();
    var all = charts();
    document.querySelectorAll('nav.range button').forEach(function (b) {
      b.addEventListener('click', function () { show(all, +b.dataset.weeks); });
    });
    // A phone is too narrow for 18 weeks of daily bars: it starts on the last 8 weeks.
    show(all, window.matchMedia('(max-width: 600px)').matches ? 8 : 0);
  }
  if (document.readyState === 'complete') { start(); }
  else { window.addEventListener('load', start); }
})();
"""
