"""recording: which recording an activity's FIT file holds (its file_id: maker, product, serial
number, time created), so that another file of the same recording, other bytes (the watch's
file and Garmin Connect's copy, a file re-saved by a repair tool), is not stored again

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the rows stored before: their identity is in their files' file_id, which a
    # migration does not read (the files are in the raw store, outside the database). Such a
    # row is deduplicated by content hash and Garmin id as before, so two files of one
    # recording stored before stay two activities until `stridelift db rebuild`, which stores
    # every journalled file again, identity and all (the first file of a recording kept).
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording', sa.String(length=120), nullable=True))
        batch_op.create_index(batch_op.f('ix_activities_recording'), ['recording'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_recording'))
        batch_op.drop_column('recording')
