"""What a sync did: counted for `sync`, `nightly` and the night's record, the skipped named."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass
class SyncReport:
    activities: tuple[date, date] | None = None  # the window fetched, if any
    days: tuple[date, date] | None = None
    new: int = 0
    already_stored: int = 0
    summary_only: int = 0
    waiting: int = 0  # awaiting their file after the sync (counted from their summary)
    upgraded: int = 0  # their file arrived: stored from it in place of their summary
    replaced: int = 0  # the watch's file, stored in place of its serial-less copy stored before
    waits_ended: int = 0  # awaited WAIT_DAYS, or deleted in Garmin
    days_stored: int = 0
    skipped: list[str] = field(default_factory=list)
    # the days a call of which Garmin kept failing on (passed over): their data may still come
    days_failed: set[date] = field(default_factory=set)
    # among already_stored, downloads of a recording stored from another file, named as
    # `import` names them (ingest.bulk.same_recording): {"path", "same_as", "day"}
    same_recording: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        def window(w: tuple[date, date] | None) -> dict[str, str] | None:
            return {"from": w[0].isoformat(), "to": w[1].isoformat()} if w else None
        return {"activities": {"window": window(self.activities), "new": self.new,
                               "already_stored": self.already_stored,
                               "summary_only": self.summary_only, "waiting": self.waiting,
                               "upgraded": self.upgraded, "replaced": self.replaced,
                               "waits_ended": self.waits_ended,
                               "same_recording": self.same_recording},
                "wellness": {"window": window(self.days), "days": self.days_stored},
                "skipped": self.skipped}

    def counts(self) -> dict[str, int]:
        """What a nightly run or a morning pass records of its sync."""
        return {"activities_new": self.new, "activities_waiting": self.waiting,
                "activities_upgraded": self.upgraded,
                "activities_replaced": self.replaced, "wellness_days": self.days_stored,
                "items_skipped": len(self.skipped)}
