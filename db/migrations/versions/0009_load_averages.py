"""load averages: the ACWR's acute and chronic averages of each stored day, which the next
year of days continues (the nightly analysis reads a year, not the whole history)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty at first: jobs.analyse's STATUS_VERSION 2 decides every day again once.
    with op.batch_alter_table('daily_status', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acwr_acute', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('acwr_chronic', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('daily_status', schema=None) as batch_op:
        batch_op.drop_column('acwr_chronic')
        batch_op.drop_column('acwr_acute')
