"""Words every layer writes the same way (the CLI's lines, the planner's reasons)."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and the noun, singular for one: "1 new activity", "2 new activities"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
