"""analysis (arrives with a later issue)."""
