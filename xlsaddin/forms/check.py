"""Are the workbooks in a folder what the current mappings would build?"""

from __future__ import annotations

import tempfile
from pathlib import Path

from xlsaddin.forms.dump import diff_dumps, dump_workbook
from xlsaddin.forms.runner import build_templates
from xlsaddin.spec.models import Mappings


def check_templates(mappings: Mappings, folder: Path, *, period_id: str | None = None) -> list[str]:
    """One line per stale, missing or unexpected workbook (empty list: up to date)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = build_templates(mappings, Path(tmp), period_id=period_id).paths
        expected_names = {p.name for p in fresh}
        for path in fresh:
            committed = folder / path.name
            if not committed.is_file():
                problems.append(f"{committed}: thiếu tệp / missing")
                continue
            diffs = diff_dumps(dump_workbook(path), dump_workbook(committed))
            if diffs:
                problems.append(f"{committed}: khác cấu hình / stale: " + "; ".join(diffs))
        for extra in sorted([*folder.glob("*.xlsx"), *folder.glob("*.xlsm")]):
            if extra.name not in expected_names:
                problems.append(f"{extra}: không có trong cấu hình / not built by mappings")
    return problems
