"""Run the checks of an appendix on a table read from a file -> issues."""

from __future__ import annotations

import datetime as dt
import functools

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue, raw
from xlsaddin.read.table import Table
from xlsaddin.read.typed import describe, synonyms_for, typed_value
from xlsaddin.rules.checks import (
    Check,
    FormCheck,
    FormValues,
    RowContext,
    build_checks,
    build_form_checks,
    row_checks,
    row_used,
)
from xlsaddin.spec.layout import DataRow, compute_layout
from xlsaddin.spec.models import AppendixSpec, Column, DeadlineRule, Mappings
from xlsaddin.text.dates import parse_date
from xlsaddin.text.legacy import normalize_text
from xlsaddin.text.status import Synonyms
from xlsaddin.units import load_units
from xlsaddin.validate.values import value_issues

TYPE_CODES = {c.code for c in (codes.NUMBER_AS_TEXT, codes.DATE_AS_TEXT, codes.CHOICE_INVALID)}


@functools.lru_cache(maxsize=8)
def unit_codes(province_code: int) -> frozenset[int]:
    """Codes of the province's units: a file naming any other unit is not consolidated."""
    return frozenset(u.code for u in load_units(province_code))


def closing_date_of(table: Table) -> dt.date | None:
    cell = table.header.get("closing_date")
    if cell is None:
        return None
    return parse_date(cell.value).value


CONVERTED = {
    "number": (codes.NUMBER_TEXT_CONVERTED, "Số gõ dạng chữ"),
    "date": (codes.DATE_TEXT_CONVERTED, "Ngày gõ dạng chữ"),
    "choice": (codes.CHOICE_SYNONYM, "Giá trị viết khác mẫu"),
    "legacy": (codes.TEXT_LEGACY_CONVERTED, "Chữ gõ bằng bảng mã cũ (TCVN3/VNI)"),
}


def normalise(table: Table, mappings: Mappings) -> tuple[dict[str, dict[str, object]], list[Issue]]:
    """Typed values of a foreign-layout table, with a warning for every conversion.

    A value that cannot be read without guessing keeps its raw text, so the
    type check reports it as an error.
    """
    synonyms = synonyms_for(mappings)
    columns = {c.key: c for c in table.spec.table.columns}
    out: dict[str, dict[str, object]] = {}
    issues: list[Issue] = []
    for key, row in table.rows.items():
        out[key] = {}
        for col_key, cell in row.items():
            col = columns[col_key]
            typed = typed_value(col, cell.value, synonyms)
            converted = typed.status in ("text", "synonym", "legacy") and typed.value is not None
            out[key][col_key] = typed.value if typed.value is not None else cell.value
            if not converted or typed.value == cell.value:
                continue
            kind = (
                "legacy"
                if typed.status == "legacy"
                else "date"
                if col.type == "date"
                else "number"
                if col.is_numeric
                else "choice"
            )
            code, what = CONVERTED[kind]
            issues.append(
                Issue.of(
                    code,
                    unit_code=table.unit_code,
                    appendix=table.spec.id,
                    file=table.file,
                    sheet=table.sheet,
                    cell=cell.ref,
                    value=raw(cell.value),
                    row=table.row_labels.get(key, key),
                    column=col_key,
                    message=f'{what} ở cột "{col.label}": "{cell.value}" {describe(typed)}.',
                )
            )
    return out, issues


def legacy_text(table: Table) -> list[Issue]:
    """Text typed in a legacy font encoding (TCVN3/VNI) in free-text cells: convert and warn."""
    text_columns = {c.key for c in table.spec.table.columns if c.is_input and c.type == "text"}
    issues = []
    for key, row in table.rows.items():
        for col_key, cell in row.items():
            if col_key not in text_columns or not isinstance(cell.value, str):
                continue
            converted, encoding = normalize_text(cell.value)
            if encoding is None:
                continue
            issues.append(
                Issue.of(
                    codes.TEXT_LEGACY_CONVERTED,
                    unit_code=table.unit_code,
                    appendix=table.spec.id,
                    file=table.file,
                    sheet=table.sheet,
                    cell=cell.ref,
                    value=cell.value,
                    row=table.row_labels.get(key, key),
                    column=col_key,
                    message=f'Chữ gõ bằng bảng mã cũ ({encoding.upper()}): "{cell.value}" '
                    f'đọc được là "{converted}". Nên gõ lại bằng Unicode.',
                )
            )
    return issues


_CHECKS: dict[tuple[str, str], list[Check]] = {}
_FORM_CHECKS: dict[tuple[str, str], list[FormCheck]] = {}


def form_checks_for(mappings: Mappings, spec: AppendixSpec) -> list[FormCheck]:
    """The whole-form checks of an appendix (the first rows of its check sheet)."""
    key = (spec.id, mappings.hashes[spec.id])
    if key not in _FORM_CHECKS:
        _FORM_CHECKS[key] = build_form_checks(compute_layout(spec, mappings.header_of(spec)))
    return _FORM_CHECKS[key]


