"""Evidence of speed work: work that really is harder, alternating with recovery (RULES.md
"Run classification", speed (a)-(c); (d), Garmin's label, is read in analysis.traits).

Speed variability alone is never evidence: hills, walking breaks and stops all produce it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.cleaning import Clean
from analysis.gap import cost_factor, smooth
from analysis.samples import stretch_ids
from analysis.shown import fewest_places, shown_against
from analysis.zones import Zones
from domain.activity import Lap

WORK = frozenset({"active", "interval"})
EASE = frozenset({"rest", "recovery"})
MIN_WORK_LAPS = 3
FLAGGED_GAP_CONTRAST = 1.10  # (a) flagged work laps >= 110 % of the recoveries' GAP...
FLAGGED_HR_CONTRAST = 8.0  # ...or >= 8 bpm higher
MAX_HR_PLACES = 6  # lap HRs a millionth of a beat from that contrast are shown to as many
# A share's or a difference's last float bits are no side of a rule: 2.97 / 2.70 m/s came to
# 110.00000000000001 %, and work laps' mean HR exactly 8 bpm above the recoveries' (means of
# whole beats: 130.67 vs 122.67) to 7.99999999999999, refused beside "needs HR +8 bpm".
NOISE_PLACES = 9
UNFLAGGED_CONTRAST = 1.30  # (a) unflagged laps >= 130 % of both neighbours' speed
UNFLAGGED_MIN_S, UNFLAGGED_MAX_S = 60.0, 600.0
# Where laps carry HR, work laps reach at least zone 3: jogging between walking breaks is
# harder than the walks (GAP and HR) but is easy running, not work (a walk/jog is easy).
WORK_ZONE = 3
# Without HR, laps faster than walks between them are work only where they are faster than
# the run's other running (its warm-up, cool-down, jogs), by as much as a surge (b) is: a
# run/walk (Galloway) runs at its ordinary pace between walks, and is easy aerobic work.
WORK_OF_RUNNING = 1.20
MIN_OTHER_RUNNING_S = 60.0  # less is no pace to compare with (a minute of laps holds one)
SURGE_OF_MEDIAN = 1.20  # (b)
SURGE_MIN_S = 20.0
SURGE_BRIDGE_S = 5.0  # dips shorter than this do not end a surge
SURGE_SMOOTH_S = 10.0
EASIER_OF_MEDIAN = 1.05  # a surge is followed by an easier segment below this...
EASIER_MIN_S, EASIER_WITHIN_S = 30.0, 180.0  # ...of this long, starting within this
EDGE_S = 600.0  # warm-up and cool-down excluded from surges
HR_AFTER_S = 60.0
Z5_MIN_MINUTES = 6.0  # (c)
Z5_BOUT_S = 30.0
Z5_BRIDGE_S = 60.0
MIN_Z5_BOUTS = 3


@dataclass(frozen=True)
class Evidence:
    rule: str  # "a" structure, "b" surges, "c" zone 5 bouts
    reason: str


def _mmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def lap_effort(lap: Lap, c: Clean | None, t0: float) -> float | None:
    """A lap's grade-adjusted speed: its distance over its timer time (so standing
    recoveries count as slow), scaled by the lap's mean grade cost where altitude exists."""
    speed = lap.distance_m / lap.duration_s if lap.distance_m and lap.duration_s else \
        lap.avg_speed
    if speed is None or c is None or not c.has_altitude:
        return speed
    inside = _in_lap(c.t, lap, t0) & c.moving
    return speed * (float(np.mean(cost_factor(c.grade[inside]))) if inside.any() else 1.0)


def _in_lap(t: np.ndarray, lap: Lap, t0: float) -> np.ndarray:
    """The samples (their times `t`) from the lap's start `t0` to its end on the real clock:
    its timer time would end it early by any pause inside it."""
    return (t >= t0) & (t < t0 + lap.span_s)


