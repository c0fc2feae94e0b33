"""run traits: every trait a classified run carries (RULES.md S6 reads traits, not kinds)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('run_classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('traits', sa.JSON(), nullable=True))
    # Rows classified before traits were stored are classified again on the next analysis
    # (an empty fingerprint never matches).
    run_classes = sa.table('run_classes', sa.column('fingerprint', sa.String(64)))
    op.execute(run_classes.update().values(fingerprint=''))


def downgrade() -> None:
    with op.batch_alter_table('run_classes', schema=None) as batch_op:
        batch_op.drop_column('traits')
