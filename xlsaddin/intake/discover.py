"""Find the incoming files to check in folders of e-mail/Zalo attachments.

Nothing in an inbox is skipped silently: what cannot be read as a file (a folder that
cannot be opened, a FIFO or device, a link to nothing, a link that leads out of the inbox)
is reported with a code, and the batch goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from xlsaddin.core import codes
from xlsaddin.core.codes import Code
from xlsaddin.core.issues import Issue
from xlsaddin.intake.messages import MESSAGES

#: Sidecar written next to the inbox with each file's time of receipt.
MANIFEST_NAME = "_thoi_gian_nhan.csv"


# Files Windows and macOS drop into any folder; never a report.
OS_JUNK = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def is_skipped(name: str) -> bool:
    """Hidden files, Excel lock files (``~$…``), OS junk and the receipt-time manifest."""
    folded = name.casefold()
    return name.startswith((".", "~$")) or folded == MANIFEST_NAME or folded in OS_JUNK


@dataclass(frozen=True)
class Hazard:
    """Something in an inbox that is not a file to read, and why."""

    path: Path
    code: Code
    detail: str = ""

    def issue(self, name: str) -> Issue:
        """The Issue, with the entry shown as ``name`` (relative to the inbox)."""
        fields = {"name": name, "folder": name, "detail": self.detail}
        return Issue.of(self.code, MESSAGES[self.code].format(**fields), file=name)


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every candidate file under ``paths``, sorted and deduplicated (see :func:`explore`)."""
    return explore(paths).files


def explore(paths: Iterable[Path]) -> Discovery:
    """Every candidate file under ``paths``, and every entry that cannot be one.

    Folders are walked recursively (hidden folders skipped); every other file is kept
    whatever its extension, since senders rename files. A link is followed only when it
    stays inside the folder given (a link to a folder is never walked: its target, if
    inside, is walked anyway). Paths given that do not exist are ignored (the command
    line says so itself); a file or folder named on the command line is always used.
    """
    found: dict[Path, Path] = {}
    hazards: list[Hazard] = []
    for given in paths:
        root = Path(given)
        if root.is_dir():
            _walk(root, found, hazards)
        elif root.is_file():
            _add(found, root)
        elif root.exists():  # named on the command line, but a FIFO, socket or device
            hazards.append(Hazard(root, codes.INBOX_SPECIAL_FILE, _kind(root.stat().st_mode)))
    hazards.sort(key=lambda h: str(h.path))
    return Discovery(sorted(found.values()), hazards)


def _walk(root: Path, found: dict[Path, Path], hazards: list[Hazard]) -> None:
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError):
        real_root = root.absolute()

    def refused(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        detail = error.strerror or type(error).__name__
        hazards.append(Hazard(where, codes.INBOX_FOLDER_UNREADABLE, detail))

    # os.scandir, not os.walk: a regular file costs no system call of its own (its type
    # comes with the folder's listing), 744 files in ~9 ms instead of ~26 ms
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            refused(exc)
            continue
        real_folder: Path | None = None
        for item in entries:
            entry = folder / item.name
            try:
                is_dir = item.is_dir()  # follows a link, as os.walk sorts entries
            except OSError:
                is_dir = False
            if is_dir:
                if item.name.startswith("."):
                    continue
                if os.path.islink(entry):  # False when it cannot be told: walked, refused there
                    _link(entry, real_root, found, hazards, folder_link=True)
                else:
                    pending.append(entry)
                continue
            if is_skipped(item.name):
                continue
            try:
                link = item.is_symlink()  # may need a stat: the listing gave no type
            except PermissionError as exc:  # listed but not searchable: nothing in it opens
                exc.filename = str(folder)
                refused(exc)
                break
            except OSError as exc:
                hazards.append(Hazard(entry, codes.INBOX_SPECIAL_FILE, exc.strerror or ""))
                continue
            if link:
                _link(entry, real_root, found, hazards, folder_link=False)
                continue
            try:
                regular = item.is_file(follow_symlinks=False)
                mode = stat.S_IFREG if regular else item.stat(follow_symlinks=False).st_mode
            except OSError as exc:
                hazards.append(Hazard(entry, codes.INBOX_SPECIAL_FILE, exc.strerror or ""))
                continue
            if stat.S_ISREG(mode):
                if real_folder is None:
                    real_folder = _resolved(folder)
                _add(found, entry, real_folder / item.name)
            else:
                hazards.append(Hazard(entry, codes.INBOX_SPECIAL_FILE, _kind(mode)))


def _link(
    entry: Path,
    real_root: Path,
    found: dict[Path, Path],
    hazards: list[Hazard],
    *,
    folder_link: bool,
) -> None:
    try:
        target = entry.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        hazards.append(Hazard(entry, codes.INBOX_BROKEN_LINK))
        return
    if not target.is_relative_to(real_root):
        hazards.append(Hazard(entry, codes.INBOX_LINK_OUTSIDE))
        return
    if folder_link:
        return  # its target is inside the inbox and is walked there
    try:
        mode = target.stat().st_mode
    except OSError as exc:
        hazards.append(Hazard(entry, codes.INBOX_BROKEN_LINK, exc.strerror or ""))
        return
    if stat.S_ISREG(mode):
        _add(found, entry)
    else:
        hazards.append(Hazard(entry, codes.INBOX_SPECIAL_FILE, _kind(mode)))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "đường ống FIFO"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "thiết bị"
    if stat.S_ISDIR(mode):
        return "thư mục"
    return "loại đặc biệt"


def _add(found: dict[Path, Path], path: Path, key: Path | None = None) -> None:
    """Keep ``path`` once per real file (``key``: its real path, when known). Of a file
    and links to it, the file itself is kept, else the first by name: whatever order the
    folders were listed in."""
    if is_skipped(path.name):
        return
    key = key if key is not None else _resolved(path)
    kept = found.get(key)
    if kept is None or (kept != path and _rank(path) < _rank(kept)):
        found[key] = path


def _rank(path: Path) -> tuple[bool, str]:
    return os.path.islink(path), str(path)  # islink: False, never an error, if unknown


def real_path(path: Path, folders: dict[Path, Path]) -> Path:
    """``path.resolve()``, each folder resolved once (``folders``: those resolved so far);
    the last part itself costs one ``lstat`` (a link, or "..", is resolved in full)."""
    if path.name in ("", ".", "..") or os.path.islink(path):
        return path.resolve()
    parent = path.parent
    if parent not in folders:
        folders[parent] = parent.resolve()
    return folders[parent] / path.name


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
