"""Escaping and the small formatting that the page, the charts and their hover text share."""

from __future__ import annotations

import html
import math
from datetime import date
from typing import Any


def esc(value: object) -> str:
    """Text from the data, made safe for the page's HTML (attributes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def hesc(value: object) -> str:
    """Text from the data, made safe for Plotly's label markup: with < > & escaped no tag
    can form, and Plotly shows &quot; literally (it decodes only a few entities), so quotes
    stay as they are; the JSON encoding takes care of them in the script."""
    return html.escape("" if value is None else str(value), quote=False)


def short_day(day: date) -> str:
    return f"{day:%a %d %b}"


def finite(value: Any) -> bool:
    """A number worth showing: the data's frames hold NaN (or None) where a value is missing."""
    return isinstance(value, int | float) and math.isfinite(value)