def structure(laps: Sequence[Lap], c: Clean | None, starts: Sequence[float],
              zones: Zones | None = None) -> tuple[Evidence | None, list[str]]:
    """(a): flagged work laps that really are harder, else laps alternating by themselves.
    `starts`: each lap's start in seconds since the activity start; `zones`: the athlete's
    HR zones where the run has HR."""
    effort = [lap_effort(lap, c, s) for lap, s in zip(laps, starts, strict=True)]
    split = _Laps(laps, c, starts, effort, zones)
    flagged, notes = _flagged(split)
    if flagged is not None:
        return flagged, notes
    unflagged, more = _unflagged(split)
    return unflagged, notes or more  # the same laps refused twice say it once


@dataclass(frozen=True)
class _Laps:
    """A run's laps with what tells work from the rest: their effort (lap_effort), their
    start (seconds since the activity start), the cleaned samples and the HR zones."""

    laps: Sequence[Lap]
    c: Clean | None
    starts: Sequence[float]
    effort: list[float | None]
    zones: Zones | None

    def inside(self, which: Sequence[int]) -> np.ndarray:
        """The cleaned samples of the laps `which` (per sample; needs samples)."""
        assert self.c is not None
        t = self.c.t
        out = np.zeros(t.size, dtype=bool)
        for i in which:
            out |= _in_lap(t, self.laps[i], self.starts[i])
        return out


def _not_work(x: _Laps, work: list[int]) -> str | None:
    """Why harder laps are still not work (None when they are): with HR, fewer than
    MIN_WORK_LAPS of them reach zone WORK_ZONE; without it, they alternate with walks at the
    run's ordinary running pace (a run/walk)."""
    peaks = [x.laps[i].max_hr or x.laps[i].avg_hr for i in work]
    if x.zones is not None and any(peaks):
        floor = x.zones.lower[WORK_ZONE - 2]
        reached = sum(p is not None and p >= floor for p in peaks)
        if reached >= MIN_WORK_LAPS:
            return None
        return (f"only {reached} of the {len(work)} faster laps reach HR zone {WORK_ZONE} "
                f"(from {floor:.0f} bpm): easy running between easier stretches, not intervals")
    return _run_walk(x, work)


def _run_walk(x: _Laps, work: list[int]) -> str | None:
    """Without HR, laps between walks are work only at >= WORK_OF_RUNNING of the run's other
    running; where they are all its running, they are its ordinary pace. Standing recoveries
    are no run/walk (its breaks are walked), nor is a run without samples to tell."""
    paces = [e for i in work if (e := x.effort[i]) is not None]
    c, fast = x.c, float(np.median(paces)) if paces else None  # a warm-up lap is no typical one
    if c is None or fast is None:
        return None
    between = [i for i in range(min(work), max(work)) if i not in work]
    breaks = x.inside(between)
    if not between or c.dt[breaks & c.walking].sum() < 0.5 * c.dt[breaks].sum():
        return None
    # The run's first and last laps are faster than the walk beside them, yet they are its
    # warm-up and cool-down: its other running, what the reps are compared with.
    reps = [i for i in work if 0 < i < len(x.laps) - 1]
    other = c.running & ~x.inside(reps) & np.isfinite(c.gap)
    head = (f"the {len(work)} faster laps ({fast:.2f} m/s) alternate with walks and no HR "
            "says they were hard")
    if c.dt[other].sum() < MIN_OTHER_RUNNING_S:
        return (f"{head}, and they are all the running there is (under "
                f"{MIN_OTHER_RUNNING_S / 60:g} min besides): a run/walk at its ordinary pace, "
                "not intervals")
    ordinary = float(np.median(c.gap[other]))
    if _share(fast, ordinary) >= _share(WORK_OF_RUNNING, 1.0):
        return None
    return (f"{head}, and they are {_percent(fast, ordinary, WORK_OF_RUNNING)} of the run's "
            f"other running ({ordinary:.2f} m/s; work is >= {WORK_OF_RUNNING:.0%}): a run/walk, "
            "not intervals")


