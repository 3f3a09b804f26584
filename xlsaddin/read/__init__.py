"""Workbook -> typed tables with provenance (file hash, sheet, cell)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlsaddin.build.workbook import META_SHEET
from xlsaddin.issues import Issue
from xlsaddin.read.foreign import read_foreign
from xlsaddin.read.standard import read_standard
from xlsaddin.read.table import Cell, Table
from xlsaddin.spec.models import Mappings

__all__ = ["Cell", "Table", "read_file"]


def _grids(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }


def read_file(
    path: Path, mappings: Mappings, sha256: str, name: str | None = None
) -> Table | list[Issue]:
    """Read one (already inspected) workbook. Problems come back as issues."""
    file = name or path.name
    try:
        sheets = _grids(path)
    except (CalamineError, ValueError, OSError) as exc:
        return [
            Issue(
                code="file-corrupt",
                severity="error",
                file=file,
                message=f"Không đọc được nội dung tệp ({type(exc).__name__}); hãy mở bằng Excel, "
                "lưu lại rồi gửi lại.",
            )
        ]
    if META_SHEET in sheets:
        return read_standard(sheets, mappings, file, sha256)
    table = read_foreign(sheets, mappings, file, sha256)
    if table is not None:
        return table
    return [
        Issue(
            code="layout-unknown",
            severity="error",
            file=file,
            message="Tệp không phải biểu mẫu chuẩn và không khớp mẫu bảng nào đã khai báo; "
            "hãy dùng biểu mẫu chuẩn do tỉnh gửi.",
        )
    ]
