"""Renderers of a validation: terminal table and JSON. (Annotated copies: annotate.py.)"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from xlsaddin.core.codes import CATALOGUE
from xlsaddin.core.issues import SEVERITY_VI
from xlsaddin.core.untrusted import console_text
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
    """One identity per file everywhere: ``file`` is the name relative to the folder
    checked, and every issue carries the sha256 of the bytes it was found in."""
    digest = {f.name: f.sha256 for f in validation.files}
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
        "issues": [
            i.model_dump(exclude_none=True) | {"sha256": digest.get(i.file or "")}
            for i in validation.report.issues
        ],
    }


def dumps(validation: Validation) -> str:
    return json.dumps(to_json(validation), ensure_ascii=False, indent=2)


def print_validation(validation: Validation, console: Console, *, detail: bool) -> None:
    """Terminal tables. Everything from a file (names, sheets, values in messages) is shown
    as plain ``Text``: never read as console markup."""
    files = RichTable(title="Kết quả kiểm tra từng tệp", show_lines=False)
    for head in ("Tệp", "Đơn vị", "Phụ lục", "Lỗi", "Cảnh báo", "Kết luận"):
        files.add_column(head)
    for f in validation.files:
        warnings = sum(i.severity == "warning" for i in f.issues)
        if f.rejected:
            verdict = Text("Không đọc được", style="red")
        elif f.errors:
            verdict = Text("Chưa đạt", style="red")
        else:
            verdict = Text("Đạt", style="green")
        files.add_row(
            console_text(f.name),
            console_text(_unit_name(f.table.unit_code if f.table else None)),
            console_text(f.table.spec.code if f.table else "—"),
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
                console_text(i.file),
                console_text(i.sheet),
                console_text(i.cell),
                console_text(i.code),
                Text(SEVERITY_VI[i.severity], style=colour),
                console_text(i.message),
            )
        console.print(issues)
    if not detail:
        warned = [i for i in validation.report.issues if i.severity == "warning"]
        hidden = Counter(i.code for i in warned)
        if hidden:
            # what each code means, in Vietnamese: the catalogue's title, or for a rule of
            # the mappings the message of its first finding
            said = {i.code: i.message for i in reversed(warned)}
            titles = {c: CATALOGUE[c].title if c in CATALOGUE else said[c] for c in hidden}
            listing = "; ".join(f"{titles[c]} ({c}): {n}" for c, n in sorted(hidden.items()))
            console.print(console_text(f"Cảnh báo (dùng --chi-tiet để xem từng dòng): {listing}"))
    stats = validation.report.stats
    console.print(
        f"{stats['files']} tệp, {stats['rejected']} tệp không đọc được, "
        f"{stats['errors']} lỗi, {stats['warnings']} cảnh báo.",
        markup=False,
    )
