"""lifts' athlete-only index dropped: 0016's index on (athlete, exercise, day, id) begins with
the athlete, so it serves every lookup of an athlete's lifts that one did (their list, the
cascade when an athlete is deleted), and one index fewer is kept up on every lift stored

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.drop_index('ix_lifts_athlete_id')


def downgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.create_index('ix_lifts_athlete_id', ['athlete_id'], unique=False)
