"""Whether a process still runs: the publish journal (a run still in progress?) and the
worker watchdog (is the parent gone?) ask the same question."""

from __future__ import annotations

import os
import sys


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs on this machine (it is never signalled)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x00100000, False, pid)  # SYNCHRONIZE
        if not handle:
            return False
        try:
            return bool(kernel32.WaitForSingleObject(handle, 0) == 0x102)  # WAIT_TIMEOUT
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    except OSError:  # pragma: no cover
        return False
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has ended but not been reaped (Linux /proc), i.e. dead."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
