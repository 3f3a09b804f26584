"""Safe output: temp file + atomic rename; never over a file that is open in Excel.

Temporary files are named ``.tmp-<pid>-…`` so that what a killed process leaves behind
can be told from what a live one is writing (and removed by the next run). A failure to
write is an :class:`~xlsaddin.core.failures.OfficerError` naming the path and what to do.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from xlsaddin.core.failures import OfficerError, output_error


def _blocked(path: Path) -> str | None:
    """Why ``path`` cannot be replaced now (None when it can)."""
    lock = path.with_name(f"~${path.name}")
    if lock.exists():
        return "tệp đang mở trong Excel"
    if path.exists() and not os.access(path, os.W_OK):
        return "tệp không cho phép ghi"
    if path.parent.exists() and not os.access(path.parent, os.W_OK):
        return "thư mục không cho phép ghi"
    return None


def choose_target(path: Path) -> tuple[Path, str | None]:
    """``path``, or the first free versioned name (``name_v2.xlsx``...) and the reason."""
    reason = _blocked(path)
    if reason is None:
        return path, None
    if reason == "thư mục không cho phép ghi":
        raise output_error(path, PermissionError(13, reason))
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}_v{n}{path.suffix}")
        if not candidate.exists() and _blocked(candidate) is None:
            return candidate, reason
    raise OfficerError(
        f"Không tìm được tên tệp để ghi cạnh {path} (đã có {path.stem}_v2 … _v999); "
        "hãy dọn thư mục hoặc chọn tên khác."
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def find_os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself, or what caused it: writers wrap them)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temp file in the same folder, then rename into place.

    If the process dies midway, the previous ``path`` is intact and only a
    hidden ``.tmp-<pid>-*`` file may remain. A failure to write raises OfficerError.
    """
    atomic_write_all([(path, write)])


def atomic_write_all(outputs: Sequence[tuple[Path, Callable[[Path], object]]]) -> None:
    """:func:`atomic_write` for several files that belong together: every one is written
    to its temp file (flushed to disk) before any is renamed into place, so a failure to
    write one publishes none of them. (Only a failure of the renames themselves, after
    every file was written, could leave some renamed: a consolidation's outputs go
    through the publishing journal instead, ``consolidate/journal.py``.)"""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in outputs:
            staged.append((_stage(path, write), path))
        done: list[Path] = []
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                error = output_error(path, exc)
                if done:  # say what was replaced already: the set is not whole
                    names = ", ".join(str(p) for p in done)
                    error = OfficerError(f"{error} Các tệp đã được ghi mới: {names}.")
                raise error from exc
            done.append(path)
    finally:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def _stage(path: Path, write: Callable[[Path], object]) -> Path:
    """``path``'s content written to a temp file beside it (flushed), or OfficerError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".tmp-{os.getpid()}-", suffix=path.suffix
        )
        os.close(fd)
    except OSError as exc:
        raise output_error(path, exc) from exc
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):  # never mask why the write failed
            Path(tmp).unlink(missing_ok=True)
        found = find_os_error(exc) if isinstance(exc, Exception) else None
        if found is not None:
            raise output_error(path, found) from exc
        raise
    return Path(tmp)