def _form_issues(table: Table, mappings: Mappings) -> list[Issue]:
    """The check sheet's form checks on a file made from our template."""
    header = {key: cell.value for key, cell in table.header.items()}
    values = FormValues(
        header=header,
        rows=[{k: c.value for k, c in row.items()} for row in table.rows.values()],
        unit_code_fixed=bool(table.template.get("unit_code")),
        unit_names=[u.name for u in load_units(mappings.project.province.code)],
    )
    issues = []
    for check in form_checks_for(mappings, table.spec):
        if not check.python(values):
            continue
        message = check.message
        cell = None
        if check.code == codes.UNIT_UNKNOWN.code:
            name = table.header.get("unit_name")
            cell = name.ref if name else None
            if table.unit_code is not None:  # read anyway from a name not in the list
                message += f" (tên ghi trong tệp được hiểu là đơn vị mã {table.unit_code})"
        issues.append(
            Issue.make(
                code=check.code,
                severity=check.severity,
                message=message,
                unit_code=table.unit_code,
                appendix=table.spec.id,
                file=table.file,
                sheet=table.sheet,
                cell=cell,
                value=raw(header.get("unit_name")) if cell else None,
                rule=check.id,
                rule_kind=check.kind,
            )
        )
    return issues


_BY_ROW: dict[tuple[str, str], dict[str, tuple[Check, ...]]] = {}


def checks_for(mappings: Mappings, spec: AppendixSpec) -> list[Check]:
    """The checks of an appendix, built once per spec version (they depend on nothing else)."""
    key = (spec.id, mappings.hashes[spec.id])
    if key not in _CHECKS:
        _CHECKS[key] = build_checks(compute_layout(spec, mappings.header_of(spec)))
    return _CHECKS[key]


def _checks_by_row(mappings: Mappings, spec: AppendixSpec) -> dict[str, tuple[Check, ...]]:
    """The same checks grouped by data row key."""
    key = (spec.id, mappings.hashes[spec.id])
    if key not in _BY_ROW:
        grouped: dict[str, list[Check]] = {}
        for check in checks_for(mappings, spec):
            grouped.setdefault(check.row.key, []).append(check)
        _BY_ROW[key] = {row: tuple(checks) for row, checks in grouped.items()}
    return _BY_ROW[key]


def _row_checks(mappings: Mappings, spec: AppendixSpec, row_key: str) -> tuple[Check, ...]:
    """Checks of one row of a table read from a file. Every entry of a free table is
    checked, however many there are: an entry beyond the template's rows (a foreign
    layout has no row limit, an older template may have had more) gets its checks built
    here, once per entry number."""
    by_row = _checks_by_row(mappings, spec)
    if row_key in by_row or spec.table.fixed_rows or not row_key.isdigit():
        return by_row.get(row_key, ())
    checks = tuple(row_checks(spec, DataRow(-1, int(row_key), None)))
    by_row[row_key] = checks
    return checks


def _check_issue(
    check: Check,
    table: Table,
    key: str,
    columns: dict[str, Column],
    synonyms: Synonyms,
    note: str = "",
) -> Issue:
    cell = table.rows[key].get(check.column)
    message = check.message
    value = cell.value if cell else None
    if check.code in TYPE_CODES and cell is not None:
        typed = typed_value(columns[check.column], value, synonyms)
        message += f' Giá trị "{value}" {describe(typed)}.'
    return Issue.make(
        code=check.code,
        severity=check.severity,
        message=message + note,
        unit_code=table.unit_code,
        appendix=table.spec.id,
        file=table.file,
        sheet=table.sheet,
        cell=cell.ref if cell else None,
        value=raw(value),
        rule=check.id,
        row=table.row_labels.get(key, key),
        column=check.column,
        row_key=key,
        rule_kind=check.kind,
    )


RECOVERED_NOTE = " (Kiểm tra theo giá trị đọc được từ ô nhập dạng chữ.)"


def check_recovered(
    table: Table, mappings: Mappings, closing_date: dt.date | None = None
) -> list[Issue]:
    """The checks a row passed only because a number or date in it was typed as text.

    The workbook's "Kiểm tra" sheet, and :func:`check_table` with it, skip a check whose
    operand is text: Excel cannot compare "1.234" with a number. Consolidation uses the
    value read from that text (``read/typed.py``), so it must pass the same checks: each
    cell check and declared rule that the recovered values break is an issue here, said
    to be judged on the value read from text. (A fresh-eyed trial: 1.234 typed as text
    in PL03 went into the provincial totals although its row processed more dossiers than
    it received.)
    """
    if not table.strict:
        return []  # a foreign layout's values are normalised before they are checked
    spec = table.spec
    closing = _closing(table, mappings, closing_date)
    synonyms = synonyms_for(mappings)
    columns = {c.key: c for c in spec.table.columns}
    issues: list[Issue] = []
    for key, row in table.rows.items():
        values = {k: c.value for k, c in row.items()}
        recovered = _recovered(values, columns, synonyms)
        if recovered is None:
            continue
        before, after = RowContext(values, closing), RowContext(recovered, closing)
        for check in _row_checks(mappings, spec, key):
            if check.kind not in ("cell", "check") or check.python(before):
                continue
            if check.python(after):
                issues.append(_check_issue(check, table, key, columns, synonyms, RECOVERED_NOTE))
    return issues


