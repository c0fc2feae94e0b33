"""The database schema. Every row belongs to an athlete (multi-athlete from day one)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    or_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db import streams as packing
from domain.wellness import DailyWellness


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Athlete(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    tz: Mapped[str] = mapped_column(String(64))
    # The analysis's bookkeeping (jobs/analyse.py): the first day whose facts changed since
    # it last ran (None: none), and the key of the rules and profile values it ran with.
    facts_changed_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    analysed_with: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the plan was last made from (planner.plan_changes.basis: weekly runs, sessions a week,
    # equipment; jobs/replan.py): when the profile's differs, the weeks ahead are planned again.
    plan_basis: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


class Activity(Base):
    __tablename__ = "activities"
    # An athlete's days (a night's windows, the first day known), the activities awaiting
    # their file and those retried on a night (every sync) read through their own index, not
    # every activity of the athlete (migration 0022); the first begins with the athlete, for
    # every other lookup.
    __table_args__ = (
        UniqueConstraint("athlete_id", "garmin_id"),
        UniqueConstraint("athlete_id", "content_hash", "session_index"),
        Index("ix_activities_athlete_day", "athlete_id", "local_date"),
        Index("ix_activities_athlete_awaits", "athlete_id", "awaits_file"),
        Index("ix_activities_athlete_retried", "athlete_id", "retried_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    garmin_id: Mapped[int | None] = mapped_column(BigInteger)
    # sha256 of the FIT bytes; a multisport file holds several sessions, hence session_index.
    content_hash: Mapped[str | None] = mapped_column(String(64))
    session_index: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str | None] = mapped_column(String(200))
    sport: Mapped[str] = mapped_column(String(40))
    sub_sport: Mapped[str | None] = mapped_column(String(40))
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    local_date: Mapped[date] = mapped_column(Date, index=True)
    duration_s: Mapped[float] = mapped_column(Float)
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    aerobic_te: Mapped[float | None] = mapped_column(Float)
    anaerobic_te: Mapped[float | None] = mapped_column(Float)
    te_label: Mapped[str | None] = mapped_column(String(40))
    is_race: Mapped[bool] = mapped_column(Boolean, default=False)
    training_load: Mapped[float | None] = mapped_column(Float)
    # Stored from Garmin's summary while its FIT file is awaited (ingest.sync): a later sync
    # upgrades it in place, or ends the wait WAIT_DAYS after the day it began (awaits_since;
    # NULL for a wait begun before migration 0013: its own day).
    awaits_file: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    awaits_since: Mapped[date | None] = mapped_column(Date, nullable=True)
    # The raw store's digest of the list item it was stored from while awaited: what a sync
    # that no longer lists it stores with the file it downloads by id (NULL for a wait begun
    # before migration 0014: read from the journal).
    awaits_summary: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The last night a sync downloaded its file again by id: each night those tried longest
    # ago go first. Kept once the file came: a night run again counts the turn it took.
    retried_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Which recording its file holds (ingest.fit_normalise.recording): another file of the same
    # recording (other bytes) is not stored again. NULL for a file that does not say, a
    # summary, and rows stored before migration 0015 (`db rebuild` fills it in).
    recording: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)

    laps: Mapped[list[Lap]] = relationship(cascade="all, delete-orphan", order_by="Lap.index",
                                           passive_deletes=True)
    stream: Mapped[Stream | None] = relationship(cascade="all, delete-orphan",
                                                 passive_deletes=True)
    sets: Mapped[list[StrengthSet]] = relationship(cascade="all, delete-orphan",
                                                   order_by="StrengthSet.index",
                                                   passive_deletes=True)


class Lap(Base):
    __tablename__ = "laps"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"),
                                             index=True)
    index: Mapped[int] = mapped_column(Integer)
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    avg_speed: Mapped[float | None] = mapped_column(Float)
    intensity: Mapped[str | None] = mapped_column(String(20))
    wkt_step_index: Mapped[int | None] = mapped_column(Integer)
    # start to end on the real clock (domain.Lap.elapsed_s); NULL before migration 0017
    elapsed_s: Mapped[float | None] = mapped_column(Float, nullable=True)


class Stream(Base):
    """Per-second samples of one activity, one row per activity, one column per channel.

    Each channel is a compressed little-endian float32 array (see db/streams.py). A row
    per sample would mean ~3,600 rows per hour run, slow bulk imports and a database ten
    times larger; analysis always reads a whole activity's series at once, so a packed
    column per channel is both the compact and the fast layout.
    """

    __tablename__ = "streams"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"),
                                             primary_key=True)
    samples: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[int] = mapped_column(Integer, default=packing.ENCODING)
    t: Mapped[bytes] = mapped_column(LargeBinary)
    heart_rate: Mapped[bytes | None] = mapped_column(LargeBinary)
    speed: Mapped[bytes | None] = mapped_column(LargeBinary)
    power: Mapped[bytes | None] = mapped_column(LargeBinary)
    cadence: Mapped[bytes | None] = mapped_column(LargeBinary)
    altitude: Mapped[bytes | None] = mapped_column(LargeBinary)
    distance: Mapped[bytes | None] = mapped_column(LargeBinary)


class StrengthSet(Base):
    __tablename__ = "strength_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"),
                                             index=True)
    index: Mapped[int] = mapped_column(Integer)
    set_type: Mapped[str] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(60))
    exercise_name: Mapped[str | None] = mapped_column(String(80))
    reps: Mapped[int | None] = mapped_column(Integer)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)


class Wellness(Base):
    """One athlete-day of recovery data, as Garmin Connect reports it."""

    __tablename__ = "wellness"
    __table_args__ = (UniqueConstraint("athlete_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date] = mapped_column(Date)
    hrv_last_night: Mapped[float | None] = mapped_column(Float)
    hrv_weekly_avg: Mapped[float | None] = mapped_column(Float)
    hrv_baseline_low: Mapped[float | None] = mapped_column(Float)
    hrv_baseline_high: Mapped[float | None] = mapped_column(Float)
    hrv_status: Mapped[str | None] = mapped_column(String(20))
    sleep_score: Mapped[int | None] = mapped_column(Integer)
    sleep_seconds: Mapped[int | None] = mapped_column(Integer)
    readiness_score: Mapped[int | None] = mapped_column(Integer)
    readiness_level: Mapped[str | None] = mapped_column(String(20))
    body_battery_high: Mapped[int | None] = mapped_column(Integer)
    body_battery_low: Mapped[int | None] = mapped_column(Integer)
    body_battery_charged: Mapped[int | None] = mapped_column(Integer)
    resting_hr: Mapped[int | None] = mapped_column(Integer)
    avg_stress: Mapped[int | None] = mapped_column(Integer)
    training_status: Mapped[str | None] = mapped_column(String(40))

    @classmethod
    def measured(cls) -> Any:
        """The day holds a value the athlete's watch measured (a SQL condition)."""
        return or_(*(getattr(cls, name).is_not(None) for name in DailyWellness.measured_names()))