def _flagged(x: _Laps) -> tuple[Evidence | None, list[str]]:
    laps, effort = x.laps, x.effort
    idx = [i for i, lap in enumerate(laps) if lap.intensity in WORK | EASE]
    seq = [laps[i].intensity for i in idx]
    work = [i for k, i in enumerate(idx) if seq[k] in WORK and _beside(seq, k, EASE)]
    rest = [i for k, i in enumerate(idx) if seq[k] in EASE and _beside(seq, k, WORK)]
    if len(work) < MIN_WORK_LAPS or not rest:
        if sum(lap.intensity == "interval" for lap in laps) >= MIN_WORK_LAPS and not rest:
            return None, ["laps are flagged work but none recovery: lap flags alone are not "
                          "intervals"]
        return None, []
    w_gap, r_gap = _mean(effort[i] for i in work), _mean(effort[i] for i in rest)
    w_hr, r_hr = _mean(laps[i].avg_hr for i in work), _mean(laps[i].avg_hr for i in rest)
    by_gap = w_gap is not None and r_gap is not None and (
        not r_gap or _share(w_gap, r_gap) >= _share(FLAGGED_GAP_CONTRAST, 1.0))
    by_hr = w_hr is not None and r_hr is not None and _hr_harder(w_hr, r_hr)
    name = _speed_name(x.c)
    numbers = _contrast(w_gap, r_gap, w_hr, r_hr, name)
    if not (by_gap or by_hr):
        return None, [f"{len(work)} laps are flagged work, but they are not harder than the "
                      f"recoveries ({numbers}; needs {name} >= {FLAGGED_GAP_CONTRAST:.0%} or HR "
                      f"+{FLAGGED_HR_CONTRAST:g} bpm), so not intervals"]
    if (short := _not_work(x, work)) is not None:
        return None, [f"{len(work)} laps are flagged work and harder than the recoveries "
                      f"({numbers}), but {short}"]
    dur = _mean(laps[i].duration_s for i in work) or 0.0
    rdur = _mean(laps[i].duration_s for i in rest) or 0.0
    return Evidence("a", f"speed (a): {len(work)} work laps of {_mmss(dur)} alternating with "
                         f"{_mmss(rdur)} recoveries, really harder ({numbers})"), []


def _unflagged(x: _Laps) -> tuple[Evidence | None, list[str]]:
    laps, effort = x.laps, x.effort
    hits, compared = [], 0  # compared: the hits whose HR was compared with a neighbour's
    for i, lap in enumerate(laps):
        e = effort[i]
        if e is None or not UNFLAGGED_MIN_S <= lap.duration_s <= UNFLAGGED_MAX_S:
            continue
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(laps) and effort[j] is not None]
        if not near or any(e < UNFLAGGED_CONTRAST * (effort[j] or 0.0) for j in near):
            continue
        with_hr = [j for j in near if laps[j].avg_hr] if lap.avg_hr else []
        if any((lap.avg_hr or 0) <= (laps[j].avg_hr or 0) for j in with_hr):
            continue  # faster but not harder: a downhill auto-lap
        hits.append(i)
        compared += bool(with_hr)
    if len(hits) < MIN_WORK_LAPS:
        return None, []
    if (short := _not_work(x, hits)) is not None:
        return None, [f"{len(hits)} laps alternate by themselves at >= "
                      f"{UNFLAGGED_CONTRAST:.0%} of their neighbours' speed, but {short}"]
    dur = _mean(laps[i].duration_s for i in hits) or 0.0
    graded = "grade-adjusted speed" if _speed_name(x.c) == "GAP" else "speed"
    return Evidence("a", f"speed (a): {len(hits)} laps of {_mmss(dur)} at >= "
                         f"{UNFLAGGED_CONTRAST:.0%} of the neighbouring laps' {graded}"
                         f"{_lap_hr_words(compared, len(hits))}"), []


