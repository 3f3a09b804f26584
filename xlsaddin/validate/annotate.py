"""``--annotate``: a *copy* of each file with offending cells highlighted and commented,
plus an "Lỗi" sheet linking to them. The original is never opened for writing.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from xlsaddin.safe_output import atomic_write
from xlsaddin.validate.run import FileResult

RED = PatternFill("solid", fgColor="F4CCCC")
ORANGE = PatternFill("solid", fgColor="FCE4D6")
ISSUE_SHEET = "Lỗi"
HEADERS = ("STT", "Mã lỗi", "Mức độ", "Trang", "Ô", "Giá trị", "Nội dung")


def annotate(result: FileResult, out_dir: Path) -> Path | None:
    """Write ``<stem>_kiem_tra.xlsx`` into ``out_dir``; None for unreadable files."""
    if result.table is None:
        return None
    book = openpyxl.load_workbook(result.path)
    notes: dict[tuple[str, str], list[str]] = {}
    for issue in result.issues:
        if issue.sheet and issue.cell and issue.sheet in book.sheetnames:
            notes.setdefault((issue.sheet, issue.cell), []).append(issue.message)
            cell = book[issue.sheet][issue.cell]
            if issue.severity == "error" or cell.fill != RED:
                cell.fill = RED if issue.severity == "error" else ORANGE
    for (sheet, ref), messages in notes.items():
        book[sheet][ref].comment = Comment("\n".join(messages), "xlsaddin", width=320, height=120)
    if ISSUE_SHEET in book.sheetnames:
        del book[ISSUE_SHEET]
    ws = book.create_sheet(ISSUE_SHEET, 0)
    ws.append(HEADERS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, issue in enumerate(result.issues, start=1):
        ws.append(
            [
                n,
                issue.code,
                "Lỗi" if issue.severity == "error" else "Cảnh báo",
                issue.sheet,
                issue.cell,
                issue.value,
                issue.message,
            ]
        )
        if issue.sheet and issue.cell:
            link = ws.cell(row=n + 1, column=5)
            link.hyperlink = f"#'{issue.sheet}'!{issue.cell}"
            link.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEFG", (6, 30, 10, 20, 8, 18, 80), strict=True):
        ws.column_dimensions[letter].width = width
    book.active = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = result.name.rsplit(".", 1)[0].replace("/", "__")
    target = out_dir / f"{stem}_kiem_tra.xlsx"
    atomic_write(target, lambda tmp: book.save(tmp))
    return target
