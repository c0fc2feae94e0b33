"""The plan's error, apart from the planner: the shell names it without loading the
planner and the analysis (`stridelift --help` stays fast)."""


class PlanError(ValueError):
    """The plan cannot be made from this configuration; the message says how to fix it."""
