"""Issues and reports: validation returns these, it does not raise.

Every problem found anywhere (intake, reading, rules, consolidation) becomes an
:class:`Issue` with a stable kebab-case ``code`` from the catalogue
(:mod:`xlsaddin.core.codes`) or a rule id declared in ``mappings/``, and a
Vietnamese ``message`` for the officer. Renderers (terminal, JSON, the "Lỗi"
sheet, cell comments) all read the same :class:`Report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from xlsaddin.core.cells import display_vi
from xlsaddin.core.codes import Code, Severity

SEVERITY_VI: dict[Severity, str] = {"error": "Lỗi", "warning": "Cảnh báo"}
#: What produced a finding: a built-in cell check, a declared check rule, a task
#: deadline rule (overdue / completed late), a check of the whole form (reporting unit
#: chosen, table not empty), or none (file-level issues).
RuleKind = Literal["cell", "check", "overdue", "completed_late", "form"]


class Issue(BaseModel):
    # validators are built on first use, not on import (docs/performance.md, start-up)
    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
    severity: Severity
    message: str
    unit_code: int | None = None
    appendix: str | None = None
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    value: str | None = None
    rule: str | None = None
    row: str | None = None  # the row as an officer reads it ("Chi đầu tư phát triển", "Dòng 12")
    column: str | None = None
    row_key: str | None = None  # the row's key in the spec (or entry number of a free table)
    rule_kind: RuleKind | None = None

    @classmethod
    def of(cls, code: Code, message: str, **where: Any) -> Issue:
        """An issue of a catalogued ``code`` (its severity comes from the catalogue)."""
        return cls(code=code.code, severity=code.severity, message=message, **where)

    def located(self, **where: Any) -> Issue:
        """Copy with location fields filled in (only those still empty)."""
        updates = {k: v for k, v in where.items() if getattr(self, k) is None and v is not None}
        return self.model_copy(update=updates) if updates else self


def raw(value: object) -> str | None:
    """The cell value as the officer sees it, for a report (None for an empty cell):
    text as typed, numbers and dates Vietnamese-style ("300", "1.234,5", "05/9/2025")."""
    if value is None or value == "":
        return None
    return display_vi(value)


class Report(BaseModel):
    model_config = ConfigDict(defer_build=True)

    valid: bool
    stats: dict[str, int]
    issues: list[Issue]

    @classmethod
    def of(cls, issues: Iterable[Issue], **stats: int) -> Report:
        items = list(issues)
        counts = Counter(i.severity for i in items)
        # model_construct: the parts are typed already (Issue objects, counts), and
        # validating them again would build the validators (~15 ms of start-up)
        return cls.model_construct(
            valid=counts["error"] == 0,
            stats={"errors": counts["error"], "warnings": counts["warning"], **stats},
            issues=items,
        )

    def codes(self) -> list[str]:
        return [i.code for i in self.issues]
