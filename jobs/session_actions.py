"""What a runner does with a session: done (with what was lifted), skip, pin or unpin, move
to another legal day. The CLI (`done --sets`, `skip`, `pin`) and the web page call `act`,
which answers from the session's status first (`settled`), so the nightly run and the
calendar feed see the same rows; doing one twice changes nothing the second time (an
`Outcome` with `changed` False, not an error). The actions themselves are private: none
checks the status again."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session as DbSession

from db import models as m
from db import plans, repo
from db.session import transaction
from domain.pointer import Pointer, pointed
from domain.profile import Profile
from jobs.errors import Conflict, Settled
from jobs.home import Home
from jobs.replan import (
    Lifted,
    PlanError,
    as_session,
    mark_done,
    pinned_said,
    planned_session,
    store_adjustments,
)
from jobs.session_days import kept_pinned, move_options
from planner.adapt import pinned_news

MAX_KG, MAX_REPS = 500, 100  # what a hand-entered set may say
MAX_RPE = 10  # the CR-10 scale's top
RUNNER_RULE = "runner"  # the rule of a change the runner made by hand
# The web page's sets: per exercise, the reps of each set by its number from 0 (0 reps: not
# ticked), and the load
Ticked = dict[str, tuple[dict[int, int], float | None]]


@dataclass(frozen=True)
class Outcome:
    """What an action did: `changed` is False when it had been done already; `message` the
    CLI's words, `on_web` the web app's (they differ only by the `pointer`)."""

    changed: bool
    fact: str
    pointer: Pointer | None = None

    @property
    def message(self) -> str:
        return pointed(self.fact, self.pointer, on_web=False)

    def on_web(self) -> str:
        return pointed(self.fact, self.pointer, on_web=True)


def sane_lift(reps: list[int], kg: float | None) -> bool:
    """Reps and a load a person could have lifted (0-100 reps a set, 0-500 kg)."""
    return bool(reps) and all(0 <= r <= MAX_REPS for r in reps) and (
        kg is None or (math.isfinite(kg) and 0 <= kg <= MAX_KG))


def _done(db: DbSession, who: m.Athlete, key: str, today: date, rpe: float | None = None,
         actual: Lifted | None = None, ticked: Ticked | None = None) -> Outcome:
    """`stridelift done` (what was lifted: `actual`, the sets listed) and the page's Done (the
    sets `ticked`, by number); done already, `settled` answered. The next session of its kind may
    be done early, not one after it while that one is open (a mistyped id: its lifts would be
    dated on its day, weeks ahead of the clock)."""
    row = planned_session(db, who, key)
    if ticked is not None:
        actual = _in_order(ticked)
    first = next((r for r in plans.sessions(db, who) if today <= r.day < row.day and
                  r.kind == row.kind and r.status not in ("done", "skipped")), None)
    if first is not None:
        raise Conflict(f"session {key} is on {row.day:%a %d %b}, after {first.key} "
                       f"({first.day:%a %d %b}), still open: do or skip that one first")
    if rpe is not None and not (math.isfinite(rpe) and 0 <= rpe <= MAX_RPE):
        raise PlanError(f"RPE {rpe:g} is off the scale: 0-{MAX_RPE} (CR-10)")
    for name, (reps, kg) in (actual or {}).items():
        if not sane_lift(reps, kg):
            raise PlanError(f"{name}: {reps} reps at {kg} kg is not a set "
                            f"(0-{MAX_REPS} reps, 0-{MAX_KG} kg)")
    # A load of 0 is no load, as the plan holds bodyweight work and loads found by feel
    # (the form's 0 was stored as 0.0 kg, the CLI's as none)
    mark_done(db, who, key, rpe, {name: (reps, kg or None)
                                  for name, (reps, kg) in (actual or {}).items()}, today)
    return Outcome(True, f"session {key} done" + (f" (RPE {rpe:g})" if rpe is not None else ""))


def _in_order(ticked: Ticked) -> Lifted:
    """The sets ticked on the session's page, in set order. A page kept on the phone from
    before the session was lightened (3 sets then, 2 now) sends a set more, lifted: it is
    stored, as `done --sets` stores it (refused, it was lost: the page reloaded has no field
    for it). A set number skipping others is no page's (each sends every set it shows):
    refused, where it was stored as the next set."""
    for name, (by_number, _) in ticked.items():
        # the first number missing below as many as were sent (none: they are 0 to n-1); not
        # every number up to the last one sent, which a form may make 20 digits long
        if (gap := next((n for n in range(len(by_number)) if n not in by_number), None)) \
                is not None:
            raise PlanError(f"{name}: set {max(by_number) + 1} without set {gap + 1} is not "
                            "what the session's page sends; reload the page")
    return {name: ([by_number[n] for n in sorted(by_number)], kg)
            for name, (by_number, kg) in ticked.items()}


def _skip(db: DbSession, who: m.Athlete, key: str) -> Outcome:
    """`stridelift skip`: it counts as not done for the block's 2/3 rule."""
    planned_session(db, who, key).status = "skipped"
    return Outcome(True, f"session {key}: status = skipped")


