"""Every check of an appendix, each with a Python predicate and an Excel formula.

Excel's AND()/OR() evaluate every argument and propagate errors, so a guard
such as ISNUMBER() never protects a sibling argument: guarded arithmetic is
written as IF(guard, test, FALSE).

A *check* is one rule applied to one data row (and targeting one cell). The
list is derived from the spec alone, so the check sheet written into the
workbook and the Python validator enumerate exactly the same checks, with the
same stable ids (``<code>:<row>:<column>``). Tests compute the check sheet
with the ``formulas`` package and LibreOffice and compare it with Python.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from xlsaddin.core import codes
from xlsaddin.core.cells import EXCEL_EPOCH, is_blank, number_of, text_of
from xlsaddin.core.codes import Code
from xlsaddin.core.issues import RuleKind
from xlsaddin.rules.compile import Compiled, NotApplicable, compile_expr
from xlsaddin.spec.expr import operand_type
from xlsaddin.spec.layout import DataRow, Layout, a1
from xlsaddin.spec.models import AppendixSpec, CheckRule, Column, DeadlineRule, Severity

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class RowContext:
    """What a Python check sees: the row's raw cell values and the closing date."""

    values: Mapping[str, object]
    closing_date: dt.date | None


@dataclass(frozen=True)
class ExcelContext:
    """What an Excel formula sees: A1 references of the row's cells and of the closing date.

    ``used``: a cell holding 1 when this free-table row is used (``IF(xl_row_used(..),1,0)``,
    the check sheet's hidden column); its checks then read that cell instead of repeating
    the test (None: the test is written out in each check)."""

    refs: Mapping[str, str]
    closing: str
    used: str | None = None


@dataclass(frozen=True)
class Check:
    id: str
    code: str
    severity: Severity
    message: str
    row: DataRow
    column: str
    python: Callable[[RowContext], bool]  # True when violated
    excel: Callable[[ExcelContext], str]  # formula text (no "="), TRUE when violated
    kind: RuleKind = "check"


def _serial(day: dt.date) -> float:
    return float((day - EXCEL_EPOCH).days)


def _xl_filled(ref: str) -> str:
    return f"(LEN(TRIM({ref}))>0)"


def _xl_text(ref: str) -> str:
    return f"AND(LEN(TRIM({ref}))>0,NOT(ISNUMBER({ref})))"


def _cell_checks(col: Column, row: DataRow) -> list[Check]:
    """Required, type, range and choice checks of one input cell."""
    key = col.key
    checks: list[Check] = []

    def add(
        code: Code,
        message: str,
        py: Callable[[object], bool],
        xl: Callable[[str], str],
    ) -> None:
        checks.append(
            Check(
                id=f"{code}:{row.key}:{key}",
                code=code.code,
                severity=code.severity,
                message=message,
                row=row,
                column=key,
                python=lambda ctx: py(ctx.values.get(key)),
                excel=lambda ctx: xl(ctx.refs[key]),
                kind="cell",
            )
        )

    if col.required:
        add(
            codes.REQUIRED_MISSING,
            f'Chưa nhập "{col.label}".',
            is_blank,
            lambda r: f"(LEN(TRIM({r}))=0)",
        )
    if col.is_numeric or col.type == "date":

        def is_text(v: object) -> bool:
            return not is_blank(v) and number_of(v) is None

        code = codes.DATE_AS_TEXT if col.type == "date" else codes.NUMBER_AS_TEXT
        what = "ngày" if col.type == "date" else "số"
        add(
            code,
            f'"{col.label}" phải nhập dạng {what}, không phải chữ.',
            is_text,
            _xl_text,
        )
    if col.is_numeric:
        low, high = col.lower_bound, col.max
        if low is not None or high is not None:

            def out_of_range(v: object, low: float | None = low, high: float | None = high) -> bool:
                n = number_of(v)
                return n is not None and (
                    (low is not None and n < low) or (high is not None and n > high)
                )

            bounds = [f"@<{low!r}"] if low is not None else []
            bounds += [f"@>{high!r}"] if high is not None else []
            pattern = f"IF(ISNUMBER(@),OR({','.join(bounds)}),FALSE)"
            limits = (f"từ {low:g}" if low is not None else "") + (
                f" đến {high:g}" if high is not None else " trở lên"
            )
            add(
                codes.NUMBER_OUT_OF_RANGE,
                f'"{col.label}" phải {limits}.',
                out_of_range,
                lambda r: pattern.replace("@", r),
            )
        if col.type == "int":

            def fractional(v: object) -> bool:
                n = number_of(v)
                return n is not None and n - math.floor(n) > 1e-9

            add(
                codes.NUMBER_NOT_INTEGER,
                f'"{col.label}" phải là số nguyên.',
                fractional,
                lambda r: f"IF(ISNUMBER({r}),{r}-INT({r})>1E-09,FALSE)",
            )
    if col.type == "date":
        low_s, high_s = _serial(MIN_DATE), _serial(MAX_DATE)

        def bad_date(v: object) -> bool:
            n = number_of(v)
            return n is not None and (n < low_s or n > high_s)

        add(
            codes.DATE_OUT_OF_RANGE,
            f'"{col.label}" không phải ngày hợp lệ (từ năm 2000 đến 2100).',
            bad_date,
            lambda r: f"IF(ISNUMBER({r}),OR({r}<DATE(2000,1,1),{r}>DATE(2100,12,31)),FALSE)",
        )
    if col.allowed:
        allowed = tuple(col.allowed)
        folded = {a.casefold() for a in allowed}

        def not_allowed(v: object) -> bool:
            return not is_blank(v) and text_of(v).casefold() not in folded

        options = ",".join(f'TRIM({{r}})="{a}"' for a in allowed)
        add(
            codes.CHOICE_INVALID,
            f'"{col.label}" chỉ nhận: {", ".join(allowed)}.',
            not_allowed,
            lambda r: f"AND(LEN(TRIM({r}))>0,NOT(OR({options.replace('{r}', r)})))",
        )
    return checks


