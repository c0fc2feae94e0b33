"""Races in the plan (RULES.md "Races"): priorities, the taper counted back from each race
day whatever its weekday, the post-race window by distance, the ladder freeze around an A
race, and races found in the synced activities.

Pure: the day is always a parameter. Each rule answers with its reason in words, and
`apply_races` turns them into recorded adjustments of the open sessions; `knock_ons`
records what differs, beyond those rules, from the week planned without the races.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from domain.profile import FOUND_RACE, Race
from domain.words import counted
from planner.effort import resumed_at
from planner.model import ONE_DAY, Adjustment, Prescription, Session, week_of, week_start
from planner.progression import DELOAD_FACTOR, LAYOFF_DAYS, LAYOFF_FACTOR

FINAL_DAYS = {"A": 6, "B": 4, "C": 2}  # last days without heavy lower-body or plyometrics
REDUCED_FROM, REDUCED_TO = 8, 14  # A race: one lower-volume session this many days before
REDUCED_SETS = 2
FREEZE_BEFORE, FREEZE_AFTER = 21, 7  # A race: no new ladder step in this window (days)
POST_RACE_DAYS = {"5k": 2, "10k": 3, "half": 7, "marathon": 14, "ultra": 14,
                  "other": 3}  # "other": like a 10 km (the project's default)
RETURN_LOAD = 0.8  # the first session after the window: 80 % of the last loads
RETURN_WITHIN_DAYS = 14  # a session this long after the window is no longer "the first back"
RESTART_DAYS = 14  # the ladders start again up to 2 weeks apart (planner.slots.LAG)
MULTISPORT_LIMITS_H = ((1.5, "10k"), (3.0, "half"))  # longer: like a marathon
LEG_SPORTS = frozenset({"swimming", "cycling", "running", "transition"})
FOUND_PRIORITY = "B"  # a race never entered: its post-race window, no A-race freeze
# RULES.md S5: "a taper week or a post-race window counts as one [deload]". A week counts
# when the race's lighter days (its taper and its window, not the race itself) fill 5 of its
# 7 days, a working week (project default): a C 5 km's 2 days before and 2 after never do;
# a mid-week 10 km's 2 and 3 leave no day for heavy legs but a Sunday, and do.
RESTED_DAYS = 5

MobilityWork = Callable[[Session], tuple[Prescription, ...]]


@dataclass(frozen=True)
class RaceDay:
    """A race the plan works around: entered (the profile) or found in the activities."""

    day: date
    distance: str
    priority: str = "A"
    source: str = "entered"  # entered, or found (Garmin's race flag, a multisport race)

    def name(self) -> str:
        return f"{self.title()} on {self.day:%a %d %b}"

    def title(self) -> str:
        """The race without its day, where the words name the day already."""
        found = f", {FOUND_RACE}" if self.source == "found" else ""
        return f"{self.priority} race ({self.distance}{found})"

    @property
    def post_days(self) -> int:
        return POST_RACE_DAYS.get(self.distance, POST_RACE_DAYS["other"])


def entered(races: Iterable[Race]) -> list[RaceDay]:
    return [RaceDay(r.day, r.distance, r.priority) for r in races]


def distance_class(km: float | None, duration_s: float | None = None,
                   multisport: bool = False) -> str:
    """The distance class of a race found in the activities; a multisport race (or one with
    no distance) by its total duration: up to 1 h 30 like a 10 km, up to 3 h like a half,
    longer like a marathon."""
    if multisport or km is None:
        hours = (duration_s or 0) / 3600
        return next((cls for limit, cls in MULTISPORT_LIMITS_H if hours <= limit), "marathon")
    if km <= 6:
        return "5k"
    if km <= 12:
        return "10k"
    return "half" if km < 30 else "marathon"


@dataclass(frozen=True)
class Leg:
    """A synced activity as race finding needs it."""

    day: date
    sport: str
    distance_m: float | None
    duration_s: float
    race: bool  # classified a race (Garmin's race flag, a multisport race, the race trait)


def found_races(legs: Iterable[Leg], entered_days: Collection[date]) -> list[RaceDay]:
    """Races in the synced activities that were never entered (RULES.md "Races"): they open
    the same post-race window. A race day with legs of two or more sports is a multisport
    race, classed by the total duration of its legs; otherwise by the race run's distance."""
    by_day: dict[date, list[Leg]] = {}
    for leg in legs:
        by_day.setdefault(leg.day, []).append(leg)
    out = []
    for day, items in sorted(by_day.items()):
        raced = [x for x in items if x.race]
        if day in entered_days or not raced:
            continue
        legs_of = [x for x in items if x.sport in LEG_SPORTS]
        if len({x.sport for x in legs_of} - {"transition"}) > 1:
            distance = distance_class(None, sum(x.duration_s for x in legs_of), True)
        else:
            longest = max(raced, key=lambda x: x.distance_m or 0)
            km = longest.distance_m / 1000 if longest.distance_m else None
            distance = distance_class(km, longest.duration_s)
        out.append(RaceDay(day, distance, FOUND_PRIORITY, "found"))
    return out