def _pin(db: DbSession, who: m.Athlete, profile: Profile, today: date, key: str,
        pinned: bool = True) -> Outcome:
    """`stridelift pin` / `unpin`: the nightly adaptation never moves a pinned session."""
    row = planned_session(db, who, key)
    changed = row.pinned != pinned
    row.pinned = pinned
    kept = kept_pinned(db, who, profile, today, row) if pinned and row.day >= today else None
    # `why` told of a conflict new or gone (unpinned), once
    store_adjustments(db, who, pinned_news([kept] if kept else [], [as_session(row)],
                                           pinned_said(db, who, [key]), today))
    if kept is None:
        return Outcome(changed, f"session {key}: pinned = {pinned}")
    return Outcome(changed, f"session {key}: pinned = {pinned}; but S6 would move it: "
                   f"{'; '.join(kept.reasons[1:])}",
                   Pointer(cli=f"`stridelift unpin {key}` lets the plan move it",
                           web="Unpin lets the plan move it"))


def _move(db: DbSession, who: m.Athlete, profile: Profile, today: date, key: str,
         day: date) -> Outcome:
    """Move a session to another day of its week that S6 allows, and pin it there (so the
    nightly adaptation keeps it); the change is stored with its reasons like the nightly's."""
    row = planned_session(db, who, key)
    option = next((o for o in move_options(db, who, profile, today, row) if o.day == day), None)
    if option is None or option.why:
        why = "; ".join(option.why) if option else "it is not in the session's week"
        refused = f"session {key} cannot move to {day:%a %d %b}: {why}"
        # a day gone by or outside the week never takes it; S6's reasons are what is stored
        # (a run that day, another strength session), which may change: a conflict
        raise (PlanError if option is None or day < today else Conflict)(refused)
    before, after = f"{row.kind} on {row.day:%a %d %b}", f"{row.kind} on {day:%a %d %b}"
    db.add(m.AdjustmentRow(
        athlete_id=who.id, session_key=key, night=today, rule=RUNNER_RULE, action="move",
        before=before, after=after, moved_from=row.day, moved_status=row.status,
        reasons=[f"moved by the runner from {row.day:%a %d %b} to {day:%a %d %b}; S6 allows "
                 "that day", "pinned so the nightly adaptation keeps it there"]))
    row.day, row.pinned = day, True
    if row.status == "planned":
        row.status = "moved"
    caution = f"; but {option.caution}" if option.caution else ""
    return Outcome(True, f"session {key} moved to {day:%a %d %b} and pinned{caution}")


def settled(row: m.PlannedSession, action: str, pinned: bool = True,
            day: date | None = None) -> Outcome | None:
    """What the session's status answers before anything the action was sent with counts:
    done again or skipped again is no change (a reload, a double tap, a page kept from
    before), as is a move to the `day` it is on, whatever its status; a done session never
    changes whatever is asked (S7.4), nor is a skipped one moved, pinned or unpinned (the
    nightly never changes it: a pin would be stored and say nothing): refused (Settled).
    None: the action goes ahead (a skipped session may be done)."""
    if action == "move" and day == row.day:
        return Outcome(False, f"session {row.key} is already on {day:%a %d %b}: no change")
    if (row.status, action) in (("done", "done"), ("skipped", "skip")):
        return Outcome(False, f"session {row.key} was already {row.status}")
    if row.status == "done" or (row.status, action) == ("skipped", "pin"):
        verb = action if action != "pin" or pinned else "unpin"
        raise Settled(f"session {row.key} is already {row.status}: a {row.status} session "
                      f"never changes, so there is nothing to {verb}")
    if (row.status, action) == ("skipped", "move"):
        raise Settled(f"session {row.key} was skipped: a skipped session stays on its day; "
                      "done still records it, if you did it after all")
    return None


def act(home: Home, profile: Profile, action: str, key: str, *, today: date,
        pinned: bool = True, sent: Callable[[], dict[str, Any]] | None = None,
        **details: Any) -> Outcome:
    """One action in its own transaction (the CLI's and the web page's entry point). The
    session's status answers first (`settled`); only then is what the action was sent with
    read: `details` and what `sent` gives (the web form's, the CLI's --sets: their refusals
    would otherwise come before "already done")."""
    with transaction(home.db) as db:
        who = repo.athlete(db, profile)
        answer = settled(planned_session(db, who, key), action, pinned, details.get("day"))
        if answer is not None:
            return answer
        details.update(sent() if sent else {})
        if action == "done":
            return _done(db, who, key, today, details.get("rpe"), details.get("actual"),
                        details.get("ticked"))
        if action == "skip":
            return _skip(db, who, key)
        if action == "pin":
            return _pin(db, who, profile, today, key, pinned)
        if action == "move" and details.get("day") is not None:
            return _move(db, who, profile, today, key, details["day"])
    raise PlanError(f"unknown action {action!r}")
