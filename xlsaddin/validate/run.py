"""Validate many files: intake, read in isolated workers, check -> one report.

One hostile or broken file costs only itself: it is refused at intake or its
worker fails, it gets an issue with a stable code, and the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsaddin.intake import (
    DEFAULT_LIMITS,
    Limits,
    WorkerFailure,
    discover,
    inspect_file,
    isolated_map,
)
from xlsaddin.issues import Issue, Report
from xlsaddin.read import read_file
from xlsaddin.read.table import Table
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.validate.engine import check_table

Progress = Callable[[int, int], None]


@dataclass
class FileResult:
    path: Path
    name: str  # as shown to the officer (relative to the folder given)
    sha256: str
    size: int
    table: Table | None = None
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return self.table is None

    @property
    def errors(self) -> int:
        return sum(i.severity == "error" for i in self.issues)


@dataclass
class Validation:
    files: list[FileResult]
    report: Report


@functools.lru_cache(maxsize=4)
def _mappings(root: str) -> Mappings:
    return load_mappings(root)


@dataclass(frozen=True)
class _Job:
    path: str
    name: str
    sha256: str
    mappings_root: str
    closing_date: dt.date | None


def _read_and_check(job: _Job) -> tuple[Table | None, list[Issue]]:
    """Runs in a worker process."""
    mappings = _mappings(job.mappings_root)
    result = read_file(Path(job.path), mappings, job.sha256, job.name)
    if isinstance(result, list):
        return None, result
    issues = list(result.issues) + check_table(result, mappings, job.closing_date)
    return result, issues


def _display_name(path: Path, roots: Sequence[Path]) -> str:
    for root in roots:
        if root.is_dir():
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
    return path.name


def validate_paths(
    paths: Iterable[Path],
    mappings: Mappings,
    *,
    closing_date: dt.date | None = None,
    limits: Limits = DEFAULT_LIMITS,
    processes: int = 2,
    progress: Progress | None = None,
) -> Validation:
    roots = [Path(p) for p in paths]
    files = discover(roots)
    results: list[FileResult] = []
    jobs: list[tuple[FileResult, _Job]] = []
    for path in files:
        intake = inspect_file(path, limits)
        name = _display_name(path, roots)
        result = FileResult(path, name, intake.sha256, intake.size)
        result.issues = [i.located(file=name) for i in intake.issues]
        results.append(result)
        if intake.readable:
            jobs.append((result, _Job(str(path), name, intake.sha256, mappings.root, closing_date)))
        if progress:
            progress(len(results), len(files) * 2)
    outcomes: list[Any] = isolated_map(
        _read_and_check, [job for _, job in jobs], limits, processes=processes
    )
    notes: list[Issue] = []
    if len(outcomes) >= 3 and all(isinstance(o, WorkerFailure) for o in outcomes):
        # Worker processes cannot start here (an embedding host, a frozen app): the
        # files passed intake, so read them in-process rather than lose the batch.
        outcomes = [_read_and_check(job) for _, job in jobs]
        notes.append(
            Issue(
                code="isolation-unavailable",
                severity="warning",
                message="Không khởi động được tiến trình đọc riêng; "
                "các tệp đã qua kiểm tra an toàn được đọc trực tiếp.",
            )
        )
    for (result, _), outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, WorkerFailure):
            result.issues.append(
                Issue(
                    code="file-unreadable",
                    severity="error",
                    file=result.name,
                    message=f"Không đọc được tệp ({outcome.reason}); tệp bị bỏ qua, các tệp khác "
                    "vẫn được xử lý.",
                )
            )
            continue
        table, issues = outcome
        result.table = table
        result.issues.extend(issues)
    if progress:
        progress(len(files) * 2, len(files) * 2)
    issues = notes + [i for r in results for i in r.issues]
    report = Report.of(
        issues,
        files=len(results),
        rejected=sum(r.rejected for r in results),
        tables=sum(not r.rejected for r in results),
    )
    return Validation(results, report)