@functools.lru_cache(maxsize=1024)
def _compile_cached(text: str, columns: tuple[Column, ...]) -> Compiled:
    return compile_expr(text, {c.key: c for c in columns})


def _rule_check(rule: CheckRule, row: DataRow, columns: Mapping[str, Column]) -> Check:
    cols = tuple(columns.values())
    expr = _compile_cached(rule.expr, cols)
    when = _compile_cached(rule.when, cols) if rule.when else None
    direct = expr.direct | (when.direct if when else frozenset())
    numeric = sorted(n for n in direct if operand_type(columns[n]) == "number")
    required = sorted(n for n in direct if columns[n].required)
    target = rule.cell or sorted(expr.names)[0]

    def python(ctx: RowContext) -> bool:
        values = ctx.values
        if any(is_blank(values.get(n)) for n in required):
            return False
        try:
            if when is not None and not when.python(values):
                return False
            return not expr.python(values)
        except NotApplicable:
            return False

    def excel(ctx: ExcelContext) -> str:
        refs = ctx.refs
        parts = [f"OR(ISNUMBER({refs[n]}),LEN(TRIM({refs[n]}))=0)" for n in numeric]
        parts += [_xl_filled(refs[n]) for n in required]
        if when is not None:
            parts.append(when.excel(refs))
        parts.append(f"NOT({expr.excel(refs)})")
        return f"IFERROR(AND({','.join(parts)}),FALSE)"

    return _from_rule(rule, row, target, python, excel)


def _from_rule(
    rule: CheckRule | DeadlineRule,
    row: DataRow,
    target: str,
    python: Callable[[RowContext], bool],
    excel: Callable[[ExcelContext], str],
) -> Check:
    return Check(
        id=f"{rule.id}:{row.key}:{target}",
        code=rule.id,
        severity=rule.severity,
        message=rule.message,
        row=row,
        column=target,
        python=python,
        excel=excel,
        kind=rule.kind,
    )


