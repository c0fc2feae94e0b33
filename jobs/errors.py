"""Errors the shell names with an exit code, apart from the modules that raise them: it
names them without loading the planner and the analysis (`stridelift --help` stays fast)."""


class PlanError(ValueError):
    """The plan cannot be made from this configuration; the message says how to fix it."""


class Busy(Exception):
    """Another nightly run, morning pass, import, sync, push or rebuild for the athlete
    holds its lock (jobs/athlete_lock.py)."""
