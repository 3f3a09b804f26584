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