class SyncCursor(Base):
    """How far a sync stream has committed; it moves only after its data is committed."""

    __tablename__ = "sync_cursors"

    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            primary_key=True)
    stream: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))


class RunClass(Base):
    """An activity's classification and load, with the fingerprint of the inputs used: a
    nightly run recomputes only the activities whose fingerprint changed."""

    __tablename__ = "run_classes"

    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"),
                                             primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    fatigue: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    # Every trait the run carries (RULES.md S6 reads them); None for rows classified before
    # traits were stored (their kind stands in until they are classified again).
    traits: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    load: Mapped[float] = mapped_column(Float)
    load_series: Mapped[str] = mapped_column(String(12))  # endurance or strength
    load_method: Mapped[str] = mapped_column(String(12))
    load_reason: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))


class DailyStatus(Base):
    """One athlete-day of load numbers and recovery status, as the planner reads them."""

    __tablename__ = "daily_status"
    __table_args__ = (UniqueConstraint("athlete_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date] = mapped_column(Date)
    endurance_load: Mapped[float] = mapped_column(Float)
    strength_load: Mapped[float] = mapped_column(Float)
    atl: Mapped[float | None] = mapped_column(Float)
    ctl: Mapped[float | None] = mapped_column(Float)
    tsb: Mapped[float | None] = mapped_column(Float)
    acwr: Mapped[float | None] = mapped_column(Float)
    # The ACWR's acute and chronic averages: what the next year of days continues.
    acwr_acute: Mapped[float | None] = mapped_column(Float)
    acwr_chronic: Mapped[float | None] = mapped_column(Float)
    monotony: Mapped[float | None] = mapped_column(Float)
    strain: Mapped[float | None] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
    missing: Mapped[list[str]] = mapped_column(JSON)


class PlannedSession(Base):
    """A strength or mobility session of the plan; `key` is stable across nights."""

    __tablename__ = "planned_sessions"
    __table_args__ = (UniqueConstraint("athlete_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    key: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    block: Mapped[int] = mapped_column(Integer)
    week_in_block: Mapped[int] = mapped_column(Integer)
    step: Mapped[int] = mapped_column(Integer, default=0)  # ladder step of the block
    exercises: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class AdjustmentRow(Base):
    """One change the nightly adaptation made, with its rule and reasons."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    session_key: Mapped[str] = mapped_column(String(40))
    night: Mapped[date] = mapped_column(Date, index=True)
    rule: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(12))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    # a change of day: the day and status the session had before it; the day of the race
    # entered the change was for (migration 0021: `race remove` reads them, not the words)
    moved_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    moved_status: Mapped[str | None] = mapped_column(String(12), nullable=True)
    for_race: Mapped[date | None] = mapped_column(Date, nullable=True)


class Lift(Base):
    """What was lifted for one exercise in one session (drives double progression)."""

    __tablename__ = "lifts"
    # An exercise's last time (plans.last_lifts, the session page's "last time"): read newest
    # first from its own lifts, in the query's order (day, then id: PostgreSQL sorted every
    # lift of the exercise without it), whatever else the athlete lifted (migration 0016).
    # It begins with the athlete: every lookup of an athlete's lifts uses it (0020 dropped
    # the athlete-only index). The last lift through a day (a night's session gone by
    # undone: its layoff, jobs.replan.night_lifts) is read newest first down (athlete, day,
    # id) (migration 0023).
    __table_args__ = (Index("ix_lifts_athlete_exercise_day_id", "athlete_id", "exercise_id",
                            "day", "id"),
                      Index("ix_lifts_athlete_day_id", "athlete_id", "day", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"))
    session_key: Mapped[str | None] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    exercise_id: Mapped[str] = mapped_column(String(80))
    reps: Mapped[list[int]] = mapped_column(JSON)
    load_kg: Mapped[float | None] = mapped_column(Float)
    lightened: Mapped[bool] = mapped_column(Boolean, default=False)
    rpe: Mapped[float | None] = mapped_column(Float)
    # The strength activity it was read from ("activity:<content hash or Garmin id>:<session>",
    # stable across `db rebuild`), or None when entered with `stridelift done`.
    source: Mapped[str | None] = mapped_column(String(90), index=True)


class PlannedRun(Base):
    """A running workout (or race) scheduled in the Garmin Connect calendar: it overrides the
    template. Its kind is read from the title when planning (analysis/titles.py)."""

    __tablename__ = "planned_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    # Garmin's item type (workout, race, event), in the column first named "kind" (rows
    # stored before held a kind guessed at sync; the next sync of their month replaces them).
    item_type: Mapped[str] = mapped_column("kind", String(20))
    title: Mapped[str] = mapped_column(String(200))


class NightlyRun(Base):
    """One nightly pipeline run for one athlete and one day: what it did, or why it failed."""

    __tablename__ = "nightly_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10))  # ok or failed
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    adjustments: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class PushedWorkout(Base):
    """A workout stridelift created in Garmin Connect for one planned session. Only workouts
    recorded here (and carrying our marker) are ever moved, replaced or deleted."""

    __tablename__ = "pushed_workouts"
    __table_args__ = (UniqueConstraint("athlete_id", "session_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athletes.id", ondelete="CASCADE"),
                                            index=True)
    session_key: Mapped[str] = mapped_column(String(40))
    workout_id: Mapped[int] = mapped_column(BigInteger)
    scheduled_id: Mapped[int | None] = mapped_column(BigInteger)  # None: not on the calendar
    day: Mapped[date] = mapped_column(Date)  # the day it is scheduled on
    payload_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
