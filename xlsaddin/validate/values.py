"""Values no form can hold: NaN and infinities, absurd magnitudes, numbers typed as
400-digit text. Each is an error of its own cell; the value is never consolidated
(its typed value is None), so totals, ratios and every writer only see sane numbers.

These checks have no formula on the "Kiểm tra" sheet: Excel cannot store NaN or an
infinity at all, and no officer types a figure of 10^15 triệu đồng. They run on every
table, strict or foreign.
"""

from __future__ import annotations

from xlsaddin.core import codes
from xlsaddin.core.cells import MAX_NUMBER_DIGITS, number_problem
from xlsaddin.core.codes import Code
from xlsaddin.core.issues import Issue, raw
from xlsaddin.read.table import Cell, Table
from xlsaddin.spec.models import Column
from xlsaddin.text.numbers import TOO_LARGE_NOTE, digit_count, parse_number

#: How much of an over-long value a message quotes.
SHOWN_CHARS = 40


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _problem(col: Column, value: object) -> tuple[Code, str] | None:
    """The code and message for a cell whose value cannot be a figure (None when fine)."""
    found = number_problem(value)
    if found == "not-finite":
        return codes.NUMBER_NOT_FINITE, (
            f'Ô "{col.label}" chứa giá trị "{value}" không phải số hợp lệ (NaN hoặc vô cực); '
            "giá trị này không được tổng hợp, hãy nhập lại số liệu."
        )
    if not col.is_numeric:
        return None
    if isinstance(value, str):
        digits = digit_count(value)
        if digits > MAX_NUMBER_DIGITS:
            return codes.NUMBER_TOO_LONG, (
                f'"{col.label}": số gõ dạng chữ "{_shown(value)}" có {digits} chữ số '
                f"(tối đa {MAX_NUMBER_DIGITS}); giá trị này không được tổng hợp, hãy gõ lại."
            )
        recovered = parse_number(value)
        if recovered.note == TOO_LARGE_NOTE:
            found = "too-large"
    if found == "too-large":
        return codes.NUMBER_TOO_LARGE, (
            f'"{col.label}" có giá trị "{_shown(value)}" lớn bất thường (từ 10^15 trở lên); '
            "giá trị này không được tổng hợp, hãy kiểm tra lại số liệu và đơn vị tính."
        )
    return None


def value_issues(table: Table) -> list[Issue]:
    """One error per input cell holding a value no figure can be."""
    columns = {c.key: c for c in table.spec.table.columns if c.is_input}
    issues: list[Issue] = []
    for key, row in table.rows.items():
        for col_key, cell in row.items():
            col = columns.get(col_key)
            if col is None or not isinstance(cell, Cell) or cell.value is None:
                continue
            if not isinstance(cell.value, (int, float, str)):
                continue
            found = _problem(col, cell.value)
            if found is None:
                continue
            code, message = found
            issues.append(
                Issue.of(
                    code,
                    message,
                    unit_code=table.unit_code,
                    appendix=table.spec.id,
                    file=table.file,
                    sheet=table.sheet,
                    cell=cell.ref,
                    value=raw(cell.value),
                    row=table.row_labels.get(key, key),
                    column=col_key,
                    row_key=key,
                    rule_kind="cell",
                )
            )
    return issues
