"""Persistence: SQLAlchemy 2.0 models, engine and migrations, raw payload store."""
