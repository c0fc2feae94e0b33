"""Garmin Connect commands: login and sync."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Placeholder until ingest/garmin.py lands."""
