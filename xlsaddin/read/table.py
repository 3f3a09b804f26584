"""Typed tables read from a workbook, every value with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from xlsaddin.core.issues import Issue
from xlsaddin.spec.models import AppendixSpec


class Cell(NamedTuple):
    """A raw cell value as read (never modified) and where it came from.

    A named tuple rather than a dataclass: tables travel between processes and
    tuples pickle several times faster.
    """

    value: object
    ref: str  # A1 address on ``Table.sheet``


@dataclass
class Table:
    """One appendix as read from one file.

    ``rows`` maps a row key (fixed tables) or the 1-based entry number (free
    tables) to the cells of that row by column key. ``strict`` tables come from
    our own template and are checked exactly as the Excel check sheet does;
    foreign layouts are normalised first (see :mod:`xlsaddin.read.foreign`).
    """

    spec: AppendixSpec
    file: str
    sha256: str
    sheet: str
    header: dict[str, Cell]
    rows: dict[str, dict[str, Cell]]
    row_labels: dict[str, str]
    unit_code: int | None
    strict: bool = True
    template: dict[str, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    # typed values by row and column (numbers typed as text recovered, synonyms mapped...),
    # filled by :func:`xlsaddin.read.typed.type_table` in the worker that read the file
    typed: dict[str, dict[str, object]] = field(default_factory=dict)

    def values(self, row_key: str) -> dict[str, object]:
        return {k: c.value for k, c in self.rows.get(row_key, {}).items()}
