"""awaited files: an activity whose FIT download failed while Garmin may still serve it is
stored from its summary at once and marked as waiting for its file (ingest.sync), so that
the plan counts the run meanwhile and a later sync upgrades it in place

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every activity stored so far has its file or never will: none waits.
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaits_file', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('awaits_file')
