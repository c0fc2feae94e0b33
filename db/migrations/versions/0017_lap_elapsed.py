"""lap elapsed: each lap's time from its start to its end on the real clock, timer pauses
in, so that a lap's samples are read up to its end (analysis.speed), not up to its start
plus its timer time, which a pause inside the lap leaves short

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the laps stored before: the lap's end is in its file (the raw store), which a
    # migration does not read. Such a lap ends at its start plus its timer time, as before,
    # until `stridelift db rebuild` stores every journalled file again.
    with op.batch_alter_table('laps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('elapsed_s', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('laps', schema=None) as batch_op:
        batch_op.drop_column('elapsed_s')
