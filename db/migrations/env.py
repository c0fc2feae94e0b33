"""Alembic environment: run migrations on the connection db.session.upgrade hands over."""

from alembic import context

from db.models import Base

connection = context.config.attributes["connection"]
# Batch mode lets SQLite alter tables. Mind: SQLite's foreign keys are on and the whole
# upgrade is one transaction (db.session.upgrade), where PRAGMA foreign_keys cannot be
# turned off; a batch that rebuilds a parent table (dropping or altering one of its columns)
# would delete its children by cascade. Adding columns, as every migration so far, does not.
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
