"""Failures an officer can do something about: a Vietnamese message, never a traceback.

Bad *input* is never an exception (it is an :class:`~xlsaddin.core.issues.Issue`). What
remains are problems of the machine the tool runs on: an output folder that is read-only,
a full disk, a history database that cannot be written. Code that writes raises
:class:`OfficerError` with a message naming the path and what to do; the command line
prints it on one line and exits with code 2 (see ``xlsaddin/crash.py`` for the rest).
"""

from __future__ import annotations

import errno
from collections.abc import Sequence
from pathlib import Path

#: errno values that mean "you may not write there".
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}
#: errno values that mean "no room left".
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class OfficerError(Exception):
    """A problem outside the data that the officer (or IT staff) can fix.

    ``str(error)`` is the whole Vietnamese message: what failed, on which path, what to do.
    """


def output_error(path: Path | str, exc: BaseException, what: str = "tệp") -> OfficerError:
    """The OfficerError for an OSError met while writing ``path``."""
    code = exc.errno if isinstance(exc, OSError) else None
    if code in _DENIED:
        advice = (
            "thư mục hoặc tệp chỉ cho phép đọc (hoặc không có quyền ghi); hãy chọn thư mục "
            "khác hoặc nhờ cán bộ CNTT cấp quyền ghi rồi chạy lại"
        )
    elif code in _FULL:
        advice = "ổ đĩa đã đầy; hãy giải phóng dung lượng hoặc chọn ổ đĩa khác rồi chạy lại"
    elif code == errno.ENAMETOOLONG:
        advice = "tên hoặc đường dẫn quá dài; hãy chọn tên ngắn hơn"
    elif code in (errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
        advice = (
            "một tệp hoặc thư mục cùng tên đang nằm ở đó (một thư mục trong đường dẫn là "
            "tệp, hoặc tên tệp là thư mục); hãy chọn tên khác hoặc chuyển nó đi"
        )
    elif code == errno.ENOENT:
        advice = "thư mục không tồn tại; hãy kiểm tra đường dẫn"
    else:
        detail = getattr(exc, "strerror", None) or type(exc).__name__
        advice = f"lỗi hệ thống ({detail}); hãy kiểm tra ổ đĩa và quyền ghi rồi chạy lại"
    return OfficerError(f"Không ghi được {what} {path}: {advice}.")


def check_outputs(outputs: Sequence[tuple[Path | None, str]], inputs: Sequence[Path] = ()) -> None:
    """Refuse, before anything is written, an output that cannot be what was asked:
    ``outputs`` are (path, expected suffix such as ".xlsx"; "" for any). A path that is a
    folder, has another extension, is one of ``inputs`` or is given twice is an
    OfficerError naming it (a run would otherwise stage a set it can never publish, or
    write over the file it reads)."""
    seen: dict[Path, Path] = {}
    sources = {_key(p): p for p in inputs}
    for path, suffix in outputs:
        if path is None:
            continue
        key = _key(path)
        if key in sources:
            raise OfficerError(
                f"Không ghi được {path}: đây chính là tệp đầu vào {sources[key]}; "
                "hãy chọn tên tệp kết quả khác để không ghi đè lên nó."
            )
        if path.is_dir():
            raise OfficerError(
                f"Không ghi được {path}: đây là một thư mục; hãy ghi cả tên tệp, "
                f"ví dụ {path / ('TongHop' + (suffix or '.xlsx'))}."
            )
        blocked = _file_in_the_way(path)
        if blocked is not None:
            raise OfficerError(
                f"Không ghi được {path}: {blocked} là một tệp, không phải thư mục; "
                "hãy chọn thư mục khác cho tệp kết quả."
            )
        if suffix and path.suffix.lower() != suffix:
            raise OfficerError(
                f"Không ghi được {path}: tệp này phải có đuôi {suffix} "
                f"(ví dụ {path.with_suffix(suffix).name})."
            )
        if key in seen:
            raise OfficerError(
                f"Không ghi được {path}: hai kết quả cùng trỏ vào một tệp; hãy chọn tên khác nhau."
            )
        seen[key] = path


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest existing folder above ``path``, when it is not a folder (a file), else
    None: the output could never be written there (nor its folder made)."""
    for parent in path.absolute().parents:
        try:
            if parent.is_dir():
                return None
            if parent.exists():
                return parent
        except OSError:  # pragma: no cover - cannot be looked at: writing will say why
            return None
    return None


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # pragma: no cover - an unreadable path: compare it as given
        return path.absolute()


def check_writable_folder(folder: Path, what: str = "thư mục") -> None:
    """Create ``folder`` if needed and prove a file can be written in it, before a long run
    whose every output would fail there (read-only, full disk, a file in the way): one
    OfficerError naming the folder instead of one confusing line per output."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".xlsaddin-thu-ghi-"):
            pass
    except OSError as exc:
        raise output_error(folder, exc, what) from None
