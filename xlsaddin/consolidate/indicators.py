"""Headline figures declared in each appendix spec (``indicators:``), computed in Python.

Counts of units use every unit of the province as denominator ("47/96"): a unit
that has not submitted is not counted as meeting anything, and is reported
separately as missing, never as zero values.

What a blank, a zero and an inconsistent row count for (``docs/consolidation.md``
has the table per indicator):

* a blank (or unreadable) cell is *not reported*: never 0, never "Chưa đạt";
* a zero is a value and counts;
* sums of an appendix are taken over its *usable* rows only: every column summed is
  reported and every declared breakdown (``breakdowns:``) adds up on the row. Other
  rows are left out of every sum of the appendix (so totals, parts and rates share
  one population) and their units are named (``_excluded``);
* an appendix nobody returned has no figures (``None``, "chưa có số liệu").

Figures are rounded half up to their declared decimals here, once, so that the
workbook, the sentences, the tables and the charts show the same numbers; the
parts of a breakdown then still add up to its total (a rounding difference goes to
the total, which is the sum of the parts as shown).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from xlsaddin.consolidate.tables import Block, ConsRow
from xlsaddin.core.issues import Issue
from xlsaddin.spec.models import AppendixSpec, Indicator
from xlsaddin.text.answers import same_answer
from xlsaddin.text.numbers import format_vi, round_half_up

NO_DATA = "chưa có số liệu"
TOLERANCE = 0.0005  # money in triệu đồng has at most 3 decimals (as the rules compare)
MISSING_LABEL = "Số đơn vị chưa nộp"
EXCLUDED_LABEL = "Số đơn vị có số liệu chưa đầy đủ hoặc chưa khớp (không tính vào số tổng hợp)"


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
    names: list[str] = field(default_factory=list)  # units behind the figure


def _matches(value: object, wanted: str) -> bool:
    """A choice or an answer equal to ``wanted`` ("Đạt", "không"): compared as the text
    annexes compare answers (case, spacing, final stop; every way of writing "không")."""
    return same_answer(value, wanted)


def _reported(value: object) -> bool:
    """A typed value is None when the cell was blank or could not be read."""
    return value is not None and not (isinstance(value, str) and not value.strip())


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
        return NO_DATA
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


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def _input_rows(spec: AppendixSpec, ind: Indicator) -> list[tuple[str, str]]:
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    return [(r.key, r.label) for r in rows if r.kind == "input" and _row_ok(ind, spec, r.key)]


def _has_some(ind: Indicator, row: ConsRow) -> bool:
    """The row's ``quantity`` is 1 or more (it has some, just not enough)."""
    amount = _number(row.values.get(ind.quantity or ""))
    return amount is not None and amount >= 1


def _lacking(spec: AppendixSpec, ind: Indicator, accepted: list[Block], n: int) -> list[Headline]:
    """Units that reported another value than ``equals`` (a blank is not "lacking").

    ``units_lacking`` with a ``quantity``: only the units with none ("chưa có");
    ``units_short``: only the units with some ("chưa đủ")."""
    out = []
    for key, label in _input_rows(spec, ind):
        lacking = [
            b.status.unit.name
            for b in accepted
            for r in b.rows
            if r.row_key == key
            and _reported(r.values.get(ind.column or ""))
            and not _matches(r.values.get(ind.column or ""), ind.equals or "")
            and (ind.quantity is None or _has_some(ind, r) == (ind.kind == "units_short"))
        ]
        value = len(lacking) if accepted else None
        item = _headline(spec, ind, value, f"{len(lacking)}/{n}" if accepted else NO_DATA)
        item.key, item.row, item.names = f"{ind.key}.{key}", label, lacking
        out.append(item)
    return out


def unit_verdict(spec: AppendixSpec, ind: Indicator, block: Block) -> str:
    """``all`` / ``some`` / ``none`` of the unit's rows meet ``equals``, or ``unreported``
    when blank rows leave it open (14 met and 2 blank is not "all", nor "some")."""
    values = [r.values.get(ind.column or "") for r in block.rows if _row_ok(ind, spec, r.row_key)]
    known = [v for v in values if _reported(v)]
    met = sum(_matches(v, ind.equals or "") for v in known)
    if known and 0 < met < len(known):
        return "some"
    if not values or len(known) < len(values):
        return "unreported"
    return "all" if met == len(values) else "none"


UNIT_KINDS = {"units_all": "all", "units_some": "some", "units_none": "none"}


def _per_row(spec: AppendixSpec, ind: Indicator, accepted: list[Block], n: int) -> list[Headline]:
    out = []
    for key, label in _input_rows(spec, ind):
        units = [
            b.status.unit.name
            for b in accepted
            for r in b.rows
            if r.row_key == key and _matches(r.values.get(ind.column or ""), ind.equals or "")
        ]
        met = len(units)
        value = met if accepted else None
        item = _headline(spec, ind, value, f"{met}/{n}" if accepted else NO_DATA)
        item.key, item.row = f"{ind.key}.{key}", label
        item.names = units if ind.names else []
        out.append(item)
    return out


