"""The charts' hover text. Plotly renders a subset of HTML in hover labels, so every value
from the data is escaped (hesc) before it lands in one; the markup here is our own."""

from __future__ import annotations

import math
import textwrap
from datetime import date

import pandas as pd

from analysis.recovery_text import shown_acwr
from analysis.shown import band_places, shown_against, shown_duration
from domain.profile import FOUND_RACE, PRIORITY_WORDS
from jobs.report_rows import RaceMark, SessionItem
from stridelift.report.markup import finite, hesc, short_day
from stridelift.report.style import FORM_ZONES

HOVER_WIDTH = 56  # characters a hover line wraps at (hover labels never wrap by themselves)


def _wrap(text: str, width: int = HOVER_WIDTH) -> str:
    return "<br>".join(hesc(line) for line in textwrap.wrap(str(text), width) or [""])


def activity_hover(acts: pd.DataFrame, index: pd.Index, what: str) -> list[str | None]:
    """Per day of `index`: that day's total load and each activity behind it (None if none)."""
    by_day: dict[date, list[str]] = {}
    for row in acts.itertuples(index=False):
        size = shown_duration(row.duration_min)
        if isinstance(row.distance_km, float) and math.isfinite(row.distance_km):
            size += f", {row.distance_km:.1f} km"
        # a FIT file may name no activity: the frame holds NaN there, which is truthy
        title = row.name if isinstance(row.name, str) and row.name else row.sport
        line = (f"• {_wrap(title)}<br>&nbsp;&nbsp;{hesc(row.kind)}, {size}, "
                f"load {row.load:.0f}")
        if row.reason:
            line += "<br>&nbsp;&nbsp;" + _wrap(row.reason).replace("<br>", "<br>&nbsp;&nbsp;")
        by_day.setdefault(row.day, []).append(line)
    total = acts.groupby("day")["load"].sum()
    return [f"<b>{short_day(day)}</b> · {hesc(what)} load {total[day]:.0f}<br>"
            + "<br>".join(by_day[day]) if day in by_day else None for day in index]


def race_hover(race: RaceMark) -> str:
    found = f", {FOUND_RACE}" if race.source == "found" else ""
    return (f"<b>{short_day(race.day)}</b> · {hesc(race.priority)} race "
            f"({hesc(PRIORITY_WORDS.get(race.priority, race.priority))}), {hesc(race.distance)}"
            f"{found}")


def form_hover(day: date, tsb: float, acwr: float) -> str | None:
    """The form with its zone, shown to the decimals that keep it inside that zone (-30.04
    read "-30.0: high risk" beside a zone from -30 up), as the status's reasons show it."""
    if not finite(tsb):
        return None
    zone = next(label for lo, hi, label, _ in FORM_ZONES
                if (lo is None or tsb >= lo) and (hi is None or tsb < hi))
    shown = shown_against(tsb, 1, *(lo for lo, _, _, _ in FORM_ZONES if lo is not None))
    text = f"<b>{short_day(day)}</b><br>form (TSB) {shown}: {zone}"
    if finite(acwr):
        text += f"<br>ACWR {shown_acwr(acwr)}"
    return text


def band_hover(day: date, low: float, high: float, signal: float) -> str | None:
    if not (finite(low) and finite(high)):
        return None
    ms, ln = _band_digits(low, high, signal)
    return (f"normal band {low:.{ms}f}–{high:.{ms}f} ms<br>(ln {math.log(low):.{ln}f}–"
            f"{math.log(high):.{ln}f}: 60-day mean ± 0.5 SD)")


def signal_hover(day: date, value: float, low: float, high: float) -> str | None:
    """The status reasons quote ln(ms): the hover gives both."""
    if not finite(value):
        return None
    ms, ln = _band_digits(low, high, value)
    return (f"<b>{short_day(day)}</b><br>HRV 7-day signal {value:.{ms}f} ms "
            f"(ln {math.log(value):.{ln}f})")


def _band_digits(low: float, high: float, signal: float) -> tuple[int, int]:
    """Decimals of the ms (0 or more) and of the ln numbers (2 or more, as the reasons) that
    keep the day's signal on its side of its band in both hovers: a signal just below the
    band read as its low limit."""
    if not (finite(low) and finite(high) and finite(signal)):
        return 0, 2
    return (band_places(low, high, signal, fewest=0),
            band_places(math.log(low), math.log(high), math.log(signal)))


def status_hover(day: date, level: object, reasons: object) -> str | None:
    if not isinstance(level, str):
        return None
    lines = [f"<b>{short_day(day)}</b> · recovery {hesc(level)}"]
    lines += [f"• {_wrap(r)}" for r in (reasons if isinstance(reasons, tuple) else ())]
    return "<br>".join(lines)


def readiness_hover(day: date, level: object, score: float) -> str | None:
    if not isinstance(level, str):
        return None
    return f"<b>{short_day(day)}</b> · Garmin readiness {hesc(level)}" + (
        f" ({score:.0f})" if finite(score) else "")


def session_hover(s: SessionItem) -> str:
    head = f"<b>{short_day(s.day)}</b> · {hesc(s.kind)} · {hesc(s.status)}"
    if s.pinned:
        head += " · pinned"
    lines = [head, f"session {hesc(s.key)} · block {s.block}.{s.week_in_block} · "
             f"ladder step {s.step + 1}"]
    lines += [f"• {hesc(e.name)} {hesc(e.work)}" + (" (heavy lower body)" if e.heavy_lower
                                                   else "") for e in s.exercises]
    for a in s.adjustments:
        lines.append(f"<b>{short_day(a.night)}: {hesc(a.action)}</b> ({hesc(a.rule)})")
        lines += [f"&nbsp;&nbsp;– {_wrap(r)}".replace("<br>", "<br>&nbsp;&nbsp;&nbsp;&nbsp;")
                  for r in a.reasons]
    return "<br>".join(lines)
