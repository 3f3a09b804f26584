"""The report's tables as a print-ready workbook: one sheet per table ("Bảng N").

Each sheet prints like the table in the Word report: title, the period it covers, the
header row repeated on every page, rows as tall as their wrapped text, the source line, and
page numbers with the period in the footer. Figures are numbers with a display format (a
cell shows "173.147,2" on a Vietnamese Excel and can still be summed), not text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from xlsaddin.report.model import ReportDoc, ReportTable
from xlsaddin.spec.layout import wrapped_lines
from xlsaddin.xlsx import ClassicWorksheet, Formats, print_setup

CHARS_PER_CM = 5.2  # Excel column width units per centimetre of the Word table
LINE_PT = 16.0  # one line of 12 pt text


def print_texts(period: str, closing: str) -> tuple[str, str]:
    """(subtitle, footer) of the print-ready tables: the same in the provincial workbook
    and in ``report --xlsx``."""
    return (
        f"Kỳ báo cáo: {period} — số liệu chốt đến ngày {closing}",
        f"Tổng hợp báo cáo cấp xã — {period}",
    )


def _tables(doc: ReportDoc) -> list[ReportTable]:
    tables = [t for s in doc.sections for t in s.tables]
    return tables + [t for a in doc.annex for t in a.tables]


def add_table_sheets(
    book: Any, tables: list[ReportTable], font: str, *, subtitle: str = "", footer: str = ""
) -> None:
    """One print-ready sheet per table ("Bảng N"): title, period, header row, rows, source.

    ``subtitle``: the period and closing date under the title; ``footer``: what the footer
    says besides the sheet name and the page number.
    """
    base = {"font_name": font, "font_size": 12, "valign": "vcenter"}
    title = book.add_format({**base, "bold": True, "align": "center", "text_wrap": True})
    sub = book.add_format({**base, "italic": True, "align": "center"})
    note = book.add_format({**base, "italic": True, "font_size": 11})
    formats = Formats(book, font, size=12)
    for table in tables:
        size = table.font_pt  # the body of a long annex list is set smaller, as in Word
        line_pt = LINE_PT * size / 12
        head = formats.get(
            bold=True,
            border=1,
            align="center",
            text_wrap=True,
            bg_color="#D9E1F2",
            font_size=size,
        )
        cell = formats.get(border=1, text_wrap=True, font_size=size)
        right = formats.get(border=1, align="right", font_size=size)
        ws = book.add_worksheet(f"Bảng {table.number}", worksheet_class=ClassicWorksheet)
        ncols = len(table.headers)
        widths = [w * CHARS_PER_CM for w in table.widths_cm or [16.5 / ncols] * ncols]
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        last = max(ncols - 1, 1)
        text = f"Bảng {table.number}. {table.title}"
        ws.merge_range(0, 0, 0, last, text, title)
        ws.set_row(0, LINE_PT * wrapped_lines(text, sum(widths) * 0.9, 12) + 4)
        if subtitle:
            ws.merge_range(1, 0, 1, last, subtitle, sub)
        for i, text in enumerate(table.headers):
            ws.write_string(2, i, text, head)
        heads = zip(table.headers, widths, strict=True)
        ws.set_row(2, line_pt * max(wrapped_lines(h, w, size) for h, w in heads) + 4)
        for r, row in enumerate(table.rows):
            for c, text in enumerate(row):
                numeric = c in table.numeric_columns
                if (r, c) in table.numbers:
                    value, num_format = table.numbers[(r, c)]
                    fmt = formats.get(
                        border=1, align="right", num_format=num_format, font_size=size
                    )
                    if isinstance(value, dt.date):
                        ws.write_datetime(3 + r, c, value, fmt)
                    else:
                        ws.write_number(3 + r, c, value, fmt)
                else:
                    ws.write_string(3 + r, c, text, right if numeric else cell)
            texts = [(t, w) for c, (t, w) in enumerate(zip(row, widths, strict=False))]
            lines = max(
                (wrapped_lines(t, w, size) for c, (t, w) in enumerate(texts)
                 if c not in table.numeric_columns),
                default=1,
            )  # fmt: skip
            if lines > 1:
                ws.set_row(3 + r, line_pt * lines + 4)
        if table.source:
            ws.write_string(4 + len(table.rows), 0, table.source, note)
        print_setup(
            ws,
            landscape=sum(widths) > 100,
            repeat=(2, 2),
            footer=footer or subtitle,
            font=font,
        )
        ws.print_area(0, 0, 4 + len(table.rows), ncols - 1)


def write_tables_xlsx(
    doc: ReportDoc, path: Path, font: str, *, subtitle: str = "", footer: str = ""
) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    add_table_sheets(book, _tables(doc), font, subtitle=subtitle, footer=footer)
    book.close()
