"""Write one standard appendix workbook with XlsxWriter.

XlsxWriter rather than openpyxl: it writes data validation, protection, defined
names, print setup and (later) buttons and ``vbaProject.bin`` natively, is ~2.5x
faster for writing, and gives byte-reproducible files (fixed zip timestamps and a
fixed creation date set below).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from xlsaddin import __version__
from xlsaddin.core.sheets import CHECK_SHEET, LISTS_SHEET, META_SHEET, quote
from xlsaddin.forms.checksheet import (
    ERRORS_CELL,
    STATUS_CELL,
    CheckSheet,
    form_values,
    highlight_cells,
    write_check_sheet,
)
from xlsaddin.forms.macros import add_macros
from xlsaddin.rules.checks import countif_matches
from xlsaddin.safe_output import atomic_write
from xlsaddin.spec.layout import Layout, a1, col_letter, compute_layout, line_count
from xlsaddin.spec.models import AppendixSpec, Column, Mappings, Period
from xlsaddin.text.dates import DATE_NUM_FORMAT
from xlsaddin.units import Unit, load_units
from xlsaddin.xlsx import ClassicWorksheet, Formats, print_setup

FIXED_CREATED = dt.datetime(2025, 7, 1, 0, 0, 0)
INPUT_FILL = "#FFF2CC"
HEADER_FILL = "#D9E1F2"
DATE_FORMAT = DATE_NUM_FORMAT  # 04/9/2025, as the real reports write dates
TEXT_FORMAT = "@"  # typed as text: a phone number keeps its leading zero (0905111222)
CODE_FORMAT = "00000"  # a unit code shows all five digits
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


@dataclass
class Filled:
    """Values to put into the input cells (used by ``demo`` to fake returned files).

    ``rows`` is keyed by row key for fixed-row tables, or a list of row dicts for
    free tables. Values are written as given: a ``str`` stays text even when it
    looks like a number, which is exactly what a careless commune file contains.
    """

    header: dict[str, Any] = field(default_factory=dict)
    rows: Mapping[str, Mapping[str, Any]] | Sequence[Mapping[str, Any]] = field(
        default_factory=dict
    )
    # False: formula cells get no Python-computed cached result (tests use this to
    # prove that Excel engines compute the check sheet themselves).
    cache_results: bool = True


def _column_label(col: Column) -> str:
    return f"{col.label}\n({col.unit})" if col.unit else col.label


def _num(value: float, col: Column) -> float | int:
    return int(value) if col.type == "int" else value


def _validation(col: Column) -> dict[str, Any] | None:
    """Excel data validation for one input column, with Vietnamese messages."""
    lower = col.lower_bound
    if col.type in ("choice", "bool"):
        allowed = ", ".join(col.allowed)
        return {
            "validate": "list",
            "source": list(col.allowed),
            "error_title": "Giá trị không hợp lệ",
            "error_message": f"Chỉ chọn một trong các giá trị: {allowed}.",
        }
    if col.is_numeric:
        kind = "integer" if col.type == "int" else "decimal"
        what = "số nguyên" if col.type == "int" else "số"
        low = lower if lower is not None else -1e12
        rule: dict[str, Any] = {"validate": kind, "error_title": "Số không hợp lệ"}
        if col.max is None:
            rule.update(criteria=">=", value=_num(low, col))
            limits = f"lớn hơn hoặc bằng {low:g}"
        else:
            rule.update(criteria="between", minimum=_num(low, col), maximum=_num(col.max, col))
            limits = f"từ {low:g} đến {col.max:g}"
        rule["error_message"] = f"Nhập {what} {limits}; không gõ dấu chấm phân cách hay chữ."
        return rule
    if col.type == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": MIN_DATE,
            "maximum": MAX_DATE,
            "error_title": "Ngày không hợp lệ",
            "error_message": "Nhập ngày dạng ngày/tháng/năm, ví dụ 31/08/2025.",
        }
    return None


def _meta_rows(
    mappings: Mappings, spec: AppendixSpec, layout: Layout, period: Period, unit: Unit | None
) -> list[tuple[str, str, str]]:
    rows = [
        ("meta", "template_id", spec.id),
        ("meta", "template_code", spec.code),
        ("meta", "template_version", spec.version),
        ("meta", "spec_hash", mappings.hashes[spec.id]),
        ("meta", "tool_version", __version__),
        ("meta", "sheet", spec.sheet_name),
        ("meta", "period_id", period.id),
        ("meta", "unit_code", str(unit.code) if unit else ""),
        ("meta", "first_data_row", str(layout.first_data_row + 1)),
        ("meta", "last_data_row", str(layout.last_data_row + 1)),
    ]
    for line in layout.header_lines:
        rows.append(("header", line.field.key, a1(line.row, line.value_cols[0])))
    for i, col in enumerate(spec.table.columns):
        rows.append(("column", col.key, col_letter(i)))
    for data_row in layout.data_rows:
        rows.append(("row", data_row.key, str(data_row.row + 1)))
    return rows


class _SheetWriter:
    """Writes the appendix sheet of one workbook."""

    def __init__(
        self,
        book: xlsxwriter.Workbook,
        mappings: Mappings,
        spec: AppendixSpec,
        period: Period,
        unit: Unit | None,
        fill: Filled | None,
    ) -> None:
        self.book = book
        self.mappings = mappings
        self.project = mappings.project
        self.spec = spec
        self.period = period
        self.unit = unit
        self.fill = fill
        self.cache = fill.cache_results if fill else True
        self.fmt = Formats(book, self.project.font_name)
        self.layout = compute_layout(spec, mappings.header_of(spec))
        self.ws: Worksheet = book.add_worksheet(spec.sheet_name, worksheet_class=ClassicWorksheet)
        self.sheet_ref = quote(spec.sheet_name)
        self.values: dict[str, dict[str, Any]] = {}  # what was written, by row key
        self.header: dict[str, Any] = {}  # what was written in the header, by field key
        self.units = load_units(self.project.province.code)
        self.unit_names = [u.name for u in self.units]

    # -- helpers --------------------------------------------------------------
    def _span(self, row: int, c0: int, c1: int, value: Any, fmt: Format) -> None:
        if c1 > c0:
            self.ws.merge_range(row, c0, row, c1, "", fmt)
        self._write(row, c0, value, fmt)

    def _write(self, row: int, col: int, value: Any, fmt: Format) -> None:
        if value is None or value == "":
            self.ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_string(row, col, "Có" if value else "Không", fmt)
        elif isinstance(value, (int, float)):
            self.ws.write_number(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            self.ws.write_datetime(row, col, value, fmt)
        else:
            self.ws.write_string(row, col, str(value), fmt)

    def _define(
        self, name: str, first: tuple[int, int], last: tuple[int, int] | None = None
    ) -> None:
        ref = a1(*first, absolute=True)
        if last is not None and last != first:
            ref += ":" + a1(*last, absolute=True)
        self.book.define_name(name, f"={self.sheet_ref}!{ref}")

    # -- parts ----------------------------------------------------------------
    def write(self) -> None:
        ws, spec, layout = self.ws, self.spec, self.layout
        for i, col in enumerate(spec.table.columns):
            ws.set_column(i, i, col.width)
        last = layout.ncols - 1
        for i, text in zip(layout.title_rows, spec.title, strict=True):
            self._span(i, 0, last, text, self.fmt.get(bold=True, font_size=13, align="center"))
        if layout.subtitle_row is not None:
            self._span(
                layout.subtitle_row,
                0,
                last,
                spec.subtitle,
                self.fmt.get(italic=True, align="center"),
            )
        if self.project.issued_with:  # in the spacer row under the title, as the seeds do
            row = layout.title_rows[-1] + 1 + (layout.subtitle_row is not None)
            self._span(
                row, 0, last, self.project.issued_with, self.fmt.get(italic=True, align="center")
            )
        self._header_block()
        self._table_head()
        self._data()
        self._footer()
        self._page_setup()
        form = form_values(
            layout, self.header, self.values, self.unit_names, unit_code_fixed=self.unit is not None
        )
        check_sheet = write_check_sheet(
            self.book,
            layout,
            self.values,
            self.period.closing_date,
            self.fmt,
            form=form,
            cache=self.cache,
        )
        highlight_cells(self.book, ws, layout, check_sheet)
        self._status_line(check_sheet)
        ws.protect(
            self.project.protection_password or "",
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "format_rows": True,
            },
        )

    def _status_line(self, sheet: CheckSheet) -> None:
        layout = self.layout
        first = layout.header_lines[0] if layout.header_lines else None
        label_cols = first.label_cols if first else (0, 0)
        value_cols = first.value_cols if first else (1, 1)
        row = layout.status_row
        self._span(
            row,
            label_cols[0],
            label_cols[1],
            "Tình trạng kiểm tra:",
            self.fmt.get(bold=True, align="left"),
        )
        fmt = self.fmt.get(bold=True, align="left", border=1)
        if value_cols[1] > value_cols[0]:
            self.ws.merge_range(row, value_cols[0], row, value_cols[1], "", fmt)
        cached = sheet.status if self.cache else ""
        status_ref = f"{quote(CHECK_SHEET)}!{STATUS_CELL}"
        errors_ref = f"{quote(CHECK_SHEET)}!{ERRORS_CELL}"
        self.ws.write_formula(row, value_cols[0], f"={status_ref}", fmt, cached)
        for criteria, colour in ((f"={errors_ref}>0", "#C00000"), (f"={errors_ref}=0", "#007A33")):
            self.ws.conditional_format(
                row,
                value_cols[0],
                row,
                value_cols[0],
                {
                    "type": "formula",
                    "criteria": criteria,
                    "format": self.book.add_format({"font_color": colour, "bold": True}),
                },
            )
        self._define("chk_status", (row, value_cols[0]))

    def _header_value(self, source: str, key: str) -> Any:
        p = self.period
        if self.fill and key in self.fill.header:
            return self.fill.header[key]
        return {
            "form_name": self.spec.form_name,
            "receiving_unit": self.project.receiving_unit,
            "period": p.label,
            "closing_date": p.closing_date,
            "deadline": p.deadline,
            "unit_name": self.unit.name if self.unit else None,
            "unit_code": self.unit.code if self.unit else None,
        }.get(source)

    def layout_key(self, source: str) -> str:
        """The key of the header field filled from ``source`` ("" when there is none)."""
        return next((h.field.key for h in self.layout.header_lines if h.field.source == source), "")

    def _header_block(self) -> None:
        label_fmt = self.fmt.get(bold=True, align="left")
        n_units = len(self.units)
        names_ref = f"{quote(LISTS_SHEET)}!$B$2:$B${n_units + 1}"
        codes_ref = f"{quote(LISTS_SHEET)}!$A$2:$A${n_units + 1}"
        for line in self.layout.header_lines:
            field_ = line.field
            is_input = field_.source == "input" or (
                self.unit is None and field_.source == "unit_name"
            )
            props: dict[str, Any] = {"align": "left", "border": 1}
            if field_.type == "date":
                props["num_format"] = DATE_FORMAT
            elif field_.source == "unit_code":
                props["num_format"] = CODE_FORMAT
            elif field_.type in ("text", "phone"):
                props["num_format"] = TEXT_FORMAT
            if is_input:
                props.update(locked=False, bg_color=INPUT_FILL)
            fmt = self.fmt.get(**props)
            self._span(
                line.row, line.label_cols[0], line.label_cols[1], field_.label + ":", label_fmt
            )
            row, col = line.row, line.value_cols[0]
            value = self._header_value(field_.source, field_.key)
            if field_.source == "unit_code" and self.unit is None:
                name_cell = a1(*self.layout.header_cell("unit_name"))
                formula = (
                    f"=IF(COUNTIF({names_ref},{name_cell})=1,"
                    f'SUMIF({names_ref},{name_cell},{codes_ref}),"")'
                )
                if line.value_cols[1] > col:
                    self.ws.merge_range(row, col, row, line.value_cols[1], "", fmt)
                if value is None:  # cache what the formula gives for the name written
                    name = self.header.get(self.layout_key("unit_name"))
                    found = [u for u in self.units if countif_matches(name, [u.name]) == 1]
                    value = found[0].code if len(found) == 1 else None
                self.header[field_.key] = value
                self.ws.write_formula(row, col, formula, fmt, value if value is not None else "")
            else:
                self.header[field_.key] = value
                self._span(row, col, line.value_cols[1], value, fmt)
            if field_.source == "unit_name" and self.unit is None:
                self.ws.data_validation(
                    row,
                    col,
                    row,
                    col,
                    {
                        "validate": "list",
                        "source": f"={names_ref}",
                        "input_title": "Đơn vị báo cáo",
                        "input_message": "Chọn tên xã, phường, đặc khu trong danh sách.",
                        "error_title": "Đơn vị không hợp lệ",
                        "error_message": f"Chọn đúng tên trong danh sách {n_units} đơn vị.",
                    },
                )
            self._define(f"hdr_{field_.key}", (row, col))

    def _table_head(self) -> None:
        layout, cols = self.layout, self.spec.table.columns
        head = self.fmt.get(
            bold=True, align="center", text_wrap=True, border=1, bg_color=HEADER_FILL
        )
        if layout.unit_row is not None:
            self._span(
                layout.unit_row,
                0,
                layout.ncols - 1,
                f"Đơn vị tính: {self.spec.unit_of_measure}",
                self.fmt.get(italic=True, align="right"),
            )
        if layout.group_row is not None:
            i = 0
            while i < len(cols):
                group = cols[i].group
                if group is None:
                    self.ws.merge_range(layout.group_row, i, layout.label_row, i, "", head)
                    self.ws.write_string(layout.group_row, i, _column_label(cols[i]), head)
                    i += 1
                    continue
                j = i
                while j + 1 < len(cols) and cols[j + 1].group == group:
                    j += 1
                self._span(layout.group_row, i, j, group, head)
                for k in range(i, j + 1):
                    self.ws.write_string(layout.label_row, k, _column_label(cols[k]), head)
                i = j + 1
            self.ws.set_row(layout.group_row, 22)
        else:
            for i, col in enumerate(cols):
                self.ws.write_string(layout.label_row, i, _column_label(col), head)
        self.ws.set_row(layout.label_row, self.spec.table.header_height)
        number_fmt = self.fmt.get(italic=True, align="center", border=1, font_size=10)
        for i in range(len(cols)):
            self.ws.write_string(layout.number_row, i, f"({i + 1})", number_fmt)

    def _cell_format(self, col: Column, *, is_input: bool, bold: bool = False) -> Format:
        props: dict[str, Any] = {"border": 1, "text_wrap": True}
        if col.fixed == "stt":
            props.update(align="center")
        elif col.type == "date":
            props.update(num_format=DATE_FORMAT, align="center")
        elif col.type == "int":
            props.update(num_format="#,##0", align="right")
        elif col.type == "decimal":
            props.update(num_format="#,##0.###", align="right")
        elif col.type in ("choice", "bool"):
            props.update(align="center")
        if is_input:
            props.update(locked=False, bg_color=INPUT_FILL)
        if bold:
            props["bold"] = True
        return self.fmt.get(**props)

    def _fill_row(self, key: str, position: int) -> Mapping[str, Any]:
        if self.fill is None:
            return {}
        rows = self.fill.rows
        if isinstance(rows, Mapping):
            return rows.get(key, {})
        return rows[position] if position < len(rows) else {}

    def _data(self) -> None:
        layout, cols = self.layout, self.spec.table.columns
        for pos, data_row in enumerate(layout.data_rows):
            values = self._fill_row(data_row.key, pos)
            texts = []
            for i, col in enumerate(cols):
                is_input = col.is_input and not data_row.is_total
                fmt = self._cell_format(col, is_input=is_input, bold=data_row.is_total)
                if data_row.is_total and col.is_numeric and col.is_input:
                    self._total_formula(data_row.row, i, data_row.definition.sum_of, fmt)  # type: ignore[union-attr]
                    continue
                if col.fixed == "stt":
                    value: Any = None if data_row.is_total else data_row.index
                elif col.fixed is not None:
                    value = data_row.definition.attr(col.fixed) if data_row.definition else None
                else:
                    value = values.get(col.key)
                if isinstance(value, str):
                    texts.append((value, col.width))
                self.values.setdefault(data_row.key, {})[col.key] = value
                self._write(data_row.row, i, value, fmt)
            lines = max((line_count(t, w) for t, w in texts), default=1)
            hide = self._hidden(pos) and all(v is None or v == "" for v in values.values())
            self.ws.set_row(data_row.row, max(20, 16 * lines + 4), None, {"hidden": hide})
        first, last = layout.first_data_row, layout.last_data_row
        for i, col in enumerate(cols):
            if not col.is_input:
                continue
            rule = _validation(col)
            input_rows = [r.row for r in layout.data_rows if not r.is_total]
            if rule is not None:
                if col.help:
                    rule = {**rule, "input_title": col.label[:32], "input_message": col.help}
                for start, end in _runs(input_rows):
                    self.ws.data_validation(start, i, end, i, rule)
            self._define(f"col_{col.key}", (first, i), (last, i))
        self._define("data_table", (first, 0), (last, layout.ncols - 1))

    def _hidden(self, position: int) -> bool:
        """A free-table row beyond ``shown_rows`` (hidden while the file leaves it empty)."""
        shown = self.spec.table.shown_rows
        return not self.spec.table.fixed_rows and shown is not None and position >= shown

    def _note(self) -> str:
        note = self.project.input_note
        table = self.spec.table
        if table.fixed_rows or table.shown_rows is None or table.shown_rows >= table.max_rows:
            return note
        first = self.layout.data_rows[table.shown_rows].row + 1
        last = self.layout.last_data_row + 1
        return (
            f"{note} Bảng có {table.max_rows} dòng; dòng {first}–{last} đang ẩn: khi cần thêm "
            f"dòng, chọn dòng {first - 1} đến {last + 1}, nhấp chuột phải, chọn Bỏ ẩn (Unhide)."
        )

    def _total_formula(self, row: int, col: int, parts: tuple[str, ...], fmt: Format) -> None:
        refs = [a1(self.layout.row_of(k).row, col) for k in parts]
        cached = 0.0
        for k in parts:
            value = self._fill_row(k, 0).get(self.spec.table.columns[col].key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cached += value
        self.ws.write_formula(row, col, f"=SUM({','.join(refs)})", fmt, cached)

    def _footer(self) -> None:
        layout, sig = self.layout, self.project.signature
        last = layout.ncols - 1
        self._span(
            layout.note_row,
            0,
            last,
            self._note(),
            self.fmt.get(italic=True, font_size=11, text_wrap=True, align="left"),
        )
        width = sum(c.width for c in self.spec.table.columns)
        self.ws.set_row(layout.note_row, max(34, 16 * line_count(self._note(), width) + 4))
        row = layout.signature_row
        left_end = max(0, last // 2 - 1)
        right_start = min(last, left_end + 1)
        center = {"align": "center"}
        self._span(row, right_start, last, sig.place_date, self.fmt.get(italic=True, **center))
        self._span(row + 1, 0, left_end, sig.left_title, self.fmt.get(bold=True, **center))
        self._span(row + 1, right_start, last, sig.right_title, self.fmt.get(bold=True, **center))
        self._span(row + 2, 0, left_end, sig.left_note, self.fmt.get(italic=True, **center))
        self._span(row + 2, right_start, last, sig.right_note, self.fmt.get(italic=True, **center))

    def _page_setup(self) -> None:
        ws, layout = self.ws, self.layout
        print_setup(
            ws,
            landscape=self.spec.landscape,
            repeat=(layout.table_top, layout.number_row),
            footer=f"Biểu số {self.spec.form_name} — {self.period.label}",
            font=self.project.font_name,
        )
        ws.print_area(0, 0, layout.last_row, layout.ncols - 1)
        ws.freeze_panes(layout.first_data_row, 0)
        first_input = self.layout.header_lines[0] if self.layout.header_lines else None
        if first_input is not None:
            ws.set_selection(a1(layout.first_data_row, self._first_input_col()))
        ws.activate()

    def _first_input_col(self) -> int:
        for i, col in enumerate(self.spec.table.columns):
            if col.is_input:
                return i
        return 0


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of row numbers: [3,4,5,8] -> [(3,5),(8,8)]."""
    runs: list[tuple[int, int]] = []
    for r in rows:
        if runs and runs[-1][1] == r - 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    return runs


