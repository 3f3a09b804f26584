"""One file's work for a reading worker, and what comes back: plain data that travels
between processes (and is kept between runs, ``validate/reuse.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from xlsaddin.core.issues import Issue
from xlsaddin.intake import Limits
from xlsaddin.read.table import Table

#: Called with (files done, files in all) as a batch goes on.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    path: str
    name: str
    mappings_root: str
    closing_date: dt.date | None
    limits: Limits


@dataclass
class Outcome:
    sha256: str
    size: int
    table: Table | None
    issues: list[Issue]
    failed: bool = False  # the worker did not finish (memory, time, crash): never kept