def final_days(races: Sequence[RaceDay], day: date) -> tuple[str, str] | None:
    """(rule, reason) when `day` is in a race's last days (by priority) or its post-race
    window: mobility/stability work only, no heavy lower-body or plyometric work."""
    for r in races:
        left, last = (r.day - day).days, FINAL_DAYS.get(r.priority, FINAL_DAYS["A"])
        if 0 < left <= last:
            return (f"Races {r.priority} taper", f"{r.name()}: {counted(left, 'day')} before it, "
                    f"within the last {last}: no heavy lower-body or plyometric work")
    for r in races:
        after = (day - r.day).days
        if 0 < after <= r.post_days:
            return ("Races post-race", f"{r.name()}: {counted(after, 'day')} after it, within its "
                    f"{r.post_days}-day post-race window: no heavy lower-body or plyometric "
                    "work")
    return None


def spared(races: Sequence[RaceDay], days: Iterable[date]) -> frozenset[date]:
    """The `days` a race keeps free of strength work (final_days): a session there becomes
    mobility work, so a legal day outside them comes first, when a week is planned and
    when a session moves (S6)."""
    return frozenset(d for d in days if final_days(races, d) is not None)


def one_session_windows(races: Sequence[RaceDay]) -> list[frozenset[date]]:
    """The days of each A race's one lower-volume session (8-14 days before it): a second
    strength session there becomes mobility work, so placing a week prefers a legal day
    outside them for it."""
    return [frozenset(r.day - timedelta(days=n) for n in range(REDUCED_FROM, REDUCED_TO + 1))
            for r in races if r.priority == "A"]


def reduced_window(races: Sequence[RaceDay], day: date) -> RaceDay | None:
    """The A race 8-14 days after `day` (its one lower-volume session falls then)."""
    return next((r for r in races if r.priority == "A"
                 and REDUCED_FROM <= (r.day - day).days <= REDUCED_TO), None)


def freeze_window(r: RaceDay) -> tuple[date, date]:
    """The first and last day of an A race's ladder freeze: 21 days before it to 7 after."""
    return r.day - timedelta(days=FREEZE_BEFORE), r.day + timedelta(days=FREEZE_AFTER)


def freezes(races: Sequence[RaceDay], monday: date) -> RaceDay | None:
    """The A race whose freeze window touches the week of `monday`: no new ladder step
    that week (the ladders step by weeks, so a week reaching into it is held whole)."""
    sunday = monday + timedelta(days=6)
    return next((r for r in races if r.priority == "A"
                 and freeze_window(r)[0] <= sunday and monday <= freeze_window(r)[1]), None)


def lighter_days(r: RaceDay) -> tuple[date, date]:
    """The first and last day the race's rules lighten the strength work: from its taper (an
    A race's lower-volume session 14 days before, else its last days) to its post-race
    window's end. A race found in the activities had no taper: it was not planned for."""
    before = (0 if r.source == "found" else REDUCED_TO if r.priority == "A"
              else FINAL_DAYS.get(r.priority, FINAL_DAYS["A"]))
    return r.day - timedelta(days=before), r.day + timedelta(days=r.post_days)


def lightens(races: Sequence[RaceDay], day: date) -> bool:
    """Whether a race's rules may lighten a session on `day`: from its taper to the first
    session back after its post-race window."""
    return any(first <= day <= last + timedelta(days=RETURN_WITHIN_DAYS)
               for first, last in map(lighter_days, races))


