"""ahead notes dated: delete the `ahead:<id>` notes of files refused as dated ahead that were
written without the day their list item was listed for (before that day was kept). Such a
note was never deleted (no day to list again, so no night took its file or found it gone)
and, while its item was still listed, kept it skipped unchanged, so that it never got a day
and its file was missed once the list passed it. Deleted, a listed item's file is downloaded
once more, refused again and noted with its day (taken on its date); one no list holds again
lost nothing (no night could have listed it)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a dated note's value is "<start> <day>"; one without the day holds no space
    op.execute(sa.text("DELETE FROM sync_cursors WHERE stream LIKE :notes "
                       "AND value NOT LIKE :dated").bindparams(notes="ahead:%", dated="% %"))


def downgrade() -> None:
    pass  # the notes deleted held nothing a sync could use; the code before reads dated ones
