"""The provincial workbook's hidden provenance sheet (``_nguon``), written and read back.

One line per *run*: consecutive rows of a provincial sheet that come from consecutive
rows of one source sheet, every column from the same source column. A commune's file
typed in the standard form is one line, e.g.::

    PL01 Tiêu chí hạ tầng | 5 | 20 | email/PL01 Xã A.xlsx | <sha256> | Tiêu chí hạ tầng |
    ket_qua=D18:D33; so_luong=E18:E33; ghi_chu=F18:F33

A row whose sources break the pattern (another column, a skipped source row, a column
more or less) starts a new line, so every value is still traced to its own cell. In a
line of one row (``Từ dòng`` = ``Đến dòng``) each source cell is written as read; in a
longer line each is a range of one column with exactly as many rows as the line.

Written this way, the sheet holds about a sixth of the cells it held with one line per
row (4,566 lines for the demo inbox): a third of the provincial workbook's cells and of
its writing time went to it (docs/performance.md, sixth round of issue 10).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

HEADER = ("Trang", "Từ dòng", "Đến dòng", "Tệp nguồn", "SHA-256", "Trang nguồn", "Ô nguồn")

LAST_ROW = 1_048_576  # Excel's: a run never goes beyond it (its ranges stay readable)
_CELL = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")
_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})([1-9][0-9]{0,6})")


@dataclass(frozen=True)
class Traced:
    """One row of a provincial sheet and where its values were read."""

    sheet: str
    row: int  # 1-based, as Excel shows it
    file: str
    sha256: str
    source_sheet: str
    cells: Mapping[str, str]  # column key -> source cell (A1), in the sheet's column order


@dataclass(frozen=True)
class Source:
    """One value's origin, as a provenance line gives it back (:func:`expand`)."""

    sheet: str
    row: int
    file: str
    sha256: str
    source_sheet: str
    key: str
    cell: str


Line = tuple[str, int, int, str, str, str, str]


class _Run:
    __slots__ = ("first", "head", "keys", "last", "starts")

    def __init__(self, first: Traced, starts: list[tuple[str, int]] | None) -> None:
        self.head = first
        self.first = self.last = first.row
        self.keys = tuple(first.cells)
        self.starts = starts  # per key: column letters and source row; None: not a run

    def extends(self, row: Traced) -> bool:
        head = self.head
        if (
            self.starts is None
            or row.row != self.last + 1
            or row.file != head.file
            or row.sheet != head.sheet
            or row.sha256 != head.sha256
            or row.source_sheet != head.source_sheet
            or tuple(row.cells) != self.keys
        ):
            return False
        step = row.row - self.first
        for (letters, start), ref in zip(self.starts, row.cells.values(), strict=True):
            if start + step > LAST_ROW or ref != f"{letters}{start + step}":
                return False
        return True

    def line(self) -> Line:
        head = self.head
        if self.last == self.first or self.starts is None:
            refs = "; ".join(f"{k}={v}" for k, v in head.cells.items())
        else:
            span = self.last - self.first
            refs = "; ".join(
                f"{k}={letters}{start}:{letters}{start + span}"
                for k, (letters, start) in zip(self.keys, self.starts, strict=True)
            )
        return (head.sheet, self.first, self.last, head.file, head.sha256, head.source_sheet, refs)


def _starts(cells: Mapping[str, str]) -> list[tuple[str, int]] | None:
    starts = []
    for ref in cells.values():
        match = _CELL.fullmatch(ref)
        if match is None:
            return None  # anything but a plain cell stays a line of its own, as read
        starts.append((match[1], int(match[2])))
    return starts


def lines(rows: Iterable[Traced]) -> list[Line]:
    """Provenance lines for ``rows`` (in sheet order), consecutive rows joined into runs."""
    out: list[Line] = []
    run: _Run | None = None
    for row in rows:
        if run is not None and run.extends(row):
            run.last = row.row
            continue
        if run is not None:
            out.append(run.line())
        run = _Run(row, _starts(row.cells))
    if run is not None:
        out.append(run.line())
    return out


def _whole(value: object) -> int:
    """A row number as written (an int) or as read back (calamine: a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError(f"số dòng {value!r}")


def expand(line: Sequence[object]) -> Iterator[Source]:
    """Every value a provenance line (as read back from ``_nguon``) traces, row by row.

    Raises ValueError on a line this module did not write."""
    sheet, start, end, file, sha, source_sheet, refs = line
    first, last = _whole(start), _whole(end)
    if last < first:
        raise ValueError(f"dòng {first}–{last}")
    pairs = [pair.split("=", 1) for pair in str(refs).split("; ")] if refs else []
    for step in range(last - first + 1):
        for key, ref in pairs:
            cell = ref
            if last > first:
                match = _RANGE.fullmatch(ref)
                if match is None or match[1] != match[3]:
                    raise ValueError(ref)
                start, end = int(match[2]), int(match[4])
                if end - start != last - first:
                    raise ValueError(ref)
                cell = f"{match[1]}{start + step}"
            row = first + step
            yield Source(str(sheet), row, str(file), str(sha), str(source_sheet), key, cell)
