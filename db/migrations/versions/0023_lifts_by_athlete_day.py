"""lifts by athlete and day: a night reads the last lift through the day of each session gone
by undone (its layoff, jobs.replan.night_lifts) newest first down (athlete, day, id), not
through every lift of the athlete

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.create_index('ix_lifts_athlete_day_id', ['athlete_id', 'day', 'id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.drop_index('ix_lifts_athlete_day_id')
