"""Append-only audit log (JSON lines): one line per consolidation run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from xlsaddin import __version__
from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.render import import_summary
from xlsaddin.spec.models import Mappings


def mappings_hash(mappings: Mappings) -> str:
    blob = json.dumps(mappings.hashes, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()


def audit_entry(result: Consolidation, mappings: Mappings, output: str) -> dict[str, object]:
    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "tool": "xlsaddin",
        "version": __version__,
        "mappings_hash": mappings_hash(mappings),
        "period": result.period.id,
        "closing_date": result.closing_date.isoformat(),
        "output": output,
        "inputs": [
            {
                "file": s.result.name,
                "sha256": s.result.sha256,
                "size": s.result.size,
                "state": s.state,
                "unit_code": s.unit_code,
                "appendix": s.appendix,
                "errors": s.result.errors,
                "verdict": "rejected"
                if s.state == "rejected"
                else "invalid"
                if s.result.errors
                else "valid",
            }
            for s in sorted(result.submissions, key=lambda s: s.result.name)
        ],
        "counts": {
            **import_summary(result),
            "missing": {a.spec.id: a.count("missing") for a in result.appendices},
            "late": {a.spec.id: a.count("late") for a in result.appendices},
            "overdue_tasks": len(result.tasks),
        },
    }


def append_audit(path: Path, entry: dict[str, object]) -> None:
    """Append one line and flush it to disk; earlier lines are never rewritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
