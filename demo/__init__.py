"""The simulated athlete: a season of runs, lifts and wellness served as a fake Garmin
Connect (athlete.py, season.py, mornings.py), and the FIT writer it and the tests use."""