def _deadline_check(rule: DeadlineRule, row: DataRow) -> Check:
    dl, done_on, status, done = rule.deadline, rule.completed_on, rule.status, rule.done

    def is_done(values: Mapping[str, object]) -> bool:
        return text_of(values.get(status)).casefold() == done.casefold()

    if rule.kind == "overdue":
        # a blank status is "not reported", not "not done": required-missing reports it

        def python(ctx: RowContext) -> bool:
            d = number_of(ctx.values.get(dl))
            if d is None or ctx.closing_date is None or is_blank(ctx.values.get(status)):
                return False
            return d < _serial(ctx.closing_date) and not is_done(ctx.values)

        def excel(ctx: ExcelContext) -> str:
            r = ctx.refs
            return (
                f"IF(AND(ISNUMBER({r[dl]}),ISNUMBER({ctx.closing})),"
                f"AND({r[dl]}<{ctx.closing},{_xl_filled(r[status])},"
                f'TRIM({r[status]})<>"{done}"),FALSE)'
            )

        target = status
    else:

        def python(ctx: RowContext) -> bool:
            d, f = number_of(ctx.values.get(dl)), number_of(ctx.values.get(done_on))
            return is_done(ctx.values) and d is not None and f is not None and f > d

        def excel(ctx: ExcelContext) -> str:
            r = ctx.refs
            return (
                f"IF(AND(ISNUMBER({r[done_on]}),ISNUMBER({r[dl]})),"
                f'AND(TRIM({r[status]})="{done}",{r[done_on]}>{r[dl]}),FALSE)'
            )

        target = done_on
    return _from_rule(rule, row, target, python, excel)


def _row_matches(rule: CheckRule, row: DataRow) -> bool:
    if rule.rows is None:
        return True
    if row.definition is None:
        return False
    return all(row.definition.attr(k) == v for k, v in rule.rows.items())


def build_checks(layout: Layout) -> list[Check]:
    """All checks of an appendix, in sheet order (row by row)."""
    checks: list[Check] = []
    for row in layout.data_rows:
        checks.extend(row_checks(layout.spec, row))
    return checks


def row_checks(spec: AppendixSpec, row: DataRow) -> list[Check]:
    """The checks of one data row (none for a total row). A free table's entry beyond the
    template's rows (a foreign layout has no row limit) gets the same checks as any other."""
    if row.is_total:
        return []
    columns = {c.key: c for c in spec.table.columns}
    inputs = [c for c in spec.table.columns if c.is_input]
    checks = [c for col in inputs for c in _cell_checks(col, row)]
    for rule in spec.rules:
        if isinstance(rule, DeadlineRule):
            checks.append(_deadline_check(rule, row))
        elif _row_matches(rule, row):
            checks.append(_rule_check(rule, row, columns))
    if not spec.table.fixed_rows:
        checks = [_only_when_used(c, inputs) for c in checks]
    return checks


def _only_when_used(check: Check, inputs: list[Column]) -> Check:
    """In a free table, an empty row is not an entry: none of its checks apply."""
    inner_py, inner_xl = check.python, check.excel

    def python(ctx: RowContext) -> bool:
        return row_used(ctx.values, inputs) and inner_py(ctx)

    def excel(ctx: ExcelContext) -> str:
        used = f"{ctx.used}=1" if ctx.used else xl_row_used(ctx.refs, inputs)
        return f"AND({used},{inner_xl(ctx)})"

    return replace(check, python=python, excel=excel)


def row_used(values: Mapping[str, object], inputs: list[Column]) -> bool:
    """A free-table row counts only when one of its input cells holds something."""
    return any(not is_blank(values.get(c.key)) for c in inputs)


def xl_row_used(refs: Mapping[str, str], inputs: list[Column]) -> str:
    return f"OR({','.join(_xl_filled(refs[c.key]) for c in inputs)})"


# -- checks of the whole form ---------------------------------------------------------------
@dataclass(frozen=True)
class FormValues:
    """What a Python form check sees: header values, the table's rows, the unit list."""

    header: Mapping[str, object]  # header field key -> raw cell value
    rows: Sequence[Mapping[str, object]]  # the data rows' raw values
    unit_code_fixed: bool  # a personalised workbook: the unit code is written, not looked up
    unit_names: Sequence[str]  # the drop-down list the unit-code formula looks names up in


@dataclass(frozen=True)
class FormRefs:
    """What an Excel form check sees: header cell references and the "row used" flags."""

    header: Mapping[str, str]  # header field key -> sheet-qualified absolute reference
    used_rows: str  # range of the 0/1 "row used" helper cells of a free table ("" otherwise)