def _lap_hr_words(compared: int, hits: int) -> str:
    """What HR told of the faster laps (_unflagged): higher than that of the neighbours their
    speed was compared with, where both had lap HR, and nothing claimed where none had."""
    if not compared:
        return ", no lap HR to compare"
    if compared == hits:
        return ", each with higher HR than its neighbours"
    return f", higher HR than their neighbours in the {compared} of them with lap HR to compare"


def surges(c: Clean, zones: Zones | None) -> Evidence | None:
    """(b): >= 3 surges of >= 20 s at >= 120 % of the median running GAP, each followed by
    an easier segment; not in the first or last 10 min, not on steep downhills, not
    walking; with HR,
    HR reaching zone 4 during or within 60 s after."""
    base = c.gap[c.running if c.running.any() else c.moving]
    base = base[np.isfinite(base)]
    median = float(np.median(base)) if base.size else 0.0
    if median <= 0:
        return None
    g = smooth(np.where(c.moving, c.gap, np.nan), c.t, SURGE_SMOOTH_S)
    end = c.t[-1] + c.dt[-1]
    # Walking is never a surge: a power hike up a 25 % grade has a high GAP but is a hike.
    usable = (c.t >= EDGE_S) & (c.t <= end - EDGE_S) & ~c.steep_downhill & c.running
    # A GPS dropout (no speed) is neither the easier stretch after a surge nor its end: a
    # rep the dropout cuts in two is one surge, timed without the unknown seconds. Unknown
    # is the sample's own speed: smoothing would lend a dropout's edges the speed beside it.
    known = np.isfinite(c.gap)
    unknown = usable & ~known
    fast = usable & known & (np.nan_to_num(g) >= SURGE_OF_MEDIAN * median)
    easy = ~c.moving | (known & (np.nan_to_num(g) < EASIER_OF_MEDIAN * median))
    found = []
    for a, b in _stretches(c.t, c.dt, fast | unknown, SURGE_BRIDGE_S):
        span = (c.t >= a) & (c.t < b)
        if not (fast & span).any():
            continue  # a dropout alone
        ends = np.flatnonzero(fast & span)[[0, -1]]
        a, b = float(c.t[ends[0]]), float(c.t[ends[1]] + c.dt[ends[1]])
        surge = (c.t >= a) & (c.t < b)  # a dropout just before or after it is not in it
        if b - a - float(c.dt[unknown & surge].sum()) < SURGE_MIN_S or \
                not _easier_after(c, easy, b):
            continue
        if c.hr is not None and zones is not None and not _hr_reaches(c, zones, a, b, 4):
            continue
        found.append((a, b))
    if len(found) < MIN_WORK_LAPS:
        return None
    mean_s = sum(b - a for a, b in found) / len(found)
    hr = ", HR reaching zone 4" if c.hr is not None and zones is not None else ", no HR"
    return Evidence("b", f"speed (b): {len(found)} surges of {mean_s:.0f} s on average at >= "
                         f"{SURGE_OF_MEDIAN:.0%} of the median running {c.speed_name} "
                         f"({median:.2f} m/s), each followed by an easier stretch{hr}")


def repeated_zone5(c: Clean, zones: Zones, z5_minutes: float) -> Evidence | None:
    """(c): >= 6 min in zone 5 in >= 3 separate bouts (one long climb is threshold).
    `z5_minutes`: the run's minutes in zone 5 while moving (analysis.features), as every zone
    minute counts: HR still high while standing after a rep is not work."""
    bouts = zone5_bout_count(c, zones)
    if z5_minutes < Z5_MIN_MINUTES or bouts < MIN_Z5_BOUTS:
        return None
    return Evidence("c", f"speed (c): {z5_minutes:.1f} min in HR zone 5 in {bouts} "
                         f"bouts (>= {Z5_MIN_MINUTES:g} min in >= {MIN_Z5_BOUTS} bouts)")


