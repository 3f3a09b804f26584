"""Where xlsaddin keeps its own files on the officer's machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def user_cache_dir() -> Path:
    """xlsaddin's folder in the user's cache: ``%LOCALAPPDATA%\\xlsaddin`` on Windows,
    ``$XDG_CACHE_HOME/xlsaddin`` (by default ``~/.cache/xlsaddin``) elsewhere.

    May raise RuntimeError or KeyError when no home folder is known."""
    if sys.platform == "win32" and (local := os.environ.get("LOCALAPPDATA")):
        return Path(local) / "xlsaddin"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "xlsaddin"


CACHE_VAR = "XLSADDIN_CACHE"
_OFF = {"0", "off", "no", "false"}
_ON = {"", "1", "on", "yes", "true"}


def cache_folder(name: str) -> Path | None:
    """Where copies kept between runs go: ``$XLSADDIN_CACHE`` when it names a folder, else
    ``name`` in the user's cache; None when ``XLSADDIN_CACHE=0`` or no home folder is known.

    Everything there may be deleted at any time: it only saves time."""
    given = os.environ.get(CACHE_VAR, "").strip()
    if given.lower() in _OFF:
        return None
    if given.lower() not in _ON:
        return Path(given).absolute()
    try:
        return user_cache_dir() / name
    except (RuntimeError, KeyError, OSError):
        return None
