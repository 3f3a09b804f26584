"""Headline figures declared in each appendix spec (``indicators:``), computed in Python.

Counts of units use every unit of the province as denominator ("47/96"): a unit
that has not submitted is not counted as meeting anything, and is reported
separately as missing, never as zero values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from xlsaddin.consolidate.tables import Block
from xlsaddin.core.issues import Issue
from xlsaddin.spec.models import AppendixSpec, Indicator
from xlsaddin.text.numbers import format_vi


@dataclass
class Headline:
    appendix: str
    key: str
    label: str
    value: float | None
    text: str
    unit: str | None = None
    decimals: int = 0
    row: str | None = None  # units_lacking: the row (criterion) it is about
    names: list[str] = field(default_factory=list)  # units_lacking: who lacks it


def _matches(value: object, wanted: str) -> bool:
    return isinstance(value, str) and value.strip().casefold() == wanted.casefold()


def _row_ok(ind: Indicator, spec: AppendixSpec, row_key: str) -> bool:
    if not ind.rows:
        return True
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    for definition in rows:
        if definition.key == row_key:
            return all(definition.attr(k) == v for k, v in ind.rows.items())
    return False


def _fmt(value: float | None, ind: Indicator) -> str:
    if value is None:
        return "—"
    text = format_vi(value, ind.decimals)
    return f"{text}%" if ind.kind == "ratio" else text


def _headline(spec: AppendixSpec, ind: Indicator, value: float | None, text: str) -> Headline:
    return Headline(
        appendix=spec.id,
        key=ind.key,
        label=ind.label,
        value=value,
        text=text,
        unit=ind.unit,
        decimals=ind.decimals,
    )


def _lacking(spec: AppendixSpec, ind: Indicator, accepted: list[Block], n: int) -> list[Headline]:
    out = []
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    for definition in rows:
        if definition.kind != "input" or not _row_ok(ind, spec, definition.key):
            continue
        lacking = [
            b.status.unit.name
            for b in accepted
            for r in b.rows
            if r.row_key == definition.key
            and not _matches(r.values.get(ind.column or ""), ind.equals or "")
        ]
        item = _headline(spec, ind, len(lacking), f"{len(lacking)}/{n}")
        item.key, item.row, item.names = f"{ind.key}.{definition.key}", definition.label, lacking
        out.append(item)
    return out


def _units_count(spec: AppendixSpec, ind: Indicator, accepted: list[Block]) -> int:
    count = 0
    for b in accepted:
        hits = [
            _matches(r.values.get(ind.column or ""), ind.equals or "")
            for r in b.rows
            if _row_ok(ind, spec, r.row_key)
        ]
        met = sum(hits)
        if not hits:
            continue
        kinds = {
            "units_all": met == len(hits),
            "units_some": 0 < met < len(hits),
            "units_none": met == 0,
        }
        count += kinds[ind.kind]
    return count


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


KIND_KEYS = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}


def _per_row(spec: AppendixSpec, ind: Indicator, accepted: list[Block], n: int) -> list[Headline]:
    out = []
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    for definition in rows:
        if definition.kind != "input" or not _row_ok(ind, spec, definition.key):
            continue
        met = sum(
            1
            for b in accepted
            for r in b.rows
            if r.row_key == definition.key
            and _matches(r.values.get(ind.column or ""), ind.equals or "")
        )
        item = _headline(spec, ind, met, f"{met}/{n}")
        item.key, item.row = f"{ind.key}.{definition.key}", definition.label
        out.append(item)
    return out


def _sum(spec: AppendixSpec, ind: Indicator, blocks: list[Block]) -> float:
    numbers = [
        _number(r.values.get(ind.column or ""))
        for b in blocks
        for r in b.rows
        if _row_ok(ind, spec, r.row_key)
    ]
    return sum(n for n in numbers if n is not None)


def _ratio(values: dict[str, float | None], num_key: str, den_key: str) -> float | None:
    num, den = values.get(num_key), values.get(den_key)
    if num is None or not den:
        return None
    try:
        ratio = 100.0 * num / den
    except OverflowError:  # pragma: no cover - float division gives inf, this is belt and braces
        return None
    return ratio if math.isfinite(ratio) else None  # a tiny denominator: no figure


def _grouped(
    spec: AppendixSpec, ind: Indicator, accepted: list[Block], values: dict[str, float | None]
) -> list[Headline]:
    """One figure per unit type (by_unit_kind)."""
    out = []
    for kind, suffix in KIND_KEYS.items():
        key = f"{ind.key}.{suffix}"
        if ind.kind == "sum":
            value: float | None = _sum(
                spec, ind, [b for b in accepted if b.status.unit.kind == kind]
            )
        else:
            value = _ratio(values, f"{ind.numerator}.{suffix}", f"{ind.denominator}.{suffix}")
        values[key] = value
        item = _headline(spec, ind, value, _fmt(value, ind))
        item.key, item.label = key, f"{ind.label} ({kind})"
        out.append(item)
    return out


def compute(
    spec: AppendixSpec, blocks: list[Block], issues: list[Issue], n_units: int
) -> list[Headline]:
    accepted = [b for b in blocks if b.accepted]
    out: list[Headline] = []
    values: dict[str, float | None] = {}
    for ind in spec.indicators:
        if ind.kind == "units_lacking":
            out.extend(_lacking(spec, ind, accepted, n_units))
            continue
        if ind.kind == "units_per_row":
            out.extend(_per_row(spec, ind, accepted, n_units))
            continue
        value: float | None
        text: str | None = None
        if ind.kind == "sum":
            value = _sum(spec, ind, accepted)
        elif ind.kind == "ratio":
            value = _ratio(values, ind.numerator or "", ind.denominator or "")
        elif ind.kind in ("units_all", "units_some", "units_none"):
            value = _units_count(spec, ind, accepted)
            text = f"{int(value)}/{n_units}"
        elif ind.kind == "rows_where":
            value = sum(
                1
                for b in accepted
                for r in b.rows
                if _row_ok(ind, spec, r.row_key)
                and (ind.column is None or _matches(r.values.get(ind.column), ind.equals or ""))
            )
        else:  # count_issues
            files = {b.status.submission.result.name for b in accepted if b.status.submission}
            value = sum(1 for i in issues if i.code == ind.code and i.file in files)
        values[ind.key] = value
        out.append(_headline(spec, ind, value, text or _fmt(value, ind)))
        if ind.by_unit_kind and ind.kind in ("sum", "ratio"):
            out.extend(_grouped(spec, ind, accepted, values))
    return out
