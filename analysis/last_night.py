"""Whether a day's recovery values hold last night's numbers: the morning pass waits for
them (RULES.md S7.3). Pure, and without numpy: `today`, a read, asks it too."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# last night's own numbers: before the watch has synced the day holds none of them, and its
# status is only the days before it carried on (the morning pass then keeps the night's). Its
# resting HR may come before them (a sync in the night): it counts only from a watch that
# measures none of them
LAST_NIGHT_KEYS = ("hrv_last_night", "hrv_status", "sleep_score", "readiness_level")


def last_night_synced(values: Mapping[str, object], before: Iterable[Mapping[str, object]]
                      ) -> bool:
    """Whether a day's values hold any of last night's HRV, sleep or readiness; or, where
    the days `before` it hold none of those (a watch that measures none), its resting HR."""
    def measured(day: Mapping[str, object]) -> bool:
        return any(day.get(key) is not None for key in LAST_NIGHT_KEYS)

    return measured(values) or (values.get("resting_hr") is not None
                                and not any(map(measured, before)))
