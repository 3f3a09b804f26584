"""A validated copy of a mappings folder, so that a command does not read, parse and
validate the YAML again: with the models' validators built only when needed, that is
about 50 ms of the 0.3 s that ``xlsaddin validate ONE.xlsx`` takes (docs/performance.md).

The copy is a pickle in the user's cache folder (``core.places``), named by a digest of
everything the loaded mappings depend on: every file of the folder (its bytes), the
folder's path, xlsaddin's own modules (size and modification time: an edited checkout
never reads a copy made by other code), and Python's and pydantic's versions. A copy that
is missing, unreadable, not the user's own, or not a ``Mappings`` is ignored and the
folder is loaded as usual. Only a folder that loaded without a problem is stored, and a
new copy replaces the older copies of the same folder.

Why pickle: unpickling restores the frozen pydantic models as they were validated,
without validating again and without building their validators (``defer_build``), which
is where the time goes. It is read only from the user's own cache folder and (POSIX)
only when the user owns the file: whoever can write there can already run code as that
user. ``XLSADDIN_CACHE`` names another folder, or ``0`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from xlsaddin.core.places import user_cache_dir
from xlsaddin.spec.models import Mappings

ENV_VAR = "XLSADDIN_CACHE"
_OFF = {"0", "off", "no", "false"}


def cache_folder() -> Path | None:
    """Where copies go (``$XLSADDIN_CACHE``, else the user's cache), None when turned off."""
    given = os.environ.get(ENV_VAR, "").strip()
    if given.lower() in _OFF:
        return None
    if given:
        return Path(given)
    try:
        return user_cache_dir() / "cau-hinh"
    except (RuntimeError, KeyError, OSError):  # no home folder known
        return None


@functools.cache
def _code_fingerprint() -> bytes:
    """Python, pydantic and xlsaddin's own modules (path, size, modification time)."""
    import pydantic

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for folder, dirs, names in os.walk(package):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                st = os.stat(path)
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return digest.digest()


def _digest(root: Path) -> str | None:
    """The digest naming the copy of ``root``, None when the folder cannot be read."""
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(f"{root}\0{root.resolve()}\0".encode())
    try:
        for folder, dirs, names in os.walk(root):
            dirs.sort()
            for name in sorted(names):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    data = fh.read()
                digest.update(f"{os.path.relpath(path, root)}\0{len(data)}\0".encode())
                digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()


def _read(path: Path) -> Mappings | None:
    try:
        with open(path, "rb") as fh:
            if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                return None
            value = pickle.load(fh)
    except Exception:  # missing, unreadable, truncated, from other code: load as usual
        return None
    return value if isinstance(value, Mappings) else None


def _write(folder: Path, path: Path, value: Mappings, family: str) -> None:
    """Store ``value`` atomically; remove the older copies of the same folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name)
            raise
        for older in folder.glob(f"{family}-*.pickle"):
            if older != path:
                with contextlib.suppress(OSError):
                    older.unlink()
    except Exception:  # a read-only or full cache folder only costs the next load its time
        pass


def cached(root: Path, load: Callable[[], Mappings]) -> Mappings:
    """``load()``, or the copy stored the last time ``root`` was loaded as it is now."""
    folder = cache_folder()
    key = _digest(root) if folder is not None else None
    if folder is None or key is None:
        return load()
    family = "mappings-" + hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    path = folder / f"{family}-{key[:32]}.pickle"
    if (hit := _read(path)) is not None:
        return hit
    value = load()
    _write(folder, path, value, family)
    return value
