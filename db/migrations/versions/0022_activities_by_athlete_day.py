"""activities by athlete and day, by athlete and awaited file, by athlete and night retried:
a night's bounded reads (the load of its year, the runs of its weeks, the first day known,
the files awaited, the night's retries) searched the athlete's index and read every activity
of the athlete, so their cost grew with the history; the athlete-only index is dropped, the
new (athlete, day) one begins with the athlete

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_athlete_day', ['athlete_id', 'local_date'],
                              unique=False)
        batch_op.create_index('ix_activities_athlete_awaits', ['athlete_id', 'awaits_file'],
                              unique=False)
        batch_op.create_index('ix_activities_athlete_retried', ['athlete_id', 'retried_on'],
                              unique=False)
        batch_op.drop_index('ix_activities_athlete_id')


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index('ix_activities_athlete_id', ['athlete_id'], unique=False)
        batch_op.drop_index('ix_activities_athlete_retried')
        batch_op.drop_index('ix_activities_athlete_awaits')
        batch_op.drop_index('ix_activities_athlete_day')
