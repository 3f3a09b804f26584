"""``consolidate``: inbox folders -> validated, classified, tabulated, compared figures."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from pathlib import Path

from xlsaddin.consolidate.history import Figure, HistoryStore, change_phrase
from xlsaddin.consolidate.indicators import Headline, compute
from xlsaddin.consolidate.model import AppendixResult, Consolidation, TaskFinding
from xlsaddin.consolidate.submissions import classify
from xlsaddin.consolidate.tables import Block, as_date, build_blocks
from xlsaddin.core.issues import Issue
from xlsaddin.gc_pause import gc_paused
from xlsaddin.spec.models import DeadlineRule, Mappings
from xlsaddin.units import load_units
from xlsaddin.validate.run import validate_paths

Progress = Callable[[int, int], None]


def _tasks(result: AppendixResult, issues: list[Issue], closing: dt.date) -> list[TaskFinding]:
    rules = [r for r in result.spec.rules if isinstance(r, DeadlineRule)]
    if not rules:
        return []
    rule = rules[0]
    name_col = next(c.key for c in result.spec.table.columns if c.is_input and c.type == "text")
    doc_col = next(
        (
            c.key
            for c in result.spec.table.columns
            if c.is_input and c.type == "text" and c.key != name_col
        ),
        None,
    )
    by_file: dict[str, Block] = {
        b.status.submission.result.name: b for b in result.blocks if b.status.submission
    }
    found = []
    for issue in issues:
        kind = issue.rule_kind
        if kind not in ("overdue", "completed_late") or issue.file not in by_file:
            continue
        block = by_file[issue.file]
        row = next((r for r in block.rows if r.row_key == issue.row_key), None)
        if row is None:
            continue
        deadline = as_date(row.values.get(rule.deadline))
        done = as_date(row.values.get(rule.completed_on))
        end = done if kind == "completed_late" or (done and done <= closing) else closing
        found.append(
            TaskFinding(
                unit=block.status.unit,
                kind=kind,
                code=issue.code,
                name=str(row.values.get(name_col) or ""),
                assigned_by=str(row.values.get(doc_col) or "") if doc_col else "",
                deadline=deadline,
                status=str(row.values.get(rule.status) or ""),
                completed_on=done,
                days=(end - deadline).days if deadline and end else None,
                file=issue.file,
                cell=issue.cell,
            )
        )
    found.sort(key=lambda t: (t.unit.code, t.kind, t.deadline or dt.date.min, t.name))
    return found


def figures_of(result: Consolidation) -> tuple[Figure, ...]:
    out = []
    for app in result.appendices:
        for h in app.headlines:
            if h.value is not None and math.isfinite(h.value):
                out.append(Figure(app.spec.id, h.key, float(h.value)))
        out.append(
            Figure(app.spec.id, "_submitted", float(len(app.statuses) - app.count("missing")))
        )
    return tuple(out)


def _changes(result: Consolidation, history: HistoryStore | None, mappings: Mappings) -> None:
    if history is None:
        return
    order = [p.id for p in mappings.project.periods]
    previous = history.previous(result.period.id, order) if result.period.id in order else None
    if previous is None:
        return
    period_id, figures = previous
    result.previous_period = period_id
    for app in result.appendices:
        for h in app.headlines:
            before = figures.get((app.spec.id, h.key, None))
            if h.value is not None and math.isfinite(h.value) and before is not None:
                unit = "" if h.unit == "%" else (h.unit or "")
                app.changes[h.key] = change_phrase(
                    float(h.value), before, unit=unit, decimals=h.decimals
                )


@gc_paused()
def consolidate(
    inboxes: Sequence[Path],
    mappings: Mappings,
    *,
    period_id: str | None = None,
    closing_date: dt.date | None = None,
    history: HistoryStore | None = None,
    processes: int = 2,
    progress: Progress | None = None,
) -> Consolidation:
    period = mappings.project.period(period_id)
    closing = closing_date or period.closing_date
    validation = validate_paths(
        inboxes, mappings, closing_date=closing, processes=processes, progress=progress
    )
    submissions, statuses, status_issues = classify(validation.files, inboxes, mappings, period)
    issues = [i for f in validation.files for i in f.issues] + status_issues
    units = load_units(mappings.project.province.code)
    appendices = []
    for spec in mappings.appendices:
        blocks = build_blocks(spec, statuses[spec.id], mappings)
        headlines: list[Headline] = compute(spec, blocks, issues, len(units))
        appendices.append(AppendixResult(spec, statuses[spec.id], blocks, headlines))
    tasks = [t for app in appendices for t in _tasks(app, issues, closing)]
    result = Consolidation(
        period=period,
        closing_date=closing,
        generated_at=dt.datetime.now().replace(microsecond=0),
        units=units,
        submissions=submissions,
        appendices=appendices,
        tasks=tasks,
        issues=issues,
    )
    _changes(result, history, mappings)
    return result
