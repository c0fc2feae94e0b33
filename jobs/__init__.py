"""jobs (arrives with a later issue)."""
