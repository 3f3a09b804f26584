"""Write everything a consolidation produces as one unit: workbook, JSON, history, audit.

All four carry one run id (the workbook as a document property, the JSON and the audit
line as ``run_id``, the history row in its ``run_id`` column). They are published all or
nothing through a journal (:mod:`xlsaddin.consolidate.journal`): staged files, a pending
history row, then the journal as the commit point, then renames.

Problems of the machine (a read-only folder, a full disk, a history database that cannot
be written) end as one :class:`~xlsaddin.core.failures.OfficerError` naming the path; when
they happen before the commit nothing of the new run is visible.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from xlsaddin import __version__
from xlsaddin.consolidate.audit import audit_entry, mappings_hash
from xlsaddin.consolidate.history import HistoryStore, NotAHistoryPath, RunRecord, open_history
from xlsaddin.consolidate.journal import (
    PENDING_STALE,
    Journal,
    new_run_id,
    record_to_json,
    roll_forward,
    settle,
    staged_path,
    write_durably,
)
from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.render import to_json
from xlsaddin.consolidate.run import figures_of
from xlsaddin.core.failures import OfficerError, output_error
from xlsaddin.gc_pause import gc_paused
from xlsaddin.report.province_workbook import write_province_workbook
from xlsaddin.safe_output import choose_target, find_os_error
from xlsaddin.spec.models import Mappings


@dataclass(frozen=True)
class Published:
    workbook: Path
    note: str | None  # why a versioned name was used instead of the requested one
    json: Path | None
    audit: Path
    run_id: str = ""


def history_error(where: str, exc: BaseException) -> OfficerError:
    """The OfficerError for a history database that cannot be opened or written."""
    text = str(exc).lower()
    denied = ("readonly", "read-only", "permission")
    if isinstance(exc, PermissionError) or any(word in text for word in denied):
        why = "CSDL chỉ cho phép đọc (hoặc không có quyền ghi)"
    elif "unable to open" in text:
        why = "không mở hoặc tạo được tệp CSDL (thư mục không tồn tại hoặc không có quyền ghi)"
    elif "disk" in text or "full" in text:
        why = "ổ đĩa đầy hoặc lỗi ghi đĩa"
    elif "locked" in text:
        why = "CSDL đang bị một chương trình khác khóa"
    else:
        why = f"lỗi CSDL ({type(exc).__name__})"
    return OfficerError(
        f"Không ghi được CSDL lịch sử {where}: {why}; kết quả lần này chưa được ghi. Hãy chọn "
        "CSDL khác (--history TỆP) hoặc nhờ cán bộ CNTT cấp quyền ghi rồi chạy lại."
    )


def open_store(spec: str | None, out: Path) -> HistoryStore:
    """The history store of a run (see ``open_history``), or an OfficerError."""
    try:
        return open_history(spec, out)
    except OfficerError:
        raise
    except NotAHistoryPath as exc:  # a database URL: the message says to give a file path
        raise OfficerError(str(exc)) from None
    except Exception as exc:
        where = spec or os.environ.get("XLSADDIN_HISTORY") or str(out.parent)
        raise history_error(where, exc) from exc


def settle_outputs(folders: list[Path], history: HistoryStore | None) -> None:
    """Complete or clean up what a killed earlier run left in the output folders."""

    def history_for(url: str) -> HistoryStore | None:
        if history is not None and history.url == url:
            return history
        from xlsaddin.consolidate.journal import _open_sqlite

        return _open_sqlite(url)

    settle(folders, history_for)


def _stage(final: Path, run_id: str, write: object, staged: list[Path]) -> Path:
    """Write one output to its staged name (flushed to disk)."""
    tmp = staged_path(final, run_id)
    staged.append(tmp)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        write(tmp)  # type: ignore[operator]
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except Exception as exc:
        found = find_os_error(exc)
        if found is None:
            raise
        raise output_error(final, found) from exc
    return tmp


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _check_appendable(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise output_error(path, exc, "nhật ký kiểm toán") from exc


def publish(
    result: Consolidation,
    mappings: Mappings,
    *,
    out: Path,
    json_path: Path | None,
    audit_path: Path,
    history: HistoryStore | None,
) -> Published:
    """Workbook (never over a file open in Excel), JSON, history row and audit line, as one
    unit with one run id. A dry run does not call this at all: it writes nothing."""
    folders = [out.parent] + ([json_path.parent] if json_path is not None else [])
    settle_outputs(folders, history)
    run_id = new_run_id()
    target, note = choose_target(out)
    staged: list[Path] = []
    pending = False
    record = RunRecord(
        period_id=result.period.id,
        started_at=dt.datetime.now(dt.UTC),
        tool_version=__version__,
        mappings_hash=mappings_hash(mappings),
        inputs=len(result.submissions),
        figures=figures_of(result),
        run_id=run_id,
    )
    try:
        with gc_paused():
            book = _stage(
                target,
                run_id,
                lambda tmp: write_province_workbook(result, tmp, mappings, run_id=run_id),
                staged,
            )
        renames = [(str(book), str(target))]
        if json_path is not None:
            payload = to_json(result, str(target))
            payload["run_id"] = run_id
            text = json.dumps(payload, ensure_ascii=False, indent=2)
            tmp = _stage(json_path, run_id, lambda p: p.write_text(text, encoding="utf-8"), staged)
            renames.append((str(tmp), str(json_path)))
        _check_appendable(audit_path)
        entry = {**audit_entry(result, mappings, str(target)), "run_id": run_id}
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True)
        if history is not None:
            try:
                history.record(record, pending=True)
            except Exception as exc:
                raise history_error(history.url, exc) from exc
            pending = True
            _discard_stale_pending(history)
        journal = Journal(
            run_id=run_id,
            pid=os.getpid(),
            created=dt.datetime.now(dt.UTC).isoformat(),
            renames=renames,
            audit_path=str(audit_path),
            audit_line=line,
            history=history.url if history is not None else None,
            record=record_to_json(record) if history is not None else None,
        )
        journal.path = target.parent / f".xlsaddin-xuat-ban-{run_id}.json"
        try:
            write_durably(journal.path, journal.dump())  # the commit point
        except OSError as exc:
            raise output_error(target.parent, exc, "thư mục kết quả") from exc
    except BaseException:
        for tmp in staged:
            with contextlib.suppress(OSError):  # never mask why the run failed
                tmp.unlink(missing_ok=True)
        if pending and history is not None:
            _forget(history, run_id)
        raise
    roll_forward(journal, lambda url: history)
    return Published(target, note, json_path, audit_path, run_id)


def _forget(history: HistoryStore, run_id: str) -> None:
    """Drop our pending row after a failed stage (best effort: readers ignore it anyway)."""
    with contextlib.suppress(Exception):  # the row stays pending, invisible
        history.discard_run(run_id)


def _discard_stale_pending(history: HistoryStore) -> None:
    with contextlib.suppress(Exception):  # housekeeping only
        history.discard_pending(dt.datetime.now(dt.UTC) - PENDING_STALE)
