"""One consolidation run, start to finish: the sequence every adapter shares.

history open -> consolidate (intake, read, check, classify, tabulate, compare)
-> publish (workbook, JSON, history row, audit line) -> optional Word report
-> history closed. The CLI's ``consolidate`` and ``demo`` commands and the
Excel "Tổng hợp" button call :func:`run_consolidation` and only render its
result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xlsaddin.consolidate import Consolidation, consolidate
from xlsaddin.core.failures import check_outputs, check_writable_folder
from xlsaddin.spec.models import Mappings

if TYPE_CHECKING:
    from xlsaddin.publish import Published
    from xlsaddin.report import ReportResult

Progress = Callable[[int, int], None]
AUDIT_NAME = "xlsaddin-nhat-ky.jsonl"


@dataclass(frozen=True)
class Outputs:
    """Where a run publishes. ``audit`` defaults to ``xlsaddin-nhat-ky.jsonl`` beside
    the workbook; ``history`` to ``$XLSADDIN_HISTORY`` or a SQLite file beside it."""

    workbook: Path
    json: Path | None = None
    audit: Path | None = None
    history: str | None = None
    report_docx: Path | None = None
    report_xlsx: Path | None = None

    @property
    def audit_path(self) -> Path:
        return self.audit or self.workbook.parent / AUDIT_NAME


@dataclass(frozen=True)
class RunResult:
    consolidation: Consolidation
    published: Published | None  # None for a dry run
    report: ReportResult | None  # None unless a report was asked for


def run_consolidation(
    inboxes: Sequence[Path],
    mappings: Mappings,
    *,
    outputs: Outputs | None,
    period_id: str | None = None,
    closing_date: dt.date | None = None,
    processes: int = 2,
    progress: Progress | None = None,
) -> RunResult:
    """Consolidate ``inboxes``; publish to ``outputs`` (None: a dry run that writes nothing)."""
    if outputs is None:
        result = consolidate(
            inboxes,
            mappings,
            period_id=period_id,
            closing_date=closing_date,
            processes=processes,
            progress=progress,
        )
        return RunResult(result, None, None)

    from xlsaddin.publish import open_store, publish, settle_outputs

    check_outputs(
        [
            (outputs.workbook, ".xlsx"),
            (outputs.json, ".json"),
            (outputs.report_docx, ".docx"),
            (outputs.report_xlsx, ".xlsx"),
            (Path(outputs.history) if outputs.history else None, ""),
            (outputs.audit_path, ""),
        ]
    )
    check_writable_folder(outputs.workbook.parent)  # before the store, the run and staging
    store = open_store(outputs.history, outputs.workbook)
    try:
        # a run killed while publishing here is completed first (and sets "kỳ trước")
        folders = [outputs.workbook.parent] + ([outputs.json.parent] if outputs.json else [])
        settle_outputs(folders, store)
        result = consolidate(
            inboxes,
            mappings,
            period_id=period_id,
            closing_date=closing_date,
            history=store,
            processes=processes,
            progress=progress,
        )
        published = publish(
            result,
            mappings,
            out=outputs.workbook,
            json_path=outputs.json,
            history=store,
            audit_path=outputs.audit_path,
        )
    finally:
        store.close()
    made = None
    if outputs.report_docx is not None:
        from xlsaddin.report import make_report

        made = make_report(published.workbook, mappings, outputs.report_docx, outputs.report_xlsx)
    return RunResult(result, published, made)
