"""The simulated athlete: a season of runs, lifts and wellness served as a fake Garmin Connect, and the FIT writer it (and the tests) use."""
