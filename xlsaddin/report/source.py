"""Read the figures back from a provincial workbook (what the report is made of).

The report is built from the workbook, not from memory, so every number in
the Word document is the number in a cell an officer can check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsaddin.core.failures import OfficerError
from xlsaddin.core.sheets import INFO, STATUS, SUMMARY, SUMMARY_KEY_COL, TASKS
from xlsaddin.report.templates import Figure
from xlsaddin.spec.models import Indicator, Mappings


class NotAProvincialWorkbook(Exception):
    """The file lacks the sheets ``xlsaddin consolidate`` writes."""


@dataclass
class Source:
    figures: dict[str, Figure]  # "appendix.key"
    info: dict[str, str]
    status_rows: list[list[Any]]  # the 96 unit rows of "Tình hình nộp báo cáo" (header first)
    task_rows: list[list[Any]]  # "Nhiệm vụ quá hạn" rows (header first)
    # appendix sheets read for the text annexes, by sheet name (header row first)
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)

    @property
    def units_total(self) -> int:
        return int(self.info.get("units_total", "0") or 0)

    @property
    def closing_date(self) -> dt.date:
        return dt.date.fromisoformat(self.info["closing_date"])


def _indicator(mappings: Mappings, appendix: str, key: str) -> Indicator | None:
    try:
        spec = mappings.appendix(appendix)
    except KeyError:
        return None
    base = key.split(".")[0]
    return next((i for i in spec.indicators if i.key == base), None)


def _table_after(rows: list[list[Any]], first_header: str) -> list[list[Any]]:
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    out = [rows[start]]
    for r in rows[start + 1 :]:
        if not r or r[0] in ("", None):
            break
        out.append(r)
    return out


def _from_header(rows: list[list[Any]]) -> list[list[Any]]:
    """An appendix sheet from its header row ("STT") down to its totals (value rows only)."""
    start = next((i for i, r in enumerate(rows) if r and r[0] == "STT"), None)
    if start is None:
        return []
    out = [rows[start]]
    for r in rows[start + 1 :]:
        if not r or not isinstance(r[0], (int, float)):
            break  # the totals ("Tổng cộng ...") or the end
        out.append(r)
    return out


def source_from_grids(grids: Mapping[str, list[list[Any]]], mappings: Mappings) -> Source:
    """The figures and tables of a provincial workbook, from its sheets' cell values."""
    info = {str(r[0]): str(r[1]) for r in grids[INFO] if r and r[0]}
    figures: dict[str, Figure] = {}
    for n, row in enumerate(grids[SUMMARY]):
        if len(row) <= SUMMARY_KEY_COL or not row[SUMMARY_KEY_COL]:
            continue
        appendix, _, key = str(row[SUMMARY_KEY_COL]).partition(":")
        ind = _indicator(mappings, appendix, key)
        value = row[1] if isinstance(row[1], (int, float)) else None
        figures[f"{appendix}.{key}"] = Figure(
            key=key,
            label=str(row[0]),
            value=float(value) if value is not None else None,
            unit=str(row[2] or ""),
            decimals=ind.decimals if ind else 0,
            percent=bool(ind and ind.kind == "ratio"),
            change=str(row[3] or ""),
            names=str(row[4] or ""),
            cell=f"'{SUMMARY}'!B{n + 1}",
        )
    return Source(
        figures=figures,
        info=info,
        status_rows=_table_after(grids[STATUS], "STT"),
        task_rows=_table_after(grids[TASKS], "STT"),
        sheets={n: _from_header(g) for n, g in grids.items() if n not in NEEDED},
    )


NEEDED = (SUMMARY, STATUS, TASKS, INFO)


def read_grids(path: str, extra: tuple[str, ...] = ()) -> dict[str, list[list[Any]]] | list[str]:
    """The sheets a report needs (and the ``extra`` ones that exist), or the names of those
    missing (runs in a worker)."""
    from python_calamine import CalamineWorkbook  # not for source_from_grids (consolidate)

    book = CalamineWorkbook.from_path(path)
    missing = sorted(set(NEEDED) - set(book.sheet_names))
    if missing:
        return missing
    wanted = [*NEEDED, *(n for n in extra if n in book.sheet_names and n not in NEEDED)]
    return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wanted}


def _read(args: tuple[str, tuple[str, ...]]) -> dict[str, list[list[Any]]] | list[str]:
    return read_grids(*args)


def read_source(path: Path, mappings: Mappings, extra: tuple[str, ...] = ()) -> Source:
    """Read the workbook in a limited worker: a file given here may be anything, and a
    hostile one costs that worker, never the officer's session. ``extra``: appendix sheets
    to read too (for the text annexes)."""
    import python_calamine  # noqa: F401  # imported before the worker forks (intake/worker.py)

    from xlsaddin.intake.worker import WorkerFailure, isolated_map

    [grids] = isolated_map(_read, [(str(path), extra)], processes=1)
    if isinstance(grids, WorkerFailure):
        why = {
            "memory": "tệp cần quá nhiều bộ nhớ",
            "timeout": "đọc tệp quá thời gian cho phép",
            "crashed": "tiến trình đọc tệp bị dừng, thường vì tệp cần quá nhiều bộ nhớ",
        }.get(grids.reason, "tệp không phải bảng tính đọc được")
        raise OfficerError(
            f"Không đọc được {path} ({why}); hãy chọn tệp tổng hợp do 'xlsaddin consolidate' tạo."
        )
    if isinstance(grids, list):
        raise NotAProvincialWorkbook(", ".join(grids))
    return source_from_grids(grids, mappings)
