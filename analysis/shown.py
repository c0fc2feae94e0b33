"""Numbers as the words show them: to the fewest decimals that keep each on its side of the
limit it is shown against, so that a shown number never contradicts the rule beside it.

Pure. One rounding for every reason that shows a number against a limit: recovery's
(analysis.recovery_text), the classification's (analysis.traits, analysis.speed) and the
report's hovers. Every number is formatted with "z": a value that rounds to zero reads 0,
never "-0.0".
"""

from __future__ import annotations

from collections.abc import Callable

MAX_PLACES = 20  # enough for any float of a reason's size to be shown exactly
UNITS = [10.0 ** -places for places in range(MAX_PLACES)]


def fewest_places(keeps: Callable[[int], bool], fewest: int = 0,
                  most: int = MAX_PLACES) -> int:
    """The fewest decimals, `fewest` or more, at which `keeps(places)`: the numbers shown
    so compare as the rule compared them; `most` where none below it does."""
    return next((places for places in range(fewest, most) if keeps(places)), most)


def places(fewest: int, *pairs: tuple[float, float]) -> int:
    """The fewest decimals, `fewest` or more, at which every (value, limit) pair, both shown
    so, compares as the rule compared them: a shown number never contradicts the rule it
    fires (a resting HR 5.04 above its mean read "5" beside the rule's "more than 5")."""
    if all(_apart(value, limit, fewest) for value, limit in pairs):
        return fewest  # the usual case, told without the search
    return fewest_places(lambda p: all(_keeps_side(value, limit, p) for value, limit in pairs),
                         fewest)


def _apart(value: float, limit: float, places: int) -> bool:
    """Whether `value` keeps its side of `limit` at `places` decimals whatever the rounding:
    equal, or further apart than a unit (rounding moves each by half a unit at most)."""
    return value == limit or abs(value - limit) > UNITS[places]


def _keeps_side(value: float, limit: float, places: int) -> bool:
    return _apart(value, limit, places) or (
        _side(_shown(value, places), _shown(limit, places)) == _side(value, limit))


def _shown(value: float, places: int) -> float:
    return float(f"{value:.{places}f}")


def _side(value: float, limit: float) -> int:
    return int(value > limit) - int(value < limit)  # numpy's bools do not subtract


def shown_against(value: float, fewest: int, *limits: float) -> str:
    """`value` to the fewest decimals, `fewest` or more, that keep it on its side of every
    limit (a form of -30.04 reads -30.04 beside -30, not -30.0): the one rounding of a
    number shown against thresholds, in a reason or beside a zone."""
    return f"{value:z.{places(fewest, *((value, limit) for limit in limits))}f}"


def trimmed(value: float, places: int) -> str:
    """`value` to `places` decimals without trailing zeros: "50", "50.8", "5.04"."""
    text = f"{value:z.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def band_places(low: float, high: float, *values: float, fewest: int = 2) -> int:
    """Decimals (`fewest` or more) that keep each of `values` on its side of both band limits
    (`low`, `high`): the reasons' HRV numbers, and the report's hovers of the signal and its
    band."""
    return places(fewest, *((value, limit) for value in values for limit in (low, high)))


def in_seconds(*minutes: float) -> bool:
    """Whether durations shown together (a run's time and its moving time) are shown in
    seconds: one of them is under a minute, which would read "0 min"."""
    return any(round(m * 60) < 60 for m in minutes)


def shown_duration(minutes: float, *limits: float, seconds: bool | None = None) -> str:
    """A duration given in minutes, in words: whole minutes, or to the decimals that keep
    it on its side of `limits` (44.6 min beside "< 45 min"); in seconds under a minute ("40
    s", not "0 min"), or wherever `seconds` says its line is shown in them (in_seconds)."""
    if in_seconds(minutes) if seconds is None else seconds:
        return f"{round(minutes * 60)} s"
    return f"{shown_against(minutes, 0, *limits)} min"
