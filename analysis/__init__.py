"""Pure analysis: training load and recovery status from plain data, with reasons."""

# Bump when a rule changes: stored classifications carry it in their input fingerprint, so
# every history is judged again by the new rules on the next run (jobs.analyse). Here, apart
# from the rules: the check that nothing is to be judged again loads none of them.
# 5: speed (c) counts moving minutes in zone 5; the reasons warn of HR held above the max.
# 6: without HR, laps between walks at the run's ordinary running pace are a run/walk, not
# speed (a); the zone stretches are on moving time, going on across a stop or timer pause
# of up to 15 min; the max-HR warning's bpm is the median of its own stretch.
# 7: a lap's samples run from its start to its end on the real clock (a pause inside it in),
# not to its start plus its timer time; the minutes stopped are those the minutes shown leave
# out of the moving minutes shown; flagged laps exactly at their contrast (110 %, +8 bpm) are
# harder, not refused by float noise.
# 8: the reasons claim only the basis the run has: a moving speed from part of the moving
# time says from how much; without altitude the speed is not called grade-adjusted; speed
# (a)'s laps claim higher HR only where lap HR was compared; a run shown in seconds shows its
# zones in seconds; a recovery run's zone-1 share of part of its moving time says of how much;
# a run without HR stopped throughout is not said to have no speed (nor, where its samples
# are all read as pauses, to be under 1 m/s); speed (a) and (b) call
# the speed GAP only where altitude made it so; an easy run names the recovery conditions it
# misses, with their numbers.
# 9: speed is GAP only where altitude grades half the moving time or more, its part said
# where not all; a gap between samples is a pause past 30 s and past twice the file's usual
# interval (a run recorded once a minute is moving, its TRIMP too: analyse's key redoes
# loads); a speed of 0 or none on most of the time cadence says running, or covering under
# half the distance a moving session covered (a treadmill's, a stray value aside), is no
# reading, not stops. Words: the cleaned line says what a stop is, a run moving without
# speed says so, no zone seconds past the moving time, "no runs in the last 8 weeks".
# 10: review of 9: GAP's altitude share is of the moving time with speed; a speed channel is
# judged on its samples with speed, its zeros no reading only where they mostly step, and a
# distance that reads is used where it does not; "no runs known from the 8 weeks before".
# 11: a gap is a pause where it is well above the recording intervals each side of it (a file
# switching from 1-s to 60-s recording moves in both parts), a usual interval at most 60 s;
# with neither cadence nor a distance (the session's or recorded), speed zeros on most of the
# time are no reading (a treadmill without footpod), and the words say when and why.
# Words: a GAP on part of the moving time "where altitude gives a grade, 32 min of the 46
# min moving (plain speed elsewhere)"; altitude over a stuck distance is not "no altitude".
CLASSIFIER_VERSION = 11
