"""What a cell value *is*, the way Excel sees it (``ISNUMBER``, ``TRIM``, blank).

Readers, rules and consolidation all judge raw cell values through these three
functions, so "blank", "a number" and "this text" mean the same everywhere;
:func:`display_vi` is how such a value reads to an officer ("300", "1.234,5",
"05/9/2025"), wherever a report quotes it.
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


def format_date_vi(day: dt.date) -> str:
    """04/9/2025: day with two digits, month without a leading zero (see ``text.dates``)."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ".".join([digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)])


def display_vi(value: object) -> str:
    """A cell value as an officer reads it: "300" (not "300.0"), "1.234,5", "05/9/2025".

    Text is returned unchanged (it is what the commune typed); numbers get Vietnamese
    separators without rounding (``repr`` digits); dates the official style, with the time
    only when there is one.
    """
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        day = format_date_vi(value.date())
        return day if value.time() == dt.time() else f"{day} {value:%H:%M}"
    if isinstance(value, dt.date):
        return format_date_vi(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return ("-" if value < 0 else "") + _group(str(abs(value)))
    if isinstance(value, float):
        text = repr(abs(value))
        if "e" in text or "n" in text:  # 1e-07, inf, nan: no Vietnamese form to give
            return repr(value)
        whole, _, frac = text.partition(".")
        return ("-" if value < 0 else "") + _group(whole) + ("," + frac if frac else "")
    return "" if value is None else str(value)


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
