"""Find the incoming files to check in folders of e-mail/Zalo attachments."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

#: Sidecar written next to the inbox with each file's time of receipt.
MANIFEST_NAME = "_thoi_gian_nhan.csv"


# Files Windows and macOS drop into any folder; never a report.
OS_JUNK = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def is_skipped(name: str) -> bool:
    """Hidden files, Excel lock files (``~$…``), OS junk and the receipt-time manifest."""
    folded = name.casefold()
    return name.startswith((".", "~$")) or folded == MANIFEST_NAME or folded in OS_JUNK


def discover(paths: Iterable[Path]) -> list[Path]:
    """Every candidate file under ``paths``, sorted and deduplicated.

    Folders are walked recursively (hidden folders skipped, symlinked folders
    not followed); every other file is kept whatever its extension, since
    senders rename files. Paths that do not exist are ignored.
    """
    found: dict[Path, Path] = {}
    for given in paths:
        root = Path(given)
        if root.is_dir():
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in files:
                    _add(found, Path(folder) / name)
        elif root.is_file():
            _add(found, root)
    return sorted(found.values())


def _add(found: dict[Path, Path], path: Path) -> None:
    if is_skipped(path.name) or not path.is_file():
        return
    try:
        key = path.resolve()
    except OSError:
        key = path.absolute()
    found.setdefault(key, path)
