"""Checked just before the reader parses a sheet: the cells python-calamine will grid.

Intake cannot know which sheets the reader will open (a standard workbook: ``_meta`` and
its data sheet; a foreign layout: any sheet), and walking every cell of every sheet of
every file costs more than the reading itself. So the reader asks :class:`SheetGuard`
about each sheet it is about to parse, and the guard walks that sheet's part, as intake
inflated and checked it, the way the reader will: a cell written twice, or a used extent
whose dense grid would not fit in memory, refuses the file with a code before any parsing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue
from xlsaddin.intake.limits import Limits
from xlsaddin.intake.messages import issue, vn_int
from xlsaddin.intake.parts import a1, scan_cells

_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)/?>")
_REL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)/?>")
_ATTR = re.compile(rb"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attrs(raw: bytes) -> dict[str, str]:
    return {
        m.group(1).decode("ascii", "replace"): html.unescape(
            (m.group(2) if m.group(2) is not None else m.group(3) or b"").decode("utf-8", "replace")
        )
        for m in _ATTR.finditer(raw)
    }


def sheet_parts(parts: Mapping[str, bytes]) -> dict[str, str]:
    """Sheet name -> lower-case entry name, resolved as python-calamine resolves it."""
    targets: dict[str, str] = {}
    for m in _REL.finditer(parts.get("xl/_rels/workbook.xml.rels", b"")):
        attrs = _attrs(m.group(1))
        targets[attrs.get("Id", "")] = attrs.get("Target", "")
    found: dict[str, str] = {}
    for m in _SHEET.finditer(parts.get("xl/workbook.xml", b"")):
        attrs = _attrs(m.group(1))
        target = targets.get(attrs.get("r:id", attrs.get("relationships:id", "")))
        if target is None or "name" not in attrs:
            continue
        if target.startswith("/xl/"):
            path = target[1:]
        elif target.startswith("xl/"):
            path = target
        else:
            path = f"xl/{target}"
        found.setdefault(attrs["name"], path.lower())
    return found


class SheetGuard:
    """``guard(sheet name)`` -> an Issue refusing the file, or None to parse the sheet."""

    def __init__(self, parts: Mapping[str, bytes], limits: Limits, file: str) -> None:
        self._parts = parts
        self._limits = limits
        self._file = Path(file)
        self._names: dict[str, str] | None = None

    def __call__(self, sheet: str) -> Issue | None:
        if self._names is None:
            self._names = sheet_parts(self._parts)
        entry = self._names.get(sheet)
        data = self._parts.get(entry) if entry is not None else None
        if data is None:
            return None  # the reader will not find it either
        scan = scan_cells(data, self._limits.max_sheet_cells)
        shown = f"'{sheet}'"
        if scan.unreadable is not None:
            detail = f" (địa chỉ ô {scan.unreadable!r} không hợp lệ trong trang {shown})"
            bad = issue(codes.FILE_CORRUPT, self._file, detail=detail, value=entry)
            return bad.located(sheet=sheet)
        if scan.cells > self._limits.max_sheet_cells:
            huge = issue(
                codes.FILE_HUGE_DIMENSION,
                self._file,
                sheet=shown,
                ref=f"A1:{a1(scan.rows - 1, scan.cols - 1)}",
                cells=vn_int(scan.cells),
                limit=vn_int(self._limits.max_sheet_cells),
                value=entry,
            )
            return huge.located(sheet=sheet)
        if scan.duplicate is not None:
            dup = issue(
                codes.FILE_DUPLICATE_CELLS,
                self._file,
                sheet=shown,
                cell=scan.duplicate,
                value=entry,
            )
            return dup.located(sheet=sheet, cell=scan.duplicate)
        return None
