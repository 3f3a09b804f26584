"""The result of one consolidation run (what every renderer reads)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from xlsaddin.consolidate.indicators import Headline
from xlsaddin.consolidate.submissions import Submission, UnitStatus
from xlsaddin.consolidate.tables import Block
from xlsaddin.core.issues import Issue
from xlsaddin.spec.models import AppendixSpec, Period
from xlsaddin.units import Unit


@dataclass
class TaskFinding:
    """An overdue or late-completed task, taken from the validation verdict."""

    unit: Unit
    kind: Literal["overdue", "completed_late"]  # the deadline rule's kind
    code: str  # the deadline rule's id (its issue code), e.g. "task-overdue"
    name: str
    assigned_by: str
    deadline: dt.date | None
    status: str
    completed_on: dt.date | None
    days: int | None  # days past the deadline (at closing, or at completion)
    file: str
    cell: str | None


@dataclass
class AppendixResult:
    spec: AppendixSpec
    statuses: list[UnitStatus]
    blocks: list[Block]
    headlines: list[Headline]
    changes: dict[str, str] = field(default_factory=dict)  # headline key -> "tăng 237 ..."

    def count(self, status: str) -> int:
        return sum(s.status == status for s in self.statuses)


@dataclass
class Consolidation:
    period: Period
    closing_date: dt.date
    generated_at: dt.datetime
    units: tuple[Unit, ...]
    submissions: list[Submission]
    appendices: list[AppendixResult]
    tasks: list[TaskFinding]
    issues: list[Issue]
    previous_period: str | None = None
    reused: int = 0  # files whose outcome an earlier run kept (not read again)

    @property
    def rejected(self) -> list[Submission]:
        return [s for s in self.submissions if s.state == "rejected"]

    @property
    def replaced(self) -> list[Submission]:
        return [s for s in self.submissions if s.state in ("superseded", "resend")]
