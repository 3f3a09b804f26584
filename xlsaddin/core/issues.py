"""Issues and reports: validation returns these, it does not raise.

Every problem found anywhere (intake, reading, rules, consolidation) becomes an
:class:`Issue` with a stable kebab-case ``code`` from the catalogue
(:mod:`xlsaddin.core.codes`) or a rule id declared in ``mappings/``, and a
Vietnamese ``message`` for the officer. Renderers (terminal, JSON, the "Lỗi"
sheet, cell comments) all read the same :class:`Report`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal, get_args

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
        return cls.make(code=code.code, severity=code.severity, message=message, **where)

    @classmethod
    def make(cls, **fields: Any) -> Issue:
        """The same Issue as ``Issue(**fields)``, without building pydantic's validator
        when every field already has exactly its declared type.

        pydantic's first validation in a process loads its plugin machinery, which
        imports ``importlib.metadata`` and scans every installed package's entry points:
        about 25 ms of the 0.3 s an officer waits for ``validate ONE.xlsx``, for a check
        xlsaddin's own issues pass. Fields of exactly the declared types are therefore
        taken as they are (``model_construct``: the same object, the same fields set);
        anything else (a number for a text, an unknown field, a code not in kebab case)
        goes through pydantic as before: coerced or refused the same way.
        """
        if _exact(fields):
            return cls.model_construct(**fields)
        return cls(**fields)

    def located(self, **where: Any) -> Issue:
        """Copy with location fields filled in (only those still empty)."""
        updates = {k: v for k, v in where.items() if getattr(self, k) is None and v is not None}
        return self.model_copy(update=updates) if updates else self


_CODE = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_TEXTS = frozenset(
    {"message", "appendix", "file", "sheet", "cell", "value", "rule", "row", "column", "row_key"}
)
_RULE_KINDS = frozenset(get_args(RuleKind))


def _exact(fields: dict[str, Any]) -> bool:
    """Every field of :class:`Issue` given is of exactly its declared type (what
    validation would keep unchanged), and the required ones are there."""
    code, severity = fields.get("code"), fields.get("severity")
    if type(code) is not str or not _CODE.fullmatch(code) or severity not in SEVERITY_VI:
        return False
    if type(fields.get("message")) is not str:
        return False
    for key, value in fields.items():
        if value is None or key in ("code", "severity"):
            continue
        if key in _TEXTS:
            if type(value) is not str:
                return False
        elif key == "unit_code":
            if type(value) is not int:
                return False
        elif key != "rule_kind" or value not in _RULE_KINDS:
            return False
    return True


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
