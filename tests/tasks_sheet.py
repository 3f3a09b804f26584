"""Write a department task sheet (the 7-column foreign layout) cell by cell, for tests.

Unlike the demo's writer, nothing is changed behind the test's back: each task is a
row of seven cell values exactly as given, so a test knows where every value sits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

HEADERS = ("TT", "Tên nhiệm vụ", "Văn bản giao nhiệm vụ", "Thời hạn", "Kết quả", "Mô tả",
           "Ngày hoàn thành thực tế")  # fmt: skip
COLUMNS = ("tt", "ten_nhiem_vu", "van_ban_giao", "thoi_han", "ket_qua", "mo_ta", "ngay_hoan_thanh")
FIRST_ROW = 5  # 1-based sheet row of the first task: title, subtitle, blank, header


def write_task_sheet(
    path: Path,
    unit_name: str,
    rows: Sequence[Sequence[object] | None],
) -> dict[int, int]:
    """``rows``: seven values per task, ``None`` for a blank spacer row, or a row starting
    with the marker ``"HEADER"`` to repeat the header (a page break). Returns the sheet row
    (1-based) of each given row index."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Phụ lục 04"
    ws["A1"] = f"UBND {unit_name.upper()}"
    ws["A2"] = "BẢNG TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ"
    for c, text in enumerate(HEADERS, start=1):
        ws.cell(FIRST_ROW - 1, c).value = text
    where = {}
    for n, row in enumerate(rows):
        r = FIRST_ROW + n
        where[n] = r
        values = () if row is None else HEADERS if row and row[0] == "HEADER" else row
        for c, value in enumerate(values, start=1):
            if value is not None:
                ws.cell(r, c).value = value
    book.save(path)
    return where
