"""readiness levels: a stored training readiness score without a level gets the level of
Garmin's bands for it (domain.wellness.readiness_level_of), as the ingest has given it since
cff3156: rows stored before kept no level, so the rules listed readiness as missing on those
days until the day was synced again or `stridelift db rebuild`. A level stored beside its
score (Garmin's own) is kept; a score outside 1-100 is no reading and gets none. Each
athlete's analysis looks again from the first day filled, as after a sync storing it

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

# The bands are the domain's, not a copy frozen here: this migration stores what a sync by
# the code running it would store (the ingest calls the same function), so a database
# upgraded after the bands change gets the new bands, never the old ones beside the rows its
# ingest stores with the new. A change of the bands is not this migration's to undo: a level
# filled here is not told apart from Garmin's in the row, only `db rebuild` (the journalled
# answers through the ingest) derives every level again.
from domain.wellness import readiness_level_of


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

WELLNESS = sa.table('wellness', sa.column('athlete_id', sa.Integer),
                    sa.column('day', sa.Date), sa.column('readiness_score', sa.Integer),
                    sa.column('readiness_level', sa.String))
ATHLETES = sa.table('athletes', sa.column('id', sa.Integer),
                    sa.column('facts_changed_from', sa.Date))


def upgrade() -> None:
    conn = op.get_bind()
    w = WELLNESS.c
    bare = sa.and_(w.readiness_level.is_(None), w.readiness_score.is_not(None))
    levels: dict[str, list[int]] = {}  # the scores stored bare, by the level they get
    for score in conn.scalars(sa.select(w.readiness_score).where(bare).distinct()):
        level = readiness_level_of(score)
        if level is not None:
            levels.setdefault(level, []).append(score)
    filled = sa.and_(bare, w.readiness_score.in_([s for scores in levels.values()
                                                    for s in scores]))
    a = ATHLETES.c  # the first changed day moves only back, as db.repo.mark_changed's
    for athlete, first in conn.execute(sa.select(w.athlete_id, sa.func.min(w.day))
                                       .where(filled).group_by(w.athlete_id)):
        conn.execute(sa.update(ATHLETES).where(a.id == athlete, sa.or_(
            a.facts_changed_from.is_(None), a.facts_changed_from > first))
            .values(facts_changed_from=first))
    for level, scores in levels.items():
        conn.execute(sa.update(WELLNESS).where(bare, w.readiness_score.in_(scores))
                     .values(readiness_level=level))


def downgrade() -> None:
    pass  # the levels stay: the code before derives the same at ingest, and reads them
