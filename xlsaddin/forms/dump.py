"""Canonical dump of a workbook: what an officer and a reader can observe.

Used to decide whether the committed ``workbooks/`` are up to date with
``mappings/``: comparing dumps rather than bytes keeps the check meaningful
across XlsxWriter releases (which may reorder XML) while still catching every
changed label, cell, validation, lock, defined name or print setting.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl


def _value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def dump_workbook(path: Path) -> dict[str, Any]:
    book = openpyxl.load_workbook(path, rich_text=False)
    out: dict[str, Any] = {
        "sheets": [],
        "defined_names": {name: dn.attr_text for name, dn in sorted(book.defined_names.items())},
    }
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and cell.protection.locked:
                    continue
                cells[cell.coordinate] = [
                    _value(cell.value),
                    cell.number_format,
                    bool(cell.protection.locked),
                ]
        out["sheets"].append(
            {
                "title": ws.title,
                "state": ws.sheet_state,
                "protected": bool(ws.protection.sheet),
                "freeze": ws.freeze_panes,
                "merged": sorted(str(r) for r in ws.merged_cells.ranges),
                "widths": {
                    k: round(d.width or 0, 2) for k, d in sorted(ws.column_dimensions.items())
                },
                "validations": sorted(
                    [
                        str(dv.sqref),
                        dv.type,
                        dv.operator,
                        dv.formula1,
                        dv.formula2,
                        dv.error,
                        dv.prompt,
                    ]
                    for dv in ws.data_validations.dataValidation
                ),
                "print": [
                    ws.page_setup.orientation,
                    ws.page_setup.paperSize,
                    ws.print_title_rows,
                    str(ws.print_area),
                ],
                "cells": cells,
            }
        )
    return out


def diff_dumps(expected: dict[str, Any], actual: dict[str, Any], limit: int = 5) -> list[str]:
    """Human-readable first differences between two dumps (empty when equal)."""
    diffs: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(diffs) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                walk(a.get(key), b.get(key), f"{where}/{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            diffs.append(f"{where}: {a!r} != {b!r}")

    walk(expected, actual, "")
    return diffs
