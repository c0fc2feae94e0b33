"""One recorded activity as every decoder and source normalises it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # loaded by the code that fills streams: a command reading the plan needs none
    import numpy as np

# Stream channels in the order they are stored; each is a float64 array aligned with `t`.
STREAM_CHANNELS = ("heart_rate", "speed", "power", "cadence", "altitude", "distance")

RUN_SPORTS = frozenset({"running"})


def kind(sport: str, sub_sport: str | None) -> str:
    """What tells two activities starting together apart: a run, strength training (the
    kinds the plan reads), Garmin's summary of a multisport whole (its first leg starts with
    it), or another."""
    if sport == "multi_sport":
        return "multisport"
    if sport in RUN_SPORTS:
        return "run"
    return "strength" if sub_sport == "strength_training" else "other"


@dataclass(frozen=True)
class Lap:
    index: int
    start: datetime  # UTC, aware
    duration_s: float  # timer time
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    avg_speed: float | None = None  # m/s
    # active, rest, warmup, cooldown, recovery, interval: from the workout step the lap's
    # wkt_step_index points at when the file has one, else the lap's own intensity field.
    intensity: str | None = None
    wkt_step_index: int | None = None
    # start to end on the real clock, timer pauses in; None for a lap stored before
    # migration 0017 (`stridelift db rebuild` reads it from the file again)
    elapsed_s: float | None = None

    @property
    def span_s(self) -> float:
        """Seconds from the lap's start to its end, where its samples are: a pause inside
        it leaves its timer time short of its last samples."""
        return self.duration_s if self.elapsed_s is None else max(self.elapsed_s,
                                                                  self.duration_s)


@dataclass(frozen=True)
class Streams:
    """Per-sample series: `t` is seconds since the activity start; missing values are NaN."""

    t: np.ndarray
    channels: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def get(self, name: str) -> np.ndarray | None:
        return self.channels.get(name)

    @staticmethod
    def empty() -> Streams:
        import numpy as np

        return Streams(t=np.zeros(0, dtype=np.float64))


@dataclass(frozen=True)
class StrengthSet:
    index: int
    set_type: str  # "active" or "rest"
    category: str | None = None  # Garmin exercise category name, e.g. "SQUAT"
    exercise_name: str | None = None  # Garmin exercise name, e.g. "BARBELL_BACK_SQUAT"
    reps: int | None = None
    weight_kg: float | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class Activity:
    """A single sport session. A multisport FIT file yields one Activity per session."""

    sport: str
    start: datetime  # UTC, aware
    duration_s: float  # timer time (moving), falls back to elapsed time
    sub_sport: str | None = None
    elapsed_s: float | None = None
    distance_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    aerobic_te: float | None = None
    anaerobic_te: float | None = None
    training_load: float | None = None  # Garmin's EPOC-based load (training_load_peak)
    te_label: str | None = None  # Garmin's trainingEffectLabel, e.g. "TEMPO"
    is_race: bool = False
    name: str | None = None
    utc_offset_s: int | None = None  # local time minus UTC when the file records it
    # Which recording its file holds (ingest.fit_normalise.recording), the same whatever file
    # of it was read; None when the file does not say, or for Garmin's summary.
    recording: str | None = None
    session_index: int = 0
    laps: tuple[Lap, ...] = ()
    streams: Streams = field(default_factory=Streams.empty)
    sets: tuple[StrengthSet, ...] = ()

    @property
    def is_run(self) -> bool:
        return self.sport in RUN_SPORTS

    def local_date(self, tz: tzinfo) -> date:
        """The calendar day the athlete lived it: the file's own offset, else their time zone."""
        if self.utc_offset_s is not None:
            return (self.start + timedelta(seconds=self.utc_offset_s)).date()
        return self.start.astimezone(tz).date()
