"""No traceback reaches an officer: how a command ends when something goes wrong.

Exit codes of every command (documented in README and ``docs/validation.md``):

==== ==================================================================================
0    done; no error in the data (warnings allowed)
1    done; the data has errors (validate), or a check failed (``build --check``, doctor)
2    could not do what was asked: an unreadable input file, a wrong option, a broken
     mapping, an output that cannot be written (read-only folder, full disk, history
     database); one line says what and where
3    an unexpected error (a bug): the traceback goes to a log file, one line says where
141  the program reading the output stopped reading it (``| head``); nothing is printed
==== ==================================================================================

:func:`guarded` wraps each command so that this holds whether the command runs from the
``xlsaddin`` script or under a test runner; :func:`run` is the script's last resort for
anything outside a command.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import os
import sys
import tempfile
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from xlsaddin.core.failures import OfficerError
from xlsaddin.core.places import user_cache_dir
from xlsaddin.core.untrusted import visible

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_ERRORS, EXIT_REFUSED, EXIT_BUG = 0, 1, 2, 3
#: The program reading the output stopped reading (``xlsaddin validate … --json | head``):
#: 128 + SIGPIPE, what a Unix tool ended by that signal returns.
EXIT_BROKEN_PIPE = 141
LOG_DIR_ENV = "XLSADDIN_LOG_DIR"


def log_dir() -> Path:
    """Where crash logs go: ``$XLSADDIN_LOG_DIR``, else the user's cache folder."""
    if given := os.environ.get(LOG_DIR_ENV):
        return Path(given)
    return user_cache_dir() / "nhat-ky-loi"


def write_crash_log(exc: BaseException) -> Path | None:
    """Write the traceback (and what ran) to a new log file; its path, or None if nowhere."""
    from xlsaddin import __version__

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    text = (
        f"xlsaddin {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n"
        f"lệnh / command: {visible(' '.join(sys.argv))}\n"
        f"lúc / at: {dt.datetime.now().isoformat(timespec='seconds')}\n\n"
        + "".join(traceback.format_exception(exc))
    )
    try:
        preferred = log_dir()
    except (RuntimeError, OSError, KeyError):  # no home folder known
        preferred = Path(tempfile.gettempdir())
    for folder in (preferred, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                dir=folder, prefix=f"xlsaddin-loi-{stamp}-{os.getpid()}-", suffix=".txt"
            )
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(text)
        except OSError:
            continue
        return Path(name)
    return None


def _say(text: str) -> None:
    """One line on stderr, whatever the terminal's encoding."""
    try:
        sys.stderr.write(visible(text) + "\n")
        sys.stderr.flush()
    except (OSError, UnicodeError, ValueError):  # pragma: no cover - no usable stderr
        pass


def report_crash(exc: BaseException) -> int:
    """Log ``exc``, print one line saying where, and return the exit code of a bug."""
    path = write_crash_log(exc)
    where = f"chi tiết đã ghi vào {path}" if path else "không ghi được tệp nhật ký lỗi"
    _say(
        f"Lỗi không mong đợi của chương trình (không phải lỗi dữ liệu); {where}. "
        "Hãy gửi tệp này cho cán bộ CNTT."
    )
    return EXIT_BUG


def _handle(exc: BaseException) -> int:
    if isinstance(exc, BrokenPipeError):  # the reader stopped reading (``| head``): not a bug
        try:  # nothing more can be written there, not even at the interpreter's exit
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
        except (OSError, ValueError, AttributeError):  # pragma: no cover - no real stdout
            pass
        return EXIT_BROKEN_PIPE
    if isinstance(exc, OfficerError):
        _say(str(exc))
        return EXIT_REFUSED
    if isinstance(exc, KeyboardInterrupt):
        _say("Đã dừng theo yêu cầu (Ctrl+C); các tệp kết quả trước đó không bị thay đổi.")
        return 130
    return report_crash(exc)


class Exit(Exception):
    """Ends a command on purpose with an exit code; the command has said why."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def guarded(func: F) -> F:
    """A command that turns OfficerError into exit 2 and anything unexpected into exit 3."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (SystemExit, Exit):
            raise
        except BaseException as exc:
            raise Exit(_handle(exc)) from None

    return wrapper  # type: ignore[return-value]


def run(main: Callable[[], object]) -> None:
    """The script's last resort: run ``main``; whatever escapes ends as one line and a code."""
    try:
        main()
    except SystemExit:
        raise
    except BaseException as exc:
        sys.exit(_handle(exc))


def leave(code: int) -> NoReturn:
    """End the script with ``code`` once its command is done, without the interpreter's
    teardown.

    Everything a command writes is complete when it returns (outputs fsynced and renamed,
    stores closed); what the teardown would add is freeing every object one by one, which
    took 0.05 s of a consolidation that read nothing and 0.10-0.19 s of one that read a
    few new files (benchmarks: docs/performance.md). So the output streams are flushed,
    the exit handlers run (``atexit``: multiprocessing's, coverage's, temporary folders'),
    and the process ends. Stdout's reader gone raises here (BrokenPipeError, for :func:`run`:
    exit 141); a stream that cannot be flushed otherwise, or a thread still running (none
    is expected), takes the usual exit. ``atexit._run_exitfuncs`` is CPython's own
    (undocumented) entry to the handlers; where it is missing the usual exit is taken.
    """
    run_handlers = getattr(atexit, "_run_exitfuncs", None)
    if not _flushed() or threading.active_count() != 1 or run_handlers is None:
        sys.exit(code)
    run_handlers()
    _flushed()
    os._exit(code)


def _flushed() -> bool:
    """Flush stdout and stderr (a stream closed from the start is None: nothing to do).
    Stdout's reader gone raises BrokenPipeError (exit 141); any other failure: False."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            if stream is sys.stdout:
                raise
        except (OSError, ValueError):
            return False
    return True
