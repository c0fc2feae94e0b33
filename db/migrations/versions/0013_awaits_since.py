"""awaits since: the day a sync first stored an activity from its summary while its file is
awaited; the sync downloads the file again for ingest.sync.WAIT_DAYS from that day (counted
from the activity's own day, one older than the days listed again, e.g. of a first sync's
backfill, was never downloaded again after one failure)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the waits begun before: the sync counts them from their own day, as it did.
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaits_since', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('awaits_since')
