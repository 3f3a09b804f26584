"""The "Kiểm tra" sheet: every check as a live Excel formula, and its summary.

A commune without Python sees "Còn N lỗi" / "Sẵn sàng gửi" update as it types;
offending cells on the data sheet turn red (error) or orange (warning) through
conditional formatting. Cached values are the Python verdict on the values
written, so a reader that does not recalculate still sees the truth.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from xlsaddin.core.issues import SEVERITY_VI
from xlsaddin.core.sheets import CHECK_SHEET, quote
from xlsaddin.rules.checks import (
    Check,
    ExcelContext,
    FormCheck,
    FormRefs,
    FormValues,
    RowContext,
    build_checks,
    build_form_checks,
    header_refs,
    row_used,
    xl_row_used,
)
from xlsaddin.spec.layout import DataRow, Layout, a1
from xlsaddin.xlsx import ClassicWorksheet

FIRST_CHECK_ROW = 8  # 0-based row of the first check
STATUS_CELL = "$C$3"
ERRORS_CELL = "$C$4"
WARNINGS_CELL = "$C$5"
HEADERS = ("STT", "Mã kiểm tra", "Dòng", "Ô", "Mức độ", "Nội dung", "Vi phạm")
USED_COL = 8  # hidden column I: one 0/1 "row used" flag per row of a free table
# Not printed with the form: the print area is this empty, unformatted cell (LibreOffice and
# Excel skip a sheet with nothing to print), so printing or exporting the whole workbook
# gives the form alone while the sheet stays visible and its formulas live.
NO_PRINT_CELL = (0, 10)  # K1


def status_text(errors: int, warnings: int, notice: str | None = None) -> str:
    """The same wording the status formula produces (``notice``: a form warning's own text,
    e.g. "Chưa có nhiệm vụ nào (cảnh báo)", shown instead of "Sẵn sàng gửi")."""
    if errors:
        return f"Còn {errors} lỗi"
    if notice:
        return notice
    if warnings:
        return f"Sẵn sàng gửi (còn {warnings} cảnh báo)"
    return "Sẵn sàng gửi"


def row_label(row: DataRow) -> str:
    return row.definition.label if row.definition else f"Dòng {row.index}"


def row_refs(layout: Layout, row: DataRow, sheet_ref: str) -> dict[str, str]:
    return {
        col.key: f"{sheet_ref}!{a1(row.row, i)}" for i, col in enumerate(layout.spec.table.columns)
    }


@dataclass(frozen=True)
class CheckSheet:
    checks: list[Check]
    flag_cells: dict[str, str]  # check id -> absolute ref of its 0/1 cell
    form_checks: list[FormCheck]
    status: str  # the status text the Python verdict gives (the formula's cached value)


def form_values(
    layout: Layout,
    header: Mapping[str, Any],
    values: Mapping[str, Mapping[str, Any]],
    unit_names: Sequence[str],
    unit_code_fixed: bool,
) -> FormValues:
    return FormValues(
        header=header,
        rows=[values.get(r.key, {}) for r in layout.data_rows if not r.is_total],
        unit_code_fixed=unit_code_fixed,
        unit_names=unit_names,
    )


@dataclass(frozen=True)
class _Line:
    """One check as the sheet shows it: the same for every workbook of a layout."""

    check: Check
    label: str
    link: str
    target: str
    formula: str  # the cell's formula: "=IF(<check>,1,0)"
    severity: str  # as shown ("Lỗi", "Cảnh báo")


_PLANS: dict[tuple[int, int, str], tuple[Layout, list[_Line]]] = {}


def _plan(layout: Layout, data_ref: str, closing: str) -> list[_Line]:
    """Checks with their formulas, built once per layout (a 300-row task table has 3,600
    checks: writing its many personalised copies must not rebuild them each time)."""
    key = (id(layout.spec), layout.first_data_row, closing)
    cached = _PLANS.get(key)
    if cached is not None and cached[0].spec is layout.spec:
        return cached[1]
    lines = []
    flags = used_flags(layout)
    for check in build_checks(layout):
        refs = row_refs(layout, check.row, data_ref)
        target = a1(check.row.row, layout.column_index(check.column))
        formula = check.excel(ExcelContext(refs, closing, flags.get(check.row.key)))
        lines.append(
            _Line(
                check,
                row_label(check.row),
                f"internal:{data_ref}!{target}",
                target,
                f"=IF({formula},1,0)",
                SEVERITY_VI[check.severity],
            )
        )
    if len(_PLANS) > 64:
        _PLANS.clear()
    _PLANS[key] = (layout, lines)  # the layout keeps its spec alive: ids are not reused
    return lines


def _verdicts(
    layout: Layout,
    checks: Sequence[Check],
    values: Mapping[str, Mapping[str, Any]],
    closing_date: dt.date | None,
) -> list[bool]:
    """The Python verdict of every check on the values written (True: violated).

    A free table's unused row is no entry: none of its checks applies (each is wrapped
    in the "row used" test), so its checks are not asked, as ``check_table`` does."""
    spec = layout.spec
    inputs = [c for c in spec.table.columns if c.is_input]
    free = not spec.table.fixed_rows
    contexts: dict[str, RowContext | None] = {}
    verdicts = []
    for check in checks:
        key = check.row.key
        if key not in contexts:
            row = values.get(key, {})
            contexts[key] = (
                None if free and not row_used(row, inputs) else RowContext(row, closing_date)
            )
        context = contexts[key]
        verdicts.append(context is not None and check.python(context))
    return verdicts


def write_check_sheet(
    book: Workbook,
    layout: Layout,
    values: Mapping[str, Mapping[str, Any]],
    closing_date: dt.date | None,
    formats: Any,
    *,
    form: FormValues,
    cache: bool = True,
) -> CheckSheet:
    """Write the sheet; ``values`` are the cell values by row key and ``form`` what the form
    checks read (for cached results)."""
    spec = layout.spec
    data_ref = quote(spec.sheet_name)
    ws: ClassicWorksheet = book.add_worksheet(CHECK_SHEET, worksheet_class=ClassicWorksheet)
    closing = f"{data_ref}!{a1(*layout.header_cell('closing_date'), absolute=True)}"
    lines = _plan(layout, data_ref, closing)
    checks = [line.check for line in lines]
    form_checks = build_form_checks(layout)
    verdicts = _verdicts(layout, checks, values, closing_date) if cache else [False] * len(checks)
    form_verdicts = [cache and c.python(form) for c in form_checks]
    every: list[tuple[str, bool]] = [
        *((c.severity, v) for c, v in zip(form_checks, form_verdicts, strict=True)),
        *((c.severity, v) for c, v in zip(checks, verdicts, strict=True)),
    ]
    errors = sum(v for severity, v in every if severity == "error")
    warnings = sum(v for severity, v in every if severity == "warning")
    notice = next(
        (c.notice for c, v in zip(form_checks, form_verdicts, strict=True) if v and c.notice),
        None,
    )
    notices = [(n, c) for n, c in enumerate(form_checks) if c.notice]

    bold = formats.get(bold=True)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 26)
    ws.set_column(3, 4, 9)
    ws.set_column(5, 5, 60)
    ws.set_column(6, 6, 8)
    ws.merge_range(0, 0, 0, 6, "", formats.get(bold=True, font_size=13, align="center"))
    ws.write_string(
        0,
        0,
        f"KIỂM TRA SỐ LIỆU TRƯỚC KHI GỬI — {spec.code}",
        formats.get(bold=True, font_size=13, align="center"),
    )
    last = FIRST_CHECK_ROW + len(form_checks) + len(checks)
    sev_range = f"$E${FIRST_CHECK_ROW + 1}:$E${last}"
    flag_range = f"$G${FIRST_CHECK_ROW + 1}:$G${last}"
    for r, label in ((2, "Kết quả kiểm tra:"), (3, "Số lỗi:"), (4, "Số cảnh báo:")):
        ws.merge_range(r, 0, r, 1, label, bold)
    left = formats.get(bold=True, align="left")
    ws.write_formula(3, 2, f'=SUMIF({sev_range},"Lỗi",{flag_range})', left, errors)
    ws.write_formula(4, 2, f'=SUMIF({sev_range},"Cảnh báo",{flag_range})', left, warnings)
    ready = (
        f'IF({WARNINGS_CELL}>0,"Sẵn sàng gửi (còn "&{WARNINGS_CELL}&" cảnh báo)","Sẵn sàng gửi")'
    )
    for n, noticed in reversed(notices):  # the first notice wins, as in status_text()
        text = (noticed.notice or "").replace('"', '""')
        ready = f'IF($G${FIRST_CHECK_ROW + n + 1}=1,"{text}",{ready})'
    status = status_text(errors, warnings, notice)
    ws.write_formula(
        2,
        2,
        f'=IF({ERRORS_CELL}>0,"Còn "&{ERRORS_CELL}&" lỗi",{ready})',
        formats.get(bold=True, font_size=13, align="left"),
        status if cache else "",
    )
    ws.write_string(
        5,
        0,
        "Ô có lỗi được tô đỏ, ô có cảnh báo tô cam trên trang nhập liệu; "
        "bấm vào địa chỉ ô để đến ô đó.",
        formats.get(italic=True),
    )
    head = formats.get(bold=True, border=1, align="center", bg_color="#D9E1F2", text_wrap=True)
    for i, text in enumerate(HEADERS):
        ws.write_string(FIRST_CHECK_ROW - 1, i, text, head)
    cell = formats.get(border=1, text_wrap=True)
    plain = formats.get(border=1, font_size=10)
    centre = formats.get(border=1, align="center")
    flag_cells: dict[str, str] = {}
    used_range = _write_used_flags(ws, layout, data_ref, cache, form)
    form_refs = FormRefs(header_refs(layout, data_ref), used_range)
    sheet_ref = quote(CHECK_SHEET)
    for n, (fcheck, form_violated) in enumerate(zip(form_checks, form_verdicts, strict=True)):
        r = FIRST_CHECK_ROW + n
        target = a1(*fcheck.cell)
        ws.write_number(r, 0, n + 1, centre)
        ws.write_string(r, 1, fcheck.id, plain)
        ws.write_string(r, 2, fcheck.label, cell)
        ws.write_url(r, 3, f"internal:{data_ref}!{target}", centre, target)
        ws.write_string(r, 4, SEVERITY_VI[fcheck.severity], centre)
        ws.write_string(r, 5, fcheck.message, cell)
        formula = fcheck.excel(form_refs)
        ws.write_formula(r, 6, f"=IF({formula},1,0)", centre, 1 if form_violated else 0)
        flag_cells[fcheck.id] = f"{sheet_ref}!$G${r + 1}"
    offset = FIRST_CHECK_ROW + len(form_checks)
    for n, (line, violated) in enumerate(zip(lines, verdicts, strict=True)):
        check = line.check
        r = offset + n
        ws.put_number(r, 0, len(form_checks) + n + 1, centre)
        ws.put_string(r, 1, check.id, plain)
        ws.put_string(r, 2, line.label, cell)
        ws.put_url(r, 3, line.link, centre, line.target)
        ws.put_string(r, 4, line.severity, centre)
        ws.put_string(r, 5, check.message, cell)
        ws.put_formula(r, 6, line.formula, centre, 1 if violated else 0)
        flag_cells[check.id] = f"{sheet_ref}!$G${r + 1}"
    ws.conditional_format(
        FIRST_CHECK_ROW,
        6,
        max(FIRST_CHECK_ROW, last - 1),
        6,
        {
            "type": "cell",
            "criteria": "==",
            "value": 1,
            "format": book.add_format({"bg_color": "#F4CCCC", "bold": True}),
        },
    )
    ws.conditional_format(
        2,
        2,
        2,
        2,
        {
            "type": "formula",
            "criteria": f"={ERRORS_CELL}>0",
            "format": book.add_format({"font_color": "#C00000"}),
        },
    )
    ws.conditional_format(
        2,
        2,
        2,
        2,
        {
            "type": "formula",
            "criteria": f"={ERRORS_CELL}=0",
            "format": book.add_format({"font_color": "#007A33"}),
        },
    )
    ws.autofilter(FIRST_CHECK_ROW - 1, 0, max(FIRST_CHECK_ROW - 1, last - 1), 6)
    ws.freeze_panes(FIRST_CHECK_ROW, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.print_area(*NO_PRINT_CELL, *NO_PRINT_CELL)
    ws.protect("", {"autofilter": True, "sort": False, "select_locked_cells": True})
    return CheckSheet(checks, flag_cells, form_checks, status)


def used_flags(layout: Layout) -> dict[str, str]:
    """Row key -> absolute reference of the row's 0/1 "row used" cell in the hidden column
    (free tables only: a fixed row is always an entry)."""
    if layout.spec.table.fixed_rows:
        return {}
    rows = [r for r in layout.data_rows if not r.is_total]
    return {row.key: a1(FIRST_CHECK_ROW + n, USED_COL, absolute=True) for n, row in enumerate(rows)}


def _write_used_flags(
    ws: Worksheet, layout: Layout, data_ref: str, cache: bool, form: FormValues
) -> str:
    """Hidden column I: 1 when a free-table row holds anything (the empty-table check sums it)."""
    spec = layout.spec
    if spec.table.fixed_rows:
        return ""
    inputs = [c for c in spec.table.columns if c.is_input]
    rows = [r for r in layout.data_rows if not r.is_total]
    for n, (row, values) in enumerate(zip(rows, form.rows, strict=True)):
        used = xl_row_used(row_refs(layout, row, data_ref), inputs)
        cached = 1 if cache and row_used(values, inputs) else 0
        ws.write_formula(FIRST_CHECK_ROW + n, USED_COL, f"=IF({used},1,0)", None, cached)
    ws.set_column(USED_COL, USED_COL, 4, None, {"hidden": True})
    col = chr(ord("A") + USED_COL)
    return f"${col}${FIRST_CHECK_ROW + 1}:${col}${FIRST_CHECK_ROW + len(rows)}"


_HIGHLIGHTS: dict[tuple[int, int, int], tuple[Layout, list[tuple[int, int, str, str]]]] = {}


def _highlights(layout: Layout, sheet: CheckSheet) -> list[tuple[int, int, str, str]]:
    """(row, col, severity, criteria) of each highlighted cell, once per layout (the flag
    cells of a layout's check sheet are the same in every copy)."""
    key = (id(layout.spec), layout.first_data_row, len(sheet.flag_cells))
    cached = _HIGHLIGHTS.get(key)
    if cached is not None and cached[0].spec is layout.spec:
        return cached[1]
    by_cell: dict[tuple[int, int], dict[str, list[str]]] = defaultdict(
        lambda: {"error": [], "warning": []}
    )
    for fcheck in sheet.form_checks:
        by_cell[fcheck.cell][fcheck.severity].append(sheet.flag_cells[fcheck.id])
    for check in sheet.checks:
        pos = (check.row.row, layout.column_index(check.column))
        by_cell[pos][check.severity].append(sheet.flag_cells[check.id])
    rules = []
    for (row, col), flags in sorted(by_cell.items()):
        for severity in ("error", "warning"):
            if flags[severity]:
                test = ",".join(f"{f}=1" for f in flags[severity])
                rules.append((row, col, severity, f"=OR({test})"))
    if len(_HIGHLIGHTS) > 64:
        _HIGHLIGHTS.clear()
    _HIGHLIGHTS[key] = (layout, rules)
    return rules


def highlight_cells(book: Workbook, ws: Worksheet, layout: Layout, sheet: CheckSheet) -> None:
    """Conditional formatting on the data sheet: red for errors, orange for warnings."""
    formats = {
        "error": book.add_format({"bg_color": "#F4CCCC", "font_color": "#9C0006"}),
        "warning": book.add_format({"bg_color": "#FCE4D6"}),
    }
    for row, col, severity, criteria in _highlights(layout, sheet):
        ws.conditional_format(
            row,
            col,
            row,
            col,
            {
                "type": "formula",
                "criteria": criteria,
                "format": formats[severity],
                "stop_if_true": True,
            },
        )
