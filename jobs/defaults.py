"""Defaults the command line shows in its help, kept apart from the jobs that use them:
`stridelift --help` must not load those jobs (and Garmin's client with them)."""

PUSH_DAYS = 14  # how many days ahead `push` puts on the watch
REPLAY_WEEKS = 16  # the replay's default period: the last 16 weeks of imported history
