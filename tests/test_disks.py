"""Which folders count as on a local disk (``core/disks.py``): only there is a file's stat
trusted to stand for its content (``validate/reuse.py``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from xlsaddin.core.disks import linux_local, local_folders, mount_table

MOUNTINFO = """\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
40 27 0:50 / /mnt/share rw,relatime shared:1 - cifs //srv/inbox rw
41 27 0:51 / /mnt/share\\040two rw master:2 - nfs4 srv:/x rw
42 27 0:52 / /home/u/ssh rw - fuse.sshfs u@h: rw
43 27 0:53 / /media/usb rw - fuseblk /dev/sdb1 rw
44 27 0:54 / /mnt/sharefoo rw - ext4 /dev/sdc rw
45 27 0:55 / /srv/odd rw - fuse something rw
not a mountinfo line
"""


@pytest.mark.parametrize(
    ("folder", "local"),
    [
        ("/var/hop_thu", True),
        ("/mnt/share", False),
        ("/mnt/share/hop_thu/email", False),
        ("/mnt/share two/x", False),  # an escaped space in the mount point
        ("/mnt/sharefoo/x", True),  # another mount that only starts with the same letters
        ("/home/u/ssh/a", False),
        ("/media/usb/a", True),  # ntfs-3g or exfat through FUSE: a local disk
        ("/srv/odd/a", False),  # a FUSE file system of unknown kind
    ],
)
def test_the_mount_that_holds_a_folder_decides(folder: str, local: bool) -> None:
    assert linux_local(folder, mount_table(MOUNTINFO)) is local


def test_a_folder_under_no_known_mount_is_not_local() -> None:
    assert linux_local("/var/x", []) is False
    assert mount_table("") == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/mountinfo")
def test_this_machines_temporary_folder_is_local(tmp_path: Path) -> None:
    """The test machines keep their temporary files on a local disk (ext4, tmpfs)."""
    assert local_folders([str(tmp_path)]) == {str(tmp_path)}