def _any(spec: AppendixSpec, ind: Indicator, accepted: list[Block], n: int) -> Headline:
    """Units with at least one (filtered) row where ``column == equals``, named."""
    units = [
        b.status.unit.name
        for b in accepted
        if any(
            _row_ok(ind, spec, r.row_key)
            and _matches(r.values.get(ind.column or ""), ind.equals or "")
            for r in b.rows
        )
    ]
    value = len(units) if accepted else None
    item = _headline(spec, ind, value, f"{len(units)}/{n}" if accepted else NO_DATA)
    item.names = units
    return item


def _mode(spec: AppendixSpec, ind: Indicator, accepted: list[Block]) -> list[Headline]:
    """Per (filtered) row: the value most units report; the units reporting another one
    are named (ties: the smaller value, so the figure never depends on file order)."""
    out = []
    for key, label in _input_rows(spec, ind):
        reported = [
            (b.status.unit.name, n)
            for b in accepted
            for r in b.rows
            if r.row_key == key and (n := _number(r.values.get(ind.column or ""))) is not None
        ]
        counts = Counter(n for _, n in reported)
        value = min(counts, key=lambda v: (-counts[v], v)) if counts else None
        item = _headline(spec, ind, value, _fmt(value, ind))
        item.key, item.row = f"{ind.key}.{key}", label
        item.names = [name for name, n in reported if n != value]
        out.append(item)
    return out


# -- sums over usable rows --------------------------------------------------------------


def _sum_columns(spec: AppendixSpec, row_key: str) -> set[str]:
    return {
        i.column
        for i in spec.indicators
        if i.kind == "sum" and i.column and _row_ok(i, spec, row_key)
    }


def _sum_breakdowns(spec: AppendixSpec) -> list[tuple[str, tuple[str, ...]]]:
    """Declared breakdowns of one row into columns (received = online + in person):
    (total column, part columns). A breakdown into *rows* (the same column summed over
    rows with different attributes, e.g. investment + recurrent = all spending) adds up
    by construction over the usable rows and is not a per-row condition."""
    sums = {i.key: i for i in spec.indicators if i.kind == "sum" and i.column}
    out = []
    for b in spec.breakdowns:
        if b.total not in sums or not all(p in sums for p in b.parts):
            continue
        if any(sums[p].rows for p in b.parts) or sums[b.total].rows:
            continue
        out.append((sums[b.total].column or "", tuple(sums[p].column or "" for p in b.parts)))
    return out


def row_usable(spec: AppendixSpec, row: ConsRow) -> bool:
    """Every summed column reported, and every sum breakdown adds up on this row."""
    needed = _sum_columns(spec, row.row_key)
    if any(_number(row.values.get(c)) is None for c in needed):
        return False
    for total, parts in _sum_breakdowns(spec):
        if total not in needed:
            continue
        whole = _number(row.values.get(total)) or 0.0
        if abs(math.fsum(_number(row.values.get(p)) or 0.0 for p in parts) - whole) > TOLERANCE:
            return False
    return True


def _usable(spec: AppendixSpec, accepted: list[Block]) -> tuple[list[Block], list[str]]:
    """Blocks reduced to their usable rows, and the names of units with a row left out."""
    if not any(i.kind == "sum" for i in spec.indicators):
        return accepted, []
    kept, excluded = [], []
    for block in accepted:
        rows = [r for r in block.rows if row_usable(spec, r)]
        if len(rows) < len(block.rows):
            excluded.append(block.status.unit.name)
        kept.append(Block(block.status, rows))
    return kept, excluded


def _sum(spec: AppendixSpec, ind: Indicator, blocks: Iterable[Block]) -> float | None:
    numbers = [
        n
        for b in blocks
        for r in b.rows
        if _row_ok(ind, spec, r.row_key)
        and (n := _number(r.values.get(ind.column or ""))) is not None
    ]
    if not numbers:
        return None
    return round_half_up(math.fsum(numbers), ind.decimals)


def _ratio(values: Mapping[str, float | None], ind: Indicator, suffix: str = "") -> float | None:
    num = values.get(f"{ind.numerator}{suffix}")
    den = values.get(f"{ind.denominator}{suffix}")
    if num is None or not den:
        return None
    try:
        ratio = 100.0 * num / den
    except OverflowError:  # pragma: no cover - float division gives inf, this is belt and braces
        return None
    if not math.isfinite(ratio):  # a tiny denominator: no figure
        return None
    return round_half_up(ratio, ind.decimals)


KIND_KEYS = {"xã": "xa", "phường": "phuong", "đặc khu": "dac_khu"}


def _grouped(
    spec: AppendixSpec, ind: Indicator, usable: list[Block], values: dict[str, float | None]
) -> list[Headline]:
    """One figure per unit type (by_unit_kind)."""
    out = []
    for kind, suffix in KIND_KEYS.items():
        key = f"{ind.key}.{suffix}"
        if ind.kind == "sum":
            value = _sum(spec, ind, [b for b in usable if b.status.unit.kind == kind])
        else:
            value = _ratio(values, ind, f".{suffix}")
        values[key] = value
        item = _headline(spec, ind, value, _fmt(value, ind))
        item.key, item.label = key, f"{ind.label} ({kind})"
        out.append(item)
    return out