def zone5_bout_count(c: Clean, zones: Zones) -> int:
    """Stretches of >= 30 s in zone 5, apart where HR leaves it for over a minute, on the
    real clock, unlike the zone stretches (analysis.features): a standing recovery between
    reps splits bouts, which a clock stopped while standing would join."""
    if c.hr is None:
        return 0
    z5 = zones.of(c.hr) == 5
    return sum(b - a >= Z5_BOUT_S for a, b in _stretches(c.t, c.dt, z5, Z5_BRIDGE_S))


def _stretches(t: np.ndarray, dt: np.ndarray, inside: np.ndarray,
               bridge_s: float) -> list[tuple[float, float]]:
    """(start, end) seconds of the runs of `inside`, joining gaps shorter than `bridge_s`."""
    idx, group = stretch_ids(t, dt, inside, bridge_s)
    if idx.size == 0:
        return []
    ends = t[idx] + dt[idx]
    starts = np.flatnonzero(np.diff(group, prepend=-1))
    last = np.r_[starts[1:] - 1, idx.size - 1]
    return [(float(t[idx[s]]), float(ends[e])) for s, e in zip(starts, last, strict=True)]


def _easier_after(c: Clean, easy: np.ndarray, end: float) -> bool:
    window = (c.t >= end) & (c.t < end + EASIER_WITHIN_S + EASIER_MIN_S)
    return any(b - a >= EASIER_MIN_S and a < end + EASIER_WITHIN_S
               for a, b in _stretches(c.t[window], c.dt[window], easy[window], 3.0))


def _hr_reaches(c: Clean, zones: Zones, a: float, b: float, zone: int) -> bool:
    assert c.hr is not None
    near = (c.t >= a) & (c.t <= b + HR_AFTER_S) & np.isfinite(c.hr)
    return bool(near.any() and np.nanmax(c.hr[near]) >= zones.lower[zone - 2])


def _beside(seq: list[str | None], k: int, kinds: frozenset[str]) -> bool:
    return any(0 <= j < len(seq) and seq[j] in kinds for j in (k - 1, k + 1))


def _mean(values: object) -> float | None:
    got = [float(v) for v in values if v is not None]  # type: ignore[attr-defined]
    return sum(got) / len(got) if got else None


def _speed_name(c: Clean | None) -> str:
    """The laps' speed in words (lap_effort): plain without samples or altitude."""
    return "speed" if c is None else c.speed_name


def _contrast(wg: float | None, rg: float | None, wh: float | None, rh: float | None,
              name: str) -> str:
    """The work laps against the recoveries, each number on its side of the rule: 109.7 %
    read "= 110%" beside "needs GAP >= 110%", and HR 149.6 vs 142 "150 vs 142" beside "+8".
    `name`: the speed's (_speed_name)."""
    parts = []
    if wg is not None and rg is not None:
        parts.append(f"{name} {wg:.2f} vs {rg:.2f} m/s = "
                     f"{_percent(wg, rg, FLAGGED_GAP_CONTRAST)}" if rg else
                     f"{name} {wg:.2f} vs {rg:.2f} m/s")
    if wh is not None and rh is not None:
        harder = _hr_harder(wh, rh)
        places = fewest_places(lambda p: _hr_harder(round(wh, p), round(rh, p)) == harder,
                               most=MAX_HR_PLACES)
        parts.append(f"HR {wh:.{places}f} vs {rh:.{places}f} bpm")
    return ", ".join(parts) or "nothing to compare"


def _hr_harder(work_hr: float, rest_hr: float) -> bool:
    """Work laps' HR at least FLAGGED_HR_CONTRAST above the recoveries' (float noise out)."""
    return round(work_hr - rest_hr, NOISE_PLACES) >= FLAGGED_HR_CONTRAST


def _share(value: float, base: float) -> float:
    """`value` as a percentage of `base`, float noise out: the one number the rule compares
    and the text shows."""
    return round(100 * value / base, NOISE_PLACES)


def _percent(value: float, base: float, limit: float) -> str:
    """`value`'s share of `base` on its side of `limit`, a fraction (1.10: 110 %), in words
    (analysis.shown.shown_against)."""
    return f"{shown_against(_share(value, base), 0, _share(limit, 1.0))}%"
