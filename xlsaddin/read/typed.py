"""Typed values from raw cells: numbers typed as text, dates as text, status synonyms.

The Python checks judge the *raw* cell (as the Excel check sheet does); these
recovered values are what consolidation uses and what messages quote, and they
are what foreign layouts are checked on. A value that cannot be read without
guessing stays ``None`` and is reported.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from xlsaddin.core.cells import MAX_ABS_NUMBER
from xlsaddin.read.table import Table
from xlsaddin.spec.models import Column, Mappings
from xlsaddin.text.dates import parse_date
from xlsaddin.text.legacy import normalize_text
from xlsaddin.text.names import nfc
from xlsaddin.text.numbers import format_vi, parse_number
from xlsaddin.text.status import Synonyms, fold_synonyms, match_choice


@dataclass(frozen=True)
class Typed:
    value: object  # float | int | date | str | None
    status: str  # ok, text, serial, synonym, legacy, blank, invalid, ambiguous
    note: str = ""


def synonyms_for(mappings: Mappings) -> Synonyms:
    """The mappings' synonyms, folded (``mappings/synonyms.yaml``; see text.status)."""
    table = tuple(mappings.synonyms.items())
    return _folded(table, f"{mappings.root}/synonyms.yaml") if table else {}


@functools.lru_cache(maxsize=8)
def _folded(table: tuple[tuple[str, tuple[str, ...]], ...], where: str) -> Synonyms:
    return fold_synonyms(dict(table), where)


def warm(mappings: Mappings) -> None:
    """Load what typing values needs once (folded synonyms, babel's locale data: ~20 ms),
    so that worker processes forked afterwards inherit it instead of each loading it."""
    synonyms_for(mappings)
    parse_number("1.234,5")
    parse_date("01/01/2025")


def _sane(raw: object) -> bool:
    """A real int/float (not bool) below the absurd magnitude; False for NaN."""
    return type(raw) in (int, float) and abs(raw) < MAX_ABS_NUMBER  # type: ignore[arg-type]


def typed_value(col: Column, raw: object, synonyms: Synonyms, *, epoch_1904: bool = False) -> Typed:
    # fast paths for what well-filled templates hold: real numbers and exact choices
    # (NaN fails the range test; it and absurd magnitudes go to parse_number: invalid)
    sane = _sane(raw)
    if col.type == "decimal" and sane:
        return Typed(raw, "ok")
    if col.type == "int" and sane and type(raw) is int:
        return Typed(raw, "ok")
    if col.type == "int" and sane and type(raw) is float and raw.is_integer():
        return Typed(int(raw), "ok")
    if col.allowed and type(raw) is str and raw in col.allowed:
        return Typed(raw, "ok")
    if col.is_numeric:
        n = parse_number(raw, integer=col.type == "int")
        return Typed(n.value, n.status, n.note)
    if col.type == "date":
        d = parse_date(raw, epoch_1904=epoch_1904)
        return Typed(d.value, d.status, d.note)
    legacy = None
    if isinstance(raw, str):
        raw, legacy = normalize_text(raw)
    if col.allowed:
        c = match_choice(raw, col.allowed, synonyms)
        return Typed(c.value, "legacy" if legacy and c.value else c.status, legacy or "")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return Typed(None, "blank")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return Typed(nfc(str(raw)), "legacy" if legacy else "ok", legacy or "")


def describe(typed: Typed) -> str:
    """How a recovered value reads in a message."""
    value = typed.value
    if value is None:
        if typed.status == "ambiguous":
            return "không rõ nghĩa, cần nhập lại"
        return "không đọc được"
    if isinstance(value, dt.date):
        return f"đọc được là ngày {value:%d/%m/%Y}"
    if isinstance(value, int):
        return f"đọc được là {format_vi(value)}"
    if isinstance(value, float):
        if value.is_integer():
            return f"đọc được là {format_vi(value)}"
        return f"đọc được là {format_vi(value, 3).rstrip('0')}"
    return f'đọc được là "{value}"'


def type_table(table: Table, mappings: Mappings) -> None:
    """Fill ``table.typed`` with the typed value of every input cell."""
    synonyms = synonyms_for(mappings)
    columns = [c for c in table.spec.table.columns if c.is_input]
    typed: dict[str, dict[str, object]] = {}
    for key, cells in table.rows.items():
        raw = {c.key: cells[c.key].value for c in columns if c.key in cells}
        if all(v is None or v == "" for v in raw.values()):
            typed[key] = dict.fromkeys(raw)  # an unused line: nothing to parse
            continue
        typed[key] = {
            c.key: typed_value(c, raw[c.key], synonyms).value for c in columns if c.key in raw
        }
    table.typed = typed
