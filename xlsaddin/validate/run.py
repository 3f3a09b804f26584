"""Validate many files: intake, read in isolated workers, check -> one report.

One hostile or broken file costs only itself: it is refused at intake or its
worker fails, it gets an issue with a stable code, and the batch goes on. Reading
itself is in ``reading.py``, imported only when a file is to be read (a run whose
every outcome was kept by an earlier one imports none of the readers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlsaddin.core.issues import Issue, Report
from xlsaddin.core.untrusted import visible
from xlsaddin.intake.discover import explore
from xlsaddin.intake.limits import DEFAULT_LIMITS, Limits
from xlsaddin.read.table import Table
from xlsaddin.spec import Mappings
from xlsaddin.validate.jobs import Job, Outcome, Progress
from xlsaddin.validate.reuse import Remembered


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
    reused: int = 0
    """Files not read again: their outcome was kept by an earlier run (``reuse.py``)."""


def _display_name(path: Path, folders: Sequence[Path]) -> str:
    """The name an officer sees (relative to the folder given), printable and unique:
    control characters and bytes that are not UTF-8 are spelled out (``\\x1b``).
    ``folders``: the roots given that are folders."""
    for root in folders:
        try:
            return visible(path.relative_to(root).as_posix())
        except ValueError:
            continue
    return visible(path.name)


def _read(
    jobs: list[Job],
    mappings: Mappings,
    limits: Limits,
    processes: int,
    progress: Progress | None,
    known: int,
) -> tuple[list[Outcome], list[Issue]]:
    """Read ``jobs`` in workers (``known``: files reused, counted in the progress shown)."""
    # imported here, before the workers fork: a forked worker runs only code its parent
    # imported (intake/worker.py blocks the XML parsers nothing there uses)
    from xlsaddin.validate import reading

    reading.prepare(mappings, several=len(jobs) > 1)
    step = progress
    if progress is not None and known:
        report_progress = progress
        total = len(jobs) + known

        def step(done: int, _total: int) -> None:
            report_progress(done + known, total)

    return reading.run(jobs, limits, processes, step)


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
    found = explore(roots)
    folders = [root for root in roots if root.is_dir()]
    files = found.files
    if progress:
        progress(0, len(files))
    jobs = [
        Job(str(path), _display_name(path, folders), mappings.root, closing_date, limits)
        for path in files
    ]
    memo = Remembered.open(mappings, closing_date, limits) if len(jobs) > 1 else None
    known = memo.recall(jobs) if memo is not None else {}
    todo = [i for i in range(len(jobs)) if i not in known]
    read: list[Outcome] = []
    notes: list[Issue] = []
    if todo:
        read, notes = _read(
            [jobs[i] for i in todo], mappings, limits, processes, progress, len(known)
        )
    if memo is not None:
        if not notes:  # read in isolated workers, as every kept outcome was
            memo.keep([(jobs[i], outcome) for i, outcome in zip(todo, read, strict=True)])
        memo.close()
    by_index = dict(known)
    by_index.update(zip(todo, read, strict=True))
    outcomes = [by_index[i] for i in range(len(jobs))]
    results = []
    for path, job, outcome in zip(files, jobs, outcomes, strict=True):
        result = FileResult(path, job.name, outcome.sha256, outcome.size, outcome.table)
        result.issues = outcome.issues
        results.append(result)
    for hazard in found.hazards:  # reported, never skipped: listed as refused entries
        name = _display_name(hazard.path, folders)
        results.append(FileResult(hazard.path, name, "", 0, None, [hazard.issue(name)]))
    if progress:
        progress(len(files), len(files))
    issues = notes + [i for r in results for i in r.issues]
    report = Report.of(
        issues,
        files=len(results),
        rejected=sum(r.rejected for r in results),
        tables=sum(not r.rejected for r in results),
    )
    return Validation(results, report, reused=len(known))
