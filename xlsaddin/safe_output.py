"""Safe output: temp file + atomic rename; never over a file that is open in Excel."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _blocked(path: Path) -> str | None:
    """Why ``path`` cannot be replaced now (None when it can)."""
    lock = path.with_name(f"~${path.name}")
    if lock.exists():
        return "tệp đang mở trong Excel"
    if path.exists() and not os.access(path, os.W_OK):
        return "tệp không cho phép ghi"
    if not os.access(path.parent, os.W_OK):
        return "thư mục không cho phép ghi"
    return None


def choose_target(path: Path) -> tuple[Path, str | None]:
    """``path``, or the first free versioned name (``name_v2.xlsx``...) and the reason."""
    reason = _blocked(path)
    if reason is None:
        return path, None
    for n in range(2, 1000):
        candidate = path.with_name(f"{path.stem}_v{n}{path.suffix}")
        if not candidate.exists() and _blocked(candidate) is None:
            return candidate, reason
    raise OSError(f"Không tìm được tên tệp để ghi cạnh {path}")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temp file in the same folder, then rename into place.

    If the process dies midway, the previous ``path`` is intact and only a
    hidden ``.tmp-*`` file may remain.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
