"""Whether a day's recovery values hold last night's numbers, and which: the morning pass
waits for them (RULES.md S7.3). Pure, and without numpy: `today`, a read, asks it too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# last night's own numbers, by what a watch measures: before the watch has synced the day
# holds none of them, and its status is only the days before it carried on (the morning
# pass then keeps the night's). Its resting HR may come before them (a sync in the night):
# it counts only from a watch that measures none of them
MEASURES = (("HRV", ("hrv_last_night", "hrv_status")), ("sleep", ("sleep_score",)),
            ("readiness", ("readiness_level",)))
LAST_NIGHT_KEYS = tuple(key for _, keys in MEASURES for key in keys)


def last_night_synced(values: Mapping[str, object], before: Iterable[Mapping[str, object]]
                      ) -> bool:
    """Whether a day's values hold any of last night's HRV, sleep or readiness; or, where
    the days `before` it hold none of those (a watch that measures none), its resting HR."""
    def measured(day: Mapping[str, object]) -> bool:
        return any(day.get(key) is not None for key in LAST_NIGHT_KEYS)

    return measured(values) or (values.get("resting_hr") is not None
                                and not any(map(measured, before)))


def last_night_words(values: Mapping[str, object]) -> str:
    """What of last night a day's values hold, in words: "last night's HRV, sleep and
    readiness", or "last night's resting HR" from a watch that measures none of those."""
    named = [name for name, keys in MEASURES if any(values.get(k) is not None for k in keys)]
    if not named:
        return "last night's resting HR"
    return "last night's " + (named[0] if len(named) == 1 else
                              f"{', '.join(named[:-1])} and {named[-1]}")
