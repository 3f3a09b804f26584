"""Reading dates typed or stored in Vietnamese report forms (always day first).

Rules of :func:`parse_date` (``status`` in brackets; ``value`` is None unless stated):

* ``datetime.date`` [ok]; ``datetime.datetime`` [ok], the time of day is dropped.
* ``None``, ``""`` or whitespace [blank].
* An Excel serial number (``int``/``float``, not ``bool``) between 1 and 2958465
  (9999-12-31) [serial].  A fractional part (time of day) is dropped.  In the default 1900
  date system Excel counts the non-existent 1900-02-29 as serial 60 (the Lotus 1-2-3 leap-year
  bug): serials >= 61 are ``1899-12-30 + serial days``, serials 1..59 are
  ``1899-12-31 + serial days`` and 60 is [invalid].  With ``epoch_1904=True`` (old Mac
  workbooks) the serial counts days from 1904-01-01.
* Text [text], after NFC and stripping:

  - day first ``d/m/yyyy`` with "/", "-" or "." (the same separator twice): "31/08/2025",
    "30-06-2025", "05.12.2025"; "5/12/2025" is 5 December 2025 -- month-first is never tried;
  - a two-digit year means 2000 + yy: "5/12/25" -> 2025-12-05;
  - ISO year first ``yyyy-mm-dd`` (also "/" or "."), optionally followed by a time after a
    space or "T": "2026-01-01", "2025-06-15 00:00:00", "2025-06-15T00:00:00".

* Impossible dates ("31/02/2025"), any other text and other types [invalid].
* Any date outside 2000-01-01..2100-12-31 is [invalid] with a note: such a value in a report
  form is a typo or a wrong cell type, not a real reporting date.

Writing dates (:func:`format_date_vi`, :data:`DATE_NUM_FORMAT`, :func:`place_date_vi`) follows
the real documents in ``../shared/seeds/``: of the 152 numeric dates in them, 133 write the
day with two digits and the month without a leading zero ("04/9/2025", "01/7/2025",
"09/12/2024"), 15 pad both and 4 pad neither. So: day two digits, month as is, four-digit
year -- in sentences, tables, the "Lỗi" sheet and as the Excel display format of date cells.
The place-and-date line under the national motto is Decree 30/2020/NĐ-CP's own rule:
"ngày 05 tháng 02 năm 2026" (day below 10 and months 1 and 2 take a leading zero),
"ngày 26 tháng 9 năm 2025".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Literal

from xlsaddin.core.cells import format_date_vi
from xlsaddin.text.names import nfc

__all__ = [
    "DATE_NUM_FORMAT",
    "EARLIEST",
    "LATEST",
    "DateResult",
    "DateStatus",
    "format_date_vi",
    "parse_date",
    "place_date_vi",
    "serial_to_date",
]

DateStatus = Literal["ok", "text", "serial", "blank", "invalid", "ambiguous"]

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
_MAX_SERIAL = 2958465  # 9999-12-31 in the 1900 date system
#: Excel display format of a date cell in the official style ("04/9/2025").
DATE_NUM_FORMAT = "dd/m/yyyy"


def place_date_vi(place: str, day: dt.date | None, *, today: dt.date | None = None) -> str:
    """ "Quảng Ngãi, ngày 04 tháng 9 năm 2025" (Decree 30/2020/NĐ-CP, Phụ lục I).

    Without a date the day is left blank for the signer, in the current month
    ("ngày      tháng 12 năm 2025"), as drafts are sent for signature.
    """
    if day is None:
        now = today or dt.date.today()
        month = f"{now.month:02d}" if now.month < 3 else str(now.month)
        return f"{place}, ngày      tháng {month} năm {now.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME)


@dataclass(frozen=True)
class DateResult:
    value: dt.date | None
    status: DateStatus
    note: str = ""


def serial_to_date(serial: int, *, epoch_1904: bool = False) -> dt.date | None:
    """Convert a whole Excel serial to a date; None for 1900-02-29 (serial 60, 1900 system)."""
    if epoch_1904:
        return dt.date(1904, 1, 1) + dt.timedelta(days=serial)
    if serial == 60:
        return None
    base = dt.date(1899, 12, 30) if serial > 60 else dt.date(1899, 12, 31)
    return base + dt.timedelta(days=serial)


def _checked(value: dt.date, status: DateStatus) -> DateResult:
    if not EARLIEST <= value <= LATEST:
        note = f"ngày {value:%d/%m/%Y} ngoài khoảng 2000-2100 / date out of range 2000..2100"
        return DateResult(None, "invalid", note)
    return DateResult(value, status)


def _serial(value: float, epoch_1904: bool) -> DateResult:
    if not math.isfinite(value) or not 1 <= value < _MAX_SERIAL + 1:
        return DateResult(None, "invalid", "số không phải ngày Excel / not an Excel date serial")
    converted = serial_to_date(math.floor(value), epoch_1904=epoch_1904)
    if converted is None:
        return DateResult(None, "invalid", "ngày 29/02/1900 không tồn tại / 1900-02-29")
    return _checked(converted, "serial")


def _text(raw: str) -> DateResult:
    text = nfc(raw)
    if not text:
        return DateResult(None, "blank")
    if m := _DAY_FIRST.fullmatch(text):
        day, month, year = int(m[1]), int(m[3]), m[4]
        full_year = 2000 + int(year) if len(year) == 2 else int(year)
    elif m := _YEAR_FIRST.fullmatch(text):
        full_year, month, day = int(m[1]), int(m[3]), int(m[4])
    else:
        return DateResult(None, "invalid", "không đọc được ngày (dd/mm/yyyy) / not a date")
    try:
        value = dt.date(full_year, month, day)
    except ValueError:
        return DateResult(None, "invalid", "ngày không tồn tại / impossible date")
    return _checked(value, "text")


def parse_date(value: object, *, epoch_1904: bool = False) -> DateResult:
    """Read a cell value as a date; see the module docstring for the rules."""
    if value is None:
        return DateResult(None, "blank")
    if isinstance(value, dt.datetime):
        return _checked(value.date(), "ok")
    if isinstance(value, dt.date):
        return _checked(value, "ok")
    if isinstance(value, bool):
        return DateResult(None, "invalid", "giá trị đúng/sai / boolean, not a date")
    if isinstance(value, int | float):
        return _serial(float(value), epoch_1904)
    if isinstance(value, str):
        return _text(value)
    return DateResult(None, "invalid", f"kiểu không hỗ trợ / unsupported {type(value).__name__}")
