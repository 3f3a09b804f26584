"""VBA for the macro-enabled workbooks, built from the text in ``macros/`` (no Excel)."""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from xlsaddin.core.resources import shipped
from xlsaddin.vba import build_vba_project, read_bas, sheet_documents

MACROS_DIR = shipped("macros")


@functools.lru_cache(maxsize=4)
def modules(folder: str = str(MACROS_DIR)) -> tuple[tuple[str, str], ...]:
    """(module name, source) of every ``.bas`` file, in file-name order."""
    return tuple(read_bas(p) for p in sorted(Path(folder).glob("*.bas")))


def add_macros(book: Any, sheet_count: int) -> None:
    """Embed the project (document modules ThisWorkbook, Sheet1..N + macros/*.bas)."""
    data = build_vba_project(dict(modules()), documents=sheet_documents(sheet_count))
    book.add_vba_project(io.BytesIO(data), is_stream=True)
    book.set_vba_name("ThisWorkbook")
    for i, sheet in enumerate(book.worksheets(), start=1):
        sheet.set_vba_name(f"Sheet{i}")