def _recovered(
    values: dict[str, object], columns: dict[str, Column], synonyms: Synonyms
) -> dict[str, object] | None:
    """The row with every number or date typed as text replaced by the value read from
    it (as consolidation types it); None when there is none."""
    changed: dict[str, object] = {}
    for key, value in values.items():
        col = columns.get(key)
        if col is None or not isinstance(value, str) or not value.strip():
            continue
        if col.is_numeric or col.type == "date":
            typed = typed_value(col, value, synonyms).value
            if typed is not None:
                changed[key] = typed
    return {**values, **changed} if changed else None


def _closing(table: Table, mappings: Mappings, closing_date: dt.date | None) -> dt.date | None:
    closing = closing_date or closing_date_of(table)
    if closing is None and any(isinstance(r, DeadlineRule) for r in table.spec.rules):
        closing = mappings.project.period().closing_date
    return closing


def validate_table(
    table: Table, mappings: Mappings, closing_date: dt.date | None = None
) -> list[Issue]:
    """What validation and consolidation report on a table read from a file: the
    workbook's own checks (:func:`check_table`) and those the values recovered from text
    break (:func:`check_recovered`)."""
    return check_table(table, mappings, closing_date) + check_recovered(
        table, mappings, closing_date
    )


def check_table(
    table: Table, mappings: Mappings, closing_date: dt.date | None = None
) -> list[Issue]:
    """Issues of one table: the same checks the workbook's 'Kiểm tra' sheet computes."""
    spec = table.spec
    closing = _closing(table, mappings, closing_date)
    assumed = closing_date is None and closing_date_of(table) is None and closing is not None
    synonyms = synonyms_for(mappings)
    columns = {c.key: c for c in spec.table.columns}
    issues: list[Issue] = []
    values = {key: {k: c.value for k, c in row.items()} for key, row in table.rows.items()}
    if not table.strict:
        values, issues = normalise(table, mappings)
    inputs = [c for c in spec.table.columns if c.is_input]
    skip = (
        set()
        if spec.table.fixed_rows
        else {key for key, row_values in values.items() if not row_used(row_values, inputs)}
    )
    for key in table.rows:
        if key in skip:
            continue
        context = RowContext(values[key], closing)
        for check in _row_checks(mappings, spec, key):
            if check.python(context):
                issues.append(_check_issue(check, table, key, columns, synonyms))
    if table.strict:
        issues.extend(legacy_text(table))
        issues.extend(_form_issues(table, mappings))
    issues.extend(value_issues(table))
    if not table.strict and table.unit_code is None:
        name = table.header.get("unit_name")
        issues.append(
            Issue.of(
                codes.UNIT_UNKNOWN,
                appendix=spec.id,
                file=table.file,
                sheet=table.sheet,
                cell=name.ref if name else None,
                value=raw(name.value) if name else None,
                message="Chưa xác định được đơn vị báo cáo: "
                "chọn tên xã, phường, đặc khu trong danh sách.",
            )
        )
    elif table.unit_code is not None and table.unit_code not in unit_codes(
        mappings.project.province.code
    ):
        cell = table.header.get("unit_code")
        issues.append(
            Issue.of(
                codes.UNIT_UNKNOWN,
                appendix=spec.id,
                file=table.file,
                sheet=table.sheet if cell else None,
                cell=cell.ref if cell else None,
                value=str(table.unit_code),
                message=f"Mã đơn vị {table.unit_code} không thuộc danh sách "
                f"{len(unit_codes(mappings.project.province.code))} xã, phường, đặc khu "
                "của tỉnh; số liệu của tệp không được tổng hợp.",
            )
        )
    if assumed and closing is not None:
        issues.append(
            Issue.of(
                codes.CLOSING_DATE_ASSUMED,
                appendix=spec.id,
                file=table.file,
                unit_code=table.unit_code,
                message=f"Tệp không ghi ngày chốt số liệu; nhiệm vụ quá hạn được xét đến ngày "
                f"{closing:%d/%m/%Y} (kỳ báo cáo mặc định). Dùng --closing-date để chọn ngày khác.",
            )
        )
    return issues
