"""A run publishes all its outputs or none: staged files, a journal, renames, recovery.

One consolidation run writes a workbook, often a JSON report, a history row and an audit
line, all carrying one run id. Files cannot be renamed together atomically, so:

1. **Stage** (nothing visible changes): each output file is written to a temporary
   name beside its target (``.tmp-<pid>-<run>-<name>``) and flushed to disk; the history
   row is stored *pending* (readers do not see it). Any failure here removes the staged
   files and leaves the previous outputs as they were.
2. **Commit**: the journal ``.xlsaddin-xuat-ban-<run id>.json`` is written atomically in
   the workbook's folder. It lists the renames, the history row and the audit line. From
   this instant the run *is* published, whatever happens next.
3. **Roll forward** (idempotent): rename every staged file into place, mark the history
   row published, append the audit line unless it is already there, delete the journal.

After a kill at any moment the folder therefore holds the previous set (killed before the
journal: only dead ``.tmp-*`` files remain) or a journal that completes the new set. The
next run, and ``xlsaddin report`` before it reads a workbook, call :func:`settle`, which
rolls forward the journals of dead runs and removes the temporary files of dead runs.
A journal whose run is still alive means another consolidation is writing: wait.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import secrets
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xlsaddin.consolidate.history import Figure, HistoryStore, RunRecord
from xlsaddin.core.failures import OfficerError, output_error
from xlsaddin.core.processes import pid_alive

JOURNAL_PREFIX = ".xlsaddin-xuat-ban-"
JOURNAL_SUFFIX = ".json"
TMP_PREFIX = ".tmp-"
#: A journal or temporary file older than this is a dead run's, whatever its pid says.
STALE = dt.timedelta(days=1)
#: Pending history rows older than this belong to runs that died before publishing.
PENDING_STALE = dt.timedelta(days=1)
_TMP_PID = re.compile(r"^\.tmp-(\d+)-")


def new_run_id() -> str:
    """``20251215T083000Z-4f3a9c1b``: sortable by time, unique per run."""
    return f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def staged_path(final: Path, run_id: str) -> Path:
    """Where ``final`` is written before the commit (same folder, hidden, owned by us)."""
    return final.with_name(f"{TMP_PREFIX}{os.getpid()}-{run_id[-8:]}-{final.name}")


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    if sys.platform == "win32":  # pragma: no cover
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_durably(path: Path, data: bytes) -> None:
    """``path`` with ``data``, written to a temporary name, flushed, then renamed."""
    tmp = staged_path(path, "journal")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@dataclass
class Journal:
    run_id: str
    pid: int
    created: str  # UTC ISO time
    renames: list[tuple[str, str]] = field(default_factory=list)  # (staged, final)
    audit_path: str | None = None
    audit_line: str | None = None
    history: str | None = None  # HistoryStore.url: the history file's path
    record: dict[str, Any] | None = None  # the RunRecord, to mark (or store) published
    path: Path | None = None  # where this journal is written

    @classmethod
    def load(cls, path: Path) -> Journal:
        data = json.loads(path.read_text(encoding="utf-8"))
        journal = cls(
            run_id=str(data["run_id"]),
            pid=int(data["pid"]),
            created=str(data["created"]),
            renames=[(str(a), str(b)) for a, b in data.get("renames", [])],
            audit_path=data.get("audit_path"),
            audit_line=data.get("audit_line"),
            history=data.get("history"),
            record=data.get("record"),
        )
        journal.path = path
        return journal

    def dump(self) -> bytes:
        data = dataclasses.asdict(self)
        data.pop("path")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")

    @property
    def stale(self) -> bool:
        try:
            created = dt.datetime.fromisoformat(self.created)
        except ValueError:
            return True
        return dt.datetime.now(dt.UTC) - created > STALE


def record_to_json(run: RunRecord) -> dict[str, Any]:
    return {
        "period_id": run.period_id,
        "started_at": run.started_at.isoformat(),
        "tool_version": run.tool_version,
        "mappings_hash": run.mappings_hash,
        "inputs": run.inputs,
        "run_id": run.run_id,
        "figures": [[f.appendix, f.key, f.value, f.unit_code] for f in run.figures],
    }


def record_from_json(data: dict[str, Any]) -> RunRecord:
    return RunRecord(
        period_id=str(data["period_id"]),
        started_at=dt.datetime.fromisoformat(data["started_at"]),
        tool_version=str(data["tool_version"]),
        mappings_hash=str(data["mappings_hash"]),
        inputs=int(data["inputs"]),
        run_id=data.get("run_id"),
        figures=tuple(Figure(str(a), str(k), float(v), u) for a, k, v, u in data["figures"]),
    )


# --------------------------------------------------------------------------- audit lines


def append_once(path: Path, line: str, run_id: str) -> None:
    """Append ``line`` (one JSON object) to the audit log unless the run's line is there.

    A torn last line (a writer killed mid-append) of this same run is cut off first; a
    torn line of any other run is left as it is and ours starts on a new line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    marker = f'"run_id": "{run_id}"'
    with open(path, "a+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        tail_start = max(0, size - 4 * 1024 * 1024)
        fh.seek(tail_start)
        tail = fh.read()
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n") + 1
            if marker.encode() in tail[cut:]:
                fh.truncate(tail_start + cut)
                tail = tail[:cut]
            else:
                fh.write(b"\n")
                tail += b"\n"
        lines = tail.rstrip(b"\n").rsplit(b"\n", 8)[-8:] if tail else []
        if any(marker.encode() in ln for ln in lines):
            return
        fh.write(line.rstrip("\n").encode("utf-8") + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


# --------------------------------------------------------------------------- roll forward

HistoryFor = Callable[[str], HistoryStore | None]


def roll_forward(journal: Journal, history_for: HistoryFor) -> None:
    """Complete a committed run (every step idempotent); the journal is removed last."""
    for staged, final in journal.renames:
        if Path(staged).exists():
            try:
                os.replace(staged, final)
            except OSError as exc:
                raise output_error(final, exc) from exc
            fsync_dir(Path(final).parent)
    if journal.history and journal.record:
        store = history_for(journal.history)
        if store is None:
            raise OfficerError(
                f"Chưa hoàn tất lần tổng hợp {journal.run_id}: không mở được CSDL lịch sử "
                f"{journal.history}; hãy chạy lại với --history trỏ tới CSDL này."
            )
        store.mark_published(record_from_json(journal.record))
    if journal.audit_path and journal.audit_line:
        try:
            append_once(Path(journal.audit_path), journal.audit_line, journal.run_id)
        except OSError as exc:
            raise output_error(journal.audit_path, exc, "nhật ký kiểm toán") from exc
    if journal.path is not None:
        journal.path.unlink(missing_ok=True)
        fsync_dir(journal.path.parent)


def journals(folder: Path) -> list[Path]:
    try:
        return sorted(
            p
            for p in folder.iterdir()
            if p.name.startswith(JOURNAL_PREFIX) and p.name.endswith(JOURNAL_SUFFIX)
        )
    except OSError:
        return []


@dataclass
class Settled:
    rolled_forward: list[str] = field(default_factory=list)  # run ids completed
    removed: list[Path] = field(default_factory=list)  # temporary files of dead runs


def settle(folders: Sequence[Path], history_for: HistoryFor | None = None) -> Settled:
    """Finish what dead runs left in ``folders``: roll their journals forward, remove
    their temporary files. Raises OfficerError when a live run is publishing there."""
    done = Settled()
    keep: set[str] = set()
    seen: set[Path] = set()
    for folder in folders:
        folder = Path(folder)
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        for path in journals(folder):
            try:
                journal = Journal.load(path)
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not ours to judge: an unreadable journal is left for IT staff
            if pid_alive(journal.pid) and not journal.stale and journal.pid != os.getpid():
                keep.update(staged for staged, _ in journal.renames)
                raise OfficerError(
                    f"Một lần tổng hợp khác (tiến trình {journal.pid}) đang ghi kết quả vào "
                    f"{folder}; hãy chờ lần đó xong rồi chạy lại."
                )
            roll_forward(journal, history_for or _open_sqlite)
            done.rolled_forward.append(journal.run_id)
    for folder in seen:
        done.removed += _remove_dead_temporaries(folder, keep)
    return done


def _open_sqlite(path: str) -> HistoryStore | None:
    """The history file a journal names (None when it is gone or unusable)."""
    if path == ":memory:" or not Path(path).is_file():
        return None
    try:
        return HistoryStore(path)
    except Exception:
        return None


def _remove_dead_temporaries(folder: Path, keep: set[str]) -> list[Path]:
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    now = dt.datetime.now().timestamp()
    for path in entries:
        if not path.name.startswith(TMP_PREFIX) or str(path) in keep:
            continue
        match = _TMP_PID.match(path.name)
        try:
            old = now - path.lstat().st_mtime > STALE.total_seconds()
        except OSError:
            continue
        dead = (match is not None and not pid_alive(int(match.group(1)))) or (
            match is None and now - path.lstat().st_mtime > 3600
        )
        if (dead or old) and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
