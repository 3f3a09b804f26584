"""Renderers of a validation: terminal table and JSON. (Annotated copies: annotate.py.)"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable

from xlsaddin.core.issues import SEVERITY_VI
from xlsaddin.units import by_code
from xlsaddin.validate.run import Validation


def _unit_name(code: int | None) -> str:
    if code is None:
        return "—"
    try:
        return f"{code} {by_code(code).name}"
    except KeyError:
        return str(code)


def to_json(validation: Validation) -> dict[str, Any]:
    return {
        "valid": validation.report.valid,
        "stats": validation.report.stats,
        "files": [
            {
                "file": f.name,
                "sha256": f.sha256,
                "size": f.size,
                "rejected": f.rejected,
                "appendix": f.table.spec.id if f.table else None,
                "unit_code": f.table.unit_code if f.table else None,
                "errors": f.errors,
                "warnings": sum(i.severity == "warning" for i in f.issues),
            }
            for f in validation.files
        ],
        "issues": [i.model_dump(exclude_none=True) for i in validation.report.issues],
    }


def dumps(validation: Validation) -> str:
    return json.dumps(to_json(validation), ensure_ascii=False, indent=2)


def print_validation(validation: Validation, console: Console, *, detail: bool) -> None:
    files = RichTable(title="Kết quả kiểm tra từng tệp", show_lines=False)
    for head in ("Tệp", "Đơn vị", "Phụ lục", "Lỗi", "Cảnh báo", "Kết luận"):
        files.add_column(head)
    for f in validation.files:
        warnings = sum(i.severity == "warning" for i in f.issues)
        if f.rejected:
            verdict = "[red]Không đọc được[/red]"
        elif f.errors:
            verdict = "[red]Chưa đạt[/red]"
        else:
            verdict = "[green]Đạt[/green]"
        files.add_row(
            f.name,
            _unit_name(f.table.unit_code if f.table else None),
            f.table.spec.code if f.table else "—",
            str(f.errors),
            str(warnings),
            verdict,
        )
    console.print(files)
    shown = [i for i in validation.report.issues if detail or i.severity == "error"]
    if shown:
        issues = RichTable(title="Chi tiết", show_lines=False)
        for head in ("Tệp", "Trang", "Ô", "Mã", "Mức độ", "Nội dung"):
            issues.add_column(head, overflow="fold")
        for i in shown:
            colour = "red" if i.severity == "error" else "yellow"
            issues.add_row(
                i.file or "",
                i.sheet or "",
                i.cell or "",
                i.code,
                f"[{colour}]{SEVERITY_VI[i.severity]}[/{colour}]",
                i.message,
            )
        console.print(issues)
    if not detail:
        hidden = Counter(i.code for i in validation.report.issues if i.severity == "warning")
        if hidden:
            listing = ", ".join(f"{code}: {n}" for code, n in sorted(hidden.items()))
            console.print(f"Cảnh báo (dùng --chi-tiet để xem từng dòng): {listing}")
    stats = validation.report.stats
    console.print(
        f"{stats['files']} tệp, {stats['rejected']} tệp không đọc được, "
        f"{stats['errors']} lỗi, {stats['warnings']} cảnh báo."
    )
