"""planner (arrives with a later issue)."""
