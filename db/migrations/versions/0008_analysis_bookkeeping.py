"""analysis bookkeeping: the first day whose facts changed since the last analysis, and the
key of the rules and profile values the stored results were made with (incremental nights)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Both start empty: the next analysis finds no key and redoes every class and day once.
    with op.batch_alter_table('athletes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('facts_changed_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('analysed_with', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('athletes', schema=None) as batch_op:
        batch_op.drop_column('analysed_with')
        batch_op.drop_column('facts_changed_from')
