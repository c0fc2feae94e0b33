"""Defaults the command line shows in its help, kept apart from the jobs that use them:
`stridelift --help` must not load those jobs (and Garmin's client with them)."""

from datetime import date, timedelta

PUSH_DAYS = 14  # how many days ahead `push` puts on the watch
REPLAY_WEEKS = 16  # the replay's default period: the last 16 weeks of imported history
# The report's default range (`stridelift report` and the web's Report page): the last 16
# weeks up to today and the next 2 weeks of plan
REPORT_WEEKS_BACK, REPORT_WEEKS_AHEAD = 16, 2


def report_range(today: date, weeks_back: int = REPORT_WEEKS_BACK) -> tuple[date, date]:
    """The report's first and last day: `weeks_back` weeks up to today, the plan's next
    weeks."""
    return today - timedelta(weeks=weeks_back), today + timedelta(weeks=REPORT_WEEKS_AHEAD)
