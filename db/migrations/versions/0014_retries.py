"""fair retries: an awaited file no list holds is downloaded again by id from the list item
it was stored from (awaits_summary, its digest in the raw store: the sync read the whole
journal for it), and each night the files tried longest ago go first (retried_on, the last
night it was tried; a turn kept as a place in the line skipped some as others arrived)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the waits begun before: their list items are read from the journal, and
    # none was tried (the first nights try them first, the oldest first).
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaits_summary', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('retried_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('retried_on')
        batch_op.drop_column('awaits_summary')
