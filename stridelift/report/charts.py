"""The report's four Plotly charts, on one shared time axis (the page's script keeps their
zoom in step). Pure: ReportData in, figures or their HTML out."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from jobs.report_rows import LOAD_KINDS, SESSION_CATEGORIES, ReportData
from stridelift.report.hover import (
    activity_hover,
    band_hover,
    form_hover,
    race_hover,
    readiness_hover,
    session_hover,
    signal_hover,
    status_hover,
)
from stridelift.report.markup import finite, hesc
from stridelift.report.style import (
    FONT,
    FORM_ZONES,
    KIND_COLOURS,
    LEVEL_COLOURS,
    NONE,
    RACE_COLOURS,
    READINESS_COLOURS,
    SESSION_STYLE,
)

CHART_IDS = ("chart-load", "chart-form", "chart-recovery", "chart-sessions")
# Tick labels by the spacing Plotly picks for the range shown: days while ticks are under a
# month apart; past that the year, or a report of years reads "01 Jan" under every tick.
TICK_FORMATS = [{"dtickrange": [None, "M1"], "value": "%d %b"},
                {"dtickrange": ["M1", "M12"], "value": "%b %Y"},
                {"dtickrange": ["M12", None], "value": "%Y"}]
DAY_MS = 86_400_000  # a day on the date axis
SHORT_TICKS = 5  # the fewest ticks Plotly gives an axis by itself
BAR_GAP = 0.08  # of a day, between one day's load bars and the next day's
# Bars are given their width: Plotly finds it from the distance between the days, and a
# report of one day has none (its bars were drawn 1 ms wide).
# A race label's size: a character of its 11 px font, a row of them, and the plot's width on
# a phone of 320 px (where labels are closest).
LABEL_CHAR_PX, LABEL_ROW_PX, NARROW_PLOT_PX = 7, 18, 215
CONFIG = {"responsive": True, "displaylogo": False, "scrollZoom": False,
          "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}


def chart_divs(data: ReportData) -> list[str]:
    """The four charts as HTML divs in CHART_IDS order. plotly.js goes inline with the first
    only: the page must open offline, and one copy is enough."""
    figures = (load_chart(data), form_chart(data), recovery_chart(data), sessions_chart(data))
    return [str(pio.to_html(fig, full_html=False, include_plotlyjs=i == 0, div_id=div_id,
                            config=CONFIG, default_width="100%"))
            for i, (fig, div_id) in enumerate(zip(figures, CHART_IDS, strict=True))]


def x_range(data: ReportData) -> list[str]:
    """The report's days, from noon to noon so the first and last bars show whole."""
    return [f"{data.start - timedelta(days=1)} 12:00", f"{data.end} 12:00"]


