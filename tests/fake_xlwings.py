"""A small fake of the xlwings objects the button functions touch (no Excel on Linux).

Only what ``xlsaddin.excel`` uses: ``book.sheets[...]``, ``sheet.range(...)``
(value, color, offset, sheet), ``sheet.used_range.value``, ``book.names[...]
.refers_to_range``, ``book.app.alert`` and ``book.app.status_bar``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xlsaddin.spec.layout import a1, split_ref


class FakeApp:
    def __init__(self) -> None:
        self.alerts: list[str] = []
        self.status_bar: str | bool = False
        self.status_history: list[str | bool] = []

    def alert(self, prompt: str, title: str = "") -> None:
        self.alerts.append(prompt)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "status_bar" and "status_history" in self.__dict__:
            self.status_history.append(value)
        object.__setattr__(self, name, value)


class FakeRange:
    def __init__(self, sheet: FakeSheet, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self.sheet, self.row, self.col, self.rows, self.cols = sheet, row, col, rows, cols

    @property
    def value(self) -> Any:
        if self.rows == 1 and self.cols == 1:
            return self.sheet.cells.get((self.row, self.col))
        return [
            [self.sheet.cells.get((r, c)) for c in range(self.col, self.col + self.cols)]
            for r in range(self.row, self.row + self.rows)
        ]

    @value.setter
    def value(self, value: Any) -> None:
        if isinstance(value, list):
            block = value if value and isinstance(value[0], list) else [value]
            for i, line in enumerate(block):
                for j, v in enumerate(line):
                    self.sheet.set(self.row + i, self.col + j, v)
        else:
            for r in range(self.row, self.row + self.rows):
                for c in range(self.col, self.col + self.cols):
                    self.sheet.set(r, c, value)

    @property
    def color(self) -> Any:
        return self.sheet.colors.get((self.row, self.col))

    @color.setter
    def color(self, value: Any) -> None:
        self.sheet.colors[(self.row, self.col)] = value

    def offset(self, row_offset: int = 0, column_offset: int = 0) -> FakeRange:
        return FakeRange(self.sheet, self.row + row_offset, self.col + column_offset)


class FakeSheet:
    def __init__(self, name: str, grid: list[list[Any]] | None = None) -> None:
        self.name = name
        self.cells: dict[tuple[int, int], Any] = {}
        self.colors: dict[tuple[int, int], Any] = {}
        for r, line in enumerate(grid or []):
            for c, v in enumerate(line):
                if v not in ("", None):
                    self.cells[(r, c)] = v

    def set(self, row: int, col: int, value: Any) -> None:
        if value in ("", None):
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = value

    def range(self, first: Any, last: Any = None) -> FakeRange:
        if last is None and isinstance(first, str) and ":" in first:
            first, last = first.split(":")
        start = self._at(first)
        if last is None:
            return FakeRange(self, *start)
        end = self._at(last)
        return FakeRange(self, start[0], start[1], end[0] - start[0] + 1, end[1] - start[1] + 1)

    @staticmethod
    def _at(ref: Any) -> tuple[int, int]:
        if isinstance(ref, FakeRange):
            return ref.row, ref.col
        return split_ref(re.sub(r"\$", "", str(ref)))

    @property
    def used_range(self) -> FakeRange:
        if not self.cells:
            return FakeRange(self, 0, 0)
        rows = max(r for r, _ in self.cells) + 1
        cols = max(c for _, c in self.cells) + 1
        return FakeRange(self, 0, 0, rows, cols)


class FakeName:
    def __init__(self, target: FakeRange) -> None:
        self.refers_to_range = target


class FakeSheets(dict[str, FakeSheet]):
    def __iter__(self):  # type: ignore[override]
        return iter(list(self.values()))


class FakeBook:
    def __init__(self, name: str, sheets: list[FakeSheet]) -> None:
        self.name = name
        self.fullname = name
        self.sheets = FakeSheets({s.name: s for s in sheets})
        self.names: dict[str, FakeName] = {}
        self.app = FakeApp()

    def define(self, name: str, sheet: str, ref: str) -> None:
        self.names[name] = FakeName(self.sheets[sheet].range(ref))

    @classmethod
    def from_file(cls, path: Path) -> FakeBook:
        """A book as Excel would hold it after opening ``path`` (cached values)."""
        book = CalamineWorkbook.from_path(str(path))
        sheets = [
            FakeSheet(n, book.get_sheet_by_name(n).to_python(skip_empty_area=False))
            for n in book.sheet_names
        ]
        return cls(path.name, sheets)


def cell_ref(row: int, col: int) -> str:
    return a1(row, col)
