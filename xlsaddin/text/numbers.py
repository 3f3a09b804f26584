"""Reading and writing numbers the Vietnamese way ("2.759.865", "12,5", "91,8%").

Rules of :func:`parse_number` (``status`` in brackets; ``value`` is None unless stated):

* A real ``int``/``float``/``Decimal`` (never ``bool``) is taken as is [ok].  With
  ``integer=True`` a float with a fractional part is [invalid] and ``3.0`` becomes ``3``.
  NaN and infinities are [invalid], and so is any magnitude from
  :data:`~xlsaddin.core.cells.MAX_ABS_NUMBER` (1e15) up, typed or recovered from text.
* ``None``, ``""`` or whitespace only [blank].
* Text is NFC-normalised, stripped, and every space / non-breaking space inside is removed
  ("1 234" -> "1234"); a Unicode minus "−" is read as "-".  Only digits, ".", ",", a leading
  sign and (with ``percent_ok=True``) a trailing "%" may remain, and the number must end in a
  digit ("5," is a typo); anything else (letters, "1e5") is [invalid].  More than
  :data:`~xlsaddin.core.cells.MAX_NUMBER_DIGITS` (20) digits is [invalid] before any parsing
  (a 400-digit text is not a figure and must not cost a parse).
* The text is then parsed by babel in the ``vi_VN`` locale with ``strict=True`` ("." groups
  thousands, "," is the decimal mark): "1.234.567" -> 1234567, "12,5" -> 12.5,
  "1.234,5" -> 1234.5 [text: a number typed as text, value recovered].  Malformed grouping
  ("1..2", "1.23.4") is [invalid].
* Ambiguity: the same text is also parsed in ``en_US``.  When both readings succeed and
  differ ("1.234" = 1234 or 1.234; "1,234" = 1.234 or 1234) the text is [ambiguous] --
  except in an integer column when only the Vietnamese reading is a whole number
  ("1.234" -> 1234 [text]).  "1,234" stays [ambiguous] in integer columns too: an English
  reading is never chosen.
* Text valid only in English style ("1,234,567", "1,234.5", "12.5") is [ambiguous]: it is
  plainly a foreign convention and the value is never guessed.
* With ``integer=True`` a recovered value with a fractional part ("12,5") is [invalid].
* Percent: "91,8%" -> 91.8 (in percent units, not a ratio) [text] only when
  ``percent_ok=True``; otherwise any "%" makes the text [invalid].

Formatting (:func:`format_vi`, :func:`format_percent_vi`) rounds **half up** (0.5 -> 1,
2.25 -> 2,3 with one decimal) using ``decimal.Decimal.quantize(ROUND_HALF_UP)`` on the
decimal representation of the float, as officers round by hand, not babel's default
half-even, then written with the ``vi_VN`` marks ("." groups thousands, "," marks
decimals, as CLDR's ``#,##0.00``) by the decimal module's own formatting, which gives what
babel's ``format_decimal`` gives (tests/test_text.py compares the two) without loading
babel's locale data in every process that only writes figures (~50 ms with its import).
Percentages have no space before "%" ("91,8%") as in official reports.
Formatting is total: any finite number is written in full (the decimal context grows with
it), NaN and infinities as :data:`NOT_A_NUMBER`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Literal

from xlsaddin.core.cells import MAX_ABS_NUMBER, MAX_NUMBER_DIGITS
from xlsaddin.text.names import nfc

__all__ = [
    "NOT_A_NUMBER",
    "TOO_LARGE_NOTE",
    "NumberResult",
    "NumberStatus",
    "digit_count",
    "format_percent_vi",
    "format_vi",
    "parse_number",
    "roman",
    "round_half_up",
]

#: What :func:`format_vi` writes for NaN or an infinity (never raises).
NOT_A_NUMBER = "—"
TOO_LARGE_NOTE = "số lớn bất thường / absurdly large number"

NumberStatus = Literal["ok", "text", "blank", "invalid", "ambiguous"]

_ALLOWED = re.compile(r"[+-]?[0-9.,]*[0-9]")
_SPACES = dict.fromkeys(map(ord, " \u00a0\u202f\u2009\t"))
_VI_MARKS = str.maketrans(",.", ".,")  # "1,234.5" -> "1.234,5"


@dataclass(frozen=True)
class NumberResult:
    value: float | int | None
    status: NumberStatus
    note: str = ""


def _parse(text: str, locale: str) -> Decimal | None:
    from babel.numbers import NumberFormatError, parse_decimal  # only to read typed text

    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        return None


def _is_whole(d: Decimal) -> bool:
    return d == d.to_integral_value()


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _real(value: float | int | Decimal, integer: bool) -> NumberResult:
    if isinstance(value, int):
        if abs(value) >= MAX_ABS_NUMBER:
            return NumberResult(None, "invalid", TOO_LARGE_NOTE)
        return NumberResult(value, "ok")
    if isinstance(value, Decimal) and not value.is_finite():
        return NumberResult(None, "invalid", "không phải số hữu hạn / not a finite number")
    number = float(value)
    if not math.isfinite(number):
        return NumberResult(None, "invalid", "không phải số hữu hạn / not a finite number")
    if abs(number) >= MAX_ABS_NUMBER:
        return NumberResult(None, "invalid", TOO_LARGE_NOTE)
    if integer:
        if not number.is_integer():
            return NumberResult(None, "invalid", "cần số nguyên / whole number expected")
        return NumberResult(int(number), "ok")
    return NumberResult(value if isinstance(value, float) else number, "ok")


def _text(raw: str, integer: bool, percent_ok: bool) -> NumberResult:
    text = nfc(raw).translate(_SPACES).replace("\u2212", "-")
    if not text:
        return NumberResult(None, "blank")
    percent = text.endswith("%")
    if percent:
        if not percent_ok:
            return NumberResult(None, "invalid", "không nhận dấu % ở đây / percent not allowed")
        text = text[:-1]
    if digit_count(text) > MAX_NUMBER_DIGITS:
        return NumberResult(None, "invalid", "số quá dài / too many digits")
    if not _ALLOWED.fullmatch(text):
        return NumberResult(None, "invalid", "không phải số / not a number")
    vi, en = _parse(text, "vi_VN"), _parse(text, "en_US")
    if vi is None:
        if en is not None:
            return NumberResult(
                None, "ambiguous", "số viết kiểu tiếng Anh / English-style number, not guessed"
            )
        return NumberResult(None, "invalid", "số sai định dạng / malformed number")
    if en is not None and en != vi and not (integer and _is_whole(vi) and not _is_whole(en)):
        note = f"kiểu Việt = {vi}, kiểu Anh = {en} / Vietnamese {vi} or English {en}"
        return NumberResult(None, "ambiguous", note)
    if abs(vi) >= MAX_ABS_NUMBER:
        return NumberResult(None, "invalid", TOO_LARGE_NOTE)
    if integer:
        if not _is_whole(vi):
            return NumberResult(None, "invalid", "cần số nguyên / whole number expected")
        return NumberResult(int(vi), "text", "số nhập dạng văn bản / number typed as text")
    return NumberResult(float(vi) + 0.0, "text", "số nhập dạng văn bản / number typed as text")


def parse_number(value: object, *, integer: bool = False, percent_ok: bool = False) -> NumberResult:
    """Read a cell value as a number; see the module docstring for the rules."""
    if value is None:
        return NumberResult(None, "blank")
    if isinstance(value, bool):
        return NumberResult(None, "invalid", "giá trị đúng/sai / boolean, not a number")
    if isinstance(value, int | float | Decimal):
        return _real(value, integer)
    if isinstance(value, str):
        return _text(value, integer, percent_ok)
    return NumberResult(None, "invalid", f"kiểu không hỗ trợ / unsupported {type(value).__name__}")


def _format(number: Decimal, decimals: int) -> str:
    decimals = max(decimals, 0)
    if not number.is_finite():
        return NOT_A_NUMBER
    with localcontext() as ctx:  # room for every digit: 1e300 is still a finite number
        ctx.prec = max(ctx.prec, number.adjusted() + decimals + 4)
        rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)  # no "-0"
        return format(rounded, f",.{decimals}f").translate(_VI_MARKS)


def _decimal(value: float | int) -> Decimal:
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return Decimal(repr(float(value)))


def round_half_up(value: float, decimals: int = 0) -> float:
    """``2.25, 1`` -> ``2.3``: the value :func:`format_vi` shows, as a number (NaN and
    infinities are returned as they are)."""
    number = _decimal(value)
    if not number.is_finite():
        return float(value)
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, number.adjusted() + max(decimals, 0) + 4)
        rounded = number.quantize(Decimal(1).scaleb(-max(decimals, 0)), rounding=ROUND_HALF_UP)
    return float(rounded) + 0.0  # never -0.0


def format_vi(value: float | int, decimals: int = 0) -> str:
    """``2759865`` -> ``"2.759.865"``; ``91.8, decimals=1`` -> ``"91,8"`` (half up)."""
    return _format(_decimal(value), decimals)


def format_percent_vi(ratio: float, decimals: int = 1) -> str:
    """``0.918`` -> ``"91,8%"``; ``0.49, decimals=0`` -> ``"49%"`` (half up, no space).

    babel's own vi_VN percent pattern ("#,##0%") happens to have no space today; the sign is
    appended here so the output stays "91,8%" whatever the CLDR version.
    """
    number = _decimal(ratio)
    if not number.is_finite():
        return NOT_A_NUMBER
    return _format(number.scaleb(2), decimals) + "%"


def roman(n: int) -> str:
    """``1`` -> ``"I"``, ``14`` -> ``"XIV"``: how reports number parts and phụ lục."""
    numerals: tuple[tuple[int, str], ...] = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    out = ""
    for value, letters in numerals:
        while n >= value:
            out += letters
            n -= value
    return out
