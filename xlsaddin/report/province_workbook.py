"""Write the provincial workbook (XlsxWriter).

Every value that came from a commune is written with ``write_string`` /
``write_number`` / ``write_datetime`` — never ``write()`` — so a text cell that
starts with "=" stays text: formula injection is impossible. Totals rows are
Excel formulas whose cached value is the Python total, next to the Python total
written as a value and an "Đối chiếu" cell comparing the two.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xlsaddin import __version__
from xlsaddin.consolidate.indicators import Headline
from xlsaddin.consolidate.model import AppendixResult, Consolidation
from xlsaddin.consolidate.submissions import SOURCE_VI, STATE_VI, STATUS_VI
from xlsaddin.consolidate.tables import ConsRow, numeric_total
from xlsaddin.core.issues import SEVERITY_VI
from xlsaddin.core.sheets import (
    INFO,
    ISSUES,
    SOURCES,
    STATUS,
    SUMMARY,
    SUMMARY_KEY_COL,
    TASKS,
    quote,
)
from xlsaddin.spec.layout import a1, line_count
from xlsaddin.spec.loader import SpecError
from xlsaddin.spec.models import Chart, Column, Mappings
from xlsaddin.xlsx import CapturingWorksheet, ClassicWorksheet, Formats

FIXED_CREATED = dt.datetime(2025, 7, 1)
TASK_KIND_VI = {"overdue": "Quá hạn", "completed_late": "Hoàn thành muộn"}


def appendix_sheet_name(result: AppendixResult) -> str:
    return f"{result.spec.code} {result.spec.sheet_name}"[:31]


class _Book:
    def __init__(self, path: Path, font: str) -> None:
        self.book = xlsxwriter.Workbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "in_memory": True,
            },
        )
        self.font = font
        self.fmt = Formats(self.book, font, size=11).get

    def value(self, ws: ClassicWorksheet, row: int, col: int, value: object, fmt: Any) -> None:
        """Commune data: strings stay strings whatever they start with."""
        if value is None or value == "":
            ws.put_blank(row, col, fmt)
        elif isinstance(value, bool):
            ws.put_string(row, col, "Có" if value else "Không", fmt)
        elif isinstance(value, (int, float)):
            ws.put_number(row, col, value, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.put_datetime(row, col, value, fmt)
        else:
            ws.put_string(row, col, str(value), fmt)

    def header(
        self, ws: Worksheet, row: int, titles: Sequence[str], widths: Sequence[float]
    ) -> None:
        head = self.fmt(bold=True, border=1, align="center", text_wrap=True, bg_color="#D9E1F2")
        for i, (title, width) in enumerate(zip(titles, widths, strict=True)):
            ws.set_column(i, i, width)
            ws.write_string(row, i, title, head)
        ws.set_row(row, 32)


def _title(b: _Book, ws: Worksheet, text: str, result: Consolidation, ncols: int) -> None:
    ws.merge_range(0, 0, 0, max(ncols - 1, 1), text, b.fmt(bold=True, font_size=13, align="center"))
    sub = (
        f"Kỳ báo cáo: {result.period.label} — số liệu chốt đến ngày {result.closing_date:%d/%m/%Y}"
    )
    ws.merge_range(1, 0, 1, max(ncols - 1, 1), sub, b.fmt(italic=True, align="center"))


def _number_format(col: Column) -> dict[str, Any]:
    if col.type == "int":
        return {"num_format": "#,##0"}
    if col.type == "decimal":
        return {"num_format": "#,##0.0##"}
    if col.type == "date":
        return {"num_format": "dd/mm/yyyy", "align": "center"}
    return {"text_wrap": True}


def _appendix_sheet(
    b: _Book, result: Consolidation, app: AppendixResult, src: list[list[str]]
) -> None:
    spec = app.spec
    name = appendix_sheet_name(app)
    ws = b.book.add_worksheet(name, worksheet_class=ClassicWorksheet)
    inputs = [c for c in spec.table.columns if c.is_input]
    fixed = spec.table.fixed_rows
    titles = ["STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng"] + (["Nội dung"] if fixed else [])
    widths: list[float] = [5.0, 9.0, 22.0, 12.0] + ([30.0] if fixed else [])
    first_value_col = len(titles)
    titles += [f"{c.label} ({c.unit})" if c.unit else c.label for c in inputs]
    widths += [max(10.0, c.width) for c in inputs]
    _title(b, ws, f"{spec.code}. {' '.join(spec.title[1:]) or spec.title[0]}", result, len(titles))
    if spec.unit_of_measure:
        ws.write_string(
            2,
            len(titles) - 1,
            f"Đơn vị tính: {spec.unit_of_measure}",
            b.fmt(italic=True, align="right"),
        )
    head_row = 3
    b.header(ws, head_row, titles, widths)
    cell = b.fmt(border=1)
    formats = {c.key: b.fmt(border=1, **_number_format(c)) for c in inputs}
    row = head_row + 1
    n = 0
    for block in app.blocks:
        status = STATUS_VI[block.status.status]
        if block.status.errors:
            status += f" — {block.status.errors} lỗi"
        rows: list[ConsRow | None] = list(block.rows) or [None]
        for cons in rows:
            n += 1
            ws.put_number(row, 0, n, cell)
            ws.put_number(row, 1, block.status.unit.code, cell)
            ws.put_string(row, 2, block.status.unit.name, cell)
            ws.put_string(row, 3, status, cell)
            if fixed:
                b.value(ws, row, 4, cons.row_label if cons else None, cell)
            for i, col in enumerate(inputs):
                b.value(
                    ws,
                    row,
                    first_value_col + i,
                    cons.values.get(col.key) if cons else None,
                    formats[col.key],
                )
            if cons is not None and block.status.submission is not None:
                sub = block.status.submission.result
                table = sub.table
                src.append(
                    [
                        name,
                        str(row + 1),
                        sub.name,
                        sub.sha256,
                        table.sheet if table else "",
                        "; ".join(f"{k}={v}" for k, v in cons.sources.items()),
                    ]
                )
            row += 1
    first, last = head_row + 1, row - 1
    bold = b.fmt(bold=True, border=1)
    labels = (
        ("Tổng cộng (công thức Excel)", 0),
        ("Tổng cộng tính bằng Python", 1),
        ("Đối chiếu", 2),
    )
    for text, offset in labels:
        ws.merge_range(row + offset, 0, row + offset, first_value_col - 1, text, bold)
    for i, col in enumerate(inputs):
        c = first_value_col + i
        if not col.is_numeric:
            for offset in range(3):
                ws.write_blank(row + offset, c, None, bold)
            continue
        total = numeric_total(app.blocks, col.key)
        fmt = b.fmt(bold=True, border=1, **_number_format(col))
        rng = f"{a1(first, c)}:{a1(last, c)}" if last >= first else a1(first, c)
        ws.write_formula(row, c, f"=SUM({rng})", fmt, total)
        ws.write_number(row + 1, c, total, fmt)
        ws.write_formula(
            row + 2,
            c,
            f'=IF(ABS({a1(row, c)}-{a1(row + 1, c)})<0.001,"Khớp","Lệch")',
            b.fmt(bold=True, border=1, align="center"),
            "Khớp",
        )
    ws.freeze_panes(head_row + 1, 3)
    ws.autofilter(head_row, 0, max(head_row, last), len(titles) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(head_row)


def _status_sheet(b: _Book, result: Consolidation) -> None:
    ws = b.book.add_worksheet(STATUS, worksheet_class=CapturingWorksheet)
    apps = result.appendices
    titles = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại"] + [a.spec.code for a in apps] + ["Số lỗi"]
    widths = [5, 9, 24, 8] + [14] * len(apps) + [8]
    _title(b, ws, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU", result, len(titles))
    total = len(result.units)
    row = 3
    bold = b.fmt(bold=True)
    for app in apps:
        counts = Counter(s.status for s in app.statuses)
        parts = [
            f"{STATUS_VI[k]} {counts[k]}/{total} ({100 * counts[k] / total:.0f}%)".replace(".", ",")
            for k in ("submitted", "late", "missing")
        ]
        ws.write_string(row, 0, f"{app.spec.code}: " + "; ".join(parts), bold)
        row += 1
    row += 1
    b.header(ws, row, titles, widths)
    row += 1
    cell = b.fmt(border=1)
    missing = b.fmt(border=1, bg_color="#F4CCCC")
    late = b.fmt(border=1, bg_color="#FCE4D6")
    for n, unit in enumerate(result.units, start=1):
        ws.write_number(row, 0, n, cell)
        ws.write_number(row, 1, unit.code, cell)
        ws.write_string(row, 2, unit.name, cell)
        ws.write_string(row, 3, unit.kind, cell)
        errors = 0
        for i, app in enumerate(apps):
            status = app.statuses[n - 1]
            fmt = (
                missing if status.status == "missing" else late if status.status == "late" else cell
            )
            ws.write_string(row, 4 + i, STATUS_VI[status.status], fmt)
            errors += status.errors
        ws.write_number(row, 4 + len(apps), errors, cell)
        row += 1
    row += 1
    ws.write_string(row, 0, "Tệp bị từ chối, bị thay thế hoặc gửi trùng", bold)
    row += 1
    b.header(
        ws,
        row,
        ["STT", "Mã đơn vị", "Tệp", "Tình trạng", "Lý do", "Nhận lúc"],
        [5, 9, 40, 24, 60, 16],
    )
    row += 1
    wrap = b.fmt(border=1, text_wrap=True)
    listed = sorted(result.rejected + result.replaced, key=lambda s: s.result.name)
    for n, sub in enumerate(listed, start=1):
        reason = "; ".join(i.message for i in sub.result.issues if i.severity == "error")
        if sub.state != "rejected":
            reason = f"Bản dùng: {sub.replaced_by}"
        ws.write_number(row, 0, n, cell)
        b.value(ws, row, 1, sub.unit_code, cell)
        ws.write_string(row, 2, sub.result.name, wrap)
        ws.write_string(row, 3, STATE_VI[sub.state], wrap)
        ws.write_string(row, 4, reason, wrap)
        ws.write_string(
            row, 5, f"{sub.received_at:%d/%m/%Y %H:%M} ({SOURCE_VI[sub.received_source]})", wrap
        )
        row += 1
    ws.freeze_panes(7 + len(apps) - 1, 3)


def headline_format(h: Headline, n_units: int) -> str:
    """Number format showing a headline value as the report writes it ("47/96", "61,4%")."""
    if h.text.endswith(f"/{n_units}"):
        return f'0"/{n_units}"'
    digits = "0" if h.decimals == 0 else "0." + "0" * h.decimals
    if h.text.endswith("%"):
        return f'{digits}"%"'
    return "#,##" + digits


def chart_rows(keys: tuple[str, ...], rows: dict[str, int]) -> list[int]:
    """Sheet rows of the headlines a chart shows (``prefix.*`` expands in sheet order)."""
    out = []
    for key in keys:
        if key.endswith(".*"):
            out += [r for k, r in rows.items() if k.startswith(key[:-1])]
        elif key in rows:
            out.append(rows[key])
    return out


def _keys(keys: tuple[str, ...], rows: dict[str, int]) -> list[str]:
    return [
        k for k in rows if any(k == w or (w.endswith(".*") and k.startswith(w[:-1])) for w in keys)
    ]


def _summary_sheet(b: _Book, result: Consolidation) -> None:
    ws = b.book.add_worksheet(SUMMARY, worksheet_class=CapturingWorksheet)
    _title(b, ws, "TỔNG HỢP KẾT QUẢ BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU", result, 5)
    widths = (46, 16, 12, 30, 70)
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    ws.set_column(SUMMARY_KEY_COL, SUMMARY_KEY_COL, 24, None, {"hidden": True})
    row = 3
    bold = b.fmt(bold=True, font_size=12)
    wrap = b.fmt(text_wrap=True, border=1, valign="top")
    total = len(result.units)
    ws.write_string(
        row,
        0,
        f"{len(result.submissions)} tệp nhận được, {len(result.rejected)} tệp bị từ chối, "
        f"{len(result.replaced)} tệp gửi trùng hoặc bị thay thế.",
        b.fmt(italic=True),
    )
    row += 2
    charts: list[tuple[Chart, list[int]]] = []
    for app in result.appendices:
        ws.write_string(row, 0, f"{app.spec.code}. {' '.join(app.spec.title[1:])}", bold)
        row += 1
        submitted = total - app.count("missing")
        ws.write_string(
            row,
            0,
            f"Số đơn vị đã nộp: {submitted}/{total} "
            f"(nộp muộn {app.count('late')}, chưa nộp {app.count('missing')})",
        )
        ws.write_number(row, 1, submitted, b.fmt(bold=True, num_format=f'0"/{total}"'))
        ws.write_string(row, SUMMARY_KEY_COL, f"{app.spec.id}:_submitted")
        row += 1
        b.header(ws, row, ["Chỉ tiêu", "Giá trị", "Đơn vị", "So với kỳ trước", "Ghi chú"], widths)
        row += 1
        rows: dict[str, int] = {}
        for h in app.headlines:
            label = f"{h.row}: {h.label.lower()}" if h.row else h.label
            names = "; ".join(h.names)
            lines = max(line_count(label, 46), line_count(names, 70) if names else 1)
            ws.set_row(row, 15 * lines + 2)
            ws.write_string(row, 0, label, wrap)
            fmt = b.fmt(border=1, align="right", bold=True, num_format=headline_format(h, total))
            if h.value is None:
                ws.write_string(row, 1, h.text, fmt)
            else:
                ws.write_number(row, 1, h.value, fmt)
            unit = "" if h.unit == "%" else h.unit or ("đơn vị" if "/" in h.text else "")
            ws.write_string(row, 2, unit, wrap)
            ws.write_string(row, 3, app.changes.get(h.key, ""), wrap)
            ws.write_string(row, 4, names, wrap)
            ws.write_string(row, SUMMARY_KEY_COL, f"{app.spec.id}:{h.key}")
            rows[h.key] = row
            row += 1
        # a chart without data (no figure, or only zeros) is left out
        values = {h.key: h.value for h in app.headlines}
        known = {k: r for k, r in rows.items() if values.get(k) is not None}
        for c in app.spec.charts:
            shown = chart_rows(c.indicators, known)
            charts.append((c, shown if any(values[k] for k in _keys(c.indicators, known)) else []))
        row += 1
    if result.previous_period:
        ws.write_string(
            row, 0, f"Kỳ trước dùng để so sánh: {result.previous_period}", b.fmt(italic=True)
        )
        row += 1
    # charts below the tables, inside the printed width (columns A-E)
    if any(shown for _, shown in charts):
        ws.write_string(row + 1, 0, "BIỂU ĐỒ", bold)
    chart_at = row + 3
    for spec_chart, shown in charts:
        chart_at = _native_chart(b, ws, spec_chart, shown, chart_at)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.activate()


def _ref_list(sheet: str, col: str, rows: list[int]) -> str:
    if rows == list(range(rows[0], rows[0] + len(rows))):
        return f"={sheet}!${col}${rows[0] + 1}:${col}${rows[-1] + 1}"
    return "=(" + ",".join(f"{sheet}!${col}${r + 1}" for r in rows) + ")"


def _native_chart(b: _Book, ws: Worksheet, spec: Chart, rows: list[int], at: int) -> int:
    """An Excel chart over headline rows, placed right of the table; returns the next free row."""
    if not rows:
        return at
    kind = {"bar": "bar", "column": "column", "pie": "pie"}[spec.type]
    chart = b.book.add_chart({"type": kind})
    sheet = quote(SUMMARY)
    categories = ",".join(f"{sheet}!$A${r + 1}" for r in rows)
    values = ",".join(f"{sheet}!$B${r + 1}" for r in rows)
    chart.add_series(
        {
            "name": spec.title,
            "categories": f"=({categories})" if len(rows) > 1 else f"={categories}",
            "values": f"=({values})" if len(rows) > 1 else f"={values}",
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": spec.title, "name_font": {"size": 11, "name": b.font}})
    chart.set_legend({"position": "bottom"} if kind == "pie" else {"none": True})
    height = max(300, 22 * len(rows) + 80) if kind == "bar" else 300
    chart.set_size({"width": 900, "height": height})
    ws.insert_chart(at, 0, chart)
    return at + height // 20 + 2


def _tasks_sheet(b: _Book, result: Consolidation) -> None:
    ws = b.book.add_worksheet(TASKS, worksheet_class=CapturingWorksheet)
    titles = [
        "STT",
        "Mã đơn vị",
        "Đơn vị",
        "Tên nhiệm vụ",
        "Văn bản giao",
        "Thời hạn",
        "Kết quả",
        "Ngày hoàn thành",
        "Tình trạng",
        "Số ngày quá hạn",
        "Tệp",
        "Ô",
    ]
    widths = [5, 9, 20, 40, 28, 11, 14, 12, 14, 9, 30, 6]
    _title(b, ws, "NHIỆM VỤ QUÁ HẠN VÀ HOÀN THÀNH MUỘN", result, len(titles))
    b.header(ws, 3, titles, widths)
    cell = b.fmt(border=1, text_wrap=True)
    date = b.fmt(border=1, num_format="dd/mm/yyyy", align="center")
    for n, t in enumerate(result.tasks, start=1):
        r = 3 + n
        ws.write_number(r, 0, n, cell)
        ws.write_number(r, 1, t.unit.code, cell)
        ws.write_string(r, 2, t.unit.name, cell)
        b.value(ws, r, 3, t.name, cell)
        b.value(ws, r, 4, t.assigned_by, cell)
        b.value(ws, r, 5, t.deadline, date)
        b.value(ws, r, 6, t.status, cell)
        b.value(ws, r, 7, t.completed_on, date)
        ws.write_string(r, 8, TASK_KIND_VI[t.kind], cell)
        b.value(ws, r, 9, t.days, cell)
        ws.write_string(r, 10, t.file, cell)
        b.value(ws, r, 11, t.cell, cell)
    ws.freeze_panes(4, 3)
    ws.autofilter(3, 0, 3 + len(result.tasks), len(titles) - 1)


def _issues_sheet(b: _Book, result: Consolidation) -> None:
    ws = b.book.add_worksheet(ISSUES, worksheet_class=ClassicWorksheet)
    titles = [
        "STT",
        "Mã đơn vị",
        "Đơn vị",
        "Phụ lục",
        "Tệp",
        "Trang",
        "Ô",
        "Mã lỗi",
        "Mức độ",
        "Giá trị",
        "Nội dung",
    ]
    widths = [5, 9, 20, 8, 30, 18, 6, 24, 9, 14, 70]
    _title(b, ws, "DANH SÁCH LỖI VÀ CẢNH BÁO", result, len(titles))
    b.header(ws, 3, titles, widths)
    cell = b.fmt(border=1, text_wrap=True)
    red = b.fmt(border=1, font_color="#C00000")
    names = {u.code: u.name for u in result.units}
    codes = {a.spec.id: a.spec.code for a in result.appendices}
    ordered = sorted(
        result.issues,
        key=lambda i: (
            i.unit_code or 0,
            i.appendix or "",
            i.file or "",
            i.severity,
            i.code,
            i.cell or "",
        ),
    )
    for n, issue in enumerate(ordered, start=1):
        r = 3 + n
        ws.write_number(r, 0, n, cell)
        b.value(ws, r, 1, issue.unit_code, cell)
        b.value(ws, r, 2, names.get(issue.unit_code or 0), cell)
        b.value(ws, r, 3, codes.get(issue.appendix or ""), cell)
        b.value(ws, r, 4, issue.file, cell)
        b.value(ws, r, 5, issue.sheet, cell)
        b.value(ws, r, 6, issue.cell, cell)
        ws.write_string(r, 7, issue.code, cell)
        ws.write_string(
            r, 8, SEVERITY_VI[issue.severity], red if issue.severity == "error" else cell
        )
        b.value(ws, r, 9, issue.value, cell)
        ws.write_string(r, 10, issue.message, cell)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, 3 + len(ordered), len(titles) - 1)


def _info_sheet(b: _Book, result: Consolidation) -> None:
    """Machine-readable facts about the run (read back by ``xlsaddin report``)."""
    ws = b.book.add_worksheet(INFO, worksheet_class=CapturingWorksheet)
    facts = [
        ("period_id", result.period.id),
        ("period_label", result.period.label),
        ("closing_date", result.closing_date.isoformat()),
        ("deadline", result.period.deadline.isoformat()),
        ("units_total", str(len(result.units))),
        ("previous_period", result.previous_period or ""),
    ]
    for r, (key, value) in enumerate(facts):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.hide()


def _sources_sheet(b: _Book, rows: list[list[str]]) -> None:
    ws = b.book.add_worksheet(SOURCES, worksheet_class=ClassicWorksheet)
    ws.write_row(0, 0, ["Trang", "Dòng", "Tệp nguồn", "SHA-256", "Trang nguồn", "Ô nguồn"])
    for r, line in enumerate(rows, start=1):
        for c, text in enumerate(line):
            ws.put_string(r, c, text)
    ws.hide()


def write_province_workbook(result: Consolidation, path: Path, mappings: Mappings) -> None:
    """Write to ``path`` (the caller handles temp files and renaming)."""
    b = _Book(path, mappings.project.font_name)
    b.book.set_properties(
        {
            "title": f"Tổng hợp báo cáo {result.period.label}",
            "author": "xlsaddin",
            "comments": f"xlsaddin {__version__}",
            "created": FIXED_CREATED,
        }
    )
    sources: list[list[str]] = []
    _summary_sheet(b, result)
    _status_sheet(b, result)
    for app in result.appendices:
        _appendix_sheet(b, result, app, sources)
    _tasks_sheet(b, result)
    _issues_sheet(b, result)
    _sources_sheet(b, sources)
    _info_sheet(b, result)
    _report_tables(b, mappings)
    b.book.close()


def _report_tables(b: _Book, mappings: Mappings) -> None:
    """The report's numbered tables, print-ready, from the values just written."""
    from xlsaddin.report.build import summary_tables
    from xlsaddin.report.source import source_from_grids
    from xlsaddin.report.spec import load_report_spec
    from xlsaddin.report.tables_xlsx import add_table_sheets

    try:
        spec = load_report_spec(mappings.root)
    except SpecError:
        return  # report wording is broken or absent: 'xlsaddin report' will say so
    grids = {ws.name: ws.grid() for ws in b.book.worksheets() if isinstance(ws, CapturingWorksheet)}
    tables = summary_tables(source_from_grids(grids, mappings), spec, mappings)
    add_table_sheets(b.book, tables, mappings.project.font_name)
