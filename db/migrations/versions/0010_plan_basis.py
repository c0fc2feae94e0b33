"""plan basis: what each athlete's plan was last made from (weekly runs, sessions a week,
equipment), so that a changed profile plans the weeks ahead again

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty at first: the next plan takes the profile as it is, planning nothing again.
    with op.batch_alter_table('athletes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_basis', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('athletes', schema=None) as batch_op:
        batch_op.drop_column('plan_basis')
