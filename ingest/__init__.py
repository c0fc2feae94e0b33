"""Everything that talks to the outside world (Garmin Connect, FIT files) and normalises it."""
