"""The morning pass (RULES.md S7.3): today's session judged again with this morning's
recovery status (last night's HRV, sleep and training readiness, or the resting HR of a
watch that measures none of those).

Pure (no I/O, no clock: the day is a parameter). The nightly run decides the next day's
session on the evening before, with that morning's numbers; by the morning the night's own
numbers are in, and they decide:
- green: as planned; a session the nightly run lightened *for recovery* is restored;
- amber: lightened (one set fewer, no power or plyometric work, load −10 %, by feel in words);
- red: mobility/stability work only (it does not count toward load progression).
A session whose last change was a recovery decision is judged again from the session as
planned (a nightly red becomes a lightened session on an amber morning); one a race or S6
changed last keeps that change and is only made lighter.
On the day itself nothing moves: RULES.md allows a move for amber or red but prefers
lightening for low recovery (S7.2), and a session moved on its own day would land on a day
that was planned without it.
Pinned, done and skipped sessions never change, and a session already as the status asks
changes nothing: running the pass twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from planner.adapt import RECOVERY_RULE, MobilityWork, Recovery, fitted
from planner.model import Adjustment, Session

MORNING_RULE = f"{RECOVERY_RULE} morning"  # the pass's changes: "S7.3 morning <level>"
LEVELS = ("green", "amber", "red")
ACTIONS = dict(zip(LEVELS, ("restore", "lighten", "mobility"), strict=True))  # by level


@dataclass(frozen=True)
class Judged:
    """A session whose last change was a recovery decision: the level it was judged on, and
    the session as planned without it."""

    level: str
    planned: Session


def recovery_level(rule: str) -> str | None:
    """The level a recorded change was a recovery decision on ("S7.3 amber" by the nightly
    run, "S7.3 morning red" by a morning pass), or None for any other change."""
    words = rule.split()
    return words[-1] if words[0] == RECOVERY_RULE and words[-1] in LEVELS else None


def rejudge_today(sessions: Sequence[Session], today: date, recovery: Recovery | None,
                  mobility: MobilityWork, judged: Mapping[str, Judged] | None = None,
                  measured: str | None = None) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with today's one(s) fitted to this morning's status, and the changes.
    `judged`: today's sessions whose last change was a recovery decision, by id;
    `measured`: what of last night the status holds, in words ("last night's resting HR"
    from a watch that measures no HRV, sleep or readiness)."""
    out, changes = [], []
    for s in sessions:
        after = _rejudged(s, today, recovery, mobility, (judged or {}).get(s.id))
        if after != s and recovery is not None:
            action = ACTIONS[recovery.level]
            changes.append(Adjustment(
                s.id, today, f"{MORNING_RULE} {recovery.level}", action, s.describe(),
                after.describe(), (f"recovery {recovery.level} on the morning of "
                                   f"{today:%a %d %b}" + (f" ({measured})" if measured else ""),
                                   *recovery.reasons, _why(action))))
        out.append(after)
    return out, changes


def _rejudged(s: Session, today: date, recovery: Recovery | None, mobility: MobilityWork,
              judged: Judged | None) -> Session:
    if s.day != today or s.settled or recovery is None:
        return s
    if judged is not None:  # the last change was for recovery: judged again from the plan
        return s if judged.level == recovery.level else \
            fitted(judged.planned, recovery.level, mobility)
    return fitted(s, recovery.level, mobility)


def _why(action: str) -> str:
    if action == "restore":
        return ("recovery is green again: the session lightened for recovery is restored "
                "as planned")
    if action == "mobility":
        return ("today's session becomes mobility/stability work in place: nothing moves on "
                "the day itself")
    return "today's session is lightened in place: lightening is preferred to moving"
