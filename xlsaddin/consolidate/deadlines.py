"""Overdue and late-completed tasks, judged on the *typed* values of every consolidated row.

Validation judges the raw cell as the Excel check sheet does, so a deadline typed as
text ("15/11/2025") is a ``date-as-text`` error there and no deadline at all. The
provincial figures use the recovered values: the same task counts as overdue here,
in the "Nhiệm vụ quá hạn" sheet, the annex and the count, exactly as if it had been
typed as a date.

Rules (the ``kind: overdue`` / ``completed_late`` rules of the appendix):

* overdue: the deadline is before the closing date and the status is reported and
  is not the "done" value (a blank status is "not reported", not "not done");
* completed late: the status is "done" and the completion date is after the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from xlsaddin.consolidate.model import AppendixResult, TaskFinding
from xlsaddin.consolidate.tables import Block, ConsRow, as_date
from xlsaddin.spec.models import DeadlineRule


def _done(rule: DeadlineRule, values: Mapping[str, object]) -> bool | None:
    """True / False when the status is reported, None when it is blank or unreadable."""
    status = values.get(rule.status)
    if not isinstance(status, str) or not status.strip():
        return None
    return status.strip().casefold() == rule.done.casefold()


def flags(rule: DeadlineRule, values: Mapping[str, object], closing: dt.date) -> bool:
    """Whether ``rule`` flags a row with these typed values."""
    deadline = as_date(values.get(rule.deadline))
    done = _done(rule, values)
    if deadline is None or done is None:
        return False
    if rule.kind == "overdue":
        return deadline < closing and not done
    finished = as_date(values.get(rule.completed_on))
    return done and finished is not None and finished > deadline


def _finding(
    app: AppendixResult, rule: DeadlineRule, block: Block, row: ConsRow, closing: dt.date
) -> TaskFinding:
    spec = app.spec
    texts = [c.key for c in spec.table.columns if c.is_input and c.type == "text"]
    name_col = texts[0] if texts else ""
    doc_col = texts[1] if len(texts) > 1 else None
    deadline = as_date(row.values.get(rule.deadline))
    done_on = as_date(row.values.get(rule.completed_on))
    kind = rule.kind
    if kind == "completed_late" or (done_on is not None and done_on <= closing):
        end = done_on
    else:
        end = closing
    status = row.values.get(rule.status)
    submission = block.status.submission
    target = rule.status if kind == "overdue" else rule.completed_on
    return TaskFinding(
        unit=row.unit,
        kind=kind,
        code=rule.id,
        name=str(row.values.get(name_col) or ""),
        assigned_by=str(row.values.get(doc_col) or "") if doc_col else "",
        deadline=deadline,
        status=str(status or ""),
        completed_on=done_on,
        days=(end - deadline).days if deadline and end else None,
        file=submission.result.name if submission else "",
        cell=row.sources.get(target),
    )


def find_tasks(app: AppendixResult, closing: dt.date) -> list[TaskFinding]:
    """Every row of an accepted file that a deadline rule flags."""
    rules = [r for r in app.spec.rules if isinstance(r, DeadlineRule)]
    found = [
        _finding(app, rule, block, row, closing)
        for block in app.blocks
        if block.accepted
        for row in block.rows
        for rule in rules
        if flags(rule, row.values, closing)
    ]
    found.sort(key=lambda t: (t.unit.code, t.kind, t.deadline or dt.date.min, t.name))
    return found
