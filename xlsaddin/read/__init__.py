"""Workbook -> typed tables with provenance (file hash, sheet, cell).

The names below are imported on first use (PEP 562): a table kept by an earlier run
(``validate/reuse.py``) is unpickled through ``xlsaddin.read.table`` without importing
the readers (python-calamine and the layouts' code), which a run that reads no file
never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xlsaddin.core.lazy import lazy_exports

if TYPE_CHECKING:
    from xlsaddin.read.table import Cell, Table
    from xlsaddin.read.workbook import read_file

__all__ = ["Cell", "Table", "read_file"]

_WHERE = {"Cell": "table", "Table": "table", "read_file": "workbook"}


__getattr__ = lazy_exports(__name__, _WHERE, globals())
