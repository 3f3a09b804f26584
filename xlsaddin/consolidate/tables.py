"""Consolidated rows: one block per unit and appendix, values typed, sources kept."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from xlsaddin.consolidate.submissions import UnitStatus
from xlsaddin.read.typed import synonyms_for, typed_value
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
    synonyms = synonyms_for(mappings.root)
    columns = [c for c in spec.table.columns if c.is_input]
    blocks = []
    for status in statuses:
        rows: list[ConsRow] = []
        table = status.submission.result.table if status.submission else None
        if table is not None:
            for key, cells in table.rows.items():
                values = {
                    c.key: typed_value(c, cells[c.key].value, synonyms).value
                    for c in columns
                    if c.key in cells
                }
                if not table.spec.table.fixed_rows and all(v is None for v in values.values()):
                    continue  # unused line of a free table
                rows.append(
                    ConsRow(
                        status.unit,
                        key,
                        table.row_labels.get(key, key),
                        values,
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