def load_chart(data: ReportData) -> go.Figure:
    """Daily load: run kinds stacked in one bar, strength load in a bar beside it."""
    fig = go.Figure()
    index = data.days.index
    x = _x(index)
    acts = data.activities
    endurance = acts[acts["series"] == "endurance"]
    strength = acts[acts["series"] == "strength"]
    runs_slot, strength_slot = _day_slots([not endurance.empty, not strength.empty])
    base = pd.Series(0.0, index=index)
    for kind in LOAD_KINDS:
        chosen = endurance[endurance["load_kind"] == kind]
        if chosen.empty:
            continue
        per_day = chosen.groupby("day")["load"].sum().reindex(index, fill_value=0.0)
        fig.add_bar(x=x, y=_nonzero(per_day), base=list(base), **runs_slot,
                    name=kind, marker_color=KIND_COLOURS[kind],
                    hovertext=activity_hover(chosen, index, kind),
                    hovertemplate="%{hovertext}<extra></extra>")
        base += per_day
    if not strength.empty:
        per_day = strength.groupby("day")["load"].sum().reindex(index, fill_value=0.0)
        fig.add_bar(x=x, y=_nonzero(per_day), **strength_slot, name="strength load",
                    marker_color=KIND_COLOURS["strength"],
                    hovertext=activity_hover(strength, index, "strength"),
                    hovertemplate="%{hovertext}<extra></extra>")
    fig.update_layout(barmode="overlay")  # each bar's place in its day is set: _day_slots
    fig.update_yaxes(title_text="training load", rangemode="tozero")
    if acts.empty:
        _no_data(fig, "no runs yet in this range")
    _mark_races(fig, data)
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
                    hovertext=[form_hover(day, v, a) for day, v, a in
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
                    hovertext=[band_hover(day, lo, hi, v) for day, lo, hi, v in
                               zip(d.index, d["band_low_ms"], d["band_high_ms"],
                                   d["hrv_signal_ms"], strict=True)],
                    hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
    fig.add_scatter(x=x, y=_values(d["hrv_signal_ms"]), mode="lines", name="HRV 7-day",
                    line={"color": "#1e8449", "width": 2},
                    hovertext=[signal_hover(day, v, lo, hi) for day, v, lo, hi in
                               zip(d.index, d["hrv_signal_ms"], d["band_low_ms"],
                                   d["band_high_ms"], strict=True)],
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
                width=DAY_MS,
                marker_color=[LEVEL_COLOURS.get(v, "#cccccc") if isinstance(v, str) else NONE
                              for v in levels],
                hovertext=[status_hover(day, v, r) for day, v, r in
                           zip(d.index, levels, d["status_reasons"], strict=True)],
                hovertemplate="%{hovertext}<extra></extra>", showlegend=False,
                name="status", row=4, col=1)
    ready = d["readiness_level"]
    fig.add_bar(x=x, y=[1 if isinstance(v, str) else None for v in ready], base=1.15,
                width=DAY_MS,
                marker_color=[READINESS_COLOURS.get(v, "#cccccc") if isinstance(v, str)
                              else NONE for v in ready],
                hovertext=[readiness_hover(day, v, s) for day, v, s in
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
    _mark_races(fig, data)
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
                        hovertext=[session_hover(s) for s in chosen],
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
    fig.update_xaxes(type="date", range=x_range(data), showline=True, linecolor="#c8ced6",
                     tickformatstops=TICK_FORMATS, hoverformat="%a %d %b %Y",
                     **_ticks(data))
    if data.start <= data.today <= data.end:
        noon = f"{data.today.isoformat()} 12:00"
        fig.add_shape(type="rect", xref="x", yref="paper", x0=noon,
                      x1=x_range(data)[1], y0=0, y1=1, fillcolor="rgba(120, 130, 150, 0.07)",
                      line_width=0, layer="below")
        fig.add_shape(type="line", xref="x", yref="paper", x0=noon, x1=noon, y0=0, y1=1,
                      line={"color": "#7f8c8d", "width": 1, "dash": "dot"})
    return fig


def _mark_races(fig: go.Figure, data: ReportData) -> None:
    """Each race in the range: a line through the chart on its day (the centre of the day's
    bar), dashed for a race entered, dotted for one found in the synced activities, and a
    short label at the top, priority and distance, that names the race in full on hover.
    Labels that would cover each other stand on rows: _label_places."""
    texts = [f"{race.priority} {race.distance}" for race in data.races]
    for race, text, (side, row) in zip(data.races, texts, _label_places(data, texts),
                                       strict=True):
        colour = RACE_COLOURS.get(race.priority, RACE_COLOURS["C"])
        day = race.day.isoformat()
        fig.add_shape(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0, y1=1,
                      line={"color": colour, "width": 1.5,
                            "dash": "dot" if race.source == "found" else "dash"}, name="race")
        fig.add_annotation(xref="x", yref="paper", x=day, y=1, yanchor="top", xanchor=side,
                           yshift=-row * LABEL_ROW_PX, text=hesc(text), showarrow=False,
                           font={"size": 11, "color": colour}, bgcolor="rgba(255,255,255,0.85)",
                           hovertext=race_hover(race), name="race")


def _label_places(data: ReportData, texts: list[str]) -> list[tuple[str, int]]:
    """Each race label's side of its line and row (0 at the top): it reads away from the
    nearer end of the range, on the first row where it covers no earlier label on the
    narrowest phone (races days apart: "C 10k" and "B 5k" were drawn one over the other)."""
    middle = data.start + (data.end - data.start) / 2
    span = (data.end - data.start).days + 1  # the axis: a day's width each
    rows: list[list[tuple[float, float]]] = []
    places = []
    for race, text in zip(data.races, texts, strict=True):
        at = ((race.day - data.start).days + 0.5) / span  # of the plot's width
        width = len(text) * LABEL_CHAR_PX / NARROW_PLOT_PX
        side = "left" if race.day <= middle else "right"
        box = (at, at + width) if side == "left" else (at - width, at)
        row = next((i for i, taken in enumerate(rows)
                    if all(box[1] <= left or right <= box[0] for left, right in taken)),
                   len(rows))
        if row == len(rows):
            rows.append([])
        rows[row].append(box)
        places.append((side, row))
    return places


def _ticks(data: ReportData) -> dict[str, Any]:
    """A tick at midnight, a day or more apart, over a range of a few days. Plotly's own
    count (5 on a phone, up to 10 on a laptop) puts them hours apart there, each labelled
    with its day ("04 Dec 04 Dec 05 Dec"); over 10 days or more its ticks are days apart."""
    days = (data.end - data.start).days + 1
    if days >= 2 * SHORT_TICKS:
        return {}
    return {"tick0": data.start.isoformat(), "dtick": DAY_MS * math.ceil(days / SHORT_TICKS)}


def _day_slots(present: list[bool]) -> list[dict[str, float]]:
    """Where each group of bars sits in its day (width and offset from the day's centre, in
    ms): the groups present share the day side by side, one alone fills it."""
    shown = sum(present)
    width = DAY_MS * (1 - BAR_GAP) / max(shown, 1)
    first = -DAY_MS * (1 - BAR_GAP) / 2
    slots, taken = [], 0
    for here in present:
        slots.append({"width": width, "offset": first + taken * width})
        taken += here
    return slots


def _no_data(fig: go.Figure, text: str) -> None:
    fig.add_annotation(xref="paper", yref="paper", x=0.5, y=0.5, text=hesc(text),
                       showarrow=False, font={"size": 14, "color": "#7f8c8d"})


# --- numbers ------------------------------------------------------------------------------

def _x(index: pd.Index) -> list[str]:
    return [d.isoformat() for d in index]


def _values(column: pd.Series) -> list[float | None]:
    return [float(v) if finite(v) else None for v in column]


def _nonzero(column: pd.Series) -> list[float | None]:
    return [float(v) if finite(v) and v > 0 else None for v in column]


def _floor(value: Any) -> float:
    return math.floor(value) if finite(value) else 0.0


def _ceil(value: Any) -> float:
    return math.ceil(value) if finite(value) else 0.0
