"""What a cell value *is*, the way Excel sees it (``ISNUMBER``, ``TRIM``, blank).

Readers, rules and consolidation all judge raw cell values through these three
functions, so "blank", "a number" and "this text" mean the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import re

EXCEL_EPOCH = dt.date(1899, 12, 30)
_SPACES = re.compile(" {2,}")


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number_of(value: object) -> float | None:
    """The number Excel would see (``ISNUMBER``), or None for text/blank cells."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        delta = value - dt.datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    if isinstance(value, dt.date):
        return float((value - EXCEL_EPOCH).days)
    return None


def text_of(value: object) -> str:
    """The trimmed text Excel's ``TRIM`` would give (internal runs of spaces collapsed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", value).strip(" ") if isinstance(value, str) else str(value)
