"""Consolidated rows: one block per unit and appendix, values typed, sources kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlsaddin.consolidate.submissions import UnitStatus
from xlsaddin.spec.models import AppendixSpec, Mappings
from xlsaddin.units import Unit


@dataclass
class ConsRow:
    unit: Unit
    row_key: str
    row_label: str
    values: dict[str, object]  # typed value by column key (None when blank or unreadable)
    sources: dict[str, str] = field(default_factory=dict)  # column key -> source cell (A1)


@dataclass
class Block:
    status: UnitStatus
    rows: list[ConsRow]

    @property
    def accepted(self) -> bool:
        return self.status.submission is not None


def build_blocks(spec: AppendixSpec, statuses: list[UnitStatus], mappings: Mappings) -> list[Block]:
    """One block per unit in official-code order; a missing unit's block has no rows."""
    fixed = spec.table.fixed_rows
    blocks = []
    for status in statuses:
        rows: list[ConsRow] = []
        table = status.submission.result.table if status.submission else None
        if table is not None:
            if not table.typed:  # typed by its worker (a table kept by an earlier run too)
                from xlsaddin.read.typed import type_table

                type_table(table, mappings)
            for key, values in table.typed.items():
                if not fixed and all(v is None for v in values.values()):
                    continue  # unused line of a free table
                cells = table.rows[key]
                rows.append(
                    ConsRow(
                        status.unit,
                        key,
                        table.row_labels.get(key, key),
                        dict(values),
                        {k: cells[k].ref for k in values},
                    )
                )
        blocks.append(Block(status, rows))
    return blocks


def numeric_total(blocks: list[Block], column: str) -> float:
    """Python total of a column over accepted units (never counts a missing unit)."""
    total = 0.0
    for block in blocks:
        for row in block.rows:
            value = row.values.get(column)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total += value
    return total


def as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
