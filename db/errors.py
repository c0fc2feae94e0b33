"""The database's error, apart from SQLAlchemy: the shell names it without loading the
database code (`stridelift --help` stays fast)."""


class DatabaseError(Exception):
    """The database cannot be opened or migrated; the message says why."""
