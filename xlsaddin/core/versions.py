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

#: Libraries whose version changes what a file reads as (besides Python and pydantic).
_READERS = ("python_calamine", "olefile", "defusedxml")


def _stat_into(digest: hashlib._Hash, path: str) -> None:
    st = os.stat(path)
    digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())


@functools.cache
def code_fingerprint() -> str:
    """Python, pydantic and every file of xlsaddin's package (path, size, modification
    time)."""
    import pydantic  # imported by every command anyway (the mappings models)

    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    package = Path(__file__).resolve().parents[1]
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            _stat_into(digest, os.path.join(folder, name))
    return digest.hexdigest()


@functools.cache
def readers_fingerprint() -> str:
    """:func:`code_fingerprint` and the files of the libraries that read workbooks (found,
    not imported)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for module in _READERS:
        spec = importlib.util.find_spec(module)
        if spec is None:
            digest.update(f"{module}\0-\0".encode())
            continue
        for location in spec.submodule_search_locations or [spec.origin or ""]:
            if os.path.isdir(location):
                for entry in sorted(os.scandir(location), key=lambda e: e.name):
                    if entry.is_file():
                        _stat_into(digest, entry.path)
            elif location:
                _stat_into(digest, location)
    return digest.hexdigest()
