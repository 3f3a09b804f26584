"""Reading files: intake, read and check each one in isolated worker processes.

Imported by ``run.py`` only when a file is to be read, before the workers fork.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue
from xlsaddin.intake.guard import SheetGuard
from xlsaddin.intake.inspect import inspect_file
from xlsaddin.intake.limits import Limits
from xlsaddin.intake.worker import WorkerFailure, isolated_map
from xlsaddin.read.typed import type_table, warm
from xlsaddin.read.workbook import read_file
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.validate.engine import checks_for, validate_table
from xlsaddin.validate.jobs import Job, Outcome, Progress


def prepare(mappings: Mappings, *, several: bool) -> None:
    """Before the workers fork: the mappings for them to inherit and, for several files,
    the caches built once here. One file: its worker builds only what that file needs
    (babel's locale data, ~20 ms, only for a number typed as text; the checks of one
    appendix, not of all)."""
    _LOADED[mappings.root] = mappings
    if several:
        warm(mappings)
        for spec in mappings.appendices:
            checks_for(mappings, spec)


#: Mappings by root folder, as the parent passed them: forked workers inherit this and
#: never parse the YAML again (a spawned worker loads its root once).
_LOADED: dict[str, Mappings] = {}


def _mappings(root: str) -> Mappings:
    if root not in _LOADED:
        _LOADED[root] = load_mappings(root)
    return _LOADED[root]


def _process(job: Job) -> Outcome:
    """Intake, read and check one file (runs in a worker process)."""
    intake = inspect_file(Path(job.path), job.limits)
    # one identity per file everywhere: the name relative to the folder given
    issues = [i.model_copy(update={"file": job.name}) for i in intake.issues]
    if not intake.readable:
        return Outcome(intake.sha256, intake.size, None, issues)
    mappings = _mappings(job.mappings_root)
    guard = SheetGuard(intake.parts or {}, job.limits, job.name)
    result = read_file(Path(job.path), mappings, intake.sha256, job.name, intake.content, guard)
    if isinstance(result, list):
        return Outcome(intake.sha256, intake.size, None, issues + result)
    checked = list(result.issues) + validate_table(result, mappings, job.closing_date)
    type_table(result, mappings)
    return Outcome(intake.sha256, intake.size, result, issues + checked)


def _process_chunk(jobs: tuple[Job, ...]) -> list[Outcome]:
    return [_process(job) for job in jobs]


#: A worker's failure, for the officer.
FAILURE_VI = {
    "memory": "tệp cần quá nhiều bộ nhớ",
    "timeout": "đọc tệp quá thời gian cho phép",
    "crashed": "tiến trình đọc tệp bị dừng đột ngột",
}


def _failed(job: Job, reason: str) -> Outcome:
    path = Path(job.path)
    digest, size = "", 0
    try:
        if path.is_file() and path.stat().st_size <= job.limits.max_file_bytes:
            data = path.read_bytes()
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
    except OSError:
        pass
    why = FAILURE_VI.get(reason, "tệp có cấu trúc bất thường")
    return Outcome(
        digest,
        size,
        None,
        failed=True,
        issues=[
            Issue.of(
                codes.FILE_UNREADABLE,
                file=job.name,
                value=reason,
                message=f"Không đọc được tệp ({why}); tệp bị bỏ qua, "
                "các tệp khác vẫn được xử lý. Hãy mở tệp bằng Excel, lưu lại rồi gửi lại.",
            )
        ],
    )


#: What a file costs a worker besides its bytes (opening, reading ``_meta``, checking):
#: about what 32 KB of a workbook costs.
_FILE_WEIGHT = 32 * 1024
_CHUNK_FILES = 48


def _weight(job: Job) -> int:
    try:
        return _FILE_WEIGHT + os.stat(job.path).st_size
    except OSError:
        return _FILE_WEIGHT


def _chunks(jobs: list[Job], processes: int) -> list[list[int]]:
    """Job indexes in chunks of about equal work (file sizes), largest files first.

    Chunks are handed to whichever worker is free: with the heaviest first and the
    lightest last, both workers finish at about the same time, whatever the order of the
    files in the folder (a folder sorted by name keeps its 300-row task forms together).
    A chunk never holds more than 48 files, nor much more than an eighth of the work.
    """
    weights = [_weight(job) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -weights[i])
    target = max(1, sum(weights) // (max(1, processes) * 4))
    chunks: list[list[int]] = []
    current: list[int] = []
    load = 0
    for i in order:
        current.append(i)
        load += weights[i]
        if load >= target or len(current) >= _CHUNK_FILES:
            chunks.append(current)
            current, load = [], 0
    if current:
        chunks.append(current)
    return chunks


def run(
    jobs: list[Job], limits: Limits, processes: int, progress: Progress | None
) -> tuple[list[Outcome], list[Issue]]:
    """Chunks of files per worker task (less inter-process traffic); a failed chunk is
    re-run file by file so that one hostile file costs only itself."""
    indexes = _chunks(jobs, processes)
    chunks = [tuple(jobs[i] for i in chunk) for chunk in indexes]
    done = 0

    def settled(index: int) -> None:
        nonlocal done
        done += len(chunks[index])
        if progress:
            progress(done, len(jobs))

    results = isolated_map(_process_chunk, chunks, limits, processes=processes, on_done=settled)
    if len(chunks) >= 3 and all(isinstance(r, WorkerFailure) for r in results):
        # Worker processes cannot start here (an embedding host, a frozen app):
        # intake still runs first, file by file, in this process.
        note = Issue.of(
            codes.ISOLATION_UNAVAILABLE,
            message="Không khởi động được tiến trình đọc riêng; các tệp được kiểm tra an toàn "
            "rồi đọc trực tiếp.",
        )
        return [_process(job) for job in jobs], [note]
    outcomes: dict[int, Outcome] = {}
    for where, chunk, result in zip(indexes, chunks, results, strict=True):
        if not isinstance(result, WorkerFailure):
            outcomes.update(zip(where, result, strict=True))
            continue
        if len(chunk) == 1:  # already alone: the verdict stands (no second timeout)
            outcomes[where[0]] = _failed(chunk[0], result.reason)
            continue
        singles = isolated_map(_process_chunk, [(job,) for job in chunk], limits, processes=1)
        for i, job, single in zip(where, chunk, singles, strict=True):
            outcomes[i] = (
                _failed(job, single.reason) if isinstance(single, WorkerFailure) else single[0]
            )
    return [outcomes[i] for i in range(len(jobs))], []