def rests(races: Sequence[RaceDay], monday: date) -> RaceDay | None:
    """The race whose taper and post-race window fill the week of `monday` (RESTED_DAYS of
    its days): the week counts as a deload (RULES.md S5), so the next one is the 4th
    training week after it, not stacked on the race's easier days."""
    sunday = monday + timedelta(days=6)
    for r in races:
        first, last = lighter_days(r)
        days = (min(last, sunday) - max(first, monday)).days + 1
        if days - (monday <= r.day <= sunday) >= RESTED_DAYS:
            return r
    return None


def rested_weeks(r: RaceDay) -> list[date]:
    """The Mondays of the weeks the race `rests` (counts as a deload)."""
    first, last = lighter_days(r)
    monday = week_start(first)
    mondays = [monday + timedelta(days=7 * i) for i in range((last - monday).days // 7 + 1)]
    return [m for m in mondays if rests([r], m) is not None]


def holds_ladders(races: Sequence[RaceDay], monday: date) -> bool:
    """Whether no ladder steps on in the week of `monday`: an A race's freeze, a week its
    taper and window fill (a deload: S5), or the first week back after a window, whose
    first session keeps familiar exercises (so its other sessions do too, and the ladders
    start again on their stagger after it, not all at once)."""
    return (freezes(races, monday) is not None or rests(races, monday) is not None
            or back_week(races, monday) is not None)


def back_week(races: Sequence[RaceDay], monday: date) -> RaceDay | None:
    """The race whose first 7 days after its post-race window touch the week of `monday`
    (of two, the later window's: `_latest`)."""
    sunday = monday + timedelta(days=6)
    return _latest(r for r in races if monday <= r.day + timedelta(days=r.post_days + 7)
                   and r.day + timedelta(days=r.post_days + 1) <= sunday)


def _latest(races: Iterable[RaceDay]) -> RaceDay | None:
    """The race whose post-race window ends last: a session after two windows comes back
    from the later one (a 10 km's 3 days end before the half a week later even starts)."""
    return max(races, key=lambda r: r.day + timedelta(days=r.post_days), default=None)


def first_back(races: Sequence[RaceDay], day: date, earlier: Collection[date]
               ) -> RaceDay | None:
    """The race whose post-race window ended before `day` with no session since (of the
    days `earlier`, read only for a day in a race's return: years of them a night): `day`'s
    session is the first one back (familiar exercises, 80 % of the last loads). Of two, the
    later window's: the session comes back from that race, not from the one before it."""

    def back(r: RaceDay) -> bool:
        end = r.day + timedelta(days=r.post_days)
        return end < day <= end + timedelta(days=RETURN_WITHIN_DAYS) and \
            not any(end < d < day for d in earlier)
    return _latest(filter(back, races))


def first_monday_reached(r: RaceDay) -> date:
    """The Monday of the first week the race may change (`reaches`): its ladder freeze, the
    widest reach before it, holds the whole week it begins in."""
    return week_start(freeze_window(r)[0])


def reaches(r: RaceDay, day: date) -> bool:
    """Whether the race may change a session on `day` by its own rules and their knock-ons:
    from its ladder freeze (the widest reach before it) to the first session back after its
    window, or the freeze's end, and then the ladders starting again on their stagger."""
    after = max(r.post_days, FREEZE_AFTER) + RETURN_WITHIN_DAYS + RESTART_DAYS
    return -FREEZE_BEFORE <= (day - r.day).days <= after


def apply_races(sessions: list[Session], races: Sequence[RaceDay], night: date,
                mobility: MobilityWork) -> tuple[list[Session], list[Adjustment]]:
    """The open sessions as the races allow, each change an adjustment of the night: the
    last days and the post-race window hold mobility/stability work only; 8-14 days before
    an A race the first session is the one lower-volume session (2 sets, load kept) and any
    other becomes mobility; the first session after a post-race window lifts 80 % of the
    last loads. A change already made is not made again."""
    plan = sorted(sessions, key=lambda s: (s.day, s.id))
    out: list[Session] = []
    changes: list[Adjustment] = []
    strength_before: list[date] = []  # the days of the sessions before, as `_race_effect`
    back_before: list[date] = []  # reads them: kept as they come, not gathered per session
    for s in plan:
        new, rule, action, why = _race_effect(s, races, night, mobility, strength_before,
                                              back_before)
        if new is not s:  # `_race_effect` gives `s` itself back where it changes nothing
            changes.append(Adjustment(s.id, night, rule, action, s.describe(), new.describe(),
                                      (why,)))
        out.append(new)
        if new.status != "skipped" and (new.kind == "strength" or new.day == night + ONE_DAY):
            back_before.append(new.day)
            if new.kind == "strength":
                strength_before.append(new.day)
    return out, changes


def _race_effect(s: Session, races: Sequence[RaceDay], night: date, mobility: MobilityWork,
                 strength_before: Sequence[date], back_before: Sequence[date]
                 ) -> tuple[Session, str, str, str]:
    """What the races make of `s`, with the days of the strength sessions before it
    (`strength_before`) and of those a session back after a race follows
    (`back_before`)."""
    if s.settled or s.day <= night or s.kind != "strength":
        return s, "", "", ""
    if (found := final_days(races, s.day)) is not None:
        as_mobility = s.with_(kind="mobility", exercises=mobility(s), status="lightened")
        return as_mobility, found[0], "mobility", found[1]
    if (r := reduced_window(races, s.day)) is not None:
        left = (r.day - s.day).days
        if any(reduced_window([r], d) for d in strength_before):
            return (s.with_(kind="mobility", exercises=mobility(s), status="lightened"),
                    "Races A taper", "mobility",
                    f"{r.name()}: {left} days before it; one lower-volume session only in "
                    f"the {REDUCED_FROM}-{REDUCED_TO} days before an A race, and it came "
                    "earlier")
        if s.status == "lightened":  # lightened already (this rule or recovery): as it is
            return s, "", "", ""
        items = tuple(replace(p, sets=min(p.sets, REDUCED_SETS)) for p in s.exercises)
        return _lightened(s, items, "Races A taper",
                          f"{r.name()}: {left} days before it, the one lower-volume session of "
                          f"the {REDUCED_FROM}-{REDUCED_TO} days before an A race: "
                          f"{REDUCED_SETS} sets, load kept")
    # The next day's session is the morning pass's to judge again (a red night's mobility
    # work restored on a green morning, S7.3): until its day is over, it is the session
    # back, whatever the night made it. Else a second run of the night (S7.6) would find
    # the one after it the first back, and a green morning leave two sessions at 80 %.
    if s.status != "lightened" and (r := first_back(races, s.day, back_before)):
        # a load in kg or found by feel is lifted at 80 %; bodyweight work has none to cut
        items = tuple(resumed_at(p, RETURN_LOAD) if p.load_kg or p.by_feel else p
                      for p in s.exercises)
        return _lightened(s, items, "Races post-race", _back_words(r, _held_cut(s.exercises)))
    return s, "", "", ""


def _lightened(s: Session, items: tuple[Prescription, ...], rule: str,
               why: str) -> tuple[Session, str, str, str]:
    """`s` lightened to `items`, with its rule and reason; as it is when that changes
    nothing (an intro week's 2 sets already are the taper's, bodyweight work has no load
    to cut): a change recorded must be one."""
    if items == s.exercises:
        return s, "", "", ""
    return s.with_(exercises=items, status="lightened"), rule, "lighten", why


def _held_cut(items: Sequence[Prescription]) -> tuple[float, str] | None:
    """The cut for rest that a session's loads hold already, in words: a layoff's (S5: 14+
    days without a session) or a deload week's, which a post-race window counts as (S5).
    The first session back takes the deeper of it and its own, not both."""
    if any(p.resumed_from for p in items):
        return LAYOFF_FACTOR, f"{LAYOFF_DAYS}+ days without a session"
    if any(p.phase == "deload" and (p.load_kg or p.by_feel) for p in items):
        return DELOAD_FACTOR, "the deload week's cut"
    return None


def _back_words(r: RaceDay, held: tuple[float, str] | None) -> str:
    """Why the first session back lifts what it does; where its loads held a cut for rest
    already (`_held_cut`), which of the two set the load: the deeper, not both."""
    window = f"the first session after its {r.post_days}-day post-race window"
    if held is None:
        return f"{r.name()}: {window}, familiar exercises at {RETURN_LOAD:.0%} of the last loads"
    (deeper, why), (other, also) = sorted([(RETURN_LOAD, window), held])
    return (f"{r.name()}: familiar exercises at {deeper:.0%} of the last loads, {why} (the "
            f"deeper of that and {also}, {other:.0%})")


def knock_ons(plain: Sequence[Session], raced: Sequence[Session], night: date,
              near: Sequence[RaceDay], known: Iterable[Adjustment],
              kept: Mapping[str, str] | None = None) -> list[Adjustment]:
    """The open sessions of a week that differ from the week planned without the races
    `near` it (`plain`), beyond what the races' own rules already explain (`known` changes
    naming one of them): each an adjustment saying what differs, in numbers, and why a day
    moved. `kept`: why an exercise the athlete knows stays where the plan without them
    steps up, by exercise."""
    names = [r.name() for r in near]
    told = {a.session_id for a in known if any(n in why for n in names for why in a.reasons)}
    who = f"{' and '.join(names)}: the plan without {'it' if len(names) == 1 else 'them'}"
    was = {s.id: s for s in plain}
    out = []
    for s in raced:
        p = was.get(s.id)
        if s.settled or s.day <= night or s.id in told or (
                p is not None and (p.day, p.kind, p.exercises) == (s.day, s.kind, s.exercises)):
            continue
        before = p.describe() if p else "no session"
        out.append(Adjustment(s.id, night, "Races knock-on", "knock-on", before, s.describe(),
                              (f"{who} differs here: {_differences(p, s, kept or {}, near)}",)))
    gone = [p for p in plain if p.id not in {s.id for s in raced} and p.day > night]
    out += [Adjustment(p.id, night, "Races knock-on", "drop", p.describe(), "no session",
                       (f"{who} holds this session, the week as planned one session "
                        "fewer",)) for p in gone]
    return out


def _differences(plain: Session | None, raced: Session,
                 kept: Mapping[str, str], near: Sequence[RaceDay]) -> str:
    """What a session holds instead of the plan without the races, in words and numbers."""
    if plain is None:
        return "a session the plan without it does not hold"
    words = []
    if plain.day != raced.day:
        words.append(f"on {raced.day:%a %d %b} instead of {plain.day:%a %d %b} "
                     f"({_day_taken(near, plain.day)})")
    if plain.kind != raced.kind:
        words.append(f"{raced.kind} instead of {plain.kind}")
    was = {p.exercise_id: p for p in plain.exercises}
    now = {p.exercise_id: p for p in raced.exercises}
    if new := [e for e in now if e not in was]:
        words.append(f"{', '.join(new)} instead of "
                     f"{', '.join(e for e in was if e not in now) or 'nothing'}")
        words += [kept[e] for e in new if e in kept and now[e].phase != "intro"]
    for e, p in now.items():
        q = was.get(e)
        if q is not None and q != p:
            intro = " (intro week: it starts later than without the race)" if p.phase == "intro" \
                and q.phase != "intro" else ""
            words.append(f"{p.describe()} instead of {q.describe()}{intro}"
                         if p.describe() != q.describe() else
                         f"{e}: {p.instruction!r} instead of {q.instruction!r}")
    return "; ".join(words) or "the same work, prescribed otherwise"


def _day_taken(near: Sequence[RaceDay], day: date) -> str:
    """Why the plan with the races `near` leaves `day` the session the plan without them
    holds there, in plain words with the race's name and day: a race's own day first, the
    main reason even where another race's last days or window hold it too."""
    if race := next((r for r in near if r.day == day), None):
        return f"{day:%a %d %b} is the day of the {race.title()}: no strength on race day (S6)"
    if (rule := final_days(near, day)) is not None:
        return f"{day:%a %d %b}: {rule[1]}"
    if race := reduced_window(near, day):
        return (f"{day:%a %d %b} is {(race.day - day).days} days before the {race.name()}, whose "
                f"{REDUCED_FROM}-{REDUCED_TO} days hold one lower-volume session only: this "
                "one goes outside them to stay strength work")
    names, keep = " and ".join(r.name() for r in near), "keeps" if len(near) == 1 else "keep"
    if not any(_takes(near, day) for day in week_of(day)):
        # a week the races only reach through the weeks or blocks around it
        return (f"the {names} {keep} none of this week's days free of strength work: the "
                f"plan with {'it' if len(near) == 1 else 'them'} differs in the days or "
                "blocks of the weeks around it, and places this week's sessions otherwise")
    return (f"the days the {names} {keep} free of strength work leave this week's sessions "
            "other days, so that each keeps its strength work")


def _takes(near: Sequence[RaceDay], day: date) -> bool:
    """Whether a race of `near` keeps `day` free of strength work: its own day, its last
    days or its post-race window."""
    return final_days(near, day) is not None or any(r.day == day for r in near)
