"""Names of the sheets xlsaddin writes and reads back, in one place.

Readers locate a standard workbook by :data:`META_SHEET`; ``xlsaddin report``
reads the provincial workbook's sheets by these names. Changing one here
changes the writer and every reader together.
"""

from __future__ import annotations

# -- a standard appendix workbook (forms) ------------------------------------------
META_SHEET = "_meta"  # very hidden: where every header field, column and row sits
LISTS_SHEET = "_lists"  # hidden: the units of the province (drop-down source)
CHECK_SHEET = "Kiểm tra"  # the live check sheet (one formula per check)

# -- the provincial workbook (consolidation output) --------------------------------
SUMMARY = "Tổng hợp"
STATUS = "Tình hình nộp báo cáo"
TASKS = "Nhiệm vụ quá hạn"
ISSUES = "Lỗi"
SOURCES = "_nguon"  # hidden: source file, hash, sheet and cell of every value
INFO = "_thong_tin"  # hidden: facts about the run, read back by ``xlsaddin report``
SUMMARY_KEY_COL = 5  # hidden column F of SUMMARY: "appendix:key" of each headline row


def quote(sheet: str) -> str:
    """A sheet name as a formula reference prefix needs it: 'Kiểm tra' (quotes doubled)."""
    return "'" + sheet.replace("'", "''") + "'"


# the first columns of a provincial appendix sheet, then "Nội dung" for fixed rows, then
# the form's columns. "Tình trạng nộp" (the unit's submission), not "Tình trạng": a form
# may have a column of that name (PL05: the document's status)
APPENDIX_PREFIX = ("STT", "Mã đơn vị", "Tên đơn vị", "Tình trạng nộp")


def appendix_sheet(code: str, sheet_name: str) -> str:
    """The provincial workbook's sheet of one appendix: "PL02 Nguồn lực tài chính" (31 chars)."""
    return f"{code} {sheet_name}"[:31]
