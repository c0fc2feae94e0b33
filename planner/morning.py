"""The morning pass (RULES.md S7.3): today's session judged again with this morning's
recovery status (last night's HRV, sleep and training readiness).

Pure (no I/O, no clock: the day is a parameter). The nightly run decides the next day's
session on the evening before, with that morning's numbers; by the morning the night's own
numbers are in. On the day itself nothing moves (a moved session would land on a day that
was planned without it), so low recovery lightens in place:
- green: as planned;
- amber: lightened (one set fewer, no power or plyometric work, load −10 %, by feel in words);
- red: mobility/stability work only (it does not count toward load progression).
Pinned, done and skipped sessions never change, and a session already as light as the
status asks changes nothing: running the pass twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from planner.adapt import MobilityWork, Recovery, lighten
from planner.model import Adjustment, Session


def rejudge_today(sessions: Sequence[Session], today: date, recovery: Recovery | None,
                  mobility: MobilityWork) -> tuple[list[Session], list[Adjustment]]:
    """The sessions with today's one(s) fitted to this morning's status, and the changes."""
    out, changes = [], []
    for s in sessions:
        after = _rejudged(s, today, recovery, mobility)
        if after != s and recovery is not None:
            action = "mobility" if after.kind == "mobility" else "lighten"
            changes.append(Adjustment(
                s.id, today, f"S7.3 morning {recovery.level}", action, s.describe(),
                after.describe(), (f"recovery {recovery.level} on the morning of "
                                   f"{today:%a %d %b} (last night's HRV, sleep and readiness)",
                                   *recovery.reasons, _why(action))))
        out.append(after)
    return out, changes


def _rejudged(s: Session, today: date, recovery: Recovery | None,
              mobility: MobilityWork) -> Session:
    if s.day != today or s.settled or s.kind != "strength" or recovery is None:
        return s
    if recovery.level == "red":
        return s.with_(kind="mobility", exercises=mobility(s), status="lightened")
    if recovery.level == "amber" and s.status != "lightened":
        return lighten(s)
    return s


def _why(action: str) -> str:
    if action == "mobility":
        return ("today's session becomes mobility/stability work in place: nothing moves on "
                "the day itself")
    return "today's session is lightened in place: lightening is preferred to moving"
