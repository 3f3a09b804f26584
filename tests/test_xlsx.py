"""The fast worksheet classes write exactly what XlsxWriter itself writes."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xlsaddin.xlsx import CapturingWorksheet, ClassicWorksheet


def _sheet_xml(worksheet_class: type[Any]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("Trang", worksheet_class=worksheet_class)
    bold = book.add_format({"bold": True, "border": 1})
    money = book.add_format({"num_format": "#,##0.0##", "border": 1})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.set_row(5, None, bold)  # a row format: the cell without its own format inherits it
    ws.set_column(6, 6, 12, money)
    values: list[tuple[Any, Any]] = [
        ("Xã Ba Tơ", bold),
        ('=chữ "có" <dấu> & ký tự', None),
        (1234567.125, money),
        (-0.1, None),
        (1e-20, money),
        (dt.date(2025, 12, 15), day),
        (dt.datetime(2025, 12, 15, 8, 30), day),
        (None, bold),
        (None, None),
        (True, bold),
    ]
    for r, (value, fmt) in enumerate(values):
        for c in (0, 5, 6):
            if isinstance(value, str):
                ws.write_string(r, c, value, fmt)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value, fmt)
            elif isinstance(value, (dt.date, dt.datetime)):
                ws.write_datetime(r, c, value, fmt)
            elif isinstance(value, float):
                ws.write_number(r, c, value, fmt)
            else:
                ws.write_blank(r, c, None, fmt)
    ws.write_formula(12, 0, "=SUM(A3:A5)", money, 1234567.025)
    ws.write_string(14, 2, "không định dạng")  # no cell, row or column format
    ws.write_number(14, 3, 7)
    ws.write_string(15, 6, "theo định dạng cột")  # inherits column G's format
    ws.write_rich_string(13, 0, "a", bold, "b")
    book.close()
    with zipfile.ZipFile(out) as zf:
        return zf.read("xl/worksheets/sheet1.xml")


def test_fast_cell_serialisation_is_byte_identical() -> None:
    reference = _sheet_xml(Worksheet)
    # every fast-path shape is in the reference: formatted string, number, date, blank
    for shape in (
        rb'<c r="A1" s="\d+" t="s"><v>0</v></c>',
        rb'<c r="A3" s="\d+"><v>1234567.125</v>',
        rb'<c r="A6" s="\d+"><v>46006</v>',
        rb'<c r="A8" s="\d+"/>',
    ):
        assert re.search(shape, reference), shape
    assert _sheet_xml(ClassicWorksheet) == reference
    assert _sheet_xml(CapturingWorksheet) == reference


def test_put_writers_store_what_the_public_writers_store() -> None:
    def sheet(use_put: bool) -> bytes:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        ws = book.add_worksheet("Trang", worksheet_class=CapturingWorksheet)
        fmt = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
        if use_put:
            ws.put_string(0, 0, "=1+1 vẫn là chữ", fmt)
            ws.put_number(0, 1, 2.5, fmt)
            ws.put_blank(0, 2, fmt)
            ws.put_datetime(0, 3, dt.date(2025, 12, 15), fmt)
        else:
            ws.write_string(0, 0, "=1+1 vẫn là chữ", fmt)
            ws.write_number(0, 1, 2.5, fmt)
            ws.write_blank(0, 2, None, fmt)
            ws.write_datetime(0, 3, dt.date(2025, 12, 15), fmt)
        grid = ws.grid()
        book.close()
        with zipfile.ZipFile(out) as zf:
            return zf.read("xl/worksheets/sheet1.xml") + repr(grid).encode()

    assert sheet(use_put=True) == sheet(use_put=False)
