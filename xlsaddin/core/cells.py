"""What a cell value *is*, the way Excel sees it (``ISNUMBER``, ``TRIM``, blank).

Readers, rules and consolidation all judge raw cell values through these three
functions, so "blank", "a number" and "this text" mean the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal

EXCEL_EPOCH = dt.date(1899, 12, 30)
_SPACES = re.compile(" {2,}")

#: No figure on these forms comes near this (money is in triệu đồng, counts are of
#: dossiers or devices): a magnitude at or above it is a typo or a crafted file. Such a
#: value is an error of its cell and is never consolidated, so every total stays finite
#: (96 units x a few hundred rows x 1e15 is far below the float range).
MAX_ABS_NUMBER = 1e15
#: Digits allowed in a number typed as text: 15 integer digits, 3 decimals and a margin.
MAX_NUMBER_DIGITS = 20

NumberProblem = Literal["not-finite", "too-large"]


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


def number_problem(value: object) -> NumberProblem | None:
    """Why a real number cannot be taken as a figure: NaN/infinity, or an absurd magnitude."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "not-finite"
    return "too-large" if abs(value) >= MAX_ABS_NUMBER else None
