"""Reading one workbook file (python-calamine) into a typed table with provenance."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue
from xlsaddin.core.sheets import META_SHEET
from xlsaddin.read.foreign import read_foreign
from xlsaddin.read.standard import read_standard
from xlsaddin.read.table import Cell, Table
from xlsaddin.spec.models import Mappings

__all__ = ["Cell", "Table", "read_file"]


#: Asked before a sheet is parsed: an Issue refusing the file, or None.
SheetCheck = Callable[[str], Issue | None]


class SheetRefused(Exception):
    """A sheet the reader was about to parse was refused (see ``SheetCheck``)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


class _LazySheets(Mapping[str, list[list[Any]]]):
    """Sheets parsed on first access: a standard file needs only ``_meta`` and its data sheet."""

    def __init__(self, book: CalamineWorkbook, check: SheetCheck | None = None) -> None:
        self._book = book
        self._names = list(book.sheet_names)
        self._cache: dict[str, list[list[Any]]] = {}
        self._check = check

    def __getitem__(self, name: str) -> list[list[Any]]:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._cache:
            refused = self._check(name) if self._check is not None else None
            if refused is not None:
                raise SheetRefused(refused)
            sheet = self._book.get_sheet_by_name(name)
            self._cache[name] = sheet.to_python(skip_empty_area=False)
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def read_file(
    path: Path,
    mappings: Mappings,
    sha256: str,
    name: str | None = None,
    data: bytes | None = None,
    check: SheetCheck | None = None,
) -> Table | list[Issue]:
    """Read one (already inspected) workbook. Problems come back as issues.

    ``data``: the bytes intake inspected and hashed (read from ``path`` if None).
    ``check``: asked about each sheet before it is parsed (intake's SheetGuard).
    """
    file = name or path.name
    try:
        book = (
            CalamineWorkbook.from_path(str(path))
            if data is None
            else CalamineWorkbook.from_filelike(io.BytesIO(data))
        )
        sheets = _LazySheets(book, check)
        if META_SHEET in sheets:
            return read_standard(sheets, mappings, file, sha256)
        table = read_foreign(sheets, mappings, file, sha256)
    except SheetRefused as refused:
        return [refused.issue.model_copy(update={"file": file})]
    except (CalamineError, ValueError, OSError) as exc:
        return [
            Issue.of(
                codes.FILE_CORRUPT,
                file=file,
                message=f"Không đọc được nội dung tệp ({type(exc).__name__}); hãy mở bằng Excel, "
                "lưu lại rồi gửi lại.",
            )
        ]
    if table is not None:
        return table
    return [
        Issue.of(
            codes.LAYOUT_UNKNOWN,
            file=file,
            message="Tệp không phải biểu mẫu chuẩn và không khớp mẫu bảng nào đã khai báo; "
            "hãy dùng biểu mẫu chuẩn do tỉnh gửi.",
        )
    ]
