"""The database's error, apart from SQLAlchemy: the shell names it without loading the
database code (`stridelift --help` stays fast)."""


from domain.pointer import Pointed


class DatabaseError(Pointed):
    """The database cannot be opened, migrated or read; the message says why, and its pointer
    (when it has one) what to do, in the CLI's words and the web app's."""


class DatabaseLocked(DatabaseError):
    """Another process held the database's write lock past the busy timeout: nothing is
    wrong with it, and the same thing run again later works (the web app: a 503, not a
    repair)."""
