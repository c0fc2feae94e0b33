"""The report's colours and form zones: one table each, so the charts, their hover text and
the page's legends agree on what a colour or a zone means."""

from __future__ import annotations

KIND_COLOURS = {"race": "#c0392b", "speed": "#e67e22", "threshold": "#d4ac0d",
                "long": "#1f77b4", "easy": "#2ca02c", "recovery": "#8fd18f",
                "other": "#8c8c8c", "strength": "#8e44ad"}
LEVEL_COLOURS = {"green": "#2e9d4f", "amber": "#f0a202", "red": "#d62828"}
READINESS_COLOURS = {"POOR": "#d62828", "LOW": "#f08c00", "MODERATE": "#f2c94c",
                     "HIGH": "#8fd18f", "PRIME": "#2e9d4f"}
RACE_COLOURS = {"A": "#c0392b", "B": "#ba4a00", "C": "#626f70"}  # a race's mark by priority
# (its 11 px label reads at 4.5:1 or more on the label's white, WCAG AA)
NONE = "rgba(0, 0, 0, 0)"  # the colour of a day without a value
SESSION_STYLE = {  # colour and marker symbol per timeline row
    "done": ("#2e9d4f", "circle"), "moved": ("#1f77b4", "triangle-right"),
    "lightened": ("#f0a202", "diamond"), "mobility": ("#17a2b8", "square"),
    "skipped": ("#d62828", "x"), "not logged": ("#f08c00", "circle-open"),
    "planned": ("#7f8c8d", "circle-open")}
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
