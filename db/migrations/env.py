"""Alembic environment: run migrations on the connection db.session.upgrade hands over."""

from alembic import context

from db.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)  # batch mode lets SQLite alter tables
with context.begin_transaction():
    context.run_migrations()
