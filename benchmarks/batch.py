"""Several independent consolidations at once, e.g. one per province, on every core.

One consolidation reads its files in worker processes but publishes its
workbook in the calling process, so on its own it leaves a core idle while it
writes. Running ``parallel`` consolidations side by side keeps every core busy:
while one job writes its workbook, another job's worker is reading files.

Each job runs in its own process (isolated like a file: a job that fails or
crashes is reported and the others go on) and loads its own ``mappings/``
folder, so each province keeps its own registry, periods and rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.intake import Limits, WorkerFailure, isolated_map
from xlsaddin.spec import SpecError, load_mappings

#: A job is a whole province: no per-file time limit, no address-space cap beyond the
#: file workers' own (each job's file workers still run under the default limits).
JOB_LIMITS = Limits(worker_timeout_s=6 * 3600.0, worker_memory_bytes=0)


@dataclass(frozen=True)
class Job:
    """One consolidation: what ``xlsaddin consolidate`` does for one ``--out``."""

    inboxes: tuple[Path, ...]
    mappings_root: Path
    out: Path
    audit_path: Path
    json_path: Path | None = None
    period_id: str | None = None
    closing_date: dt.date | None = None
    processes: int = 1
    """File workers of this job (the jobs themselves already run side by side)."""


@dataclass(frozen=True)
class JobResult:
    job: Job
    workbook: Path | None
    """Where the workbook was written (a versioned name if ``out`` was open); None on failure."""
    files: int
    rejected: int
    submitted: int
    expected: int
    issues: int
    error: str | None = None
    """Why the job produced nothing (Vietnamese), None when it succeeded."""

    @property
    def ok(self) -> bool:
        return self.error is None


def _run(job: Job) -> JobResult:
    """Runs in a job process: consolidate, then publish (workbook, JSON, audit line)."""
    from xlsaddin.consolidate.run import consolidate
    from xlsaddin.publish import publish

    try:
        mappings = load_mappings(job.mappings_root)
    except SpecError as exc:
        return _failed(job, f"Cấu hình trong {job.mappings_root} bị lỗi: {exc}")
    result = consolidate(
        job.inboxes,
        mappings,
        period_id=job.period_id,
        closing_date=job.closing_date,
        processes=job.processes,
    )
    published = publish(
        result,
        mappings,
        out=job.out,
        json_path=job.json_path,
        audit_path=job.audit_path,
        history=None,
    )
    submitted = {
        s.unit.code for app in result.appendices for s in app.statuses if s.status != "missing"
    }
    return JobResult(
        job,
        published.workbook,
        files=len(result.submissions),
        rejected=len(result.rejected),
        submitted=len(submitted),
        expected=len(result.units),
        issues=len(result.issues),
    )


def _failed(job: Job, error: str) -> JobResult:
    return JobResult(job, None, files=0, rejected=0, submitted=0, expected=0, issues=0, error=error)


def _size(job: Job) -> int:
    """Files under the job's inboxes: how long it will run, roughly."""
    return sum(
        1 for inbox in job.inboxes for p in ([inbox] if inbox.is_file() else inbox.rglob("*"))
    )


def consolidate_many(
    jobs: Sequence[Job],
    *,
    parallel: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[JobResult]:
    """Run ``jobs`` ``parallel`` at a time; results in the order of ``jobs``.

    Never raises for one job: an error or a crashed job process becomes a
    :class:`JobResult` with ``error`` set, and the other jobs still run.
    """
    done = 0

    def settled(_: int) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(jobs))

    if progress:
        progress(0, len(jobs))
    # Largest first, so that no big job starts last while the other cores sit idle.
    order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i]))
    ran = isolated_map(
        _run, [jobs[i] for i in order], JOB_LIMITS, processes=parallel, on_done=settled
    )
    by_index = dict(zip(order, ran, strict=True))
    outcomes = [by_index[i] for i in range(len(jobs))]
    results = []
    for job, outcome in zip(jobs, outcomes, strict=True):
        if isinstance(outcome, WorkerFailure):
            reason = {"crashed": "tiến trình bị dừng đột ngột", "timeout": "chạy quá lâu"}.get(
                outcome.reason, outcome.reason
            )
            results.append(_failed(job, f"Không tổng hợp được ({reason})."))
        else:
            results.append(outcome)
    return results
