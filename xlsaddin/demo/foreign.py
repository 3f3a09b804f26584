"""A sheet in a declared foreign layout (e.g. the department's 7-column task sheet),
as communes really return it.

Not our template: the header sits a few rows down, text wraps, spacer rows are
blank, the row number is lost after a page break, one choice (status) is empty
and the dates come in every format seen in real files (always day first).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xlsaddin.spec.models import AppendixSpec, ForeignLayout
from xlsaddin.units import Unit


def _date_variant(value: dt.date, i: int) -> Any:
    variants = (
        value,  # a real date cell
        value.strftime("%d/%m/%Y"),  # 31/08/2025
        value.strftime("%d-%m-%Y"),  # 30-06-2025
        value.isoformat(),  # 2026-01-01
        value.strftime("%Y-%m-%d 00:00:00"),  # 2025-06-15 00:00:00
        f"{value.day}/{value.month}/{value.year}",  # 5/12/2025
    )
    return variants[i % len(variants)]


def write_foreign_sheet(
    path: Path,
    unit: Unit,
    spec: AppendixSpec,
    layout: ForeignLayout,
    rows: list[dict[str, Any]],
    rng: random.Random,
) -> Path:
    """The appendix in ``layout`` (headers: each column's first declared label)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = f"Phụ lục {spec.code.removeprefix('PL')}"
    ws["A1"] = f"UBND {unit.name.upper()}"
    ws["A2"] = f"BẢNG TỔNG HỢP {' '.join(spec.title[1:]).upper()}"
    ws["A2"].font = Font(bold=True)
    keys = list(layout.columns)
    dates = [k for k in keys if spec.column(k).type == "date"]
    choices = {c.key for c in spec.table.columns if c.allowed}
    number_col = next((k for k in keys if spec.column(k).fixed == "stt"), None)
    for col, key in enumerate(keys, start=1):
        cell = ws.cell(row=4, column=col, value=layout.columns[key][0])
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    row = 5
    missing = rng.randrange(len(rows)) if rows else -1
    for i, values in enumerate(rows):
        if i == 4:
            row += 1  # blank spacer row (page break in the original)
        for col, key in enumerate(keys, start=1):
            value: Any = values.get(key)
            if key == number_col:
                value = None if i == 5 else i + 1  # row number lost at the page break
            elif key in choices and i == missing:
                value = None  # one entry without its status
            elif key in dates and isinstance(value, dt.date):
                value = _date_variant(value, i + 2 * dates.index(key))
            cell = ws.cell(row=row, column=col, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
        row += 1
    for col, key in enumerate(keys, start=1):
        ws.column_dimensions[ws.cell(row=4, column=col).column_letter].width = min(
            40, max(6, spec.column(key).width)
        )
    book.properties.created = book.properties.modified = WRITTEN
    buffer = io.BytesIO()
    book.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_stamped(buffer.getvalue()))
    return path


WRITTEN = dt.datetime(2025, 12, 1, 8, 0)
_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _stamped(data: bytes) -> bytes:
    """The same workbook, dated ``WRITTEN`` throughout: openpyxl stamps the moment of
    saving into ``docProps/core.xml`` and every zip entry, so the demo inbox would differ
    from run to run (and between the processes that write it)."""
    out = io.BytesIO()
    stamp = WRITTEN.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "docProps/core.xml":
                part = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", part)
            fixed = zipfile.ZipInfo(info.filename, date_time=WRITTEN.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, part)
    return out.getvalue()