def _reconcile_rounding(spec: AppendixSpec, out: list[Headline]) -> None:
    """Rounded parts of a sum breakdown add up to the rounded total (the total is the sum
    of the parts as shown; the rows behind them add up exactly, see :func:`row_usable`)."""
    by_key = {h.key: h for h in out}
    sums = {i.key for i in spec.indicators if i.kind == "sum"}
    suffixes = [""] + [f".{s}" for s in KIND_KEYS.values()]
    for b in spec.breakdowns:
        if b.total not in sums or not all(p in sums for p in b.parts):
            continue
        for suffix in suffixes:
            total = by_key.get(b.total + suffix)
            parts = [by_key.get(p + suffix) for p in b.parts]
            if total is None or total.value is None or any(p is None for p in parts):
                continue
            shown = math.fsum(p.value or 0.0 for p in parts if p is not None)
            shown = round_half_up(shown, total.decimals)
            slack = len(parts) * 0.5 * 10.0 ** (-total.decimals)
            if shown != total.value and abs(shown - total.value) <= slack:
                total.value = shown
                total.text = format_vi(shown, total.decimals)


def _auto(
    spec: AppendixSpec, accepted: list[Block], blocks: list[Block], excluded: list[str], n: int
) -> list[Headline]:
    # who they are is on "Tình hình nộp báo cáo" and in the report's annex
    missing = sum(1 for b in blocks if not b.accepted)
    gone = Headline(spec.id, "_missing", MISSING_LABEL, missing, f"{missing}/{n}", "đơn vị")
    out = [gone]
    if any(i.kind == "sum" for i in spec.indicators):
        value = len(excluded) if accepted else None
        left = Headline(
            spec.id, "_excluded", EXCLUDED_LABEL, value, str(value) if accepted else NO_DATA
        )
        left.unit, left.names = "đơn vị", excluded
        out.append(left)
    return out


def compute(
    spec: AppendixSpec,
    blocks: list[Block],
    issues: list[Issue],
    n_units: int,
    flagged: Mapping[str, int] | None = None,
) -> list[Headline]:
    """The appendix's headlines. ``flagged``: rows each deadline rule flags (by rule id),
    judged on typed values (see :mod:`xlsaddin.consolidate.deadlines`)."""
    accepted = [b for b in blocks if b.accepted]
    usable, excluded = _usable(spec, accepted)
    out: list[Headline] = []
    values: dict[str, float | None] = {}
    for ind in spec.indicators:
        if ind.kind in ("units_lacking", "units_short"):
            out.extend(_lacking(spec, ind, accepted, n_units))
            continue
        if ind.kind == "units_per_row":
            out.extend(_per_row(spec, ind, accepted, n_units))
            continue
        if ind.kind == "mode":
            out.extend(_mode(spec, ind, accepted))
            continue
        if ind.kind == "units_any":
            item = _any(spec, ind, accepted, n_units)
            values[ind.key] = item.value
            out.append(item)
            continue
        value: float | None
        text: str | None = None
        if not accepted:
            value = None
        elif ind.kind == "sum":
            value = _sum(spec, ind, usable)
        elif ind.kind == "ratio":
            value = _ratio(values, ind)
        elif ind.kind in UNIT_KINDS or ind.kind == "units_unreported":
            wanted = UNIT_KINDS.get(ind.kind, "unreported")
            value = sum(unit_verdict(spec, ind, b) == wanted for b in accepted)
            text = f"{int(value)}/{n_units}"
        elif ind.kind == "rows_where":
            value = sum(
                1
                for b in accepted
                for r in b.rows
                if _row_ok(ind, spec, r.row_key)
                and (
                    not _reported(r.values.get(ind.column or ""))
                    if ind.blank
                    else ind.column is None or _matches(r.values.get(ind.column), ind.equals or "")
                )
            )
        elif ind.kind == "deadline_rows":
            value = (flagged or {}).get(ind.rule or "", 0)
        else:  # count_issues
            files = {b.status.submission.result.name for b in accepted if b.status.submission}
            value = sum(1 for i in issues if i.code == ind.code and i.file in files)
        values[ind.key] = value
        out.append(_headline(spec, ind, value, text or _fmt(value, ind)))
        if ind.by_unit_kind and ind.kind in ("sum", "ratio"):
            out.extend(_grouped(spec, ind, usable, values))
    _reconcile_rounding(spec, out)
    # a ratio follows its (possibly reconciled) numerator and denominator
    shown = {h.key: h.value for h in out}
    ratios = {i.key: i for i in spec.indicators if i.kind == "ratio"}
    for h in out:
        base = h.key.split(".")[0]
        if base in ratios:
            h.value = _ratio(shown, ratios[base], h.key[len(base) :])
            h.text = _fmt(h.value, ratios[base])
    out.extend(_auto(spec, accepted, blocks, excluded, n_units))
    return out
