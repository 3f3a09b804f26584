"""Which folders are on a local disk, where a file's stat is current.

On a network share (SMB, NFS, sshfs, ...) the client may answer ``stat`` from a cache of
metadata for seconds after another computer rewrote the file: Windows keeps it about
10 s (``FileInfoCacheLifetime``), a Linux CIFS mount 1 s (``actimeo``), sshfs about 20 s.
A file's content read there is current; its stat may not be. So what trusts a stat to
stand for the content (``validate/reuse.py``) does it only for folders named here.

When in doubt, a folder is not local: Windows drives other than fixed or removable ones
and UNC paths, Linux file systems known to be remote or unknown FUSE ones, a mount table
that cannot be read, any other system. Not local only costs time (the file is hashed).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable

#: Linux file-system types whose stat may lag behind another computer's writes.
REMOTE_TYPES = frozenset(
    {
        "9p",
        "afs",
        "ceph",
        "cifs",
        "davfs",
        "fuse",
        "gfs2",
        "glusterfs",
        "gpfs",
        "lustre",
        "ncpfs",
        "nfs",
        "nfs4",
        "ocfs2",
        "smb3",
        "smbfs",
        "virtiofs",
    }
)
_OCTAL = re.compile(r"\\([0-7]{3})")


def local_folders(folders: Iterable[str]) -> set[str]:
    """The ``folders`` that are on a local disk (others, and any that cannot be told: not)."""
    folders = set(folders)
    try:
        if sys.platform == "win32":
            return {f for f in folders if _windows_local(f)}
        if sys.platform.startswith("linux"):
            with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as fh:
                table = mount_table(fh.read())
            return {f for f in folders if linux_local(f, table)}
    except (OSError, ValueError):
        pass
    return set()


def mount_table(mountinfo: str) -> list[tuple[str, str]]:
    """(mount point, file-system type) of each line of ``/proc/self/mountinfo``, the
    longest mount points first (see proc(5): the point is the 5th field, octal-escaped;
    the type follows the " - " separator)."""
    table = []
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, kind = left.split(), right.split()
        if not sep or len(fields) < 5 or not kind:
            continue
        point = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), fields[4])
        table.append((point, kind[0]))
    table.sort(key=lambda entry: len(entry[0]), reverse=True)
    return table


def linux_local(folder: str, table: list[tuple[str, str]]) -> bool:
    """Whether ``folder`` is on a local file system, by the mount that holds it."""
    real = os.path.realpath(folder)
    for point, kind in table:
        if real == point or real.startswith(point.rstrip("/") + "/"):
            return not (kind in REMOTE_TYPES or kind.startswith("fuse."))
    return False


if sys.platform == "win32":

    def _windows_local(folder: str) -> bool:
        import ctypes

        drive = os.path.splitdrive(os.path.abspath(folder))[0]
        if len(drive) != 2 or drive[1] != ":":  # a UNC path (\\server\share) or none
            return False
        kind = ctypes.windll.kernel32.GetDriveTypeW(drive + "\\")
        return kind in (2, 3)  # DRIVE_REMOVABLE, DRIVE_FIXED (not REMOTE, CDROM, ...)

else:

    def _windows_local(folder: str) -> bool:
        return False
