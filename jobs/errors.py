"""Errors the shell names with an exit code, apart from the modules that raise them: it
names them without loading the planner and the analysis (`stridelift --help` stays fast)."""

from domain.pointer import SERVER, Pointed, Pointer

SESSION_IDS = Pointer(cli="`stridelift plan` lists the session ids",
                      web="the Week page lists the sessions")
EXERCISE_IDS = Pointer(cli="`stridelift exercises` lists the ids",
                       web=f"correct [weights] in config.toml on {SERVER}")


class PlanError(Pointed, ValueError):
    """The plan, or an action on it, refused; the message says how to fix it. str() is the
    CLI's message; `on_web` the web app's, the same but for its pointer."""


class PlanConfigError(PlanError):
    """The plan cannot be made from this configuration ([weights] naming no exercise): the
    web app shows it as the configuration's error, not as a refused page or form."""


class NoSession(PlanError):
    """No planned session of that key: a page kept from before the plan changed."""


class Conflict(PlanError):
    """An action what is stored refuses, not the request itself: the same request may go
    through once that has changed (the web app's 409)."""


class Settled(Conflict):
    """An action the session's status refuses: a done session never changes (S7.4), a
    skipped one is not moved or pinned."""


class Busy(Exception):
    """Another nightly run, morning pass, import, sync, push, rebuild, race entry, profile
    change or plan update for the athlete holds its lock (jobs/athlete_lock.py)."""
