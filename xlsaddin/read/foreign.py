"""Read a sheet in a foreign layout (e.g. the department's 7-column task sheet).

The header row is found by its labels wherever it sits; rows below it are read
until the end of the sheet, whatever their number, skipping blank spacer rows,
the header repeated after a page break and a "(1) (2) (3)" numbering row. A row
without the layout's key text is still an entry when it looks like one (see
:mod:`xlsaddin.read.entries`: its missing name is then reported); otherwise
(a lone text: a signature, a wrapped line) it is named in a ``row-not-read``
warning, never dropped silently. Row numbers typed in the sheet are not trusted
(they get lost at page breaks): entries are numbered in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xlsaddin.core import codes
from xlsaddin.core.cells import is_blank
from xlsaddin.core.issues import Issue, raw
from xlsaddin.read.entries import filled, looks_like_entry, quote
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


_NUMBERING = re.compile(r"^\(\d+\)$")


def _skipped(line: Sequence[Any], positions: dict[str, int], labels: set[str]) -> bool:
    """The header repeated after a page break, or the "(1) (2) (3)" column numbering."""
    texts = [_label(line[c]) if c < len(line) else "" for c in positions.values()]
    filled = [t for t in texts if t]
    if filled and all(_NUMBERING.match(t) for t in filled):
        return True
    return sum(t in labels for t in filled) >= 2


def _entries(
    grid: Grid,
    header_row: int,
    positions: dict[str, int],
    layout: ForeignLayout,
    mappings: Mappings,
    file: str,
) -> tuple[dict[str, dict[str, Cell]], dict[str, str], list[Issue]]:
    spec = mappings.appendix(layout.appendix)
    key = layout.required[0]
    inputs = [k for k in positions if spec.column(k).is_input]
    rows: dict[str, dict[str, Cell]] = {}
    labels: dict[str, str] = {}
    issues: list[Issue] = []
    header_labels = {fold(t) for texts in layout.columns.values() for t in texts}
    for r in range(header_row + 1, len(grid)):
        line = grid[r]
        cells = {
            k: Cell(line[c] if c < len(line) else None, a1(r, c)) for k, c in positions.items()
        }
        values = {k: cells[k].value for k in inputs}
        if not filled(values) or _skipped(line, positions, header_labels):
            continue
        if is_blank(cells[key].value) and not looks_like_entry(spec, values, mappings):
            lone = next(iter(filled(values)))
            issues.append(
                Issue.of(
                    codes.ROW_NOT_READ,
                    file=file,
                    cell=cells[lone].ref,
                    value=raw(cells[lone].value),
                    row=f"Dòng {r + 1}",
                    message=f'Dòng {r + 1} không được đọc là một mục của bảng (không có cột "'
                    f'{spec.column(key).label}"): "{quote(values)}". Nếu đây là một mục, '
                    "hãy ghi đủ các cột.",
                )
            )
            continue
        entry = str(len(rows) + 1)
        rows[entry] = cells
        labels[entry] = f"Dòng {r + 1}"
    return rows, labels, issues


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
            rows, labels, issues = _entries(grid, header_row, positions, layout, mappings, file)
            unit = _unit_from_title(grid, header_row)
            issues = [i.located(sheet=sheet, appendix=spec.id, unit_code=unit) for i in issues]
            return Table(
                spec=spec,
                file=file,
                sha256=sha256,
                sheet=sheet,
                header={},
                rows=rows,
                row_labels=labels,
                unit_code=unit,
                strict=False,
                template={"layout": layout.id},
                issues=issues,
            )
    return None
