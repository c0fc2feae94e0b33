"""Plain domain types shared by every layer (no I/O, no dependencies on other packages).

They live in their own package so that ingest/ can produce them, db/ can store them and the
pure analysis/ and planner/ can read them without importing each other.
"""
