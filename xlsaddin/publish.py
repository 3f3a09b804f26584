"""Write everything a consolidation produces: workbook, JSON, history, audit line."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from xlsaddin import __version__
from xlsaddin.consolidate.audit import append_audit, audit_entry, mappings_hash
from xlsaddin.consolidate.history import HistoryStore, RunRecord
from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.render import to_json
from xlsaddin.consolidate.run import figures_of
from xlsaddin.gc_pause import gc_paused
from xlsaddin.report.province_workbook import write_province_workbook
from xlsaddin.safe_output import atomic_write, choose_target
from xlsaddin.spec.models import Mappings


@dataclass(frozen=True)
class Published:
    workbook: Path
    note: str | None  # why a versioned name was used instead of the requested one
    json: Path | None
    audit: Path


def publish(
    result: Consolidation,
    mappings: Mappings,
    *,
    out: Path,
    json_path: Path | None,
    audit_path: Path,
    history: HistoryStore | None,
) -> Published:
    """Workbook (atomically, never over a file open in Excel), history, JSON, audit line.

    A dry run does not call this at all: it writes nothing.
    """
    target, note = choose_target(out)
    with gc_paused():
        atomic_write(target, lambda tmp: write_province_workbook(result, tmp, mappings))
    if history is not None:
        history.record(
            RunRecord(
                period_id=result.period.id,
                started_at=dt.datetime.now(dt.UTC),
                tool_version=__version__,
                mappings_hash=mappings_hash(mappings),
                inputs=len(result.submissions),
                figures=figures_of(result),
            )
        )
    if json_path is not None:
        payload = json.dumps(to_json(result, str(target)), ensure_ascii=False, indent=2)
        atomic_write(json_path, lambda tmp: tmp.write_text(payload, encoding="utf-8"))
    append_audit(audit_path, audit_entry(result, mappings, str(target)))
    return Published(target, note, json_path, audit_path)
