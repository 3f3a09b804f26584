"""``consolidate``: inbox folders -> validated, classified, tabulated, compared figures."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from xlsaddin.consolidate.deadlines import find_tasks
from xlsaddin.consolidate.history import Figure, HistoryStore, change_phrase
from xlsaddin.consolidate.indicators import compute
from xlsaddin.consolidate.model import AppendixResult, Consolidation
from xlsaddin.consolidate.submissions import classify
from xlsaddin.consolidate.tables import build_blocks
from xlsaddin.gc_pause import gc_paused
from xlsaddin.spec.models import Mappings
from xlsaddin.units import load_units
from xlsaddin.validate.run import validate_paths

Progress = Callable[[int, int], None]


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
    tasks = []
    for spec in mappings.appendices:
        app = AppendixResult(
            spec, statuses[spec.id], build_blocks(spec, statuses[spec.id], mappings), []
        )
        found = find_tasks(app, closing)  # on typed values: a text date counts like a date
        flagged = Counter(t.code for t in found)
        app.headlines = compute(spec, app.blocks, issues, len(units), flagged)
        appendices.append(app)
        tasks.extend(found)
    result = Consolidation(
        period=period,
        closing_date=closing,
        generated_at=dt.datetime.now().replace(microsecond=0),
        units=units,
        submissions=submissions,
        appendices=appendices,
        tasks=tasks,
        issues=issues,
        reused=validation.reused,
    )
    _changes(result, history, mappings)
    return result