def _write_lists(book: xlsxwriter.Workbook, units: Sequence[Unit]) -> None:
    ws = book.add_worksheet(LISTS_SHEET, worksheet_class=ClassicWorksheet)
    ws.write_row(0, 0, ["Mã đơn vị", "Tên đơn vị", "Loại"])
    for i, unit in enumerate(units, start=1):
        ws.write_number(i, 0, unit.code)
        ws.write_string(i, 1, unit.name)
        ws.write_string(i, 2, unit.kind)
    ws.set_column(1, 1, 30)
    ws.hide()
    ws.protect()


def _write_meta(book: xlsxwriter.Workbook, rows: list[tuple[str, str, str]]) -> None:
    ws = book.add_worksheet(META_SHEET, worksheet_class=ClassicWorksheet)
    ws.write_row(0, 0, ["kind", "key", "value"])
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    ws.very_hidden()
    ws.protect()


def write_workbook(
    mappings: Mappings,
    spec: AppendixSpec,
    path: Path,
    *,
    period_id: str | None = None,
    unit: Unit | None = None,
    fill: Filled | None = None,
) -> Path:
    """Write one appendix workbook to ``path`` atomically (temp file, then rename).

    A path ending in ``.xlsm`` gets the macro-enabled variant (button + VBA project).
    """
    period = mappings.project.period(period_id)
    macros = path.suffix.lower() == ".xlsm"

    def write(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "in_memory": True})
        book.set_properties(
            {
                "title": f"{spec.code} - {' '.join(spec.title[1:]) or spec.title[0]}",
                "subject": period.label,
                "author": "xlsaddin",
                "company": f"Tỉnh {mappings.project.province.name}",
                "comments": f"{spec.id} v{spec.version}",
                "created": FIXED_CREATED,
            }
        )
        writer = _SheetWriter(book, mappings, spec, period, unit, fill)
        writer.write()
        _write_lists(book, load_units(mappings.project.province.code))
        _write_meta(book, _meta_rows(mappings, spec, writer.layout, period, unit))
        if macros:  # the .xlsm variant: a "Kiểm tra" button running Python through xlwings
            layout = writer.layout
            writer.ws.insert_button(
                layout.status_row,
                layout.ncols,
                {
                    "macro": "KiemTra",
                    "caption": "Kiểm tra (Python)",
                    "width": 130,
                    "height": 28,
                },
            )
            add_macros(book, len(book.worksheets()))
        book.close()

    atomic_write(path, write)
    return path
