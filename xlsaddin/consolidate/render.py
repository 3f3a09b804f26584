"""Renderers of a consolidation: JSON report (schema in docs/consolidation.md), terminal summary."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.submissions import STATUS_VI
from xlsaddin.core.untrusted import console_text

SCHEMA = "xlsaddin.consolidation/1"


def to_json(result: Consolidation, output: str | None) -> dict[str, Any]:
    apps: dict[str, Any] = {}
    for app in result.appendices:
        by_status: dict[str, list[int]] = {"submitted": [], "late": [], "missing": []}
        for s in app.statuses:
            by_status[s.status].append(s.unit.code)
        apps[app.spec.id] = {
            "code": app.spec.code,
            **by_status,
            "with_errors": [s.unit.code for s in app.statuses if s.errors],
            "headline": [
                {
                    "key": h.key,
                    "label": h.label,
                    "row": h.row,
                    "value": h.value,
                    "text": h.text,
                    "unit": h.unit,
                    "change": app.changes.get(h.key),
                    "units": h.names,
                }
                for h in app.headlines
            ],
        }
    return {
        "schema": SCHEMA,
        "period": {
            "id": result.period.id,
            "label": result.period.label,
            "deadline": result.period.deadline.isoformat(),
        },
        "closing_date": result.closing_date.isoformat(),
        "previous_period": result.previous_period,
        "output": output,
        "units_expected": len(result.units),
        "files": [
            {
                "file": s.result.name,
                "sha256": s.result.sha256,
                "state": s.state,
                "unit_code": s.unit_code,
                "appendix": s.appendix,
                "received_at": s.received_at.isoformat(),
                "received_source": s.received_source,
                "late": s.late,
                "replaced_by": s.replaced_by,
                "errors": s.result.errors,
                "codes": sorted({i.code for i in s.result.issues if i.severity == "error"}),
            }
            for s in sorted(result.submissions, key=lambda s: s.result.name)
        ],
        "appendices": apps,
        "rejected": [
            {
                "file": s.result.name,
                "codes": [i.code for i in s.result.issues],
                "reasons": [i.message for i in s.result.issues if i.severity == "error"],
            }
            for s in result.rejected
        ],
        "superseded": [
            {
                "file": s.result.name,
                "unit_code": s.unit_code,
                "appendix": s.appendix,
                "kind": s.state,
                "replaced_by": s.replaced_by,
            }
            for s in result.replaced
        ],
        "overdue_tasks": [
            {
                "unit_code": t.unit.code,
                "unit": t.unit.name,
                "kind": t.kind,
                "code": t.code,
                "task": t.name,
                "deadline": t.deadline.isoformat() if t.deadline else None,
                "status": t.status,
                "completed_on": t.completed_on.isoformat() if t.completed_on else None,
                "days": t.days,
                "file": t.file,
                "cell": t.cell,
            }
            for t in result.tasks
        ],
        "issues": dict(Counter(i.severity for i in result.issues)),
    }


def import_summary(result: Consolidation) -> dict[str, int]:
    """Counts in the manner of a DHIS2 import summary."""
    states = Counter(s.state for s in result.submissions)
    with_errors = sum(1 for s in result.submissions if s.state == "accepted" and s.result.errors)
    return {
        "imported": states["accepted"],
        "updated": states["superseded"],
        "ignored": states["resend"],
        "conflicts": states["rejected"] + with_errors,
    }


def print_summary(result: Consolidation, console: Console) -> None:
    """Status table and file list. Names and messages from files are plain ``Text``."""
    total = len(result.units)
    table = Table(title=console_text(f"Tình hình nộp báo cáo — {result.period.label}"))
    for head in ("Phụ lục", "Đã nộp", "Nộp muộn", "Chưa nộp", "Có lỗi"):
        table.add_column(head)
    for app in result.appendices:
        errors = sum(1 for s in app.statuses if s.errors)
        table.add_row(
            console_text(app.spec.code),
            f"{app.count('submitted')}/{total}",
            str(app.count("late")),
            str(app.count("missing")),
            str(errors),
        )
    console.print(table)
    for app in result.appendices:
        missing = [s.unit.name for s in app.statuses if s.status == "missing"]
        if missing:
            console.print(
                Text.assemble(
                    console_text(app.spec.code, "bold"),
                    console_text(f" {STATUS_VI['missing'].lower()}: " + "; ".join(missing)),
                )
            )
    for s in result.rejected:
        reasons = "; ".join(i.message for i in s.result.issues if i.severity == "error")
        console.print(
            Text.assemble(
                Text("Từ chối", style="red"), console_text(f" {s.result.name}: {reasons}")
            )
        )
    for s in result.replaced:
        kind = "gửi trùng" if s.state == "resend" else "bị thay thế"
        console.print(
            Text.assemble(
                Text(kind.capitalize(), style="yellow"),
                console_text(f" {s.result.name} → {s.replaced_by}"),
            )
        )
    summary = import_summary(result)
    console.print(
        f"Nhận vào {summary['imported']} tệp, thay thế {summary['updated']}, "
        f"bỏ qua {summary['ignored']} (trùng), {summary['conflicts']} tệp bị từ chối hoặc "
        'có lỗi (xem trang "Lỗi"); '
        f"{len(result.tasks)} nhiệm vụ quá hạn hoặc hoàn thành muộn.",
        markup=False,
    )


def print_headlines(result: Consolidation, console: Console) -> None:
    for app in result.appendices:
        console.print(console_text(app.spec.code, "bold"))
        for h in app.headlines:
            if (h.row and not h.names) or h.key == "_missing":  # missing units: listed above
                continue
            # first letter only: "Số TTHC" -> "số TTHC", not "số tthc"
            label = f"{h.row}: {h.label[:1].lower()}{h.label[1:]}" if h.row else h.label
            change = f" ({app.changes[h.key]})" if h.key in app.changes else ""
            # no unit after "chưa có số liệu"
            unit = f" {h.unit}" if h.unit and h.unit != "%" and h.value is not None else ""
            who = f" ({'; '.join(h.names)})" if h.key == "_excluded" and h.names else ""
            console.print(console_text(f"  {label}: {h.text}{unit}{who}{change}"))
