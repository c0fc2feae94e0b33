"""lifts by exercise: an index on (athlete, exercise, day, id), so that an exercise's last
time (the session page's "last time") is read newest first from its own lifts, in the order
asked (id breaks a day's tie); without it the query read every lift of the athlete, and
sorted them, when one exercise was never lifted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""
from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.create_index('ix_lifts_athlete_exercise_day_id',
                              ['athlete_id', 'exercise_id', 'day', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.drop_index('ix_lifts_athlete_exercise_day_id')
