"""The department's existing 7-column task sheet, as communes really return it.

Not our template: the header sits a few rows down, text wraps, spacer rows are
blank, the row number is lost after a page break, one status is empty and the
dates come in every format seen in real files (always day first).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xlsaddin.units import Unit

HEADERS = (
    "TT",
    "Tên nhiệm vụ",
    "Văn bản giao nhiệm vụ",
    "Thời hạn",
    "Kết quả",
    "Mô tả",
    "Ngày hoàn thành thực tế",
)


def _date_variant(value: dt.date, i: int) -> Any:
    variants = (
        value,  # a real date cell
        value.strftime("%d/%m/%Y"),  # 31/08/2025
        value.strftime("%d-%m-%Y"),  # 30-06-2025
        value.isoformat(),  # 2026-01-01
        value.strftime("%Y-%m-%d 00:00:00"),  # 2025-06-15 00:00:00
        f"{value.day}/{value.month}/{value.year}",  # 5/12/2025
    )
    return variants[i % len(variants)]


def write_department_task_sheet(
    path: Path, unit: Unit, tasks: list[dict[str, Any]], rng: random.Random
) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Phụ lục 04"
    ws["A1"] = f"UBND {unit.name.upper()}"
    ws["A2"] = "BẢNG TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
    ws["A2"].font = Font(bold=True)
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=4, column=col, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    row = 5
    missing_status = rng.randrange(len(tasks))
    for i, task in enumerate(tasks):
        if i == 4:
            row += 1  # blank spacer row (page break in the original)
        number = None if i == 5 else i + 1  # row number lost at the page break
        status = None if i == missing_status else task.get("ket_qua")
        done = task.get("ngay_hoan_thanh")
        cells = (
            number,
            task["ten_nhiem_vu"],
            task["van_ban_giao"],
            _date_variant(task["thoi_han"], i),
            status,
            task.get("mo_ta"),
            _date_variant(done, i + 2) if done else None,
        )
        for col, value in enumerate(cells, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
        row += 1
    for letter, width in zip("ABCDEFG", (5, 40, 30, 14, 16, 30, 16), strict=True):
        ws.column_dimensions[letter].width = width
    book.properties.created = book.properties.modified = dt.datetime(2025, 12, 1, 8, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