@dataclass(frozen=True)
class FormCheck:
    """A check of the form as a whole, on the check sheet before the row checks.

    ``notice``: what the status line says when this (warning) check is violated and there
    is no error, instead of "Sẵn sàng gửi" (an empty task table is not ready to send).
    """

    id: str
    code: str
    severity: Severity
    message: str
    label: str  # what the check is about, shown in the "Dòng" column
    cell: tuple[int, int]  # (row, col) on the data sheet: link target and highlighted cell
    python: Callable[[FormValues], bool]  # True when violated
    excel: Callable[[FormRefs], str]  # formula text (no "="), TRUE when violated
    notice: str | None = None
    kind: RuleKind = "form"


def countif_matches(criterion: object, values: Sequence[str]) -> int:
    """Excel's ``COUNTIF(values, criterion)`` over text cells: case-insensitive equality,
    ``*``/``?`` wildcards (``~`` escapes), a leading "=" meaning equality; a number or a
    comparison ("<", ">") matches no text."""
    if not isinstance(criterion, str) or criterion[:1] in ("<", ">"):
        return 0
    text = criterion[1:] if criterion.startswith("=") else criterion
    pattern, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "~" and i + 1 < len(text) and text[i + 1] in "*?~":
            pattern.append(re.escape(text[i + 1]))
            i += 2
            continue
        pattern.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    regex = re.compile("".join(pattern), re.IGNORECASE | re.DOTALL)
    return sum(1 for v in values if regex.fullmatch(v))


def build_form_checks(layout: Layout) -> list[FormCheck]:
    """Checks of the whole form: a reporting unit is chosen; a free table is not empty."""
    spec = layout.spec
    fields = {line.field.source: line for line in layout.header_lines}
    checks: list[FormCheck] = []
    code_line, name_line = fields.get("unit_code"), fields.get("unit_name")
    if code_line is not None or name_line is not None:
        line = name_line or code_line
        assert line is not None
        code_key = code_line.field.key if code_line else None
        name_key = name_line.field.key if name_line else None

        def unit_python(v: FormValues) -> bool:
            if v.unit_code_fixed:
                return False
            name = v.header.get(name_key) if name_key else None
            if code_key is None:  # no code cell: only a blank name is caught
                return is_blank(name)
            # the code cell is IF(COUNTIF(names,name)=1, SUMIF(...), ""): a number exactly
            # when the name is one of the list
            return countif_matches(name, v.unit_names) != 1

        def unit_excel(r: FormRefs) -> str:
            if code_key is not None:
                return f"NOT(ISNUMBER({r.header[code_key]}))"
            return f"(LEN(TRIM({r.header[name_key or '']}))=0)"

        checks.append(
            FormCheck(
                id=f"{codes.UNIT_UNKNOWN}:header:{line.field.key}",
                code=codes.UNIT_UNKNOWN.code,
                severity=codes.UNIT_UNKNOWN.severity,
                message="Chưa chọn đơn vị báo cáo: chọn tên xã, phường, đặc khu trong danh "
                f'sách ở ô "{line.field.label}".',
                label=line.field.label,
                cell=(line.row, line.value_cols[0]),
                python=unit_python,
                excel=unit_excel,
            )
        )
    if not spec.table.fixed_rows:
        inputs = [c for c in spec.table.columns if c.is_input]
        first = inputs[0].key if inputs else spec.table.columns[0].key
        warning = spec.table.empty_warning

        def empty_python(v: FormValues) -> bool:
            return not any(row_used(values, inputs) for values in v.rows)

        checks.append(
            FormCheck(
                id=f"{codes.TABLE_EMPTY}:table:{first}",
                code=codes.TABLE_EMPTY.code,
                severity=codes.TABLE_EMPTY.severity,
                message=f"{warning}. Nếu kỳ này đơn vị không có nội dung để báo cáo, vẫn gửi "
                "được; nếu có, nhập vào bảng trước khi gửi.",
                label="Toàn bảng",
                cell=(layout.first_data_row, layout.column_index(first)),
                python=empty_python,
                excel=lambda r: f"SUM({r.used_rows})=0",
                notice=f"{warning} (cảnh báo)",
            )
        )
    return checks


def header_refs(layout: Layout, sheet_ref: str) -> dict[str, str]:
    """Sheet-qualified absolute references of the header value cells."""
    return {
        line.field.key: f"{sheet_ref}!{a1(line.row, line.value_cols[0], absolute=True)}"
        for line in layout.header_lines
    }
