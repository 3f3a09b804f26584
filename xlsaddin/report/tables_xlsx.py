"""The report's tables as a print-ready workbook: one sheet per table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from xlsaddin.report.model import ReportDoc, ReportTable
from xlsaddin.xlsx import ClassicWorksheet


def _tables(doc: ReportDoc) -> list[ReportTable]:
    return [t for s in [*doc.sections, *doc.annex] for t in s.tables]


def add_table_sheets(book: Any, tables: list[ReportTable], font: str) -> None:
    """One print-ready sheet per table ("Bảng N"): title, header row, rows, source line."""
    base = {"font_name": font, "font_size": 12, "valign": "vcenter"}
    title = book.add_format({**base, "bold": True, "align": "center", "text_wrap": True})
    head = book.add_format(
        {
            **base,
            "bold": True,
            "border": 1,
            "align": "center",
            "text_wrap": True,
            "bg_color": "#D9E1F2",
        }
    )
    cell = book.add_format({**base, "border": 1, "text_wrap": True})
    right = book.add_format({**base, "border": 1, "align": "right"})
    note = book.add_format({**base, "italic": True, "font_size": 11})
    for table in tables:
        ws = book.add_worksheet(f"Bảng {table.number}", worksheet_class=ClassicWorksheet)
        ncols = len(table.headers)
        widths = table.widths_cm or [16.5 / ncols] * ncols
        for i, width in enumerate(widths):
            ws.set_column(i, i, width * 5.2)
        ws.merge_range(0, 0, 0, max(ncols - 1, 1), f"Bảng {table.number}. {table.title}", title)
        ws.set_row(0, 36)
        for i, text in enumerate(table.headers):
            ws.write_string(2, i, text, head)
        for r, row in enumerate(table.rows, start=3):
            for c, text in enumerate(row):
                ws.write_string(r, c, text, right if c in table.numeric_columns else cell)
        if table.source:
            ws.write_string(4 + len(table.rows), 0, table.source, note)
        ws.repeat_rows(2)
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()


def write_tables_xlsx(doc: ReportDoc, path: Path, font: str) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    add_table_sheets(book, _tables(doc), font)
    book.close()
