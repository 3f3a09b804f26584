"""What xlsaddin's results depend on besides their inputs: the code that computes them.

Copies kept between runs (validated mappings, the outcomes of files already read) are
named by :func:`code_fingerprint`, so an edited checkout, an upgrade of xlsaddin or of a
library it reads with never answers from a copy made by other code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
from pathlib import Path

#: Libraries (with their data) whose version changes what a file reads as, besides
#: Python and pydantic: the workbook readers, the list of communes, number parsing.
_READERS = ("python_calamine", "olefile", "defusedxml", "vietnam_provinces", "babel")


#: Folders not walked: bytecode, and babel's 1,200 locale files (8 ms of ``stat``; they
#: change only with babel's own modules, which are walked).
_SKIPPED = {"__pycache__", "locale-data"}


def _walk_into(digest: hashlib._Hash, top: str) -> None:
    """Every file under ``top`` (path, size, modification time), :data:`_SKIPPED` aside.
    A file that cannot be looked at (a dangling link: an editor's lock file) counts as
    such, and never fails the walk."""
    for folder, dirs, names in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        for name in sorted(names):
            _stat_into(digest, os.path.join(folder, name))


def _stat_into(digest: hashlib._Hash, path: str) -> None:
    """``path``'s size and modification time (the link itself, never followed)."""
    try:
        st = os.lstat(path)
    except OSError:
        digest.update(f"{path}\0?\0".encode())
        return
    digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())


@functools.cache
def code_fingerprint() -> str:
    """Python, pydantic and every file of xlsaddin's package (path, size, modification
    time)."""
    import pydantic  # imported by every command anyway (the mappings models)

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    _walk_into(digest, str(Path(__file__).resolve().parents[1]))
    return digest.hexdigest()


@functools.cache
def readers_fingerprint() -> str:
    """:func:`code_fingerprint` and every file of the libraries that decide what a file
    reads as (found, not imported)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for module in _READERS:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            digest.update(f"{module}\0-\0".encode())
            continue
        for location in spec.submodule_search_locations or [spec.origin or ""]:
            if os.path.isdir(location):
                _walk_into(digest, location)
            elif location:
                _stat_into(digest, location)
    return digest.hexdigest()
