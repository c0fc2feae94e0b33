"""moves as data: a move's day before it, the status it had there, and the day of the race
entered it was for, stored with the change, where `race remove` read them from the change's
words (its race's reason, the "before" text). The moves stored before are filled from
their words once; the status they had is not in the words (NULL: given back as planned,
as before)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

_DAY = re.compile(r"\bon (Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d{2}) "
                  r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_WEEKDAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
# the words that named the race a move was for: `race add`'s week planned again around
# it, and S6's for a race entered on its own day (a reason that starts with its name)
_RACE = re.compile(r"^(race on \w{3} \d{2} \w{3} added \(|[ABC] race \([^)]*\) on )")


def _day(words: str, near: date) -> date | None:
    """The first `on Thu 25 Feb` of `words`: the day of that weekday, day and month
    nearest to `near` (the words give no year)."""
    found = _DAY.search(words)
    if found is None:
        return None
    weekday, day, month = _WEEKDAYS.index(found[1]), int(found[2]), _MONTHS.index(found[3]) + 1
    days = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:  # 29 Feb of a year without it
            continue
        if d.weekday() == weekday:
            days.append(d)
    return min(days, key=lambda d: abs(d - near), default=None)


def _monday(key: str, night: date) -> date:
    """The Monday of a session's week (its key begins with it), else the night's."""
    try:
        return date.fromisoformat(key[:10])
    except ValueError:
        return night - timedelta(days=night.weekday())


def upgrade() -> None:
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('moved_status', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('for_race', sa.Date(), nullable=True))
    rows = sa.table('adjustments', sa.column('id', sa.Integer), sa.column('session_key'),
                    sa.column('night', sa.Date), sa.column('action'), sa.column('before'),
                    sa.column('reasons', sa.JSON), sa.column('moved_from', sa.Date),
                    sa.column('for_race', sa.Date))
    bind = op.get_bind()
    for row in bind.execute(sa.select(rows).where(rows.c.action == 'move')).all():
        # a move stays in its week (S7.2): words naming no day of it are not read (as
        # `race remove` read them: a day of the session's week, or none)
        monday = _monday(row.session_key, row.night)
        moved_from = _day(row.before.split(":")[0], monday)
        if moved_from is not None and not monday <= moved_from < monday + timedelta(days=7):
            moved_from = None
        race = next((_day(why, row.night) for why in row.reasons or [] if _RACE.match(why)),
                    None)
        bind.execute(rows.update().where(rows.c.id == row.id).values(
            moved_from=moved_from, for_race=race))


def downgrade() -> None:
    with op.batch_alter_table('adjustments', schema=None) as batch_op:
        batch_op.drop_column('for_race')
        batch_op.drop_column('moved_status')
        batch_op.drop_column('moved_from')
