"""lifts read back from strength activities

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=90), nullable=True))
        batch_op.create_index(batch_op.f('ix_lifts_source'), ['source'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('lifts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lifts_source'))
        batch_op.drop_column('source')
