"""Read a sheet in a foreign layout (e.g. the department's 7-column task sheet).

The header row is found by its labels wherever it sits; rows below it are read
until the end of the sheet, skipping blank spacer rows and rows without the
layout's key text (page-break leftovers, signature lines). Row numbers typed
in the sheet are not trusted (they get lost at page breaks): entries are
numbered in reading order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xlsaddin.read.table import Cell, Table
from xlsaddin.spec.layout import a1
from xlsaddin.spec.models import ForeignLayout, Mappings
from xlsaddin.text.names import fold
from xlsaddin.units import resolve

Grid = Sequence[Sequence[Any]]
UNIT_PREFIXES = ("ubnd ", "ủy ban nhân dân ", "uỷ ban nhân dân ")


def _label(value: object) -> str:
    return fold(" ".join(str(value).split())) if isinstance(value, str) else ""


def find_header(grid: Grid, layout: ForeignLayout) -> tuple[int, dict[str, int]] | None:
    """Row index and column positions of the layout's header row, if present."""
    wanted = {key: {fold(t) for t in texts} for key, texts in layout.columns.items()}
    for r, row in enumerate(grid[: layout.scan_rows]):
        found: dict[str, int] = {}
        for c, value in enumerate(row):
            text = _label(value)
            for key, texts in wanted.items():
                if text in texts and key not in found:
                    found[key] = c
        if all(k in found for k in layout.required):
            return r, found
    return None


def _unit_from_title(grid: Grid, stop: int) -> int | None:
    for row in grid[:stop]:
        for value in row:
            if not isinstance(value, str):
                continue
            text = " ".join(value.split())
            low = text.lower()
            for prefix in UNIT_PREFIXES:
                if low.startswith(prefix):
                    match = resolve(text[len(prefix) :])
                    if match.status == "found" and match.unit is not None:
                        return match.unit.code
    return None


def read_foreign(
    sheets: Mapping[str, Grid], mappings: Mappings, file: str, sha256: str
) -> Table | None:
    """The first sheet matching a declared layout, or None when no layout matches."""
    for layout in mappings.layouts:
        spec = mappings.appendix(layout.appendix)
        for sheet, grid in sheets.items():
            found = find_header(grid, layout)
            if found is None:
                continue
            header_row, positions = found
            key_col = positions[layout.required[0]]
            rows: dict[str, dict[str, Cell]] = {}
            labels: dict[str, str] = {}
            for r in range(header_row + 1, len(grid)):
                line = grid[r]
                key_value = line[key_col] if key_col < len(line) else None
                if key_value is None or not str(key_value).strip():
                    continue
                entry = str(len(rows) + 1)
                rows[entry] = {
                    key: Cell(line[c] if c < len(line) else None, a1(r, c))
                    for key, c in positions.items()
                }
                labels[entry] = f"Dòng {r + 1}"
            return Table(
                spec=spec,
                file=file,
                sha256=sha256,
                sheet=sheet,
                header={},
                rows=rows,
                row_labels=labels,
                unit_code=_unit_from_title(grid, header_row),
                strict=False,
                template={"layout": layout.id},
            )
    return None
